/**
 * The pending sweep (every 15 minutes by default): scores the interactions still Pending. Dataverse
 * posts each Create.idr_interaction to the host once, and retries only on 502/503/504: when the host is
 * down (a crash, `kill -9`, a deployment) the System Job fails with "could not be reached" and the
 * interaction would stay Pending for ever. The sweep scores each exactly as the webhook would, with the
 * same guard (Pending only, written with its etag), so an event whose webhook is delivered meanwhile is
 * scored once. Pages are read by key (`idr_interactionid gt <last>`), never by offset, since scored rows
 * leave the filter while the sweep pages.
 */
import { idr_interaction, ProcessingStatus } from '../../../dataverse/generated';
import { defineJob, type JobDeps, type ScheduledJob } from '../../host/jobs';
import { scoreStoredInteraction } from './score';
import type { ResolvedOptions } from './settings';

export const PENDING_SWEEP_JOB = 'interests-pending-sweep';
export const PENDING_SWEEP_EVERY_MS = 15 * 60_000;
const PAGE_SIZE = 500;
const IC = idr_interaction.columns;

export interface PendingSweepOptions {
  /**
   * Only interactions created at least this long ago (default 10 minutes): younger ones are still
   * waiting for their own webhook. 0 takes every Pending interaction.
   */
  readonly olderThanMs?: number;
}

export interface PendingSweepSummary {
  readonly found: number;
  readonly scored: number;
  readonly other: number;
}

export async function scorePendingInteractions(
  deps: JobDeps,
  options: ResolvedOptions,
  sweep: PendingSweepOptions = {},
): Promise<PendingSweepSummary> {
  const olderThanMs = sweep.olderThanMs ?? 10 * 60_000;
  const cutoff = new Date(deps.clock().getTime() - olderThanMs).toISOString();
  let found = 0;
  let scored = 0;
  let last: string | undefined;
  for (;;) {
    const filter = [
      `${IC.idr_processingstatus} eq ${ProcessingStatus.Pending}`,
      ...(olderThanMs > 0 ? [`${IC.createdon} le ${cutoff}`] : []),
      ...(last ? [`${idr_interaction.primaryIdAttribute} gt ${last}`] : []),
    ].join(' and ');
    const page = await deps.client.retrieveMultiple(idr_interaction.entitySetName, {
      select: [idr_interaction.primaryIdAttribute],
      filter,
      orderBy: [`${idr_interaction.primaryIdAttribute} asc`],
      top: PAGE_SIZE,
    });
    for (const row of page) {
      const id = row[idr_interaction.primaryIdAttribute];
      if (typeof id !== 'string') continue;
      last = id;
      found++;
      const outcome = await scoreStoredInteraction(id, 'default', deps, options);
      if (outcome.kind === 'scored') scored++;
    }
    if (page.length < PAGE_SIZE) break;
  }
  const summary = { found, scored, other: found - scored };
  if (found > 0) deps.logger.info('Pending interactions scored by the sweep.', { ...summary });
  return summary;
}

export function pendingSweepJob(options: ResolvedOptions): ScheduledJob {
  return defineJob({
    name: PENDING_SWEEP_JOB,
    everyMs: PENDING_SWEEP_EVERY_MS,
    run: async (deps) => {
      await scorePendingInteractions(deps, options);
    },
  });
}
