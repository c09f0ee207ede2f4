/**
 * Entry of `idr_/groupquotes/opportunity.js`: esbuild publishes these exports as
 * `Ideario.GroupQuotes.Opportunity.*`, the names the Opportunity form's FormXml registers.
 * The page's `Xrm` is only read when a handler runs; tests use createOpportunityForm directly.
 */
import { createXrmReader } from '../../dataverse/adapters/xrm-client';
import { createOpportunityForm, FORM_TABLES } from './form';
import { STRINGS_RESOURCE } from './messages';

const handlers = createOpportunityForm({
  client: () => createXrmReader(Xrm.WebApi, { tables: FORM_TABLES }),
  clock: () => new Date(),
  // The RESX web resources are this library's dependencies, so the page has them loaded already.
  text: (key) => Xrm.Utility.getResourceString(STRINGS_RESOURCE, key),
});

export const onLoad = handlers.onLoad;
export const onSave = handlers.onSave;
export const onArrivalChange = handlers.onArrivalChange;
export const onNightsChange = handlers.onNightsChange;
export const onDepartureChange = handlers.onDepartureChange;
export const onPricingChange = handlers.onPricingChange;
