/**
 * Typed failures of the interest engine. Each carries the values a person needs to fix the record
 * that caused it; the adapter adds which Dataverse row that was.
 */

/** Common base so a handler can tell bad scoring input from platform failures with one `instanceof`. */
export abstract class InterestError extends Error {
  protected constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

export const MATCH_KEYS = ['url', 'campaign', 'product', 'subject', 'productfamily'] as const;
export type MatchKey = (typeof MATCH_KEYS)[number];

/** An interaction rule's `match` text cannot be parsed. `position` is 0-based into `expression`. */
export class InvalidMatchExpressionError extends InterestError {
  constructor(
    readonly ruleId: string,
    readonly expression: string,
    readonly problem: string,
    readonly position: number,
  ) {
    super(
      `Interaction rule ${ruleId}: match "${expression}" is invalid at character ${position + 1}: ${problem}. ` +
        `Write key=glob pairs separated by ";" with keys ${MATCH_KEYS.join(', ')} (globs use * and ?, \\ escapes).`,
    );
  }
}

/** A rule field other than `match` is out of range (points, daily cap, ids). */
export class InvalidRuleError extends InterestError {
  constructor(
    readonly ruleId: string,
    readonly field: 'id' | 'conceptId' | 'eventType' | 'points' | 'dailyCap',
    readonly value: unknown,
    readonly allowed: string,
  ) {
    super(
      `Interaction rule ${ruleId || '(no id)'}: ${field} ${String(value)} is not allowed; expected ${allowed}.`,
    );
  }
}

/** A concept's exit threshold is above its enter threshold, or a threshold is not a number. */
export class InvalidThresholdsError extends InterestError {
  constructor(
    readonly conceptId: string | undefined,
    readonly enter: number,
    readonly exit: number,
  ) {
    super(
      `Marketing concept ${conceptId ?? '(unsaved)'}: exit threshold ${exit} must be a number no greater than ` +
        `the enter threshold ${enter}, so that a contact who just entered the segment does not leave it at once.`,
    );
  }
}

export class InvalidHalfLifeError extends InterestError {
  constructor(
    readonly halfLifeDays: number,
    readonly conceptId?: string,
  ) {
    super(
      `Marketing concept ${conceptId ?? '(unknown)'}: half-life ${halfLifeDays} days is not allowed; ` +
        `expected a positive number of days (the column allows 1 to 3650).`,
    );
  }
}

/** A number handed to the engine (points, a time, an accumulator) is NaN or infinite. */
export class InvalidScoringInputError extends InterestError {
  constructor(
    readonly field: string,
    readonly value: unknown,
  ) {
    super(`${field} must be a finite number, got ${String(value)}.`);
  }
}

/** Re-basing to the requested landmark would push the accumulator beyond the safe bound. */
export class AccumulatorRangeError extends InterestError {
  constructor(
    readonly accumulator: number,
    readonly landmark: number,
    readonly newLandmark: number,
    readonly bound: number,
  ) {
    super(
      `Re-basing accumulator ${accumulator} from landmark ${safeIso(landmark)} to ` +
        `${safeIso(newLandmark)} would exceed ±${bound}; choose a later landmark (usually now).`,
    );
  }
}

/** Value-tier thresholds that contradict each other. */
export class InvalidTierThresholdsError extends InterestError {
  constructor(
    readonly field: string,
    readonly value: number,
    readonly allowed: string,
  ) {
    super(`Value tier threshold ${field} = ${value} is not allowed; expected ${allowed}.`);
  }
}

function safeIso(ms: number): string {
  const d = new Date(ms);
  return Number.isNaN(d.getTime()) ? String(ms) : d.toISOString();
}
