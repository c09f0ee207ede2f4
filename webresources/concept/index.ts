/**
 * Entry of `idr_/interests/concept.js`: esbuild publishes these exports as
 * `Ideario.Interests.Concept.*`, the names the Marketing Concept form's FormXml registers.
 */
import { createXrmReader } from '../../dataverse/adapters/xrm-client';
import { createConceptForm, FORM_TABLES } from './form';

const handlers = createConceptForm({ client: () => createXrmReader(Xrm.WebApi, { tables: FORM_TABLES }) });

export const onLoad = handlers.onLoad;
export const onThresholdChange = handlers.onThresholdChange;
export const onSave = handlers.onSave;
