import path from 'node:path';
import { asyncoperation } from '../../../dataverse/generated';
import { silentLogger } from '../../../dataverse/logger';
import { loadPlatform, mergeMetadata } from '../../solution/loader';
import { Engine } from '../engine/engine';
import { testClock } from '../testing/clock';
import { AsyncConcurrencyError, JobsNotIdleError } from './errors';
import { JobState, JobStatus, OperationType, SystemJobs, type JobResult } from './system-jobs';

const C = asyncoperation.columns;
const SOLUTION_ROOT = path.join(__dirname, '..', '..', '..', 'solution');
const metadata = mergeMetadata(loadPlatform(path.join(SOLUTION_ROOT, 'platform')).tables, []).metadata;

/** A promise the test settles by hand: a job that finishes when the test says so. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open: () => void = () => undefined;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

const engines: Engine[] = [];
const workers: SystemJobs[] = [];

afterEach(async () => {
  for (const jobs of workers.splice(0)) await jobs.stop();
  for (const engine of engines.splice(0)) engine.close();
});

/** Waits for a condition the worker brings about; jest's timeout is the (generous) ceiling. */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setImmediate(resolve));
}

function queue(options: { retryDelayMs?: number; concurrency?: number } = {}) {
  const clock = testClock();
  const engine = new Engine({ metadata, path: ':memory:', clock: clock.now });
  engines.push(engine);
  const jobs = new SystemJobs({ engine, clock: clock.now, logger: silentLogger, ...options });
  workers.push(jobs);
  const state = async (id: string) => {
    const row = await jobs.get(id);
    return { state: row[C.statecode], status: row[C.statuscode] };
  };
  const add = (name: string) =>
    jobs.enqueue({ name, operationType: OperationType.SystemEvent, data: JSON.stringify({ name }) });
  return { engine, jobs, clock, state, add };
}

const succeeded = { state: JobState.Completed, status: JobStatus.Succeeded };

describe('SystemJobs.whenIdle', () => {
  it('resolves only once every job, and every job those jobs queue, has finished', async () => {
    const { jobs, state, add } = queue();
    const first = gate();
    const ran: string[] = [];
    let followUp = '';
    jobs.registerRunner(OperationType.SystemEvent, async (job): Promise<JobResult> => {
      ran.push(job.name);
      if (job.name === 'first') {
        await first.promise;
        followUp = await add('queued by first');
      }
      return { status: 'succeeded' };
    });
    const id = await add('first');
    jobs.start();
    let idle = false;
    const waiting = jobs.whenIdle().then(() => (idle = true));
    // The first job is held open: the queue is busy however long it stays so.
    await until(() => ran.includes('first'));
    expect(idle).toBe(false);
    first.open();
    await waiting;
    expect(ran).toEqual(['first', 'queued by first']);
    expect(await state(id)).toEqual(succeeded);
    expect(await state(followUp)).toEqual(succeeded);
  });

  it('counts a retry that is not yet due as idle, one that is due as busy', async () => {
    const { jobs, state, add, clock } = queue({ retryDelayMs: 60_000 });
    let calls = 0;
    jobs.registerRunner(OperationType.SystemEvent, () => {
      calls += 1;
      return Promise.resolve<JobResult>(
        calls === 1
          ? { status: 'failed', message: '503', friendlyMessage: 'Service unavailable', retryable: true }
          : { status: 'succeeded' },
      );
    });
    const id = await add('flaky');
    jobs.start();
    await jobs.whenIdle();
    expect(await state(id)).toEqual({ state: JobState.Suspended, status: JobStatus.Waiting });
    expect(await jobs.counts()).toEqual({ due: 0, running: 0 });
    clock.advance(60_000);
    expect((await jobs.counts()).due).toBe(1);
    await jobs.whenIdle();
    expect(await state(id)).toEqual(succeeded);
    expect(calls).toBe(2);
  });

  it('gives up at its ceiling saying how many jobs are still due and running', async () => {
    const { jobs, add } = queue({ concurrency: 1 });
    const held = gate();
    let started = false;
    jobs.registerRunner(OperationType.SystemEvent, async () => {
      started = true;
      await held.promise;
      return { status: 'succeeded' };
    });
    await add('slow');
    await add('behind it');
    jobs.start();
    try {
      await until(() => started);
      const failure = jobs.whenIdle({ timeoutMs: 1 });
      await expect(failure).rejects.toBeInstanceOf(JobsNotIdleError);
      await expect(failure).rejects.toThrow(
        /not idle after 0 s: 1 job\(s\) ready or due for a retry, 1 running/,
      );
    } finally {
      held.open();
    }
    await jobs.whenIdle();
  });

  it('says so at once when no worker runs the jobs, instead of waiting for its ceiling', async () => {
    const { jobs, add } = queue();
    jobs.registerRunner(OperationType.SystemEvent, () => Promise.resolve({ status: 'succeeded' }));
    await jobs.whenIdle();
    await add('never run');
    await expect(jobs.whenIdle()).rejects.toThrow(/worker is not running: 1 job\(s\) ready/);
    await jobs.drain();
    await jobs.whenIdle();
  });
});

