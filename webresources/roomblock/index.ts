/**
 * Entry of `idr_/groupquotes/roomblock.js`: esbuild publishes these exports as
 * `Ideario.GroupQuotes.RoomBlock.*`, the names the Room Block form's FormXml registers.
 */
import { createXrmReader } from '../../dataverse/adapters/xrm-client';
import { createRoomBlockForm, FORM_TABLES } from './form';
import { STRINGS_RESOURCE } from './messages';

const handlers = createRoomBlockForm({
  client: () => createXrmReader(Xrm.WebApi, { tables: FORM_TABLES }),
  // The RESX web resources are this library's dependencies, so the page has them loaded already.
  text: (key) => Xrm.Utility.getResourceString(STRINGS_RESOURCE, key),
});

export const onLoad = handlers.onLoad;
export const onChange = handlers.onChange;
export const onSave = handlers.onSave;
