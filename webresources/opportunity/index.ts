/**
 * Entry of `idr_/groupquotes/opportunity.js`: the build publishes the default export, the handlers, as
 * `Ideario.GroupQuotes.Opportunity`, whose members are the names the Opportunity form's FormXml registers.
 * The page's `Xrm` is only read when a handler runs; tests use createOpportunityForm directly.
 */
import { createXrmReader } from '../../dataverse/adapters/xrm-client';
import { createOpportunityForm, FORM_TABLES } from './form';
import { STRINGS_RESOURCE } from './messages';

export default createOpportunityForm({
  client: () => createXrmReader(Xrm.WebApi, { tables: FORM_TABLES }),
  clock: () => new Date(),
  // The RESX web resources are this library's dependencies, so the page has them loaded already.
  text: (key) => Xrm.Utility.getResourceString(STRINGS_RESOURCE, key),
});
