/**
 * Campaign responses as they arrive: the asynchronous Create step on `idr_interaction` that scores an
 * interaction also turns it into its campaign response when it carries a campaign and answers it
 * (results.ts says which events do). It shares the scoring step because the registry allows one
 * handler per step and solution; the decision reads only the Target, so an interaction without a
 * campaign costs no request. Each response event then recomputes its campaign's results on the campaign row.
 */
import { normalizeGuid } from '../../../dataverse/adapters/keys';
import { idr_interaction } from '../../../dataverse/generated';
import {
  getDate,
  getOptionValue,
  getReference,
  getString,
  targetEntity,
  type ExecutionContext,
} from '../../host/parse';
import type { HandlerDefinition, HandlerDeps } from '../../registry';
import { recordResponseOf, responseChannel, storeCampaignResults } from './results';

const I = idr_interaction.columns;

/** The response an interaction's Create makes, if any; true when one was created now. */
export async function recordResponseFromEvent(ctx: ExecutionContext, deps: HandlerDeps): Promise<boolean> {
  const target = targetEntity(ctx);
  if (!target) return false;
  const campaignRef = getReference(target, I.idr_campaign);
  const contactRef = getReference(target, I.idr_contact);
  const eventType = getOptionValue(target, I.idr_eventtype);
  const offerOutcome = getOptionValue(target, I.idr_offeroutcome);
  if (!campaignRef || !contactRef || eventType === null) return false;
  if (responseChannel(eventType, offerOutcome) === null) return false;
  const interactionId = normalizeGuid(ctx.primaryEntityId ?? target.id ?? '');
  const campaignId = normalizeGuid(campaignRef.id);
  const contactId = normalizeGuid(contactRef.id);
  if (!interactionId || !campaignId || !contactId) return false;
  const created = await recordResponseOf(deps.client, {
    interactionId,
    campaignId,
    contactId,
    eventType,
    offerOutcome,
    name: getString(target, I.idr_name),
    occurredOn: getDate(target, I.idr_occurredon)?.toISOString() ?? null,
  });
  if (created)
    deps.logger.info('Campaign response recorded.', {
      interaction: interactionId,
      campaign: campaignRef.id,
    });
  // The campaign row's figures follow each response; on a replay too, since the delivery that made the
  // response may have failed before its recompute.
  await storeCampaignResults(deps.client, campaignId, deps.clock());
  return created;
}

/**
 * The interaction handler, then the campaign response. A failure of the response is thrown, so the
 * system job retries the step; the retry scores nothing twice and finds the response if it was made.
 */
export function withCampaignResponses(handler: HandlerDefinition): HandlerDefinition {
  return {
    ...handler,
    handle: async (ctx, deps) => {
      await handler.handle(ctx, deps);
      await recordResponseFromEvent(ctx, deps);
    },
  };
}
