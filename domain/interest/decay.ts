/**
 * Forward decay (Cormode, Shkapenyuk, Srivastava, Xu: "Forward Decay: A Practical Time Decay Model
 * for Streaming Systems", ICDE 2009) with an exponential kernel of half-life T:
 *
 *   S(now) = Σ w·2^(−(now−t)/T)  =  A·2^(−(now−L)/T)   with   A = Σ w·2^((t−L)/T)
 *
 * A is stored against a landmark L, so scoring an event is one add and no nightly decay job is
 * needed. Every profile of a concept that shares L ranks the same by A as by S.
 */
import { AccumulatorRangeError, InvalidHalfLifeError } from './errors';
import { DAY_MS, type EpochMs, requireFinite } from './time';

export interface DecayState {
  /** Forward-decay sum Σ w·2^((t−L)/T) (`idr_accumulator`). */
  readonly accumulator: number;
  /** The landmark L the accumulator refers to (`idr_landmarkon`). */
  readonly landmark: EpochMs;
}

export interface TimedPoints {
  readonly points: number;
  readonly occurredOn: EpochMs;
}

/**
 * Hard bound on |A|, two decimal orders below Dataverse's decimal range (±1e11, the limit of
 * `idr_accumulator`): the stored value can still take concurrent adds and rounding to the column's
 * scale without being refused, and with rule points capped at ±1000 a lagging landmark only reaches
 * it after about 20 half-lives, so the automatic re-base in `addEvent` is rare.
 */
/** A concept's half-life when its row has none: the `idr_halflifedays` column's default (docs/data-model.md). */
export const DEFAULT_HALF_LIFE_DAYS = 90;

export const ACCUMULATOR_BOUND = 1e9;

/**
 * The scheduled job re-bases once the landmark is this many half-lives behind now: new events then
 * enter A with a factor 2^16 ≈ 65,536, so a score of 1,000 points is still 15× below the bound.
 */
export const MAX_LANDMARK_LAG_HALF_LIVES = 16;

/**
 * …or this many half-lives ahead of now: `idr_accumulator` keeps 10 decimals, and each half-life the
 * landmark lies ahead doubles that 1e-10 rounding in the score; 3 half-lives keeps it below 1e-9.
 */
export const MAX_LANDMARK_LEAD_HALF_LIVES = 3;

const LOG2_BOUND = Math.log2(ACCUMULATOR_BOUND);
/** Below 2^-900 the sum nears float64's subnormal range (2^-1022), where precision drains away. */
const LOG2_TINY = -900;

export function validateHalfLife(halfLifeDays: number, conceptId?: string): number {
  if (typeof halfLifeDays !== 'number' || !Number.isFinite(halfLifeDays) || halfLifeDays <= 0) {
    throw new InvalidHalfLifeError(halfLifeDays, conceptId);
  }
  return halfLifeDays;
}

function halfLifeMs(halfLifeDays: number): number {
  return validateHalfLife(halfLifeDays) * DAY_MS;
}

function checkState(state: DecayState): void {
  requireFinite('accumulator', state.accumulator);
  requireFinite('landmark', state.landmark);
}

export function emptyState(landmark: EpochMs): DecayState {
  return { accumulator: 0, landmark: requireFinite('landmark', landmark) };
}

/**
 * x·2^e without overflowing or underflowing on the way: multiplying by a power of two is exact, so
 * only the fractional part of e rounds, and huge exponents are applied in exact steps.
 */
export function scaleByPowerOfTwo(x: number, e: number): number {
  if (x === 0) return 0;
  const whole = Math.floor(e);
  let result = x * 2 ** (e - whole);
  let rest = whole;
  while (rest > 1000 && Number.isFinite(result)) {
    result *= 2 ** 1000;
    rest -= 1000;
  }
  while (rest < -1000 && result !== 0) {
    result *= 2 ** -1000;
    rest += 1000;
  }
  return result * 2 ** rest;
}

/**
 * Adds w points that happened at t. Events may arrive in any order and lie far before or after the
 * landmark. When keeping the landmark would push |A| above ACCUMULATOR_BOUND, or leave both A and the
 * new term so small that float64 loses precision, the landmark moves by a whole number k of
 * half-lives first: A is then scaled by the exact power 2^−k, and with whole-day half-lives a landmark
 * on a whole second stays on one, so `idr_landmarkon` stores it exactly. Growing, it moves up to the
 * event's time, further only when the score itself is too large; shrinking, it moves back so the
 * larger part is about 1.
 */
