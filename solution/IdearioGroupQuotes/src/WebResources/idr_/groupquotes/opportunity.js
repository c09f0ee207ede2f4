// Placeholder for the Group Quotation form script. `ideario pack` replaces it with the bundle
// built from webresources/opportunity/ (dist/webresources/idr_/groupquotes/opportunity.js).
var Ideario = Ideario || {};
Ideario.GroupQuotes = Ideario.GroupQuotes || {};
Ideario.GroupQuotes.Opportunity = Ideario.GroupQuotes.Opportunity || (function () {
  function notBuilt() {
    if (typeof console !== 'undefined') console.warn('Ideario: the Group Quotation form script was packed without being built.');
  }
  return {
    onLoad: notBuilt,
    onSave: notBuilt,
    onArrivalChange: notBuilt,
    onNightsChange: notBuilt,
    onDepartureChange: notBuilt,
    onPricingChange: notBuilt,
  };
})();
