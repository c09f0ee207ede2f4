/**
 * Entry of `idr_/interests/concept.js`: the build publishes the default export, the handlers, as
 * `Ideario.Interests.Concept`, whose members are the names the Marketing Concept form's FormXml registers.
 */
import { createXrmReader } from '../../dataverse/adapters/xrm-client';
import { createConceptForm, FORM_TABLES } from './form';

export default createConceptForm({ client: () => createXrmReader(Xrm.WebApi, { tables: FORM_TABLES }) });
