/** How good a ranking or a probability is, on labelled examples (labels 0/1). */

/**
 * Area under the ROC curve: the chance that a random purchaser is ranked above a random
 * non-purchaser, ties counting half (the Mann–Whitney statistic from average ranks).
 */
export function auc(scores: readonly number[], labels: readonly (0 | 1)[]): number {
  const order = scores
    .map((score, i) => ({ score, label: labels[i] ?? 0 }))
    .sort((a, b) => a.score - b.score);
  let positives = 0;
  let rankSum = 0;
  for (let i = 0; i < order.length;) {
    let j = i;
    while (j < order.length && order[j].score === order[i].score) j++;
    const averageRank = (i + 1 + j) / 2;
    for (let k = i; k < j; k++) {
      if (order[k].label === 1) {
        positives++;
        rankSum += averageRank;
      }
    }
    i = j;
  }
  const negatives = order.length - positives;
  if (positives === 0 || negatives === 0) return Number.NaN;
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/** Mean squared error of probabilities against outcomes. */
export function brier(probabilities: readonly number[], labels: readonly (0 | 1)[]): number {
  let sum = 0;
  probabilities.forEach((p, i) => (sum += (p - (labels[i] ?? 0)) ** 2));
  return probabilities.length === 0 ? Number.NaN : sum / probabilities.length;
}

export interface CalibrationBin {
  /** Mean predicted probability in the bin. */
  readonly predicted: number;
  /** Share of purchasers in the bin. */
  readonly observed: number;
  readonly count: number;
}

/** Predicted vs observed by equal-count bins of the prediction (a reliability table). */
export function calibrationBins(
  probabilities: readonly number[],
  labels: readonly (0 | 1)[],
  bins = 5,
): CalibrationBin[] {
  const order = probabilities.map((p, i) => ({ p, y: labels[i] ?? 0 })).sort((a, b) => a.p - b.p);
  const out: CalibrationBin[] = [];
  for (let b = 0; b < bins; b++) {
    const slice = order.slice(
      Math.floor((b * order.length) / bins),
      Math.floor(((b + 1) * order.length) / bins),
    );
    if (slice.length === 0) continue;
    out.push({
      predicted: slice.reduce((s, e) => s + e.p, 0) / slice.length,
      observed: slice.reduce((s, e) => s + e.y, 0) / slice.length,
      count: slice.length,
    });
  }
  return out;
}
