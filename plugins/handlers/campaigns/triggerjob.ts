/**
 * Where triggers run: a scheduled job for everything (date-based ones: birthdays, carts whose hours
 * ran out, scores decayed below a threshold; and any event the event-driven path missed), and, after
 * each interaction is scored, the contact's segment changes and responses at once.
 */
import { normalizeGuid } from '../../../dataverse/adapters/keys';
import { idr_interaction, ProcessingStatus } from '../../../dataverse/generated';
import type { TriggerRule } from '../../../domain/campaign';
import { defineJob, type ScheduledJob } from '../../host/jobs';
import { getOptionValue, getReference, targetEntity } from '../../host/parse';
import type { HandlerDefinition } from '../../registry';
import { recheckDistributed } from './distribute';
import { refreshStaleCampaignResults } from './results';
import { refreshDynamicTargets } from './target';
import { readTriggers, runTriggers, TRIGGER_LOOKBACK_MS, type StoredTrigger } from './triggers';

export const TRIGGER_JOB = 'campaign-triggers';
/** Hourly: a cart's "N hours without an order" is seen within the hour; a birthday fires once a year anyway. */
export const TRIGGER_JOB_EVERY_MS = 3_600_000;
/** The event-driven path re-reads the triggers at most this often, so scoring stays at its request count. */
export const TRIGGER_CACHE_MS = 60_000;

const EVENT_DRIVEN: readonly TriggerRule['kind'][] = ['enters-segment', 'leaves-segment', 'response'];

export function triggerJob(everyMs = TRIGGER_JOB_EVERY_MS): ScheduledJob {
  return defineJob({
    name: TRIGGER_JOB,
    everyMs,
    run: async (deps) => {
      await runTriggers(deps);
      // Campaign distributions scheduled ahead are re-checked on their day by the same hourly job.
      const cancelled = await recheckDistributed(deps.client, deps.clock().getTime(), TRIGGER_LOOKBACK_MS);
      if (cancelled > 0)
        deps.logger.info('Distributed campaign activities called off on their day.', { cancelled });
      // Dynamic target lists test "score today": their threshold moves with the clock.
      const lists = await refreshDynamicTargets(deps.client, deps.clock().getTime());
      if (lists > 0) deps.logger.info('Dynamic target lists moved to the score of now.', { lists });
      // Campaign results the live step left for later (a burst of responses), or responses made by hand.
      const campaigns = await refreshStaleCampaignResults(deps.client, deps.clock(), TRIGGER_LOOKBACK_MS);
      if (campaigns > 0) deps.logger.info('Campaign results recomputed.', { campaigns });
    },
  });
}

/**
 * The interaction handler, followed by the contact's event-driven triggers. A failure there is
 * logged, not thrown: the interaction is scored, and the job picks the occurrence up within the hour.
 */
export function withTriggeredActions(
  handler: HandlerDefinition,
  cacheMs = TRIGGER_CACHE_MS,
): HandlerDefinition {
  const cache = new Map<string, { until: number; triggers: readonly StoredTrigger[] }>();
  return {
    ...handler,
    handle: async (ctx, deps) => {
      await handler.handle(ctx, deps);
      const target = targetEntity(ctx);
      // Bulk-scored interactions (ingest, rescore, the demo) arrive processed and cost no request: the job sees them.
      const status = target ? getOptionValue(target, idr_interaction.columns.idr_processingstatus) : null;
      if (status !== null && status !== ProcessingStatus.Pending) return;
      const reference = target ? getReference(target, idr_interaction.columns.idr_contact) : null;
      const contactId = reference ? normalizeGuid(reference.id) : null;
      if (!contactId) return;
      const organization = ctx.organizationId ?? ctx.organizationName ?? 'default';
      const now = deps.clock().getTime();
      try {
        let cached = cache.get(organization);
        if (!cached || now >= cached.until || now < cached.until - cacheMs) {
          cached = { until: now + cacheMs, triggers: await readTriggers(deps.client) };
          cache.set(organization, cached);
        }
        const triggers = cached.triggers.filter((t) => EVENT_DRIVEN.includes(t.kind));
        if (triggers.length === 0) return;
        await runTriggers(deps, { contactId, kinds: EVENT_DRIVEN, triggers });
      } catch (error) {
        deps.logger.warn('Triggers after the interaction failed; the scheduled job will retry them.', {
          interaction: ctx.primaryEntityId ?? undefined,
          error: error instanceof Error ? error.message : String(error),
        });
      }
    },
  };
}
