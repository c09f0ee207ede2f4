/**
 * Run by rescore.bench.ts in its own process, so its peak resident memory is the rescore's alone:
 * `ideario rescore --dry-run` against the emulator at argv[2], then one JSON line on stdout with the
 * time it took, the interactions it replayed and the process's peak RSS.
 */
import { performance } from 'node:perf_hooks';
import { consoleLogger, quietLogger } from '../../dataverse/logger';
import { runRescoreCommand } from '../cli/rescore';
import { BENCH_TOKEN } from './history';

async function main(): Promise<void> {
  const url = process.argv[2];
  let replayed = Number.NaN;
  const began = performance.now();
  const code = await runRescoreCommand(
    { url, dryRun: true },
    {
      env: { IDEARIO_TOKEN: BENCH_TOKEN },
      // Warnings and errors reach the bench's stderr; a failed rescore says why.
      logger: quietLogger(consoleLogger),
      clock: () => new Date(),
      print: (line) => {
        const match = /^Replayed (\d+) interaction/.exec(line);
        if (match) replayed = Number(match[1]);
      },
    },
  );
  const ms = performance.now() - began;
  // maxRSS is in kilobytes (getrusage's ru_maxrss on Linux).
  const peakRssMb = process.resourceUsage().maxRSS / 1024;
  process.stdout.write(`${JSON.stringify({ code, ms, replayed, peakRssMb })}\n`);
}

void main();
