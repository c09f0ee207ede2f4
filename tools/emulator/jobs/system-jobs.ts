/**
 * System jobs: `asyncoperation` rows and the worker that runs them after commit, as Dataverse's async
 * service does ("Asynchronous service", "AsyncOperation table/entity reference"). A job moves
 * Ready (0) → Locked/In Progress (2/20) → Completed (3) with Succeeded (30), Failed (31) or Canceled
 * (32); one that may succeed later waits as Suspended/Waiting (1/10) until `postponeuntil`. Rows are
 * ordinary records, so callers see them through the Web API (`/asyncoperations?$filter=…`).
 *
 * The continuous worker (the HTTP emulator) runs jobs in a bounded pool, as the async service runs them
 * on parallel threads. It keeps what Dataverse guarantees and nothing more: a job runs once at a time and
 * a retry not before `postponeuntil`; jobs start oldest first but finish in any order, since independent
 * system jobs have no execution order ("Asynchronous service", learn.microsoft.com/power-apps/developer/
 * data-platform/asynchronous-service; "Dependency and execution order in asynchronous operations",
 * Dynamics CRM SDK gg327994: only a shared DependencyToken orders them, and Ideario sets none). Tests call
 * `drain()`, which runs every queued job (waiting retries included) one at a time, oldest first, so
 * results are deterministic; `whenIdle()` waits for the pool to have nothing due or running.
 */
import { AsyncResource } from 'node:async_hooks';
import type { Logger } from '../../../dataverse/logger';
import { asyncoperation } from '../../../dataverse/generated';
import type { Engine } from '../engine/engine';
import type { JsonRecord } from '../engine/records';
import { formatStoredDateTime, type StoredRecord } from '../engine/values';
import { AsyncConcurrencyError, JobsNotIdleError, RunawayJobsError } from './errors';

const C = asyncoperation.columns;
export const JobState = asyncoperation.choices.statecode;
export const JobStatus = asyncoperation.choices.statuscode;
export const OperationType = asyncoperation.choices.operationtype;

export interface NewSystemJob {
  readonly name: string;
  readonly operationType: number;
  /** What the job works on: a webhook's RemoteExecutionContext JSON, an import's parameters. */
  readonly data: string;
  readonly regarding?: { readonly logicalName: string; readonly id: string };
  /** The SDK message processing step that queued the job. */
  readonly owningExtensionId?: string;
  readonly correlationId?: string;
  readonly depth?: number;
  /** Owner: the user whose operation queued the job. */
  readonly userId?: string;
  /** Id to give the row, when the caller must know it first (ImportSolutionAsync answers with it). */
  readonly id?: string;
}

export interface SystemJob {
  readonly id: string;
  readonly name: string;
  readonly operationType: number;
  readonly data: string;
  readonly depth: number;
  readonly correlationId: string | null;
  readonly retryCount: number;
  readonly owningExtensionId: string | null;
  readonly regardingId: string | null;
  readonly userId: string | null;
}

export type JobResult =
  | { readonly status: 'succeeded' }
  /** `retryable`: the job is tried once more (Dataverse retries webhooks on 502/503/504 only). */
  | {
      readonly status: 'failed';
      readonly message: string;
      readonly friendlyMessage: string;
      readonly errorCode?: number;
      readonly retryable?: boolean;
    }
  | {
      readonly status: 'canceled';
      readonly message: string;
      readonly friendlyMessage: string;
      readonly errorCode?: number;
    };

export type JobRunner = (job: SystemJob) => Promise<JobResult>;

export interface SystemJobsOptions {
  readonly engine: Engine;
  readonly clock: () => Date;
  readonly logger: Logger;
  /** How long a job waits before its one retry in the continuous worker. Default 5 s. */
  readonly retryDelayMs?: number;
  /** How often the continuous worker looks for due jobs when idle. Default 1 s. */
  readonly pollIntervalMs?: number;
  /** Most jobs one `drain()` runs before it decides something loops. Default 1000. */
  readonly drainLimit?: number;
  /** Most jobs the continuous worker runs at once. Default 8 (`--async-concurrency`). */
  readonly concurrency?: number;
}

export const DEFAULT_ASYNC_CONCURRENCY = 8;

/** What keeps the queue busy: jobs that can run now, and jobs running. */
export interface JobQueueCounts {
  /** Ready jobs, and Waiting jobs whose retry is due. */
  readonly due: number;
  readonly running: number;
}

/** A ceiling, not a budget: long enough for a loaded 2-core machine to work through the demo's jobs. */
export const DEFAULT_IDLE_CEILING_MS = 10 * 60_000;

/** Dataverse error codes are hex; the `errorcode` column holds them as signed 32-bit numbers. */
export function errorCodeNumber(code: string | undefined): number | undefined {
  if (!code || !/^0x[0-9a-f]{1,8}$/i.test(code)) return undefined;
  return Number.parseInt(code.slice(2), 16) | 0;
}

