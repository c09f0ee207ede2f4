/**
 * Campaign responses as they arrive: the asynchronous Create step on `idr_interaction` that scores an
 * interaction also turns it into its campaign response when it carries a campaign and answers it
 * (results.ts says which events do). It shares the scoring step because the registry allows one
 * handler per step and solution; the decision reads only the Target, so an interaction without a
 * campaign costs no request. A response then recomputes its campaign's results on the campaign row, at
 * most once a minute per campaign and host: a burst of answers (an ingested export of clicks) would
 * otherwise read the whole campaign for each; the hourly campaign-triggers job recomputes what was skipped.
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
  // On a replay too: the delivery that made the response may have failed before its recompute.
  const now = deps.clock();
  const last = lastRecompute.get(campaignId);
  if (last === undefined || Math.abs(now.getTime() - last) >= RESULTS_RECOMPUTE_MS) {
    lastRecompute.set(campaignId, now.getTime());
    await storeCampaignResults(deps.client, campaignId, now);
  }
  return created;
}

/** The live step recomputes one campaign's stored results at most this often (per host). */
export const RESULTS_RECOMPUTE_MS = 60_000;
/** When this host last recomputed each campaign's results (a few campaigns run at once: it stays small). */
const lastRecompute = new Map<string, number>();

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
