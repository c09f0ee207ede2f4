import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { figure } from './figures';
import {
  BenchUsageError,
  checkResults,
  mergeResults,
  parseBenchArgs,
  readResults,
  RESULTS_FILE,
  ResultsShapeError,
  selectEntries,
  wanted,
  writeResults,
  type BenchEntry,
  type RecordedFigure,
} from './results';
import { BENCHES } from './run';

const machine = { node: 'v20.0.0', platform: 'linux x64', cpus: 2 };
const at = (iso: string) => new Date(iso);

function recorded(name: string, samples: number[], measuredAt = '2026-01-01T00:00:00.000Z'): RecordedFigure {
  return {
    ...figure(name, 'events/s', samples, { name: 'baseline', samples: [1, 2, 3] }),
    measuredAt,
    quick: false,
  };
}

describe('bench results file', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'ideario-bench-results-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes bench/results.json by default, and reads back what it wrote', async () => {
    expect(parseBenchArgs([])).toEqual({ quick: false, only: [], out: RESULTS_FILE });
    expect(RESULTS_FILE).toBe(path.join('bench', 'results.json'));
    const file = path.join(dir, 'bench', 'results.json');
    const results = mergeResults(
      undefined,
      [recorded('engine.events_per_s.history_1000', [900, 1000, 1100])],
      [],
      new Set(['engine.']),
      machine,
      at('2026-01-02T03:04:05Z'),
    );
    await writeResults(file, results);
    const json = JSON.parse(await readFile(file, 'utf8')) as unknown;
    expect(json).toEqual({
      schema: 1,
      updatedAt: '2026-01-02T03:04:05.000Z',
      machine,
      figures: [
        {
          name: 'engine.events_per_s.history_1000',
          unit: 'events/s',
          value: { median: 1000, min: 900, max: 1100, runs: 3 },
          baseline: { name: 'baseline', median: 2, min: 1, max: 3, runs: 3 },
          ratio: 500,
          measuredAt: '2026-01-01T00:00:00.000Z',
          quick: false,
        },
      ],
      failures: [],
    });
    expect(await readResults(file)).toEqual(results);
    expect(await readResults(path.join(dir, 'missing.json'))).toBeUndefined();
  });

  it('a partial run (--only) replaces its own figures and keeps the others from the previous file', () => {
    const previous = mergeResults(
      undefined,
      [recorded('engine.events_per_s.history_1000', [1, 2, 3]), recorded('rescore.rows_per_s', [4, 5, 6])],
      [{ module: 'bundle.', message: 'esbuild crashed', measuredAt: '2026-01-01T00:00:00.000Z' }],
      new Set(),
      machine,
      at('2026-01-01T00:00:00Z'),
    );
    const next = mergeResults(
      previous,
      [recorded('rescore.rows_per_s', [7, 8, 9], '2026-02-01T00:00:00.000Z')],
      [],
      new Set(['rescore.']),
      machine,
      at('2026-02-01T00:00:00Z'),
    );
    expect(next.figures.map((f) => [f.name, f.value.median])).toEqual([
      ['engine.events_per_s.history_1000', 2],
      ['rescore.rows_per_s', 8],
    ]);
    expect(next.failures.map((f) => f.module)).toEqual(['bundle.']);
    const fixed = mergeResults(next, [], [], new Set(['bundle.']), machine, at('2026-02-02T00:00:00Z'));
    expect(fixed.failures).toEqual([]);
  });

  it('refuses a file out of shape, naming what is wrong', async () => {
    const good = mergeResults(
      undefined,
      [recorded('ingest.rows_per_s', [1, 2, 3])],
      [],
      new Set(),
      machine,
      at('2026-01-01T00:00:00Z'),
    );
    expect(checkResults(JSON.parse(JSON.stringify(good)))).toEqual(good);
    const broken = (change: (f: Record<string, unknown>) => void) => {
      const copy = JSON.parse(JSON.stringify(good)) as { figures: Record<string, unknown>[] };
      change(copy.figures[0]);
      return () => checkResults(copy);
    };
    expect(broken((f) => (f.value = { median: 9, min: 1, max: 3, runs: 3 }))).toThrow(
      'ingest.rows_per_s.value: median 9 is not between min 1 and max 3.',
    );
    expect(broken((f) => (f.value = { median: 2, min: 1, max: 3, runs: 2 }))).toThrow(/a median needs 3/);
    expect(broken((f) => (f.name = 'Rows per second'))).toThrow(ResultsShapeError);
    expect(broken((f) => delete f.unit)).toThrow("figure 'ingest.rows_per_s' has no unit.");
    const file = path.join(dir, 'old.json');
    await writeFile(file, JSON.stringify({ schema: 0, figures: [] }));
    await expect(readResults(file)).rejects.toThrow('bench results: schema is 0, expected 1.');
  });

  it('--quick and --only pick a smaller run of some modules', () => {
    expect(parseBenchArgs(['--quick', '--only', 'rescore.', '--only', 'bundle.bytes.opportunity'])).toEqual({
      quick: true,
      only: ['rescore.', 'bundle.bytes.opportunity'],
      out: RESULTS_FILE,
    });
    expect(() => parseBenchArgs(['--only'])).toThrow(BenchUsageError);
    expect(() => parseBenchArgs(['--fast'])).toThrow("Unknown argument '--fast'.");
    const entries: BenchEntry[] = ['engine.', 'rescore.', 'bundle.'].map((p) => ({
      prefixes: [p],
      load: () => Promise.reject(new Error('not loaded in this test')),
    }));
    const chosen = (only: string[]) => selectEntries(entries, only).map((e) => e.prefixes[0]);
    expect(chosen([])).toEqual(['engine.', 'rescore.', 'bundle.']);
    expect(chosen(['rescore'])).toEqual(['rescore.']);
    expect(chosen(['bundle.bytes.opportunity', 'engine.'])).toEqual(['engine.', 'bundle.']);
    expect(wanted('bundle.bytes.concept', ['bundle.bytes.opportunity'])).toBe(false);
    expect(wanted('bundle.bytes.opportunity', ['bundle.bytes.opportunity'])).toBe(true);
  });

  it('registers a module for every figure family the issue names', () => {
    const families = [
      'engine.events_per_s',
      'webhook.requests_per_event',
      'webhook.events_per_s',
      'ingest.rows_per_s',
      'ingest.requests_per_row',
      'start.first_event_ms',
      'asyncservice.jobs_per_s',
      'rescore.rows_per_s',
      'rescore.peak_rss_mb',
      'emulator.creates_per_s',
      'emulator.query_ms_p50',
      'bundle.bytes.opportunity',
    ];
    for (const name of families)
      expect([name, BENCHES.filter((e) => e.prefixes.some((p) => name.startsWith(p))).length]).toEqual([
        name,
        1,
      ]);
  });
});
