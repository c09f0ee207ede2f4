/**
 * The emulator's async service: system jobs completed per second by the default pool of 8
 * (`--async-concurrency`) against a pool of 1 (baseline, the emulator before issue 8), on the same
 * queue. Each job does what a webhook job does: one HTTP POST to a loopback host, which answers after
 * a 10 ms timer standing in for the remote handler's own time, so the figure is the pool's overlap of
 * that waiting plus the queue's own bookkeeping (claim, finish, on SQLite).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { silentLogger } from '../../dataverse/logger';
import { loadPlatform, mergeMetadata } from '../solution/loader';
import { Engine } from '../emulator/engine/engine';
import { OperationType, SystemJobs, DEFAULT_ASYNC_CONCURRENCY } from '../emulator/jobs/system-jobs';
import { figure, type Figure } from './figures';
import type { BenchOptions } from './results';

const SOLUTION_ROOT = path.join(__dirname, '..', '..', 'solution');
const HANDLER_MS = 10;

function listen(server: Server): Promise<string> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`),
    ),
  );
}

async function jobsPerSecond(jobCount: number, concurrency: number, hostUrl: string): Promise<number> {
  const metadata = mergeMetadata(loadPlatform(path.join(SOLUTION_ROOT, 'platform')).tables, []).metadata;
  const engine = new Engine({ metadata, path: ':memory:' });
  const jobs = new SystemJobs({ engine, clock: () => new Date(), logger: silentLogger, concurrency });
  let done = 0;
  jobs.registerRunner(OperationType.SystemEvent, async (job) => {
    const response = await fetch(hostUrl, { method: 'POST', body: job.data });
    await response.arrayBuffer();
    done++;
    return response.ok
      ? { status: 'succeeded' }
      : { status: 'failed', message: `host answered ${response.status}`, friendlyMessage: 'host failed' };
  });
  try {
    for (let i = 0; i < jobCount; i++)
      await jobs.enqueue({ name: `job ${i}`, operationType: OperationType.SystemEvent, data: `{"n":${i}}` });
    const began = performance.now();
    jobs.start();
    await jobs.whenIdle({ timeoutMs: 10 * 60_000 });
    const seconds = (performance.now() - began) / 1000;
    if (done !== jobCount) throw new Error(`${done} of ${jobCount} jobs ran`);
    return jobCount / seconds;
  } finally {
    await jobs.stop();
    engine.close();
  }
}

export async function figures(options: BenchOptions): Promise<Figure[]> {
  const jobCount = options.quick ? 100 : 400;
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => setTimeout(() => response.end('{}'), HANDLER_MS));
  });
  const url = await listen(server);
  try {
    const pool: number[] = [];
    const single: number[] = [];
    for (let run = 0; run < 3; run++) {
      pool.push(await jobsPerSecond(jobCount, DEFAULT_ASYNC_CONCURRENCY, url));
      single.push(await jobsPerSecond(jobCount, 1, url));
    }
    return [
      figure('asyncservice.jobs_per_s', 'jobs/s', pool, {
        name: `pool of 1, ${jobCount} jobs of one POST to a host taking ${HANDLER_MS} ms`,
        samples: single,
      }),
    ];
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
}
