/**
 * Retraining one offer's propensity model on the history, as `ideario retrain` runs it:
 *
 *   … ─ train cutoffs ─┬─ label window ─┬─ evaluation (held out) ─┬ now
 *                      T                E = now − labelDays        │
 *
 * Training rows are features at earlier cutoffs (T, T − labelDays, …) with the purchases in the
 * window after each; the model is then measured on the later period it never saw: features at E,
 * purchases in [E, now). It is published only when it ranks that period better than the contact's
 * interest in the offer's concepts alone, so a retraining can never make the adviser's list worse
 * than the interest engine already makes it.
 */
import { DAY_MS, type EpochMs } from '../interest/time';
import { InvalidOfferError, NotEnoughHistoryError } from './errors';
import { featuresAt, type HalfLives, interestAt, labelAfter, offerInterest } from './features';
import { auc, brier, type CalibrationBin, calibrationBins } from './metrics';
import { predictPropensity, type PropensityModel, trainPropensity, type TrainOptions } from './model';
import type { ContactHistory, Offer } from './types';

export interface RetrainInput {
  readonly offer: Offer;
  readonly histories: readonly ContactHistory[];
  readonly halfLives: HalfLives;
  readonly now: EpochMs;
  /** Training cutoffs before the evaluation period (each adds one row per contact). */
  readonly trainingSnapshots?: number;
  readonly train?: TrainOptions;
}

export interface PeriodSummary {
  readonly cutoff: EpochMs;
  readonly rows: number;
  readonly purchases: number;
}

export interface QualityReport {
  readonly offer: string;
  readonly training: PeriodSummary;
  readonly evaluation: PeriodSummary;
  readonly modelAuc: number;
  /** AUC of ordering the evaluation period by interest in the offer's concepts alone. */
  readonly baselineAuc: number;
  /** Share of purchasers in the evaluation period: what a model that knows nothing would predict. */
  readonly baseRate: number;
  readonly meanPredicted: number;
  readonly brierModel: number;
  readonly brierBaseRate: number;
  readonly calibration: readonly CalibrationBin[];
  readonly published: boolean;
  /** One sentence for the person running the retraining. */
  readonly verdict: string;
}

export interface RetrainResult {
  readonly report: QualityReport;
  /** The model to score with; null when it was refused. */
  readonly model: PropensityModel | null;
  readonly version: string;
}

function checkOffer(offer: Offer): void {
  if (offer.conceptIds.length === 0)
    throw new InvalidOfferError(
      offer.code,
      'concepts',
      'are empty: add the concepts it serves (idr_offerconcept)',
    );
  if (!(offer.labelDays >= 1))
    throw new InvalidOfferError(offer.code, 'purchase window', 'must be at least 1 day');
  if (!(offer.value >= 0)) throw new InvalidOfferError(offer.code, 'value', 'must be zero or more');
}

function rowsAt(input: RetrainInput, cutoff: EpochMs) {
  const rows: number[][] = [];
  const labels: (0 | 1)[] = [];
  const baseline: number[] = [];
  for (const history of input.histories) {
    const interest = interestAt(history.events, cutoff, input.halfLives);
    rows.push(featuresAt(history, input.offer, cutoff, input.halfLives, interest));
    labels.push(labelAfter(history, input.offer, cutoff));
    baseline.push(offerInterest(interest, input.offer));
  }
  return { rows, labels, baseline };
}

const count = (labels: readonly (0 | 1)[]): number => labels.reduce<number>((s, y) => s + y, 0);
const fixed = (x: number): string => x.toFixed(3);

export function retrainOffer(input: RetrainInput): RetrainResult {
  const { offer, now } = input;
  checkOffer(offer);
  const window = offer.labelDays * DAY_MS;
  const evaluationCutoff = now - window;
  const rows: number[][] = [];
  const labels: (0 | 1)[] = [];
  const snapshots = input.trainingSnapshots ?? 3;
  for (let k = 1; k <= snapshots; k++) {
    const at = rowsAt(input, evaluationCutoff - k * window);
    rows.push(...at.rows);
    labels.push(...at.labels);
  }
  const trainingPurchases = count(labels);
  if (trainingPurchases === 0 || trainingPurchases === labels.length)
    throw new NotEnoughHistoryError(
      offer.code,
      'training',
      trainingPurchases,
      labels.length - trainingPurchases,
    );
  const held = rowsAt(input, evaluationCutoff);
  const evaluationPurchases = count(held.labels);
  if (evaluationPurchases === 0 || evaluationPurchases === held.labels.length)
    throw new NotEnoughHistoryError(
      offer.code,
      'evaluation',
      evaluationPurchases,
      held.labels.length - evaluationPurchases,
    );

  const model = trainPropensity(rows, labels, input.train);
  const predicted = held.rows.map((row) => predictPropensity(model, row));
  const modelAuc = auc(predicted, held.labels);
  const baselineAuc = auc(held.baseline, held.labels);
  const baseRate = evaluationPurchases / held.labels.length;
  const published = modelAuc > baselineAuc;
  const day = new Date(now).toISOString().slice(0, 10);
  const verdict = published
    ? `Offer ${offer.code}: published; on the held-out period the model's AUC is ${fixed(modelAuc)} against ${fixed(baselineAuc)} for interest alone.`
    : `Offer ${offer.code}: not published; on the held-out period the model's AUC is ${fixed(modelAuc)}, no better than ${fixed(baselineAuc)} for interest alone, so the previous scores stay.`;
  return {
    report: {
      offer: offer.code,
      training: { cutoff: evaluationCutoff - window, rows: rows.length, purchases: trainingPurchases },
      evaluation: { cutoff: evaluationCutoff, rows: held.rows.length, purchases: evaluationPurchases },
      modelAuc,
      baselineAuc,
      baseRate,
      meanPredicted: predicted.reduce((s, p) => s + p, 0) / predicted.length,
      brierModel: brier(predicted, held.labels),
      brierBaseRate: brier(
        predicted.map(() => baseRate),
        held.labels,
      ),
      calibration: calibrationBins(predicted, held.labels),
      published,
      verdict,
    },
    model: published ? model : null,
    version: `lr-${offer.code}-${day}`,
  };
}

export interface ContactScore {
  readonly contactId: string;
  readonly propensity: number;
  readonly expectedValue: number;
}

/** Today's propensity of every contact for the offer: features at `now`, as the model was trained. */
export function scoreContacts(
  model: PropensityModel,
  offer: Offer,
  histories: readonly ContactHistory[],
  halfLives: HalfLives,
  now: EpochMs,
): ContactScore[] {
  return histories.map((history) => {
    const propensity = predictPropensity(model, featuresAt(history, offer, now, halfLives));
    return { contactId: history.contactId, propensity, expectedValue: propensity * offer.value };
  });
}

/** The report in a few lines of plain text, for `idr_modelquality` and the terminal. */
export function describeReport(report: QualityReport): string {
  const bins = report.calibration
    .map((b) => `${(b.predicted * 100).toFixed(1)}% → ${(b.observed * 100).toFixed(1)}%`)
    .join(', ');
  return [
    report.verdict,
    `Trained on ${report.training.rows} rows (${report.training.purchases} purchases); held out ${report.evaluation.rows} rows (${report.evaluation.purchases} purchases).`,
    `Calibration: mean predicted ${(report.meanPredicted * 100).toFixed(1)}% vs base rate ${(report.baseRate * 100).toFixed(1)}%; Brier ${report.brierModel.toFixed(4)} vs ${report.brierBaseRate.toFixed(4)} for the base rate; predicted → observed by fifths: ${bins}.`,
  ].join('\n');
}
