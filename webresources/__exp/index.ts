import { createOpportunityForm } from '../opportunity/form';
import type { DataverseClient } from '../../dataverse/client';
const handlers = createOpportunityForm({
  client: () => ({} as DataverseClient),
  clock: () => new Date(),
});
export const onLoad = handlers.onLoad;
export const onSave = handlers.onSave;
export const onArrivalChange = handlers.onArrivalChange;
export const onNightsChange = handlers.onNightsChange;
export const onDepartureChange = handlers.onDepartureChange;
export const onPricingChange = handlers.onPricingChange;
