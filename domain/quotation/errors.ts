/**
 * Errors for programming mistakes and bad stored data. User input never throws: it goes through
 * `validateQuotation`, which returns issues a salesperson can read.
 */

/**
 * A calendar date that does not exist or text that is not `YYYY-MM-DD`. The reason says what is wrong;
 * only a reason about text shows how to write a date, so the form scripts, which never parse, ship no such hint.
 */
export class InvalidDateOnlyError extends RangeError {
  constructor(
    readonly value: string,
    readonly reason: string,
  ) {
    super(`"${value}" is not a valid date: ${reason}.`);
    this.name = 'InvalidDateOnlyError';
  }
}

/** An IANA time zone name the runtime does not know (e.g. a Windows name such as "Romance Standard Time"). */
export class InvalidTimeZoneError extends RangeError {
  constructor(readonly timeZone: string) {
    super(`"${timeZone}" is not an IANA time zone name the runtime knows; use e.g. "Europe/Madrid".`);
    this.name = 'InvalidTimeZoneError';
  }
}

/** A money computation was called with a value it cannot price (negative, not finite, out of range). */
export class InvalidAmountError extends RangeError {
  constructor(
    readonly field: string,
    readonly value: unknown,
    readonly allowed: string,
  ) {
    super(`${field} = ${String(value)} cannot be priced: it must be ${allowed}.`);
    this.name = 'InvalidAmountError';
  }
}

export interface PolicyProblem {
  field: string;
  value: unknown;
  allowed: string;
}

/** A quotation policy row holds a value outside what the rules can work with. */
export class InvalidPolicyError extends RangeError {
  constructor(
    readonly problems: readonly PolicyProblem[],
    /** Name of the policy row, when known, so an admin can find it. */
    readonly policyName?: string,
  ) {
    const where = policyName ? `Quotation policy "${policyName}"` : 'The quotation policy';
    const detail = problems.map((p) => `${p.field} = ${String(p.value)} (allowed: ${p.allowed})`).join('; ');
    super(`${where} cannot be used: ${detail}.`);
    this.name = 'InvalidPolicyError';
  }
}

/** The stored deposit schedule (JSON) cannot be read back. */
export class InvalidDepositScheduleError extends Error {
  constructor(
    readonly reason: string,
    /** The offending text, shortened, so the stored value can be found and fixed. */
    readonly text: string,
  ) {
    super(
      `The deposit schedule cannot be read: ${reason}. Stored value: ${text.length > 200 ? `${text.slice(0, 200)}…` : text}`,
    );
    this.name = 'InvalidDepositScheduleError';
  }
}
