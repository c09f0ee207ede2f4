/**
 * `bench/results.json`: what `npm run bench` writes, and the pure parts around it (the command-line
 * flags, which modules a `--only` prefix selects, merging a partial run into the previous file, and a
 * shape check the test and the runner both use). A number never fails the bench; a module that
 * throws is recorded beside the figures the others measured.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { FIGURE_NAME, MIN_RUNS, type Figure } from './figures';

export const RESULTS_FILE = path.join('bench', 'results.json');
export const RESULTS_SCHEMA = 1;

export interface BenchOptions {
  /** Smaller sizes and fewer runs (still at least 3), for a developer's check rather than a record. */
  readonly quick: boolean;
}

/** What every `tools/bench/*.bench.ts` exports. */
export interface BenchModule {
  figures(options: BenchOptions): Promise<Figure[]>;
}

/** One line in run.ts: the prefixes the module's figure names start with, and how to load it. */
export interface BenchEntry {
  readonly prefixes: readonly string[];
  readonly load: () => Promise<BenchModule>;
}

export interface RecordedFigure extends Figure {
  readonly measuredAt: string;
  readonly quick: boolean;
}

export interface BenchFailure {
  /** The module's prefixes, joined by a comma. */
  readonly module: string;
  readonly message: string;
  readonly measuredAt: string;
}

export interface ResultsFile {
  readonly schema: typeof RESULTS_SCHEMA;
  readonly updatedAt: string;
  readonly machine: { readonly node: string; readonly platform: string; readonly cpus: number };
  readonly figures: readonly RecordedFigure[];
  readonly failures: readonly BenchFailure[];
}

export interface BenchArgs extends BenchOptions {
  readonly only: readonly string[];
  readonly out: string;
}

/** A flag the bench does not know, or one missing its value. */
export class BenchUsageError extends Error {
  constructor(reason: string) {
    super(`${reason}\nUsage: npm run bench -- [--quick] [--only <figure prefix>]... [--out <file>]`);
    this.name = 'BenchUsageError';
  }
}

/** A results file that does not have the documented shape (written by hand, or by an older bench). */
export class ResultsShapeError extends Error {
  constructor(reason: string) {
    super(`bench results: ${reason}`);
    this.name = 'ResultsShapeError';
  }
}

export function parseBenchArgs(argv: readonly string[]): BenchArgs {
  let quick = false;
  let out = RESULTS_FILE;
  const only: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--quick') quick = true;
    else if (arg === '--only' || arg === '--out') {
      const value = argv[++i];
      if (!value || value.startsWith('--')) throw new BenchUsageError(`${arg} needs a value.`);
      if (arg === '--only') only.push(value);
      else out = value;
    } else throw new BenchUsageError(`Unknown argument '${arg}'.`);
  }
  return { quick, only, out };
}

/** Whether a figure name (or a module's prefix) is wanted by the `--only` prefixes; none means all. */
export function wanted(name: string, only: readonly string[]): boolean {
  return only.length === 0 || only.some((prefix) => name.startsWith(prefix));
}

/** Modules to run: those whose prefix a wanted figure could start with, in either direction. */
export function selectEntries(entries: readonly BenchEntry[], only: readonly string[]): BenchEntry[] {
  if (only.length === 0) return [...entries];
  return entries.filter((e) => e.prefixes.some((p) => only.some((o) => o.startsWith(p) || p.startsWith(o))));
}

/**
 * The new file: figures measured now replace those of the same name, the others stay from the
 * previous file (so `--only` refreshes a part), sorted by name so diffs stay readable.
 */
