import { InvalidTargetError } from './errors';
import { meetsScoresToday, parseTier, rankByPropensity, resolveTarget } from './target';

const DAY = 86_400_000;
const catalogue = [
  { id: 'k1', code: 'CLOUD', name: 'Cloud migration', halfLifeDays: 10 },
  { id: 'k2', code: 'SEC', name: 'Seguridad', halfLifeDays: 90 },
];

describe('resolveTarget', () => {
  it('resolves concept codes and names, tiers by code or label in either language', () => {
    const query = resolveTarget(
      {
        concepts: [{ concept: 'cloud', minScore: 40 }],
        tiers: ['Most valuable', 'más valiosos', 'maintain'],
        segments: ['Seguridad'],
        notContactedDays: 14,
      },
      catalogue,
    );
    expect(query).toEqual({
      concepts: [{ conceptId: 'k1', minScore: 40, halfLifeDays: 10 }],
      tiers: ['mostValuable', 'maintain'],
      primaryInterestIds: [],
      segmentConceptIds: ['k2'],
      lastInteractionWithinDays: undefined,
      notContactedDays: 14,
    });
  });
  it('refuses an unknown concept or tier with the names it knows, in English and Spanish', () => {
    expect(() => resolveTarget({ concepts: [{ concept: 'Golf', minScore: 40 }] }, catalogue)).toThrow(
      "use an active concept's code or name: CLOUD, SEC",
    );
    try {
      parseTier('Gold');
      throw new Error('accepted Gold');
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidTargetError);
      expect((error as InvalidTargetError).message).toContain(
        'most-valuable, most-growable, maintain, below-zero',
      );
      expect((error as InvalidTargetError).messageEs).toContain('el nivel de valor "Gold" no existe');
    }
    expect(() => resolveTarget({ notContactedDays: 0 }, catalogue)).toThrow(/not contacted/);
    expect(() => resolveTarget({ concepts: [{ concept: 'SEC', minScore: -1 }] }, catalogue)).toThrow(
      /minimum score/,
    );
  });
});

describe('meetsScoresToday', () => {
  it('decays each stored score to today before comparing with the minimum', () => {
    const query = resolveTarget({ concepts: [{ concept: 'CLOUD', minScore: 40 }] }, catalogue);
    // 80 points stored at day 0 with a 10-day half-life: 40 on day 10, 20 on day 20.
    const scores = [{ contactId: 'a', conceptId: 'k1', accumulator: 80, landmark: 0 }];
    expect(meetsScoresToday(query, ['a', 'b'], scores, catalogue, 10 * DAY)).toEqual(['a']);
    expect(meetsScoresToday(query, ['a', 'b'], scores, catalogue, 20 * DAY)).toEqual([]);
  });
});

describe('rankByPropensity', () => {
  const propensities = new Map([
    ['c', 0.4],
    ['a', 0.9],
    ['d', 0.4],
    ['b', 0.1],
  ]);

  it('keeps the most likely first, equal propensities by contact id, unscored contacts last', () => {
    const ranked = rankByPropensity(['e', 'b', 'd', 'c', 'a', 'f'], propensities);
    expect(ranked.contactIds).toEqual(['a', 'c', 'd', 'b', 'e', 'f']);
    expect(ranked).toMatchObject({ scored: 4, highest: 0.9, lowest: 0.1 });
  });

  it('cuts to the top N, the same people on every run whatever the input order', () => {
    expect(rankByPropensity(['b', 'd', 'c', 'a'], propensities, 2).contactIds).toEqual(['a', 'c']);
    expect(rankByPropensity(['a', 'c', 'd', 'b'], propensities, 3)).toMatchObject({
      contactIds: ['a', 'c', 'd'],
      lowest: 0.4,
    });
  });

  it('leaves out those no campaign may contact before the cut, and counts them', () => {
    expect(rankByPropensity(['b', 'd', 'c', 'a'], propensities, 2, new Set(['a', 'x']))).toMatchObject({
      contactIds: ['c', 'd'],
      leftOut: 1,
    });
  });
});
