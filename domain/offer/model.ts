/**
 * The propensity model of one offer: logistic regression from ml-logistic-regression (batch gradient
 * ascent) on standardised features with an intercept. The model is plain data (means, deviations,
 * weights) so it can be stored and applied without the library.
 */
import LogisticRegression from 'ml-logistic-regression';
import { Matrix } from 'ml-matrix';

export interface PropensityModel {
  readonly means: readonly number[];
  readonly deviations: readonly number[];
  /** Intercept first, then one weight per feature. */
  readonly weights: readonly number[];
}

export interface TrainOptions {
  /** Gradient steps; the defaults converge on standardised features of a few thousand rows. */
  readonly steps?: number;
  /** Step size per example: the library sums the gradient over rows, so it is divided by their count. */
  readonly stepSize?: number;
}

function standardise(
  rows: readonly (readonly number[])[],
  means: readonly number[],
  deviations: readonly number[],
): Matrix {
  return new Matrix(
    rows.map((row) => [1, ...row.map((x, j) => (x - (means[j] ?? 0)) / (deviations[j] ?? 1))]),
  );
}

export function trainPropensity(
  rows: readonly (readonly number[])[],
  labels: readonly (0 | 1)[],
  options: TrainOptions = {},
): PropensityModel {
  const width = rows[0]?.length ?? 0;
  const means = Array.from(
    { length: width },
    (_, j) => rows.reduce((s, r) => s + (r[j] ?? 0), 0) / rows.length,
  );
  const deviations = means.map((mean, j) => {
    const variance = rows.reduce((s, r) => s + ((r[j] ?? 0) - mean) ** 2, 0) / rows.length;
    // a constant feature carries nothing: divide by 1 so it stays 0 rather than NaN
    return variance > 1e-12 ? Math.sqrt(variance) : 1;
  });
  const regression = new LogisticRegression({
    numSteps: options.steps ?? 150,
    learningRate: (options.stepSize ?? 1.5) / rows.length,
  });
  regression.train(standardise(rows, means, deviations), Matrix.columnVector(labels.map(Number)));
  const classifier = regression.classifiers[0];
  if (!classifier?.weights) throw new RangeError('The regression was trained without both labels.');
  return { means, deviations, weights: classifier.weights.to1DArray() };
}

export function predictPropensity(model: PropensityModel, row: readonly number[]): number {
  let z = model.weights[0] ?? 0;
  row.forEach(
    (x, j) => (z += (model.weights[j + 1] ?? 0) * ((x - (model.means[j] ?? 0)) / (model.deviations[j] ?? 1))),
  );
  return 1 / (1 + Math.exp(-z));
}
