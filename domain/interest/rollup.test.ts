import { addEvent, emptyState } from './decay';
import { rollupAccount } from './rollup';
import { DAY_MS } from './time';

const BASE = Date.UTC(2025, 0, 1);
const concepts = [
  { id: 'cloud', code: 'CLOUD', halfLifeDays: 30 },
  { id: 'ai', code: 'AI', halfLifeDays: 60 },
];

function profile(contactId: string, conceptId: string, points: number, day: number) {
  const when = BASE + day * DAY_MS;
  const halfLife = concepts.find((c) => c.id === conceptId)?.halfLifeDays ?? 30;
  return {
    contactId,
    conceptId,
    state: addEvent(emptyState(BASE), points, when, halfLife),
    lastInteractionOn: when,
  };
}

describe('account roll-up', () => {
  it("sums its contacts' current scores per concept, complaints included", () => {
    const rollup = rollupAccount(
      [
        profile('anna', 'cloud', 20, 0),
        profile('ben', 'cloud', 10, 30),
        profile('ben', 'ai', -6, 30),
        profile('cy', 'ai', 10, 30),
      ],
      concepts,
      BASE + 30 * DAY_MS,
    );
    expect(rollup.scores.map((s) => [s.conceptCode, s.contactCount])).toEqual([
      ['CLOUD', 2],
      ['AI', 2],
    ]);
    expect(rollup.scores[0]?.score).toBeCloseTo(20 / 2 + 10, 12);
    expect(rollup.scores[1]?.score).toBeCloseTo(4, 12);
    expect(rollup.scores[0]?.lastInteractionOn).toBe(BASE + 30 * DAY_MS);
    expect(rollup.primaryInterest?.conceptCode).toBe('CLOUD');
  });

  it('lets many engaged contacts outweigh one keen contact elsewhere', () => {
    const rollup = rollupAccount(
      [
        profile('a', 'ai', 25, 10),
        profile('b', 'cloud', 10, 10),
        profile('c', 'cloud', 10, 10),
        profile('d', 'cloud', 10, 10),
      ],
      [
        { id: 'cloud', code: 'CLOUD', halfLifeDays: 30 },
        { id: 'ai', code: 'AI', halfLifeDays: 30 },
      ],
      BASE + 10 * DAY_MS,
    );
    expect(rollup.primaryInterest?.conceptCode).toBe('CLOUD');
  });

  it('ignores profiles of inactive concepts and has no primary interest without positive scores', () => {
    const rollup = rollupAccount([profile('a', 'retired', 50, 0), profile('a', 'ai', -5, 0)], concepts, BASE);
    expect(rollup.scores.map((s) => s.conceptCode)).toEqual(['AI']);
    expect(rollup.primaryInterest).toBeNull();
  });
});