function text(record: JsonRecord, name: string): string | null {
  const value = record[name];
  return typeof value === 'string' ? value : null;
}

function toJob(record: JsonRecord): SystemJob {
  const number = (name: string, fallback: number) => {
    const value = record[name];
    return typeof value === 'number' ? value : fallback;
  };
  return {
    id: text(record, C.asyncoperationid) ?? '',
    name: text(record, C.name) ?? '',
    operationType: number(C.operationtype, 0),
    data: text(record, C.data) ?? '',
    depth: number(C.depth, 1),
    correlationId: text(record, C.correlationid),
    retryCount: number(C.retrycount, 0),
    owningExtensionId: text(record, `_${C.owningextensionid}_value`),
    regardingId: text(record, `_${C.regardingobjectid}_value`),
    userId: text(record, `_${C.ownerid}_value`),
  };
}

export class SystemJobs {
  private readonly runners = new Map<number, JobRunner>();
  private readonly warnedTypes = new Set<number>();
  private chain: Promise<unknown> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private stopped = true;
  private unsubscribe: (() => void) | undefined;
  private running = 0;
  /** Jobs the pool started and that have not finished. */
  private readonly active = new Set<Promise<void>>();
  private readonly concurrency: number;
  /** The pool's current look for due jobs (one at a time, so no job is claimed twice). */
  private filling: Promise<void> | undefined;
  private refill = false;
  private draining = 0;
  /** Woken whenever a job is queued or finishes, so `whenIdle()` looks again. */
  private changed: (() => void)[] = [];
  /**
   * The worker's timer callback, bound to the context the worker was created in: a job queued inside a
   * transaction must not run inside that transaction's async context (it would join it).
   */
  private readonly tick: () => void;

  constructor(private readonly options: SystemJobsOptions) {
    this.tick = AsyncResource.bind(() => this.onTimer());
    this.concurrency = options.concurrency ?? DEFAULT_ASYNC_CONCURRENCY;
    if (!Number.isInteger(this.concurrency) || this.concurrency < 1)
      throw new AsyncConcurrencyError(this.concurrency);
  }

  private get engine(): Engine {
    return this.options.engine;
  }

  /** Says how jobs of one operation type run (webhook posts, solution imports). */
  registerRunner(operationType: number, runner: JobRunner): void {
    this.runners.set(operationType, runner);
  }

  /** Writes a Ready job; the worker picks it up after the current transaction commits. */
  async enqueue(job: NewSystemJob): Promise<string> {
    const values: StoredRecord = {
      [C.name]: job.name.slice(0, 256),
      [C.operationtype]: job.operationType,
      [C.data]: job.data,
      [C.depth]: job.depth ?? 1,
      [C.retrycount]: 0,
      [C.statecode]: JobState.Ready,
      [C.statuscode]: JobStatus.WaitingForResources,
    };
    if (job.correlationId) values[C.correlationid] = job.correlationId;
    if (job.regarding) {
      values[C.regardingobjectid] = { id: job.regarding.id, logicalName: job.regarding.logicalName };
      values[C.primaryentitytype] = job.regarding.logicalName;
    }
    if (job.owningExtensionId)
      values[C.owningextensionid] = { id: job.owningExtensionId, logicalName: 'sdkmessageprocessingstep' };
    return this.engine.createSystemRecord(asyncoperation.entitySetName, values, {
      ...(job.id ? { id: job.id } : {}),
      context: job.userId ? { userId: job.userId } : {},
    });
  }

  /**
   * Runs every queued job, and the jobs those jobs queue, until none is left: one at a time, oldest
   * first, so a test sees the same order on every run. The pool pauses meanwhile.
   */
  async drain(): Promise<void> {
    await this.serialise(async () => {
      this.draining += 1;
      try {
        await this.settlePool();
        const limit = this.options.drainLimit ?? 1000;
        let ran = 0;
        for (;;) {
          await this.engine.whenIdle();
          const job = await this.next(true);
          if (!job) {
            await this.engine.whenIdle();
            if (!(await this.next(true))) return;
            continue;
          }
          if (++ran > limit) throw new RunawayJobsError(limit);
          await this.claim(job);
          await this.execute(job);
        }
      } finally {
        this.draining -= 1;
        this.kick();
      }
    });
  }

