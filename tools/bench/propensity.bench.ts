/**
 * Purchase propensity: on seeded histories with a known ground truth (tools/emulator/demo/propensity.ts),
 * the AUC of each offer's retrained model on the held-out later period against the AUC of ordering
 * the same period by interest in the offer's concepts alone, both measured in the same run; and the
 * time one retraining takes. Each run is another seed, so the spread shows how much the margin moves.
 */
import { performance } from 'node:perf_hooks';
import { retrainOffer } from '../../domain/offer';
import { syntheticOfferHistory } from '../emulator/demo/propensity';
import { figure, type Figure } from './figures';

const CONTACTS = 1_000;
const SEEDS = [20261206, 20261207, 20261208];
const NOW = Date.UTC(2026, 11, 1);

function measure(): Figure[] {
  const model = new Map<string, number[]>();
  const baseline = new Map<string, number[]>();
  const seconds: number[] = [];
  for (const seed of SEEDS) {
    const history = syntheticOfferHistory({ seed, contacts: CONTACTS, now: NOW });
    for (const offer of history.offers) {
      const start = performance.now();
      const { report } = retrainOffer({
        offer,
        histories: history.histories,
        halfLives: history.halfLives,
        now: NOW,
      });
      seconds.push((performance.now() - start) / 1000);
      model.set(offer.code, [...(model.get(offer.code) ?? []), report.modelAuc]);
      baseline.set(offer.code, [...(baseline.get(offer.code) ?? []), report.baselineAuc]);
    }
  }
  return [
    ...[...model].map(([code, samples]) =>
      // Offer codes are upper-case (CLOUD-MIGRATION); figure names are not.
      figure(`propensity.auc.${code.toLowerCase()}`, 'AUC', samples, {
        name: `interest_alone.auc.${code.toLowerCase()}`,
        samples: baseline.get(code) ?? [],
      }),
    ),
    figure(`propensity.retrain_s.${CONTACTS}_contacts`, 's', seconds),
  ];
}

/** The bench's entry (tools/bench/run.ts): training is synchronous, the registry expects a promise. */
export function figures(): Promise<Figure[]> {
  return Promise.resolve(measure());
}
