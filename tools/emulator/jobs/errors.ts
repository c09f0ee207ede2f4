/** Failures of the system job worker itself (a job's own failure is recorded on its asyncoperation row). */

/** A job row the worker cannot run: its operation type has no runner in this emulator. */
export class UnknownJobTypeError extends Error {
  constructor(
    readonly jobId: string,
    readonly operationType: number,
  ) {
    super(
      `System job ${jobId} has operation type ${operationType}, which this emulator does not run; it stays Ready.`,
    );
    this.name = 'UnknownJobTypeError';
  }
}

/** `drain()` ran more jobs than any finite chain should produce: something keeps queueing work. */
export class RunawayJobsError extends Error {
  constructor(readonly ran: number) {
    super(
      `drainJobs() ran ${ran} system jobs and more keep arriving. A handler probably queues work that queues work forever ` +
        `(Dataverse stops such chains at depth 8; check that the handlers pass the correlation on).`,
    );
    this.name = 'RunawayJobsError';
  }
}

/** `whenIdle()` gave up: jobs were still due or running at its ceiling (or no worker runs them). */
export class JobsNotIdleError extends Error {
  constructor(
    readonly counts: { readonly due: number; readonly running: number },
    readonly waitedMs: number,
    reason?: string,
  ) {
    super(
      `The system job queue is not idle${reason ? ` and ${reason}` : ` after ${Math.round(waitedMs / 1000)} s`}: ` +
        `${counts.due} job(s) ready or due for a retry, ${counts.running} running. ` +
        (reason
          ? 'Start the worker (the HTTP emulator does) or call drainJobs() in a test.'
          : 'Look at the system jobs on the home page for one that never finishes, or wait longer.'),
    );
    this.name = 'JobsNotIdleError';
  }
}

/** The async service's pool size is not a whole number of at least 1. */
export class AsyncConcurrencyError extends Error {
  constructor(readonly concurrency: number) {
    super(
      `The system job worker runs a whole number of jobs at once, at least 1 (--async-concurrency); got ${concurrency}.`,
    );
    this.name = 'AsyncConcurrencyError';
  }
}