  /** Starts the continuous worker (the HTTP emulator); `stop()` ends it after the running jobs. */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    // A job queued inside a transaction becomes visible at its commit: that is when to look.
    this.unsubscribe = this.engine.pipeline.subscribe({
      afterCommit: (event) => {
        if (event.entityName === asyncoperation.logicalName && event.message === 'Create') {
          this.kick();
          this.notify();
        }
      },
    });
    this.schedule(0);
  }

  /**
   * Jobs that can run now and jobs running, of the operation types this emulator runs (a job with no
   * runner stays Ready forever and would never let the queue be idle).
   */
  async counts(): Promise<JobQueueCounts> {
    const running = this.running;
    await this.engine.whenIdle();
    let due = 0;
    for (const filter of this.dueFilters(false) ?? [])
      due +=
        (await this.engine.query(asyncoperation.entitySetName, { filter, count: true, top: 0 })).count ?? 0;
    return { due, running: Math.max(running, this.running) };
  }

  /**
   * Resolves once the queue is idle: no Ready job, no Waiting job whose retry is due, none running, and no
   * committed operation still to queue its jobs. The continuous worker must be running (tests without it
   * call `drain()`). Rejects with `JobsNotIdleError` after `timeoutMs` (a generous ceiling by default).
   */
  async whenIdle(options: { readonly timeoutMs?: number } = {}): Promise<void> {
    const timeoutMs = options.timeoutMs ?? DEFAULT_IDLE_CEILING_MS;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      // Listen before looking, so a change during the look is not missed.
      let wake: () => void = () => undefined;
      const change = new Promise<void>((resolve) => (wake = resolve));
      this.changed.push(wake);
      const counts = await this.counts();
      const left = deadline - Date.now();
      const verdict =
        counts.due === 0 && counts.running === 0
          ? undefined
          : this.stopped
            ? new JobsNotIdleError(counts, 0, 'the system job worker is not running')
            : left <= 0
              ? new JobsNotIdleError(counts, timeoutMs)
              : null;
      if (verdict !== null) {
        this.changed = this.changed.filter((w) => w !== wake);
        if (verdict) throw verdict;
        return;
      }
      // A retry falls due by the clock alone, with no event: look again at the worker's poll interval.
      const timer = setTimeout(wake, Math.min(left, this.options.pollIntervalMs ?? 1000));
      timer.unref();
      await change;
      clearTimeout(timer);
      this.changed = this.changed.filter((w) => w !== wake);
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.settlePool();
    await this.chain.catch(() => undefined);
  }

  /** Reads one job back (tests, `ideario deploy` progress). */
  async get(id: string): Promise<JsonRecord> {
    return this.engine.retrieve(asyncoperation.entitySetName, id);
  }

  private notify(): void {
    const waiting = this.changed;
    this.changed = [];
    for (const wake of waiting) wake();
  }

  private kick(): void {
    if (!this.stopped) this.schedule(0);
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(this.tick, delayMs);
    this.timer.unref();
  }

  private onTimer(): void {
    this.timer = undefined;
    if (this.filling) {
      this.refill = true;
      return;
    }
    this.filling = this.fill()
      .then(
        (outcome) => {
          // Full: each job that finishes looks again. Nothing due: a retry may fall due by the clock alone.
          if (outcome === 'nothing due') this.schedule(this.options.pollIntervalMs ?? 1000);
        },
        (error: unknown) => {
          this.options.logger.error('The system job worker failed; it will try again.', {
            error: error instanceof Error ? error.message : String(error),
          });
          this.schedule(this.options.pollIntervalMs ?? 1000);
        },
      )
      .finally(() => {
        this.filling = undefined;
        if (this.refill) {
          this.refill = false;
          this.kick();
        }
      });
  }

  /**
   * Starts due jobs, oldest first, until the pool is full or none is due. Each job is marked In Progress
   * before the next look, so no job runs twice; they then finish in any order, as on Dataverse.
   */
  private async fill(): Promise<'full' | 'nothing due' | 'paused'> {
    while (this.active.size < this.concurrency) {
      if (this.stopped || this.draining > 0) return 'paused';
      const job = await this.next(false);
      if (!job) return 'nothing due';
      if (this.stopped || this.draining > 0) return 'paused';
      await this.claim(job);
      const run: Promise<void> = this.execute(job)
        .catch((error: unknown) =>
          this.options.logger.error('A system job could not be recorded as finished.', {
            job: job.id,
            error: error instanceof Error ? error.message : String(error),
          }),
        )
        .finally(() => {
          this.active.delete(run);
          this.kick();
        });
      this.active.add(run);
    }
    return 'full';
  }

  /** Waits for the pool's current look and every job it started. */
  private async settlePool(): Promise<void> {
    await this.filling;
    while (this.active.size > 0) await Promise.all([...this.active]);
  }

  private serialise<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.chain.then(fn, fn);
    this.chain = result.catch(() => undefined);
    return result;
  }

  /** The oldest job that can run: Ready, or Waiting for a retry that is due (any, when draining). */
  private async next(ignorePostpone: boolean): Promise<SystemJob | undefined> {
    const filters = this.dueFilters(ignorePostpone);
    if (!filters) return undefined;
    // One query per state: each walks the (statecode, createdon) index; an OR of both sorts the queue.
    const oldest = await Promise.all(
      filters.map(async (filter) => {
        const page = await this.engine.query(asyncoperation.entitySetName, {
          filter,
          orderBy: [`${C.createdon} asc`, `${C.versionnumber} asc`],
          top: 1,
        });
        return page.records[0];
      }),
    );
    const found = oldest.filter((r) => r !== undefined);
    const key = (r: JsonRecord) => [text(r, C.createdon) ?? '', Number(r[C.versionnumber] ?? 0)] as const;
    found.sort((a, b) => {
      const [ca, va] = key(a);
      const [cb, vb] = key(b);
      return ca < cb ? -1 : ca > cb ? 1 : va - vb;
    });
    return found[0] ? toJob(found[0]) : undefined;
  }

  /** Ready jobs, and Waiting ones whose retry is due (any, when draining); undefined: no runner. */
  private dueFilters(ignorePostpone: boolean): [string, string] | undefined {
    const types = [...this.runners.keys()];
    if (types.length === 0) return undefined;
    const runnable = `(${types.map((t) => `${C.operationtype} eq ${t}`).join(' or ')})`;
    const waiting = `${C.statecode} eq ${JobState.Suspended} and ${C.statuscode} eq ${JobStatus.Waiting}${
      ignorePostpone
        ? ''
        : ` and (${C.postponeuntil} eq null or ${C.postponeuntil} le ${formatStoredDateTime(this.options.clock())})`
    }`;
    return [`${C.statecode} eq ${JobState.Ready} and ${runnable}`, `${waiting} and ${runnable}`];
  }

  /** Marks the job In Progress; it counts as running from here until `execute` finishes. */
  private async claim(job: SystemJob): Promise<void> {
    this.running += 1;
    try {
      await this.update(job.id, {
        [C.statecode]: JobState.Locked,
        [C.statuscode]: JobStatus.InProgress,
        [C.startedon]: this.now(),
      });
    } catch (error) {
      this.running -= 1;
      this.notify();
      throw error;
    }
  }

  private async execute(job: SystemJob): Promise<void> {
    try {
      await this.runClaimed(job);
    } finally {
      this.running -= 1;
      this.notify();
    }
  }

  private async runClaimed(job: SystemJob): Promise<void> {
    const runner = this.runners.get(job.operationType);
    if (!runner) {
      // Unreachable through next(), which only looks at types with a runner; kept for a runner removed later.
      if (!this.warnedTypes.has(job.operationType)) {
        this.warnedTypes.add(job.operationType);
        this.options.logger.warn('A system job has no runner in the emulator.', {
          job: job.id,
          operationType: job.operationType,
        });
      }
      return;
    }
    let result: JobResult;
    try {
      result = await runner(job);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      result = {
        status: 'failed',
        message: error instanceof Error && error.stack ? error.stack : message,
        friendlyMessage: message,
      };
    }
    await this.finish(job, result);
  }

  private async finish(job: SystemJob, result: JobResult): Promise<void> {
    if (result.status === 'succeeded') {
      await this.update(job.id, {
        [C.statecode]: JobState.Completed,
        [C.statuscode]: JobStatus.Succeeded,
        [C.completedon]: this.now(),
      });
      return;
    }
    const failure: Record<string, unknown> = {
      [C.message]: result.message,
      [C.friendlymessage]: result.friendlyMessage,
      [C.errorcode]: result.errorCode ?? null,
    };
    if (result.status === 'failed' && result.retryable && job.retryCount === 0) {
      const due = new Date(this.options.clock().getTime() + (this.options.retryDelayMs ?? 5000));
      this.options.logger.warn('A system job failed with a temporary error; it will be tried once more.', {
        job: job.id,
        name: job.name,
        error: result.friendlyMessage,
      });
      await this.update(job.id, {
        ...failure,
        [C.statecode]: JobState.Suspended,
        [C.statuscode]: JobStatus.Waiting,
        [C.retrycount]: 1,
        [C.postponeuntil]: formatStoredDateTime(due),
      });
      return;
    }
    this.options.logger.warn(
      result.status === 'canceled' ? 'A system job was canceled.' : 'A system job failed.',
      { job: job.id, name: job.name, error: result.friendlyMessage },
    );
    await this.update(job.id, {
      ...failure,
      [C.statecode]: JobState.Completed,
      [C.statuscode]: result.status === 'canceled' ? JobStatus.Canceled : JobStatus.Failed,
      [C.completedon]: this.now(),
    });
  }

  private now(): string {
    return formatStoredDateTime(this.options.clock());
  }

  private async update(id: string, values: Record<string, unknown>): Promise<void> {
    await this.engine.update(asyncoperation.entitySetName, id, values);
  }
}
