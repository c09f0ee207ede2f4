import { retrainOffer } from '../../../domain/offer';
import { syntheticOfferHistory } from './propensity';

describe('the propensity model on a history with a known ground truth', () => {
  // purchases depend on every concept an offer serves and on the value tier; the seed is fixed
  const now = Date.UTC(2026, 11, 1);
  const history = syntheticOfferHistory({ seed: 20261206, contacts: 800, now });

  it.each(history.offers.map((offer) => [offer.code, offer] as const))(
    '%s: the retrained model orders the later period better than a single interest score',
    (_code, offer) => {
      const { report } = retrainOffer({
        offer,
        histories: history.histories,
        halfLives: history.halfLives,
        now,
      });
      expect(report.evaluation.purchases).toBeGreaterThan(20);
      expect(report.modelAuc).toBeGreaterThan(report.baselineAuc);
      expect(report.published).toBe(true);
      // calibrated on the whole: the mean prediction within a few points of the observed rate
      expect(Math.abs(report.meanPredicted - report.baseRate)).toBeLessThan(0.05);
      expect(report.brierModel).toBeLessThan(report.brierBaseRate);
    },
  );

  it('is the same history for the same seed', () => {
    const again = syntheticOfferHistory({ seed: 20261206, contacts: 20, now });
    const first = syntheticOfferHistory({ seed: 20261206, contacts: 20, now });
    expect(again.histories).toEqual(first.histories);
  });
});
