/**
 * The figure format of `bench/results.json`: one entry per figure with a stable name, the median of at
 * least 3 runs with their min and max, and (when there is one) the baseline measured in the same run and
 * the ratio of the two. Pure: the bench modules measure, this shapes and checks.
 */

export interface Spread {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly runs: number;
}

export interface Figure {
  /** Stable across releases, e.g. `asyncservice.jobs_per_s`, `bundle.bytes.opportunity`. */
  readonly name: string;
  readonly unit: string;
  readonly value: Spread;
  readonly baseline?: Spread & { readonly name: string };
  /** value.median / baseline.median. */
  readonly ratio?: number;
}

export const MIN_RUNS = 3;

/** `bench/results.json` keys figures by dotted lower-case names, e.g. `propensity.auc.cloud-migration`. */
export const FIGURE_NAME = /^[a-z0-9_]+(\.[a-z0-9_-]+)+$/;

/** A bench module named a figure outside FIGURE_NAME: caught when measured, not after the whole run. */
export class BenchFigureNameError extends Error {
  constructor(readonly figure: string) {
    super(
      `Figure '${figure}' needs a dotted lower-case name (letters, digits, _ and -), e.g. 'ingest.rows_per_s'.`,
    );
    this.name = 'BenchFigureNameError';
  }
}

/** Fewer runs than a median needs, or a sample that is not a finite number. */
export class BenchSampleError extends Error {
  constructor(
    readonly figure: string,
    reason: string,
  ) {
    super(`Figure '${figure}': ${reason}`);
    this.name = 'BenchSampleError';
  }
}

export function spread(figure: string, samples: readonly number[]): Spread {
  if (samples.length < MIN_RUNS)
    throw new BenchSampleError(
      figure,
      `needs at least ${MIN_RUNS} runs for a median, got ${samples.length}.`,
    );
  const bad = samples.find((s) => !Number.isFinite(s));
  if (bad !== undefined) throw new BenchSampleError(figure, `sample ${String(bad)} is not a finite number.`);
  const sorted = [...samples].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
  return { median, min: sorted[0], max: sorted[sorted.length - 1], runs: sorted.length };
}

export function figure(
  name: string,
  unit: string,
  samples: readonly number[],
  baseline?: { readonly name: string; readonly samples: readonly number[] },
): Figure {
  if (!FIGURE_NAME.test(name)) throw new BenchFigureNameError(name);
  const value = spread(name, samples);
  if (!baseline) return { name, unit, value };
  const base = { name: baseline.name, ...spread(`${name} (baseline)`, baseline.samples) };
  return {
    name,
    unit,
    value,
    baseline: base,
    ...(base.median !== 0 ? { ratio: value.median / base.median } : {}),
  };
}
