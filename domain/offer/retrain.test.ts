import { DAY_MS } from '../interest/time';
import type { ValueTier } from '../interest/valuetier';
import { NotEnoughHistoryError } from './errors';
import { describeReport, retrainOffer, scoreContacts } from './retrain';
import type { ContactHistory, HistoryEvent, Offer } from './types';

const NOW = Date.UTC(2026, 11, 1);
const offer: Offer = {
  id: 'o1',
  code: 'O1',
  name: 'Offer one',
  value: 200,
  priority: 0,
  validFrom: null,
  validTo: null,
  labelDays: 30,
  conceptIds: ['a'],
  eligibleTiers: new Set(['maintain']),
  argumentsEn: '',
  argumentsEs: '',
};
const halfLives = new Map([['a', 30]]);
const TIERS: ValueTier[] = ['mostValuable', 'maintain', 'belowZero', 'mostGrowable'];

/**
 * 400 contacts over a year, each visiting concept "a" every 10 days with its own points; in each
 * 30-day window a contact buys when `buys(i, window)` says so. No randomness: the outcome is known.
 */
function history(
  buys: (i: number, tier: ValueTier, points: number, window: number) => boolean,
): ContactHistory[] {
  return Array.from({ length: 400 }, (_, i) => {
    const tier = TIERS[i % 4] ?? 'maintain';
    const points = 1 + ((i * 7) % 10);
    const events: HistoryEvent[] = [];
    for (let d = 360; d > 0; d -= 10)
      events.push({ occurredOn: NOW - d * DAY_MS, deltas: [{ conceptId: 'a', points }] });
    for (let w = 0; w < 12; w++) {
      if (buys(i, tier, points, w))
        events.push({ occurredOn: NOW - (w * 30 + 15) * DAY_MS, deltas: [], orderedOffer: 'o1' });
    }
    return { contactId: `c${i}`, tier, events: events.sort((a, b) => a.occurredOn - b.occurredOn) };
  });
}

describe('retrainOffer', () => {
  it('publishes a model that orders the held-out period better than interest alone', () => {
    // purchases follow the value tier, which interest cannot see
    const histories = history(
      (i, tier, _p, w) => (tier === 'mostValuable' || tier === 'mostGrowable') && (i + w) % 3 === 0,
    );
    const result = retrainOffer({ offer, histories, halfLives, now: NOW });
    expect(result.report.published).toBe(true);
    expect(result.report.modelAuc).toBeGreaterThan(result.report.baselineAuc + 0.2);
    expect(result.model).not.toBeNull();
    expect(result.report.verdict).toMatch(/^Offer O1: published/);
    expect(result.report.evaluation.cutoff).toBe(NOW - 30 * DAY_MS);
    expect(result.report.evaluation.rows).toBe(400);
    expect(result.report.training.rows).toBe(1200);
    expect(describeReport(result.report)).toContain('base rate');

    const scores = scoreContacts(result.model!, offer, histories, halfLives, NOW);
    const mean = (tier: ValueTier) => {
      const of = scores.filter((_, i) => TIERS[i % 4] === tier);
      return of.reduce((s, x) => s + x.propensity, 0) / of.length;
    };
    expect(mean('mostValuable')).toBeGreaterThan(mean('belowZero') * 3);
    expect(scores[0]?.expectedValue).toBeCloseTo((scores[0]?.propensity ?? 0) * 200, 10);
  });

  it('refuses a model no better than ordering by interest, saying so', () => {
    // purchases follow interest exactly: interest alone ranks them perfectly
    const histories = history((_i, _t, points) => points >= 8);
    const result = retrainOffer({ offer, histories, halfLives, now: NOW });
    expect(result.report.baselineAuc).toBe(1);
    expect(result.report.published).toBe(false);
    expect(result.model).toBeNull();
    expect(result.report.verdict).toMatch(/not published.*no better than 1\.000 for interest alone/);
  });

  it('names the offer and the period when there is nothing to learn from', () => {
    const histories = history(() => false);
    expect(() => retrainOffer({ offer, histories, halfLives, now: NOW })).toThrow(NotEnoughHistoryError);
    expect(() => retrainOffer({ offer, histories, halfLives, now: NOW })).toThrow(
      /Offer O1: the training period has 0 purchase/,
    );
  });
});
