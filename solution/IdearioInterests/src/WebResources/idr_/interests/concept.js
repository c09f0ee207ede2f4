// Placeholder for the Marketing Concept form script. `ideario pack` replaces it with the bundle
// built from webresources/concept/ (dist/webresources/idr_/interests/concept.js).
var Ideario = Ideario || {};
Ideario.Interests = Ideario.Interests || {};
Ideario.Interests.Concept = Ideario.Interests.Concept || (function () {
  function notBuilt() {
    if (typeof console !== 'undefined') console.warn('Ideario: the Marketing Concept form script was packed without being built.');
  }
  return {
    onLoad: notBuilt,
    onThresholdChange: notBuilt,
    onSave: notBuilt,
  };
})();
