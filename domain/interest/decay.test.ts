import fc from 'fast-check';
import {
  ACCUMULATOR_BOUND,
  addEvent,
  type DecayState,
  directScore,
  emptyState,
  needsRebase,
  rankKey,
  rankKeyThreshold,
  rebase,
  scoreAt,
  type TimedPoints,
} from './decay';
import { AccumulatorRangeError, InvalidHalfLifeError, InvalidScoringInputError } from './errors';
import { DAY_MS } from './time';

const BASE = Date.UTC(2025, 0, 1);
const HALF_LIFE = 90;
const T = HALF_LIFE * DAY_MS;

/**
 * Agreement with the brute-force sum: |fast − direct| ≤ 1e-9 · max(1, Σ|w|·2^(−(now−t)/T)).
 * So absolute 1e-9 for scores of order 1, and relative to the magnitude of the contributions for
 * large ones (relative to Σ|w|, not |S|, because positive and negative points may cancel).
 */
function tolerance(events: readonly TimedPoints[], now: number, halfLifeDays: number): number {
  const magnitude = directScore(
    events.map((e) => ({ points: Math.abs(e.points), occurredOn: e.occurredOn })),
    now,
    halfLifeDays,
  );
  return 1e-9 * Math.max(1, magnitude);
}

function addAll(state: DecayState, events: readonly TimedPoints[], halfLifeDays = HALF_LIFE): DecayState {
  return events.reduce((s, e) => addEvent(s, e.points, e.occurredOn, halfLifeDays), state);
}

