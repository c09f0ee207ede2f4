/**
 * The follow-up sweep as a scheduled job of the host (plugins/host/jobs.ts): hourly unless
 * IDEARIO_SWEEP_HOURS says otherwise. Actions are due by day, so running more often than daily only
 * makes a new day's actions go out sooner; the claims keep a repeated run from doing anything twice.
 */
import { defineJob, type ScheduledJob } from '../../host/jobs';
import { SweepIncompleteError } from './errors';
import type { FetchLike } from './handoff';
import type { SettingsSource } from './settings';
import { runFollowUpSweep } from './sweep';

export const FOLLOWUP_SWEEP_JOB = 'groupquotes-followup-sweep';

export interface FollowUpJobOptions {
  settings: SettingsSource;
  fetch: FetchLike;
  sleep: (ms: number) => Promise<void>;
  everyMs?: number;
}

export function createFollowUpSweepJob(options: FollowUpJobOptions): ScheduledJob {
  return defineJob({
    name: FOLLOWUP_SWEEP_JOB,
    everyMs: options.everyMs ?? 3_600_000,
    async run({ client, clock, logger }) {
      const result = await runFollowUpSweep({
        client,
        clock,
        logger,
        settings: options.settings,
        fetch: options.fetch,
        sleep: options.sleep,
      });
      // A failed run is recorded as failed (Azure shows it), after every other quotation was done.
      if (result.failed.length > 0) throw new SweepIncompleteError(result.failed, result.processed);
    },
  });
}