export function addEvent(
  state: DecayState,
  points: number,
  occurredOn: EpochMs,
  halfLifeDays: number,
): DecayState {
  checkState(state);
  requireFinite('points', points);
  requireFinite('occurredOn', occurredOn);
  const period = halfLifeMs(halfLifeDays);
  if (points === 0) return state;

  const exponent = (occurredOn - state.landmark) / period;
  const sum = state.accumulator + scaleByPowerOfTwo(points, exponent);
  const log2Term = Math.log2(Math.abs(points)) + exponent;
  const log2Acc = state.accumulator === 0 ? -Infinity : Math.log2(Math.abs(state.accumulator));
  const log2Max = Math.max(log2Term, log2Acc);

  let shift: number;
  if (Math.abs(sum) > ACCUMULATOR_BOUND) {
    // After shifting, each part is ≤ 2^(log2Max−k), so the sum is ≤ 2^(log2Max−k+1) ≤ the bound.
    shift = Math.max(Math.floor(exponent), Math.ceil(log2Max + 1 - LOG2_BOUND));
  } else if (log2Max < LOG2_TINY) {
    shift = Math.floor(log2Max);
  } else {
    return { accumulator: sum, landmark: state.landmark };
  }
  const landmark = state.landmark + shift * period;
  return {
    accumulator:
      scaleByPowerOfTwo(state.accumulator, -shift) +
      scaleByPowerOfTwo(points, (occurredOn - landmark) / period),
    landmark,
  };
}

/** The decayed score S(now). `now` may lie before the landmark or before events. */
export function scoreAt(state: DecayState, now: EpochMs, halfLifeDays: number): number {
  checkState(state);
  requireFinite('now', now);
  return scaleByPowerOfTwo(state.accumulator, (state.landmark - now) / halfLifeMs(halfLifeDays));
}

/** Any fixed instant serves as the rank keys' reference; this one keeps them small for decades around it. */
const RANK_EPOCH: EpochMs = Date.UTC(2025, 0, 1);
/** Puts every |log2 score| term above zero, so the sign alone orders negatives below zero below positives. */
const RANK_OFFSET = 100_000;

/**
 * A number that orders a concept's profiles as their scores today order them, whatever day today is
 * (`idr_rankkey`, so a view sorts by today's score with no nightly job). S(now) = A·2^((L − now)/T), so
 * log2 |S(now)| = [log2 |A| + (L − E)/T] − (now − E)/T: the bracket is the key (signed and offset), the
 * rest is the same for every profile of the concept. Keys of concepts with different half-lives do not
 * compare.
 */
export function rankKey(state: DecayState, halfLifeDays: number): number {
  checkState(state);
  if (state.accumulator === 0) return 0;
  const magnitude =
    Math.log2(Math.abs(state.accumulator)) + (state.landmark - RANK_EPOCH) / halfLifeMs(halfLifeDays);
  return Math.sign(state.accumulator) * (RANK_OFFSET + magnitude);
}

/**
 * The rank key at or above which a concept's profile scores at least `minScore` at `now` (the key's
 * formula solved for the score), so a stored query can test "score today ≥ minimum" on `idr_rankkey`.
 * Null for a minimum of 0 or less: a key cannot tell a zero score from a missing one.
 */
export function rankKeyThreshold(minScore: number, halfLifeDays: number, now: EpochMs): number | null {
  requireFinite('minScore', minScore);
  requireFinite('now', now);
  if (minScore <= 0) return null;
  return RANK_OFFSET + Math.log2(minScore) + (now - RANK_EPOCH) / halfLifeMs(halfLifeDays);
}

/**
 * The same scores against another landmark. Throws AccumulatorRangeError when the new landmark is
 * so far before the events that |A| would exceed ACCUMULATOR_BOUND. Contributions that fall below
 * float64's range (about 1e-308 at the new landmark) are dropped.
 */
export function rebase(state: DecayState, newLandmark: EpochMs, halfLifeDays: number): DecayState {
  checkState(state);
  requireFinite('newLandmark', newLandmark);
  const accumulator = scaleByPowerOfTwo(
    state.accumulator,
    (state.landmark - newLandmark) / halfLifeMs(halfLifeDays),
  );
  if (Math.abs(accumulator) > ACCUMULATOR_BOUND) {
    throw new AccumulatorRangeError(state.accumulator, state.landmark, newLandmark, ACCUMULATOR_BOUND);
  }
  return { accumulator, landmark: newLandmark };
}

/**
 * True when the scheduled job should re-base this state to now: its landmark is more than
 * MAX_LANDMARK_LAG_HALF_LIVES behind now or MAX_LANDMARK_LEAD_HALF_LIVES ahead, or A is within
 * 2^10 of the bound while the landmark is still in the past (re-basing to now then shrinks it).
 */
export function needsRebase(state: DecayState, now: EpochMs, halfLifeDays: number): boolean {
  checkState(state);
  requireFinite('now', now);
  const distance = (now - state.landmark) / halfLifeMs(halfLifeDays);
  return (
    distance > MAX_LANDMARK_LAG_HALF_LIVES ||
    -distance > MAX_LANDMARK_LEAD_HALF_LIVES ||
    (distance > 0 && Math.abs(state.accumulator) > ACCUMULATOR_BOUND / 1024)
  );
}

/** The definition, summed term by term: the reference the accumulator is checked against. */
export function directScore(events: readonly TimedPoints[], now: EpochMs, halfLifeDays: number): number {
  const period = halfLifeMs(halfLifeDays);
  let score = 0;
  for (const event of events) score += event.points * 2 ** (-(now - event.occurredOn) / period);
  return score;
}