describe('the async service pool', () => {
  /** A runner whose jobs each wait for the test to let them finish; it records how many run at once. */
  function heldRunner(jobs: SystemJobs) {
    const gates = new Map<string, ReturnType<typeof gate>>();
    const started: string[] = [];
    const finished: string[] = [];
    let inFlight = 0;
    let peak = 0;
    jobs.registerRunner(OperationType.SystemEvent, async (job) => {
      started.push(job.name);
      inFlight += 1;
      peak = Math.max(peak, inFlight);
      const held = gate();
      gates.set(job.name, held);
      await held.promise;
      inFlight -= 1;
      finished.push(job.name);
      return { status: 'succeeded' };
    });
    const release = (name: string) => gates.get(name)?.open();
    return { started, finished, release, peak: () => peak, gates };
  }

  it('runs up to its size at once, and the rest as places free up', async () => {
    const { jobs, add, state } = queue({ concurrency: 3 });
    const held = heldRunner(jobs);
    const ids = [];
    for (let i = 1; i <= 7; i++) ids.push(await add(`job ${i}`));
    jobs.start();
    await until(() => held.started.length === 3);
    expect(held.started).toEqual(['job 1', 'job 2', 'job 3']);
    expect(await jobs.counts()).toEqual({ due: 4, running: 3 });
    // Later jobs may finish first: Dataverse promises no order between independent system jobs.
    held.release('job 3');
    await until(() => held.started.length === 4);
    expect(await state(ids[2] ?? '')).toEqual(succeeded);
    expect(await state(ids[0] ?? '')).toEqual({ state: JobState.Locked, status: JobStatus.InProgress });
    const idle = jobs.whenIdle();
    for (let i = 1; i <= 7; i++) {
      await until(() => held.gates.has(`job ${i}`));
      held.release(`job ${i}`);
    }
    await idle;
    expect(held.peak()).toBe(3);
    expect([...held.started].sort()).toEqual(ids.map((_, i) => `job ${i + 1}`));
    for (const id of ids) expect(await state(id)).toEqual(succeeded);
  });

  it('runs 8 jobs at once by default', async () => {
    const { jobs, add } = queue();
    const held = heldRunner(jobs);
    for (let i = 1; i <= 10; i++) await add(`job ${i}`);
    jobs.start();
    await until(() => held.started.length === 8);
    expect(await jobs.counts()).toEqual({ due: 2, running: 8 });
    const idle = jobs.whenIdle();
    for (let i = 1; i <= 10; i++) {
      await until(() => held.gates.has(`job ${i}`));
      held.release(`job ${i}`);
    }
    await idle;
    expect(held.peak()).toBe(8);
  });

  it('runs every job exactly once, the jobs they queue included', async () => {
    const { jobs, add } = queue({ concurrency: 4 });
    const runs = new Map<string, number>();
    jobs.registerRunner(OperationType.SystemEvent, async (job) => {
      runs.set(job.name, (runs.get(job.name) ?? 0) + 1);
      if (!job.name.includes('/')) await add(`${job.name}/follow-up`);
      return { status: 'succeeded' };
    });
    for (let i = 0; i < 40; i++) await add(`job ${i}`);
    jobs.start();
    await jobs.whenIdle();
    expect(runs.size).toBe(80);
    expect([...runs.values()].every((n) => n === 1)).toBe(true);
  });

  it('drain() runs one job at a time, oldest first, whatever the pool size', async () => {
    const { jobs, add } = queue({ concurrency: 8 });
    const order: string[] = [];
    let inFlight = 0;
    let peak = 0;
    jobs.registerRunner(OperationType.SystemEvent, async (job) => {
      inFlight += 1;
      peak = Math.max(peak, inFlight);
      await new Promise((resolve) => setImmediate(resolve));
      order.push(job.name);
      if (job.name === 'b') await add('queued by b');
      inFlight -= 1;
      return { status: 'succeeded' };
    });
    for (const name of ['a', 'b', 'c']) await add(name);
    await jobs.drain();
    expect(order).toEqual(['a', 'b', 'c', 'queued by b']);
    expect(peak).toBe(1);
  });

  it('refuses a pool size that is not a whole number of at least 1', () => {
    expect(() => queue({ concurrency: 0 })).toThrow(AsyncConcurrencyError);
    expect(() => queue({ concurrency: 2.5 })).toThrow(/at least 1 \(--async-concurrency\); got 2.5/);
  });
});