describe('forward decay', () => {
  it('halves a score every half-life', () => {
    const state = addEvent(emptyState(BASE), 10, BASE + 5 * DAY_MS, HALF_LIFE);
    expect(scoreAt(state, BASE + 5 * DAY_MS, HALF_LIFE)).toBeCloseTo(10, 12);
    expect(scoreAt(state, BASE + 5 * DAY_MS + T, HALF_LIFE)).toBeCloseTo(5, 12);
    expect(scoreAt(state, BASE + 5 * DAY_MS + 3 * T, HALF_LIFE)).toBeCloseTo(1.25, 12);
  });

  it('gives the same score whatever order the events arrive in', () => {
    const events = [
      { points: 10, occurredOn: BASE + 40 * DAY_MS },
      { points: -4, occurredOn: BASE + 2 * DAY_MS },
      { points: 7.5, occurredOn: BASE + 100 * DAY_MS },
    ];
    const now = BASE + 120 * DAY_MS;
    const forward = scoreAt(addAll(emptyState(BASE), events), now, HALF_LIFE);
    const backward = scoreAt(addAll(emptyState(BASE), [...events].reverse()), now, HALF_LIFE);
    expect(forward).toBeCloseTo(directScore(events, now, HALF_LIFE), 12);
    expect(backward).toBeCloseTo(forward, 12);
  });

  it('counts an event from long before the landmark at its decayed value', () => {
    const landmark = BASE + 3 * T;
    const state = addAll(emptyState(landmark), [
      { points: 8, occurredOn: BASE },
      { points: 2, occurredOn: landmark },
    ]);
    expect(scoreAt(state, landmark, HALF_LIFE)).toBeCloseTo(8 / 8 + 2, 12);
  });

  it('keeps full precision with a landmark thousands of half-lives ahead of the events', () => {
    const halfLife = 1;
    const landmark = BASE + 2000 * DAY_MS;
    const state = addAll(
      emptyState(landmark),
      [
        { points: 5, occurredOn: BASE },
        { points: 3, occurredOn: BASE + DAY_MS },
      ],
      halfLife,
    );
    expect(state.accumulator).not.toBe(0);
    expect(scoreAt(state, BASE + DAY_MS, halfLife)).toBeCloseTo(5 / 2 + 3, 12);
  });

  it('re-bases on its own before the accumulator leaves the safe bound, without changing the score', () => {
    const oldLandmark = BASE - 40 * T;
    const state = addEvent(emptyState(oldLandmark), 1000, BASE, HALF_LIFE);
    expect(Math.abs(state.accumulator)).toBeLessThanOrEqual(ACCUMULATOR_BOUND);
    expect(state.landmark).toBeGreaterThan(oldLandmark);
    expect(state.landmark).toBeLessThanOrEqual(BASE);
    // Moves by whole half-lives, so a landmark on a whole second stays on one.
    expect((state.landmark - oldLandmark) % T).toBe(0);
    expect(scoreAt(state, BASE + T, HALF_LIFE)).toBeCloseTo(500, 9);
  });

  it('stays within the bound even when the score itself nears it', () => {
    const nearBound = { accumulator: ACCUMULATOR_BOUND - 1, landmark: BASE };
    const state = addEvent(nearBound, 1000, BASE, HALF_LIFE);
    expect(Math.abs(state.accumulator)).toBeLessThanOrEqual(ACCUMULATOR_BOUND);
    expect(scoreAt(state, BASE, HALF_LIFE) / (ACCUMULATOR_BOUND + 999)).toBeCloseTo(1, 12);
  });

  it('re-bases on request without changing any score', () => {
    const events = [
      { points: 12, occurredOn: BASE + 10 * DAY_MS },
      { points: -3, occurredOn: BASE + 70 * DAY_MS },
    ];
    const state = addAll(emptyState(BASE), events);
    const moved = rebase(state, BASE + 400 * DAY_MS, HALF_LIFE);
    expect(moved.landmark).toBe(BASE + 400 * DAY_MS);
    for (const now of [BASE, BASE + 80 * DAY_MS, BASE + 900 * DAY_MS]) {
      expect(scoreAt(moved, now, HALF_LIFE)).toBeCloseTo(scoreAt(state, now, HALF_LIFE), 12);
    }
  });

  it('refuses a re-base that would overflow and says which landmarks were involved', () => {
    const state = addEvent(emptyState(BASE), 1000, BASE, HALF_LIFE);
    const tooEarly = BASE - 40 * T;
    expect(() => rebase(state, tooEarly, HALF_LIFE)).toThrow(AccumulatorRangeError);
    try {
      rebase(state, tooEarly, HALF_LIFE);
    } catch (error) {
      const e = error as AccumulatorRangeError;
      expect(e.newLandmark).toBe(tooEarly);
      expect(e.landmark).toBe(BASE);
      expect(e.bound).toBe(ACCUMULATOR_BOUND);
      expect(e.message).toContain(new Date(tooEarly).toISOString());
    }
  });

  it('asks for a re-base when the landmark lags far behind or runs ahead of now', () => {
    const state = addEvent(emptyState(BASE), 10, BASE, HALF_LIFE);
    expect(needsRebase(state, BASE + 10 * T, HALF_LIFE)).toBe(false);
    expect(needsRebase(state, BASE + 17 * T, HALF_LIFE)).toBe(true);
    expect(needsRebase(state, BASE - 2 * T, HALF_LIFE)).toBe(false);
    expect(needsRebase(state, BASE - 4 * T, HALF_LIFE)).toBe(true);
    const huge = { accumulator: ACCUMULATOR_BOUND / 2, landmark: BASE };
    expect(needsRebase(huge, BASE + DAY_MS, HALF_LIFE)).toBe(true);
    expect(needsRebase(rebase(state, BASE + 17 * T, HALF_LIFE), BASE + 17 * T, HALF_LIFE)).toBe(false);
  });

  it('rejects a non-positive half-life and non-finite numbers with typed errors', () => {
    expect(() => addEvent(emptyState(BASE), 1, BASE, 0)).toThrow(InvalidHalfLifeError);
    expect(() => scoreAt(emptyState(BASE), BASE, Number.NaN)).toThrow(InvalidHalfLifeError);
    expect(() => addEvent(emptyState(BASE), Number.NaN, BASE, HALF_LIFE)).toThrow(InvalidScoringInputError);
    expect(() => addEvent(emptyState(BASE), 1, Number.POSITIVE_INFINITY, HALF_LIFE)).toThrow(/occurredOn/);
  });
});

