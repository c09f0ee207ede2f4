/**
 * Entry of `idr_/groupquotes/roomblock.js`: the build publishes the default export, the handlers, as
 * `Ideario.GroupQuotes.RoomBlock`, whose members are the names the Room Block form's FormXml registers.
 */
import { createXrmReader } from '../../dataverse/adapters/xrm-client';
import { createRoomBlockForm, FORM_TABLES } from './form';
import { STRINGS_RESOURCE } from './messages';

export default createRoomBlockForm({
  client: () => createXrmReader(Xrm.WebApi, { tables: FORM_TABLES }),
  // The RESX web resources are this library's dependencies, so the page has them loaded already.
  text: (key) => Xrm.Utility.getResourceString(STRINGS_RESOURCE, key),
});