export function mergeResults(
  previous: ResultsFile | undefined,
  measured: readonly RecordedFigure[],
  failures: readonly BenchFailure[],
  /** Modules that ran without failing: an older failure of theirs is gone. */
  ran: ReadonlySet<string>,
  machine: ResultsFile['machine'],
  now: Date,
): ResultsFile {
  const byName = new Map<string, RecordedFigure>();
  for (const f of previous?.figures ?? []) byName.set(f.name, f);
  for (const f of measured) byName.set(f.name, f);
  const failed = new Set(failures.map((f) => f.module));
  return {
    schema: RESULTS_SCHEMA,
    updatedAt: now.toISOString(),
    machine,
    figures: [...byName.values()].sort((a, b) => a.name.localeCompare(b.name)),
    failures: [
      ...(previous?.failures ?? []).filter((f) => !failed.has(f.module) && !ran.has(f.module)),
      ...failures,
    ],
  };
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

function checkSpread(where: string, value: unknown): void {
  if (!isRecord(value)) throw new ResultsShapeError(`${where} is not an object.`);
  for (const key of ['median', 'min', 'max', 'runs'])
    if (typeof value[key] !== 'number' || !Number.isFinite(value[key]))
      throw new ResultsShapeError(`${where}.${key} is not a finite number.`);
  const { median, min, max, runs } = value as Record<string, number>;
  if (runs < MIN_RUNS) throw new ResultsShapeError(`${where} has ${runs} runs; a median needs ${MIN_RUNS}.`);
  if (!(min <= median && median <= max))
    throw new ResultsShapeError(`${where}: median ${median} is not between min ${min} and max ${max}.`);
}

/** Throws ResultsShapeError naming the first thing out of shape; returns the file typed. */
export function checkResults(value: unknown): ResultsFile {
  if (!isRecord(value)) throw new ResultsShapeError('the file is not a JSON object.');
  if (value.schema !== RESULTS_SCHEMA)
    throw new ResultsShapeError(`schema is ${String(value.schema)}, expected ${RESULTS_SCHEMA}.`);
  if (!Array.isArray(value.figures)) throw new ResultsShapeError('figures is not a list.');
  if (!Array.isArray(value.failures)) throw new ResultsShapeError('failures is not a list.');
  const seen = new Set<string>();
  for (const f of value.figures as unknown[]) {
    if (!isRecord(f) || typeof f.name !== 'string' || !FIGURE_NAME.test(f.name))
      throw new ResultsShapeError(`figure ${JSON.stringify(f)} has no dotted lower-case name.`);
    if (seen.has(f.name)) throw new ResultsShapeError(`figure '${f.name}' appears twice.`);
    seen.add(f.name);
    if (typeof f.unit !== 'string' || f.unit === '')
      throw new ResultsShapeError(`figure '${f.name}' has no unit.`);
    checkSpread(`${f.name}.value`, f.value);
    if (f.baseline !== undefined) {
      checkSpread(`${f.name}.baseline`, f.baseline);
      if (!isRecord(f.baseline) || typeof f.baseline.name !== 'string')
        throw new ResultsShapeError(`figure '${f.name}' has a baseline without a name.`);
    }
    if (f.ratio !== undefined && (typeof f.ratio !== 'number' || !Number.isFinite(f.ratio)))
      throw new ResultsShapeError(`figure '${f.name}' has a ratio that is not a finite number.`);
    if (typeof f.measuredAt !== 'string' || Number.isNaN(Date.parse(f.measuredAt)))
      throw new ResultsShapeError(`figure '${f.name}' has no measuredAt date.`);
  }
  return value as unknown as ResultsFile;
}

export async function readResults(file: string): Promise<ResultsFile | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return undefined;
  }
  return checkResults(JSON.parse(text));
}

export async function writeResults(file: string, results: ResultsFile): Promise<void> {
  checkResults(results);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, `${JSON.stringify(results, null, 2)}\n`, 'utf8');
}

/** Runs `measure` `runs` times one after the other and returns every sample (at least MIN_RUNS). */
export async function repeat(runs: number, measure: (run: number) => Promise<number>): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < Math.max(runs, MIN_RUNS); i++) samples.push(await measure(i));
  return samples;
}

/** One line per figure for the console: median, spread, and the ratio to its baseline. */
export function describeFigure(f: Figure): string {
  const n = (v: number) => (Math.abs(v) >= 100 ? Math.round(v).toLocaleString('en-US') : v.toPrecision(3));
  const base = f.baseline
    ? `   baseline ${n(f.baseline.median)} (${f.baseline.name})   ratio ${f.ratio?.toPrecision(3) ?? '—'}`
    : '';
  return `${f.name.padEnd(36)} ${n(f.value.median)} ${f.unit}  [${n(f.value.min)}…${n(f.value.max)}, ${f.value.runs} runs]${base}`;
}
