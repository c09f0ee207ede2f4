import { addEvent, emptyState, rebase } from './decay';
import { InvalidScoringInputError } from './errors';
import { compareRankings, rankByConcept, rankContacts, type RankingCandidate } from './ranking';
import { DAY_MS } from './time';

const BASE = Date.UTC(2025, 0, 1);
const HALF_LIFE = 30;

function candidate(contactId: string, points: number, daysAfterBase: number): RankingCandidate {
  const when = BASE + daysAfterBase * DAY_MS;
  return { contactId, state: addEvent(emptyState(BASE), points, when, HALF_LIFE), lastInteractionOn: when };
}

describe('impact ranking', () => {
  const now = BASE + 60 * DAY_MS;

  it('lists the top N contacts by current score, leaving out zero and negative scores', () => {
    const ranked = rankContacts(
      [
        candidate('c1', 10, 50),
        candidate('c2', 40, 0),
        candidate('c3', 30, 55),
        candidate('c4', -5, 59),
        candidate('c5', 1, 1),
      ],
      HALF_LIFE,
      now,
      3,
    );
    expect(ranked.map((r) => [r.rank, r.contactId])).toEqual([
      [1, 'c3'],
      [2, 'c2'],
      [3, 'c1'],
    ]);
    expect(ranked[0]?.score).toBeCloseTo(30 * 2 ** (-5 / 30), 12);
  });

  it('puts a fresh smaller event above an old bigger one, and the order then holds as time passes', () => {
    // 100 points 60 days (two half-lives) ago are worth 25 now: less than 30 fresh points.
    const contacts = [candidate('old', 100, 0), candidate('fresh', 30, 60)];
    expect(rankContacts(contacts, HALF_LIFE, BASE + 60 * DAY_MS, 2).map((r) => r.contactId)).toEqual([
      'fresh',
      'old',
    ]);
    expect(rankContacts(contacts, HALF_LIFE, BASE + 400 * DAY_MS, 2).map((r) => r.contactId)).toEqual([
      'fresh',
      'old',
    ]);
  });

  it('breaks ties by the more recent last interaction, then by contact id', () => {
    const same = addEvent(emptyState(BASE), 10, BASE, HALF_LIFE);
    const ranked = rankContacts(
      [
        { contactId: 'b', state: same, lastInteractionOn: BASE },
        { contactId: 'a', state: same, lastInteractionOn: BASE },
        { contactId: 'z', state: same, lastInteractionOn: BASE + DAY_MS },
        // Same score stored against another landmark: float noise must not decide.
        { contactId: 'c', state: rebase(same, BASE + 7 * DAY_MS, HALF_LIFE), lastInteractionOn: BASE },
      ],
      HALF_LIFE,
      now,
      10,
    );
    expect(ranked.map((r) => r.contactId)).toEqual(['z', 'a', 'b', 'c']);
  });

  it('ranks each concept with its own half-life', () => {
    const at = BASE + 30 * DAY_MS;
    const candidates = [
      { conceptId: 'fast', ...candidate('x', 10, 0) },
      { conceptId: 'slow', ...candidate('y', 10, 0) },
      { conceptId: 'retired', ...candidate('z', 10, 0) },
    ];
    const rankings = rankByConcept(
      candidates,
      [
        { id: 'fast', halfLifeDays: 15 },
        { id: 'slow', halfLifeDays: 30 },
        { id: 'empty', halfLifeDays: 30 },
      ],
      at,
      5,
    );
    expect([...rankings.keys()]).toEqual(['fast', 'slow', 'empty']);
    expect(rankings.get('fast')?.[0]?.score).toBeCloseTo(2.5, 12);
    expect(rankings.get('slow')?.[0]?.score).toBeCloseTo(5, 12);
    expect(rankings.get('empty')).toEqual([]);
  });

  it('shows how each contact moved since an earlier snapshot and marks newcomers', () => {
    const earlier = rankContacts(
      [candidate('a', 50, 0), candidate('b', 40, 0), candidate('c', 30, 0)],
      HALF_LIFE,
      now,
      3,
    );
    const current = rankContacts(
      [
        candidate('a', 50, 0),
        candidate('b', 40, 0),
        candidate('c', 30, 0),
        candidate('d', 200, 59),
        candidate('e', 80, 40),
      ],
      HALF_LIFE,
      now,
      3,
    );
    const { entries, dropped } = compareRankings(current, earlier);
    expect(entries.map((e) => [e.contactId, e.rank, e.previousRank, e.movement, e.isNew])).toEqual([
      ['d', 1, null, 0, true],
      ['e', 2, null, 0, true],
      ['a', 3, 1, -2, false],
    ]);
    expect(dropped.map((d) => d.contactId)).toEqual(['b', 'c']);
  });

  it('rejects a negative or fractional limit', () => {
    expect(() => rankContacts([], HALF_LIFE, now, -1)).toThrow(InvalidScoringInputError);
    expect(() => rankContacts([], HALF_LIFE, now, 2.5)).toThrow(InvalidScoringInputError);
    expect(rankContacts([candidate('a', 1, 0)], HALF_LIFE, now, 0)).toEqual([]);
  });
});
