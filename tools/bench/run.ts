/**
 * `npm run bench [-- --quick] [-- --only <prefix>]`: runs the registered bench modules one after the
 * other and writes `bench/results.json` (tools/bench/results.ts). Registering a module is one line
 * in BENCHES: the prefix of its figure names and a lazy import, so `--only` loads nothing else.
 * Exits non-zero only when a module throws; a figure's value never fails the bench.
 */
import os from 'node:os';
import {
  describeFigure,
  mergeResults,
  parseBenchArgs,
  readResults,
  selectEntries,
  wanted,
  writeResults,
  type BenchEntry,
  type BenchFailure,
  type RecordedFigure,
} from './results';

export const BENCHES: readonly BenchEntry[] = [
  { prefixes: ['engine.'], load: () => import('./interest.bench') },
  { prefixes: ['webhook.requests_per_event'], load: () => import('./webhook.bench') },
  { prefixes: ['ingest.'], load: () => import('./ingest.bench') },
  { prefixes: ['start.', 'webhook.events_per_s'], load: () => import('./start.bench') },
  { prefixes: ['asyncservice.'], load: () => import('./asyncservice.bench') },
  { prefixes: ['rescore.'], load: () => import('./rescore.bench') },
  { prefixes: ['emulator.'], load: () => import('./emulator.bench') },
  { prefixes: ['bundle.'], load: () => import('./bundle.bench') },
  { prefixes: ['propensity.'], load: () => import('./propensity.bench') },
  { prefixes: ['pages.'], load: () => import('./pages.bench') },
  { prefixes: ['webhook.read_ms'], load: () => import('./accountread.bench') },
];

async function main(): Promise<void> {
  const args = parseBenchArgs(process.argv.slice(2));
  const measured: RecordedFigure[] = [];
  const failures: BenchFailure[] = [];
  const ran = new Set<string>();
  for (const entry of selectEntries(BENCHES, args.only)) {
    const label = entry.prefixes.join(',');
    console.log(`\n=== ${label}${args.quick ? ' (quick)' : ''} ===`);
    const measuredAt = new Date().toISOString();
    try {
      const figures = await (await entry.load()).figures({ quick: args.quick });
      for (const figure of figures) {
        if (!entry.prefixes.some((p) => figure.name.startsWith(p)))
          throw new Error(
            `figure '${figure.name}' does not start with one of its module's prefixes (${label})`,
          );
        if (!wanted(figure.name, args.only)) continue;
        console.log(describeFigure(figure));
        measured.push({ ...figure, measuredAt, quick: args.quick });
      }
      ran.add(label);
    } catch (error) {
      const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
      console.error(`${label} failed: ${message}`);
      failures.push({ module: label, message, measuredAt });
      continue;
    }
  }
  const machine = {
    node: process.version,
    platform: `${os.platform()} ${os.arch()}`,
    cpus: os.cpus().length,
  };
  const previous = await readResults(args.out).catch((error: unknown) => {
    console.warn(`${args.out} is replaced: ${error instanceof Error ? error.message : String(error)}`);
    return undefined;
  });
  await writeResults(args.out, mergeResults(previous, measured, failures, ran, machine, new Date()));
  console.log(`\n${measured.length} figures written to ${args.out}`);
  if (failures.length) process.exitCode = 1;
}

if (require.main === module)
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  });
