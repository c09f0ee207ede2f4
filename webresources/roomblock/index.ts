/**
 * Entry of `idr_/groupquotes/roomblock.js`: esbuild publishes these exports as
 * `Ideario.GroupQuotes.RoomBlock.*`, the names the Room Block form's FormXml registers.
 */
import { createXrmReader } from '../../dataverse/adapters/xrm-client';
import { createRoomBlockForm, FORM_TABLES } from './form';

const handlers = createRoomBlockForm({ client: () => createXrmReader(Xrm.WebApi, { tables: FORM_TABLES }) });

export const onLoad = handlers.onLoad;
export const onChange = handlers.onChange;
export const onSave = handlers.onSave;
