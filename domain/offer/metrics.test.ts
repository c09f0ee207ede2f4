import { auc, brier, calibrationBins } from './metrics';

describe('auc', () => {
  it('is 1 when every purchaser ranks above every non-purchaser, 0 when below', () => {
    expect(auc([0.9, 0.8, 0.2, 0.1], [1, 1, 0, 0])).toBe(1);
    expect(auc([0.1, 0.2, 0.8, 0.9], [1, 1, 0, 0])).toBe(0);
  });

  it('counts ties as half, so a constant ranking scores 0.5', () => {
    expect(auc([3, 3, 3, 3], [1, 0, 1, 0])).toBe(0.5);
  });

  it('is the share of purchaser/non-purchaser pairs ordered right', () => {
    // pairs (p, n): (0.9, 0.5) ok, (0.9, 0.2) ok, (0.4, 0.5) wrong, (0.4, 0.2) ok → 3 / 4
    expect(auc([0.9, 0.5, 0.4, 0.2], [1, 0, 1, 0])).toBe(0.75);
  });

  it('is undefined (NaN) without both kinds of example', () => {
    expect(auc([0.1, 0.2], [0, 0])).toBeNaN();
  });
});

describe('brier and calibration', () => {
  it('scores perfect probabilities 0 and the base rate by its variance', () => {
    expect(brier([1, 0], [1, 0])).toBe(0);
    expect(brier([0.25, 0.25, 0.25, 0.25], [1, 0, 0, 0])).toBeCloseTo(0.1875, 10);
  });

  it('bins by prediction and reports observed shares', () => {
    const bins = calibrationBins([0.1, 0.1, 0.9, 0.9], [0, 0, 1, 0], 2);
    expect(bins).toEqual([
      { predicted: 0.1, observed: 0, count: 2 },
      { predicted: 0.9, observed: 0.5, count: 2 },
    ]);
  });
});
