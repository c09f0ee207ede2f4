import type { DataverseClient } from '../../dataverse/client';
import { memoryLogger } from '../../dataverse/logger';
import {
  defineJob,
  everyMsToNcrontab,
  JobDefinitionError,
  runJob,
  startScheduler,
  type IntervalTimers,
  type JobDeps,
} from './jobs';

const MINUTE = 60_000;

/** Timers the test fires by hand: nothing waits, and overlap is provoked deterministically. */
function manualTimers() {
  const intervals = new Map<number, { callback: () => void; ms: number }>();
  let next = 1;
  const timers: IntervalTimers = {
    setInterval: (callback, ms) => {
      intervals.set(next, { callback, ms });
      return next++;
    },
    clearInterval: (handle) => intervals.delete(handle as number),
  };
  return { timers, intervals, fireAll: () => [...intervals.values()].forEach((i) => i.callback()) };
}

function deferred() {
  let resolve!: () => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

function deps(): JobDeps & { logger: ReturnType<typeof memoryLogger> } {
  let now = Date.parse('2026-03-01T06:00:00Z');
  return { client: {} as DataverseClient, clock: () => new Date((now += 250)), logger: memoryLogger() };
}

const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('everyMsToNcrontab', () => {
  it.each([
    [30_000, '*/30 * * * * *'],
    [5 * MINUTE, '0 */5 * * * *'],
    [60 * MINUTE, '0 0 */1 * * *'],
    [6 * 60 * MINUTE, '0 0 */6 * * *'],
    [24 * 60 * MINUTE, '0 0 0 * * *'],
  ])('%i ms -> %s', (ms, cron) => {
    expect(everyMsToNcrontab(ms)).toBe(cron);
  });

  it.each([7 * MINUTE, 1500, 45 * 60 * MINUTE])('refuses %i ms, which no timer schedule expresses', (ms) => {
    expect(() => everyMsToNcrontab(ms, 'sweep')).toThrow(
      /Job 'sweep' runs every .* no timer schedule expresses/,
    );
  });
});

describe('defineJob', () => {
  const run = () => Promise.resolve();
  it('refuses names Azure cannot use and intervals under a second', () => {
    expect(() => defineJob({ name: 'follow up', everyMs: MINUTE, run })).toThrow(JobDefinitionError);
    expect(() => defineJob({ name: 'sweep', everyMs: 10, run })).toThrow(/≥ 1000/);
    expect(() => defineJob({ name: 'sweep', everyMs: 7 * MINUTE, run })).toThrow(/no timer schedule/);
    expect(defineJob({ name: 'sweep', everyMs: 7 * MINUTE, schedule: '0 */7 * * * *', run }).name).toBe(
      'sweep',
    );
  });
});

describe('runJob', () => {
  it('reports success and failure without throwing, and logs both', async () => {
    const d = deps();
    expect(await runJob({ name: 'ok', everyMs: MINUTE, run: () => Promise.resolve() }, d)).toEqual({
      ok: true,
      durationMs: 250,
    });
    const failed = await runJob(
      { name: 'broken', everyMs: MINUTE, run: () => Promise.reject(new Error('policy missing')) },
      d,
    );
    expect(failed).toMatchObject({ ok: false });
    expect(d.logger.lines.join('\n')).toMatch(
      /error Job failed; it runs again at its next interval\. .*"job":"broken".*policy missing/,
    );
  });
});

describe('startScheduler', () => {
  it('runs each job on its interval and never overlaps two runs of the same job', async () => {
    const { timers, intervals, fireAll } = manualTimers();
    const d = deps();
    const gates: ReturnType<typeof deferred>[] = [];
    let runs = 0;
    const scheduler = startScheduler(
      [
        {
          name: 'sweep',
          everyMs: 5 * MINUTE,
          run: () => (runs++, gates.push(deferred()), gates[gates.length - 1].promise),
        },
      ],
      d,
      timers,
    );
    expect([...intervals.values()].map((i) => i.ms)).toEqual([5 * MINUTE]);

    fireAll();
    fireAll(); // the first run is still going: skipped
    expect(runs).toBe(1);
    expect(d.logger.lines.join('\n')).toMatch(
      /warn Job skipped: its previous run is still going\. \{"job":"sweep"\}/,
    );

    gates[0].resolve();
    await flush();
    fireAll();
    expect(runs).toBe(2);
    gates[1].resolve();
    await scheduler.stop();
    expect(intervals.size).toBe(0);
  });

  it('runs every job once at start, then on its interval', async () => {
    const { timers, fireAll } = manualTimers();
    const runs: string[] = [];
    const job = (name: string) => ({
      name,
      everyMs: 60 * MINUTE,
      run: () => Promise.resolve(void runs.push(name)),
    });
    const scheduler = startScheduler([job('recheck'), job('valuetiers')], deps(), timers);
    expect(runs).toEqual(['recheck', 'valuetiers']);
    await flush();
    fireAll();
    expect(runs).toEqual(['recheck', 'valuetiers', 'recheck', 'valuetiers']);
    await scheduler.stop();
  });

  it('keeps going after a failed run', async () => {
    const { timers, fireAll } = manualTimers();
    let runs = 0;
    const scheduler = startScheduler(
      [
        {
          name: 'recheck',
          everyMs: MINUTE,
          run: () => (runs++ === 0 ? Promise.reject(new Error('boom')) : Promise.resolve()),
        },
      ],
      deps(),
      timers,
    );
    fireAll();
    await flush();
    fireAll();
    await flush();
    expect(runs).toBe(2);
    await scheduler.stop();
  });

  it('stop() waits for a run in progress', async () => {
    const { timers } = manualTimers();
    const gate = deferred();
    let finished = false;
    const scheduler = startScheduler(
      [{ name: 'sweep', everyMs: MINUTE, run: () => gate.promise.then(() => void (finished = true)) }],
      deps(),
      timers,
      { runAtStart: false },
    );
    const run = scheduler.trigger('sweep');
    const stopped = scheduler.stop();
    gate.resolve();
    await stopped;
    expect(finished).toBe(true);
    await expect(run).resolves.toMatchObject({ ok: true });
  });

  it('refuses two jobs with one name and an unknown job name', async () => {
    const job = { name: 'sweep', everyMs: MINUTE, run: () => Promise.resolve() };
    expect(() => startScheduler([job, job], deps(), manualTimers().timers)).toThrow(/share a name/);
    const scheduler = startScheduler([job], deps(), manualTimers().timers);
    await expect(scheduler.trigger('nope')).rejects.toThrow("No scheduled job is named 'nope'.");
    await scheduler.stop();
  });
});
