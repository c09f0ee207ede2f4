import { DAY_MS } from '../interest/time';
import { FEATURE_NAMES, featuresAt, interestAt, labelAfter, offerInterest } from './features';
import type { ContactHistory, Offer } from './types';

const NOW = Date.UTC(2026, 5, 1);
const offer: Offer = {
  id: 'o1',
  code: 'O1',
  name: 'Offer one',
  value: 100,
  priority: 0,
  validFrom: null,
  validTo: null,
  labelDays: 30,
  conceptIds: ['a', 'b'],
  eligibleTiers: new Set(['maintain']),
  argumentsEn: '',
  argumentsEs: '',
};
const halfLives = new Map([
  ['a', 10],
  ['b', 10],
  ['c', 10],
]);
const history: ContactHistory = {
  contactId: 'c1',
  tier: 'mostValuable',
  events: [
    { occurredOn: NOW - 10 * DAY_MS, deltas: [{ conceptId: 'a', points: 8 }] },
    { occurredOn: NOW - 20 * DAY_MS, deltas: [{ conceptId: 'c', points: 4 }] },
    { occurredOn: NOW - 5 * DAY_MS, deltas: [], orderedOffer: 'o1' },
    { occurredOn: NOW - 3 * DAY_MS, deltas: [], presented: { offerId: 'o1', outcome: 'declined' } },
    // after the cutoff: invisible to features, visible to the label
    { occurredOn: NOW + 2 * DAY_MS, deltas: [{ conceptId: 'b', points: 50 }] },
    { occurredOn: NOW + 29 * DAY_MS, deltas: [], orderedOffer: 'o1' },
  ],
};

const feature = (row: number[], name: (typeof FEATURE_NAMES)[number]): number | undefined =>
  row[FEATURE_NAMES.indexOf(name)];

describe('features as of a cutoff', () => {
  it('decays interest to the cutoff from the events before it only', () => {
    const interest = interestAt(history.events, NOW, halfLives);
    expect(interest.get('a')).toBeCloseTo(4, 10); // one half-life
    expect(interest.get('c')).toBeCloseTo(1, 10); // two
    expect(interest.has('b')).toBe(false);
    expect(offerInterest(interest, offer)).toBeCloseTo(4, 10);
  });

  it('reads tier, recency, past orders and responses for the offer', () => {
    const row = featuresAt(history, offer, NOW, halfLives);
    expect(row).toHaveLength(FEATURE_NAMES.length);
    expect(feature(row, 'tierMostValuable')).toBe(1);
    expect(feature(row, 'tierBelowZero')).toBe(0);
    expect(feature(row, 'pastOrdersOfOffer')).toBeCloseTo(Math.log(2), 10);
    expect(feature(row, 'daysSinceOrderOfOffer')).toBeCloseTo(Math.log1p(5), 10);
    expect(feature(row, 'declinedPresentations')).toBeCloseTo(Math.log(2), 10);
    expect(feature(row, 'daysSinceLastInteraction')).toBeCloseTo(Math.log1p(3), 10);
    expect(feature(row, 'interestMin')).toBe(0); // no interest in b yet
  });

  it('labels an order inside the purchase window after the cutoff, not one after it', () => {
    expect(labelAfter(history, offer, NOW)).toBe(1);
    expect(labelAfter(history, { ...offer, labelDays: 20 }, NOW)).toBe(0);
    expect(labelAfter(history, offer, NOW - 60 * DAY_MS)).toBe(0);
  });
});
