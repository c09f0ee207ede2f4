// Placeholder for the Room Block form script. `ideario pack` replaces it with the bundle
// built from webresources/roomblock/ (dist/webresources/idr_/groupquotes/roomblock.js).
var Ideario = Ideario || {};
Ideario.GroupQuotes = Ideario.GroupQuotes || {};
Ideario.GroupQuotes.RoomBlock = Ideario.GroupQuotes.RoomBlock || (function () {
  function notBuilt() {
    if (typeof console !== 'undefined') console.warn('Ideario: the Room Block form script was packed without being built.');
  }
  return { onLoad: notBuilt, onChange: notBuilt, onSave: notBuilt };
})();
