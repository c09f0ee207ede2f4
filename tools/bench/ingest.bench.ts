/**
 * `ideario ingest` against the in-memory emulator, scoring included: rows per second, and Web API
 * requests per row as the emulator's own counter sees them, against the baseline measured in the same
 * run of the same kind of file sent one row per request (`--batch 1`), on fewer rows since it is slow.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { startEmulator } from '../emulator/start';
import { DEFAULT_BATCH_SIZE } from '../ingest/ingest';
import { figure, type Figure } from './figures';
import { BENCH_TOKEN, ingest, seedCatalog, SOLUTION_ROOT, writeEvents } from './history';
import type { BenchOptions } from './results';

const CONTACTS = 300;

interface IngestRun {
  readonly rowsPerSecond: number;
  readonly requestsPerRow: number;
}

/** One ingest of `rows` rows in batches of `batch` into a fresh emulator with one concept and rule. */
async function ingestOnce(rows: number, batch: number): Promise<IngestRun> {
  const dir = await mkdtemp(path.join(tmpdir(), 'ideario-bench-ingest-'));
  const emulator = await startEmulator({
    memory: true,
    port: 0,
    solutionRoot: SOLUTION_ROOT,
    token: BENCH_TOKEN,
  });
  try {
    const file = await writeEvents(dir, rows, await seedCatalog(emulator, CONTACTS));
    emulator.stats.reset();
    const began = performance.now();
    await ingest(emulator, file, batch);
    // Scoring included: whatever the ingest left queued counts in the time and the requests.
    await emulator.whenJobsIdle({ timeoutMs: 10 * 60_000 });
    const seconds = (performance.now() - began) / 1000;
    return { rowsPerSecond: rows / seconds, requestsPerRow: emulator.stats.snapshot().requests / rows };
  } finally {
    await emulator.close();
    await rm(dir, { recursive: true, force: true });
  }
}

export async function figures(options: BenchOptions): Promise<Figure[]> {
  const rows = options.quick ? 2_000 : 10_000;
  const baselineRows = options.quick ? 200 : 1_000;
  const ours: IngestRun[] = [];
  const oneByOne: IngestRun[] = [];
  for (let run = 0; run < 3; run++) {
    ours.push(await ingestOnce(rows, DEFAULT_BATCH_SIZE));
    oneByOne.push(await ingestOnce(baselineRows, 1));
  }
  const baseline = `--batch 1 on ${baselineRows.toLocaleString('en-US')} rows`;
  return [
    figure(
      'ingest.rows_per_s',
      'rows/s',
      ours.map((r) => r.rowsPerSecond),
      { name: baseline, samples: oneByOne.map((r) => r.rowsPerSecond) },
    ),
    figure(
      'ingest.requests_per_row',
      'requests/row',
      ours.map((r) => r.requestsPerRow),
      { name: baseline, samples: oneByOne.map((r) => r.requestsPerRow) },
    ),
  ];
}
