import path from 'node:path';
import { asyncoperation } from '../../../dataverse/generated';
import { silentLogger } from '../../../dataverse/logger';
import { loadPlatform, mergeMetadata } from '../../solution/loader';
import { Engine } from '../engine/engine';
import { testClock } from '../testing/clock';
import { JobsNotIdleError } from './errors';
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

function queue(options: { retryDelayMs?: number } = {}) {
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
    while (!ran.includes('first')) await new Promise((resolve) => setImmediate(resolve));
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
    const { jobs, add } = queue();
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
    while (!started) await new Promise((resolve) => setImmediate(resolve));
    const failure = jobs.whenIdle({ timeoutMs: 1 });
    await expect(failure).rejects.toBeInstanceOf(JobsNotIdleError);
    await expect(failure).rejects.toThrow(
      /not idle after 0 s: 1 job\(s\) ready or due for a retry, 1 running/,
    );
    held.open();
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