type Op = { kind: 'event'; points: number; at: number } | { kind: 'rebase'; at: number };

describe('forward decay against the brute-force sum (property)', () => {
  // Times are drawn in half-lives around BASE; events up to 400 half-lives either side, landmarks
  // from 300 before to 1200 after (past float64's range for a direct term), out of order.
  const opArb: fc.Arbitrary<Op> = fc.oneof(
    {
      weight: 5,
      arbitrary: fc.record({
        kind: fc.constant('event' as const),
        points: fc.double({ min: -1000, max: 1000, noNaN: true }),
        at: fc.double({ min: -400, max: 400, noNaN: true }),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        kind: fc.constant('rebase' as const),
        at: fc.double({ min: -300, max: 500, noNaN: true }),
      }),
    },
  );

  it('agrees within 1e-9 (relative to magnitude) for any history, order, landmark and re-base', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 3650 }),
        fc.double({ min: -300, max: 1200, noNaN: true }),
        fc.array(opArb, { maxLength: 40 }),
        fc.array(fc.double({ min: -60, max: 500, noNaN: true }), { minLength: 1, maxLength: 4 }),
        (halfLifeDays, landmarkAt, ops, nows) => {
          const period = halfLifeDays * DAY_MS;
          const time = (halfLives: number): number => Math.round(BASE + halfLives * period);
          let state = emptyState(time(landmarkAt));
          const events: TimedPoints[] = [];
          for (const op of ops) {
            if (op.kind === 'event') {
              events.push({ points: op.points, occurredOn: time(op.at) });
              state = addEvent(state, op.points, time(op.at), halfLifeDays);
            } else {
              try {
                state = rebase(state, time(op.at), halfLifeDays);
              } catch (error) {
                expect(error).toBeInstanceOf(AccumulatorRangeError);
                expect(Math.abs(directScore(events, time(op.at), halfLifeDays))).toBeGreaterThan(
                  ACCUMULATOR_BOUND * 0.999,
                );
              }
            }
            expect(Math.abs(state.accumulator)).toBeLessThanOrEqual(ACCUMULATOR_BOUND);
          }
          for (const nowAt of nows) {
            const now = time(nowAt);
            const diff = Math.abs(scoreAt(state, now, halfLifeDays) - directScore(events, now, halfLifeDays));
            expect(diff).toBeLessThanOrEqual(tolerance(events, now, halfLifeDays));
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('ranks profiles that share a landmark the same by accumulator as by score at any time', () => {
    const history = fc.array(
      fc.record({
        points: fc.double({ min: -1000, max: 1000, noNaN: true }),
        at: fc.double({ min: -30, max: 10, noNaN: true }),
      }),
      { maxLength: 15 },
    );
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 3650 }),
        fc.array(history, { minLength: 2, maxLength: 12 }),
        fc.double({ min: -50, max: 200, noNaN: true }),
        (halfLifeDays, histories, nowAt) => {
          const period = halfLifeDays * DAY_MS;
          const states = histories.map((h) =>
            h.reduce(
              (s, e) => addEvent(s, e.points, Math.round(BASE + e.at * period), halfLifeDays),
              emptyState(BASE),
            ),
          );
          fc.pre(states.every((s) => s.landmark === BASE));
          const now = Math.round(BASE + nowAt * period);
          const byAccumulator = [...states].sort((a, b) => b.accumulator - a.accumulator);
          const scores = byAccumulator.map((s) => scoreAt(s, now, halfLifeDays));
          for (let i = 1; i < scores.length; i++) expect(scores[i - 1]).toBeGreaterThanOrEqual(scores[i]);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('rank key (property)', () => {
  const state = fc.record({
    accumulator: fc.oneof(fc.constant(0), fc.double({ min: -1e6, max: 1e6, noNaN: true })),
    // Landmarks from years before the key's epoch to decades after it.
    landmark: fc.integer({ min: BASE - 3_000 * DAY_MS, max: BASE + 15_000 * DAY_MS }),
  });

  it('orders two profiles of a concept as their scores order them, on any day', () => {
    fc.assert(
      fc.property(
        state,
        state,
        fc.integer({ min: BASE - 1_000 * DAY_MS, max: BASE + 20_000 * DAY_MS }),
        fc.integer({ min: 1, max: 365 }),
        (a, b, now, halfLife) => {
          const scoreA = scoreAt(a, now, halfLife);
          const scoreB = scoreAt(b, now, halfLife);
          const keyA = rankKey(a, halfLife);
          const keyB = rankKey(b, halfLife);
          // The reference itself fails where a score leaves float64's range (a landmark thousands of
          // half-lives ahead of now gives ±Infinity): nothing to compare the keys with there.
          if (!Number.isFinite(scoreA) || !Number.isFinite(scoreB)) return;
          // Scores closer than float rounding may tie either way; anything apart orders the same.
          if (Math.abs(scoreA - scoreB) <= 1e-9 * Math.max(Math.abs(scoreA), Math.abs(scoreB))) return;
          expect(Math.sign(keyA - keyB)).toBe(Math.sign(scoreA - scoreB));
        },
      ),
    );
  });

  it('tests "score today at least the minimum" on the key alone, on any day', () => {
    fc.assert(
      fc.property(
        state,
        fc.double({ min: 0.01, max: 1e5, noNaN: true }),
        fc.integer({ min: BASE - 1_000 * DAY_MS, max: BASE + 20_000 * DAY_MS }),
        fc.integer({ min: 1, max: 365 }),
        (profile, minScore, now, halfLife) => {
          const score = scoreAt(profile, now, halfLife);
          if (!Number.isFinite(score)) return;
          // A score within float rounding of the minimum may fall either side.
          if (Math.abs(score - minScore) <= 1e-9 * minScore) return;
          const threshold = rankKeyThreshold(minScore, halfLife, now);
          expect(threshold).not.toBeNull();
          expect(rankKey(profile, halfLife) >= (threshold ?? Infinity)).toBe(score >= minScore);
        },
      ),
    );
  });

  it('has no key threshold for a minimum of zero or less (a key cannot tell zero from missing)', () => {
    expect(rankKeyThreshold(0, 30, BASE)).toBeNull();
    expect(rankKeyThreshold(-5, 30, BASE)).toBeNull();
    // A day later the same minimum needs a key higher by a day's decay: 1/T in log2.
    const today = rankKeyThreshold(10, 30, BASE) ?? 0;
    expect((rankKeyThreshold(10, 30, BASE + DAY_MS) ?? 0) - today).toBeCloseTo(1 / 30, 9);
  });

  it('puts a positive score above zero above a negative one, and does not move as days pass', () => {
    const positive = { accumulator: 1e-6, landmark: BASE - 2_000 * DAY_MS };
    const negative = { accumulator: -1e6, landmark: BASE + 10_000 * DAY_MS };
    expect(rankKey(positive, 1)).toBeGreaterThan(0);
    expect(rankKey({ accumulator: 0, landmark: BASE }, 30)).toBe(0);
    expect(rankKey(negative, 1)).toBeLessThan(0);
    // The same scores against another landmark keep their key.
    const moved = rebase({ accumulator: 40, landmark: BASE }, BASE + 90 * DAY_MS, 30);
    expect(rankKey(moved, 30)).toBeCloseTo(rankKey({ accumulator: 40, landmark: BASE }, 30), 9);
  });
});
