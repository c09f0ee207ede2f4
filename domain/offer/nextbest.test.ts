import { DAY_MS } from '../interest/time';
import { excludedOffers, isCurrent, nextBestOffers, offersWithheld } from './nextbest';
import type { Offer } from './types';

const NOW = Date.UTC(2026, 11, 6, 10);
const base: Offer = {
  id: 'x',
  code: 'X',
  name: 'X',
  value: 100,
  priority: 0,
  validFrom: null,
  validTo: null,
  labelDays: 30,
  conceptIds: ['cloud', 'data'],
  eligibleTiers: new Set(['mostValuable', 'mostGrowable', 'maintain']),
  argumentsEn: 'en',
  argumentsEs: 'es',
};
const offer = (id: string, patch: Partial<Offer>): Offer => ({
  ...base,
  id,
  code: id.toUpperCase(),
  name: id,
  ...patch,
});

const offers = [
  offer('cheap', { value: 100 }),
  offer('dear', { value: 1000 }),
  offer('expired', { value: 5000, validTo: '2026-12-05' }),
  offer('future', { value: 5000, validFrom: '2026-12-07' }),
  offer('vip', { value: 5000, eligibleTiers: new Set(['mostValuable']) }),
  offer('tie', { value: 100, priority: 5 }),
];
const interests = [
  { conceptId: 'cloud', name: 'Cloud', score: 12 },
  { conceptId: 'data', name: 'Data', score: 30 },
  { conceptId: 'other', name: 'Other', score: 99 },
];

describe('nextBestOffers', () => {
  it('orders current, eligible offers by propensity × value, priority breaking ties', () => {
    const ranked = nextBestOffers({
      offers,
      propensities: new Map(offers.map((o) => [o.id, o.id === 'dear' ? 0.05 : 0.2])),
      tier: 'maintain',
      excluded: new Set(),
      today: '2026-12-06',
      interests,
    });
    expect(ranked.map((r) => [r.offer.id, r.expectedValue])).toEqual([
      ['dear', 50],
      ['tie', 20],
      ['cheap', 20],
    ]);
    // why: the contact's interests among the concepts the offer serves, strongest first
    expect(ranked[0]?.why.map((w) => w.name)).toEqual(['Data', 'Cloud']);
  });

  it('leaves out excluded offers, offers without a score and tiers not eligible', () => {
    const ranked = nextBestOffers({
      offers,
      propensities: new Map([
        ['vip', 0.1],
        ['cheap', 0.1],
      ]),
      tier: 'mostValuable',
      excluded: new Set(['cheap']),
      today: '2026-12-06',
      interests,
    });
    expect(ranked.map((r) => r.offer.id)).toEqual(['vip']);
    expect(
      nextBestOffers({
        offers,
        propensities: new Map([['cheap', 0.1]]),
        tier: 'belowZero',
        excluded: new Set(),
        today: '2026-12-06',
        interests,
      }),
    ).toEqual([]);
  });

  it('treats validity dates as whole days, both ends included', () => {
    expect(isCurrent(offer('a', { validFrom: '2026-12-06', validTo: '2026-12-06' }), '2026-12-06')).toBe(
      true,
    );
    expect(isCurrent(offer('a', { validTo: '2026-12-05' }), '2026-12-06')).toBe(false);
  });
});

describe('excludedOffers', () => {
  it('excludes an offer bought within its window or declined within the cool-down', () => {
    const list = [offer('bought', {}), offer('declined', {}), offer('old', {}), offer('later', {})];
    const excluded = excludedOffers(
      list,
      [
        { occurredOn: NOW - 10 * DAY_MS, deltas: [], orderedOffer: 'bought' },
        {
          occurredOn: NOW - 20 * DAY_MS,
          deltas: [],
          presented: { offerId: 'declined', outcome: 'declined' },
        },
        { occurredOn: NOW - 40 * DAY_MS, deltas: [], orderedOffer: 'old' },
        { occurredOn: NOW - 1 * DAY_MS, deltas: [], presented: { offerId: 'later', outcome: 'later' } },
      ],
      NOW,
    );
    expect([...excluded].sort()).toEqual(['bought', 'declined']);
  });
});

describe('offersWithheld', () => {
  it('withholds every offer from a Robinson list member, consent or not', () => {
    expect(offersWithheld({ onExclusionList: true, consent: {} })).toBe('exclusion-list');
  });

  it('withholds them from a contact who refuses marketing calls, the channel the adviser is on', () => {
    expect(offersWithheld({ onExclusionList: false, consent: { donotphone: true } })).toBe('no-consent');
  });

  it('leaves email and letter opt-outs to their channels: the offers are presented on the call', () => {
    const consent = { donotemail: true, donotbulkemail: true, donotpostalmail: true };
    expect(offersWithheld({ onExclusionList: false, consent })).toBeUndefined();
  });
});
