import { BenchFigureNameError, BenchSampleError, figure, spread } from './figures';

describe('bench figures', () => {
  it('reports the median of the runs with their min and max', () => {
    expect(spread('x', [5, 1, 3])).toEqual({ median: 3, min: 1, max: 5, runs: 3 });
    expect(spread('x', [4, 1, 3, 10])).toEqual({ median: 3.5, min: 1, max: 10, runs: 4 });
  });

  it('gives the baseline measured in the same run and the ratio of the medians', () => {
    expect(
      figure('asyncservice.jobs_per_s', 'jobs/s', [80, 90, 100], {
        name: 'pool of 1',
        samples: [20, 30, 25],
      }),
    ).toEqual({
      name: 'asyncservice.jobs_per_s',
      unit: 'jobs/s',
      value: { median: 90, min: 80, max: 100, runs: 3 },
      baseline: { name: 'pool of 1', median: 25, min: 20, max: 30, runs: 3 },
      ratio: 3.6,
    });
  });

  it('refuses fewer than 3 runs and samples that are not numbers, naming the figure', () => {
    expect(() => spread('engine.events_per_s', [1, 2])).toThrow(BenchSampleError);
    expect(() => spread('engine.events_per_s', [1, 2])).toThrow(
      "Figure 'engine.events_per_s': needs at least 3 runs for a median, got 2.",
    );
    expect(() => spread('start.first_event_ms', [1, Number.NaN, 3])).toThrow(/NaN is not a finite number/);
  });

  it('refuses a name the results file would refuse, when the figure is made rather than after the run', () => {
    expect(() => figure('propensity.auc.CLOUD-MIGRATION', 'AUC', [1, 2, 3])).toThrow(BenchFigureNameError);
    expect(() => figure('auc', 'AUC', [1, 2, 3])).toThrow("Figure 'auc' needs a dotted lower-case name");
    expect(figure('propensity.auc.cloud-migration', 'AUC', [1, 2, 3]).name).toBe(
      'propensity.auc.cloud-migration',
    );
  });
});
