var pcf_tools_652ac3f36e1e4bca82eb3c1dc44e6fad;(()=>{"use strict";var e={};pcf_tools_652ac3f36e1e4bca82eb3c1dc44e6fad=e})();
