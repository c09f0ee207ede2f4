/**
 * Scheduled work (the follow-up sweep, the segment re-check): declared once, run by the Node server on an
 * interval or by Azure Functions as a timer trigger. A job must be idempotent: a run can be skipped,
 * repeated after a restart, or (on Azure) happen on any instance.
 */
import type { DataverseClient } from '../../dataverse/client';
import type { Logger } from '../../dataverse/logger';
import { withLogContext } from './dispatch';

export interface JobDeps {
  client: DataverseClient;
  clock: () => Date;
  logger: Logger;
}

export interface ScheduledJob {
  /** Also the Azure function name: letters, digits, `-` and `_`, starting with a letter. */
  readonly name: string;
  readonly everyMs: number;
  /** NCRONTAB for Azure when `everyMs` is not a divisor of a minute, hour or day. */
  readonly schedule?: string;
  run(deps: JobDeps): Promise<void>;
}

export class JobDefinitionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'JobDefinitionError';
  }
}

const NAME_PATTERN = /^[A-Za-z][A-Za-z0-9_-]*$/;

export function defineJob(job: ScheduledJob): ScheduledJob {
  if (!NAME_PATTERN.test(job.name)) {
    throw new JobDefinitionError(
      `Job name '${job.name}' must start with a letter and hold only letters, digits, '-' and '_'.`,
    );
  }
  if (!Number.isInteger(job.everyMs) || job.everyMs < 1000) {
    throw new JobDefinitionError(
      `Job '${job.name}' runs every ${job.everyMs} ms; use a whole number ≥ 1000.`,
    );
  }
  if (job.schedule === undefined) everyMsToNcrontab(job.everyMs, job.name);
  return job;
}

/**
 * The Azure timer schedule for an interval: NCRONTAB `{second} {minute} {hour} {day} {month} {day-of-week}`
 * ("Timer trigger for Azure Functions"). Only intervals that divide a minute, an hour or a day map to one.
 */
export function everyMsToNcrontab(everyMs: number, jobName = 'job'): string {
  const seconds = everyMs / 1000;
  const cannot = () =>
    new JobDefinitionError(
      `Job '${jobName}' runs every ${everyMs} ms, which no timer schedule expresses; use an interval that divides a minute, an hour or a day, or give the job a schedule.`,
    );
  if (!Number.isInteger(seconds)) throw cannot();
  if (seconds < 60) {
    if (60 % seconds !== 0) throw cannot();
    return `*/${seconds} * * * * *`;
  }
  const minutes = seconds / 60;
  if (!Number.isInteger(minutes)) throw cannot();
  if (minutes < 60) {
    if (60 % minutes !== 0) throw cannot();
    return `0 */${minutes} * * * *`;
  }
  const hours = minutes / 60;
  if (!Number.isInteger(hours)) throw cannot();
  if (hours === 24) return '0 0 0 * * *';
  if (hours > 24 || 24 % hours !== 0) throw cannot();
  return `0 0 */${hours} * * *`;
}

export type JobRunResult =
  { ok: true; durationMs: number } | { ok: false; durationMs: number; error: unknown };

/** Runs once, logging start, end and failure; never throws (the caller decides what a failure means). */
export async function runJob(job: ScheduledJob, deps: JobDeps): Promise<JobRunResult> {
  const logger = withLogContext(deps.logger, { job: job.name });
  const started = deps.clock().getTime();
  logger.info('Job started.');
  try {
    await job.run({ ...deps, logger });
    const durationMs = deps.clock().getTime() - started;
    logger.info('Job finished.', { durationMs });
    return { ok: true, durationMs };
  } catch (error) {
    const durationMs = deps.clock().getTime() - started;
    logger.error('Job failed; it runs again at its next interval.', {
      durationMs,
      error: error instanceof Error ? error.message : String(error),
    });
    return { ok: false, durationMs, error };
  }
}

/** The two timer functions the scheduler needs; tests pass fakes so nothing waits. */
export interface IntervalTimers {
  setInterval(callback: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
}

export const nodeTimers: IntervalTimers = {
  setInterval: (callback, ms) => {
    const handle = setInterval(callback, ms);
    // A scheduler alone must not keep the process alive once the server closes.
    handle.unref();
    return handle;
  },
  clearInterval: (handle) => clearInterval(handle as NodeJS.Timeout),
};

export interface Scheduler {
  /** Runs a job now, unless its previous run is still going (then resolves at once with `skipped`). */
  trigger(name: string): Promise<JobRunResult | 'skipped'>;
  /** Stops the intervals and waits for runs in progress. */
  stop(): Promise<void>;
}

export interface SchedulerOptions {
  /** Run every job once now, then on its interval (default): a fresh start shows tiers and segments at once. */
  readonly runAtStart?: boolean;
}

export function startScheduler(
  jobs: readonly ScheduledJob[],
  deps: JobDeps,
  timers: IntervalTimers = nodeTimers,
  options: SchedulerOptions = {},
): Scheduler {
  const inFlight = new Map<string, Promise<JobRunResult>>();
  const byName = new Map(jobs.map((job) => [job.name, job]));
  if (byName.size !== jobs.length) throw new JobDefinitionError('Two scheduled jobs share a name.');

  const trigger = (name: string): Promise<JobRunResult | 'skipped'> => {
    const job = byName.get(name);
    if (!job) return Promise.reject(new JobDefinitionError(`No scheduled job is named '${name}'.`));
    if (inFlight.has(name)) {
      deps.logger.warn('Job skipped: its previous run is still going.', { job: name });
      return Promise.resolve('skipped');
    }
    const run = runJob(job, deps).finally(() => inFlight.delete(name));
    inFlight.set(name, run);
    return run;
  };

  const handles = jobs.map((job) => timers.setInterval(() => void trigger(job.name), job.everyMs));
  if (options.runAtStart ?? true) for (const job of jobs) void trigger(job.name);
  return {
    trigger,
    async stop() {
      for (const handle of handles) timers.clearInterval(handle);
      await Promise.all(inFlight.values());
    },
  };
}
