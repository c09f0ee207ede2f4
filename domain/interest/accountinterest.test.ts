import {
  accountInterestDiffers,
  accountPrimaryInterest,
  applyContactChange,
  type AccountInterestState,
  rollupAccountInterests,
} from './accountinterest';
import { addEvent, type DecayState, emptyState, rebase, scoreAt } from './decay';
import { seededRandom } from '../random';
import { rollupAccount } from './rollup';
import { DAY_MS } from './time';

const BASE = Date.UTC(2025, 0, 1);
const concepts = [
  { id: 'cloud', code: 'CLOUD', halfLifeDays: 30 },
  { id: 'ai', code: 'AI', halfLifeDays: 7 },
];
const halfLife = (conceptId: string) => concepts.find((c) => c.id === conceptId)?.halfLifeDays ?? 30;

describe('account interest rows kept from each contact change', () => {
  it('equal the roll-up of every contact after a long random history, scores and primary interest alike', () => {
    const random = seededRandom(11);
    const profiles = new Map<string, DecayState & { lastInteractionOn: number }>();
    let rows = new Map<string, AccountInterestState>();
    let now = BASE;
    for (let i = 0; i < 500; i++) {
      now += Math.floor(random() * DAY_MS);
      const contactId = `c${Math.floor(random() * 40)}`;
      const conceptId = random() < 0.5 ? 'cloud' : 'ai';
      const key = `${contactId}|${conceptId}`;
      const before = profiles.get(key) ?? null;
      const points = Math.round(random() * 30) - 8;
      // The landmark moves on now and then, as the recheck job's re-basing does.
      const start = before && random() < 0.1 ? rebase(before, now, halfLife(conceptId)) : before;
      const after = {
        ...addEvent(start ?? emptyState(now), points, now, halfLife(conceptId)),
        lastInteractionOn: now,
      };
      profiles.set(key, after);
      const row = applyContactChange(
        rows.get(conceptId) ?? null,
        { conceptId, before, after },
        halfLife(conceptId),
      );
      if (row) rows = new Map(rows).set(conceptId, row);
    }
    const snapshots = [...profiles].map(([key, state]) => {
      const [contactId = '', conceptId = ''] = key.split('|');
      return { contactId, conceptId, state, lastInteractionOn: state.lastInteractionOn };
    });
    const expected = rollupAccount(snapshots, concepts, now);
    for (const score of expected.scores) {
      const row = rows.get(score.conceptId);
      expect(row && scoreAt(row, now, halfLife(score.conceptId))).toBeCloseTo(score.score, 6);
      expect(row?.contactCount).toBe(score.contactCount);
      expect(row?.lastInteractionOn).toBe(score.lastInteractionOn);
    }
    expect(accountPrimaryInterest([...rows.values()], concepts, now)?.conceptId).toBe(
      expected.primaryInterest?.conceptId,
    );
    // From scratch, the same fold: rescore's rows equal the incremental ones.
    for (const rebuilt of rollupAccountInterests(snapshots, concepts)) {
      const row = rows.get(rebuilt.conceptId);
      expect(row && accountInterestDiffers(row, rebuilt, halfLife(rebuilt.conceptId))).toBe(false);
    }
  });

  it('counts a contact once per concept, and drops to exactly zero when its last contact leaves', () => {
    const a = { ...addEvent(emptyState(BASE), 10, BASE, 30), lastInteractionOn: BASE };
    const a2 = { ...addEvent(a, 5, BASE + DAY_MS, 30), lastInteractionOn: BASE + DAY_MS };
    let row = applyContactChange(null, { conceptId: 'cloud', before: null, after: a }, 30);
    row = applyContactChange(row, { conceptId: 'cloud', before: a, after: a2 }, 30);
    expect(row).toMatchObject({ contactCount: 1, lastInteractionOn: BASE + DAY_MS });
    expect(scoreAt(row!, BASE + DAY_MS, 30)).toBeCloseTo(10 * 2 ** (-1 / 30) + 5, 10);
    expect(applyContactChange(row, { conceptId: 'cloud', before: a2, after: null }, 30)).toMatchObject({
      contactCount: 0,
      accumulator: 0,
      lastInteractionOn: null,
    });
    expect(applyContactChange(null, { conceptId: 'cloud', before: null, after: null }, 30)).toBeNull();
  });

  it('tells a real difference from the same scores against a later landmark', () => {
    const row: AccountInterestState = {
      conceptId: 'cloud',
      accumulator: 40,
      landmark: BASE,
      contactCount: 2,
      lastInteractionOn: BASE,
    };
    const later = { ...row, ...rebase(row, BASE + 60 * DAY_MS, 30) };
    expect(accountInterestDiffers(row, later, 30)).toBe(false);
    expect(accountInterestDiffers(row, { ...later, accumulator: later.accumulator * 1.01 }, 30)).toBe(true);
    expect(accountInterestDiffers(row, { ...row, contactCount: 3 }, 30)).toBe(true);
  });
});
