/**
 * `ideario rescore --dry-run` over a scored history of 20,000 and 100,000 interactions (2,000 and
 * 10,000 with --quick): rows replayed per second, and the rescore process's peak resident memory,
 * measured in a child process (rescore.child.ts) so the emulator serving it does not count. The peak at
 * the larger history has the smaller one's as its baseline: flat memory means a ratio near 1 (issue 8:
 * within 1.2).
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startEmulator } from '../emulator/start';
import { figure, type Figure } from './figures';
import { BENCH_TOKEN, ingest, seedCatalog, SOLUTION_ROOT, writeEvents } from './history';
import type { BenchOptions } from './results';

interface ChildResult {
  readonly code: number;
  readonly ms: number;
  readonly replayed: number;
  readonly peakRssMb: number;
}

function runChild(url: string): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [require.resolve('tsx/cli'), path.join(__dirname, 'rescore.child.ts'), url],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (exit) => {
      const line = out.trim().split('\n').pop() ?? '';
      try {
        resolve(JSON.parse(line) as ChildResult);
      } catch {
        reject(new Error(`the rescore child exited ${String(exit)} without its result: ${out.slice(-500)}`));
      }
    });
  });
}

interface SizeResult {
  readonly rowsPerSecond: number[];
  readonly peakRssMb: number[];
}

async function measureSize(rows: number, contacts: number): Promise<SizeResult> {
  const dir = await mkdtemp(path.join(tmpdir(), 'ideario-bench-rescore-'));
  const emulator = await startEmulator({
    memory: true,
    port: 0,
    solutionRoot: SOLUTION_ROOT,
    token: BENCH_TOKEN,
  });
  try {
    await ingest(emulator, await writeEvents(dir, rows, await seedCatalog(emulator, contacts)), 1000);
    await emulator.whenJobsIdle({ timeoutMs: 10 * 60_000 });
    const result: SizeResult = { rowsPerSecond: [], peakRssMb: [] };
    for (let run = 0; run < 3; run++) {
      const child = await runChild(emulator.url);
      if (child.code !== 0 || child.replayed !== rows)
        throw new Error(
          `rescore exited ${child.code} having replayed ${child.replayed} of ${rows} interactions`,
        );
      result.rowsPerSecond.push(rows / (child.ms / 1000));
      result.peakRssMb.push(child.peakRssMb);
    }
    return result;
  } finally {
    await emulator.close();
    await rm(dir, { recursive: true, force: true });
  }
}

export async function figures(options: BenchOptions): Promise<Figure[]> {
  const [small, large] = options.quick ? [2_000, 10_000] : [20_000, 100_000];
  // Contacts grow with the history (about 20 interactions each), as they would in an org.
  const atSmall = await measureSize(small, small / 20);
  const atLarge = await measureSize(large, large / 20);
  return [
    figure(`rescore.rows_per_s`, 'rows/s', atLarge.rowsPerSecond, {
      name: `the same rescore at ${small.toLocaleString('en-US')} interactions`,
      samples: atSmall.rowsPerSecond,
    }),
    figure(`rescore.peak_rss_mb.${small}`, 'MB', atSmall.peakRssMb),
    figure(`rescore.peak_rss_mb.${large}`, 'MB', atLarge.peakRssMb, {
      name: `peak RSS at ${small.toLocaleString('en-US')} interactions`,
      samples: atSmall.peakRssMb,
    }),
  ];
}
