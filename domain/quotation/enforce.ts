/**
 * The server's fix-up of a saved quotation (async post-operation webhook on opportunity): API and
 * import callers may write stale or missing derived values, so the same rules the form applies are
 * applied again. Only values that differ from what is stored come back, so the handler's own update
 * (which fires the step again) finds nothing left to change and the loop ends there.
 *
 * Stay: a missing field is derived from the other two. When all three disagree, the field the write
 * did not set is derived: a write of valid nights, or of the arrival alone, moves the departure;
 * otherwise (the departure was written, both were, it is not known, or the nights are unusable) the
 * nights are recomputed from the dates. Nothing is derived into an impossible stay: the dates stay
 * as written and the issue says why.
 *
 * Money: persons = adults + children (an integration that writes only persons has them priced as
 * adults); total and deposit as in pricing.ts, empty percentages taking the policy's value (the
 * deposit % used is written so the deposit can be explained). A total that cannot be computed (e.g.
 * no price) is left as written, and the deposit then follows it.
 *
 * Policy dates (option expiry, cutoff, rooming list due; `policyDates`): an empty one is filled, and
 * a date someone typed is never overwritten. Telling the two apart needs the base date before the
 * write (`before`): a date equal to the policy's value for the old arrival (or quote sent date) was
 * the policy's, so it moves with the new one; any other date was agreed with the agent and stays.
 * The deposit due date is not filled here: it belongs to the deposit schedule, which exists only once
 * the quotation is confirmed and priced (a due date without an amount would send empty reminders).
 */
import { type DateOnly, sameOptionalDate } from './dateonly';
import { InvalidAmountError } from './errors';
import { type Language } from './language';
import { policyDates, type QuotationPolicy } from './policy';
import { computeDeposit, computeQuotationAmounts, DEFAULT_PRECISION, toMinorUnits } from './pricing';
import { arrivalFor, departureFor, isValidNights, nightsBetween, type StayField } from './stay';
import { issuesText, validateQuotation, type ValidationIssue } from './validation';

export interface StoredQuotation {
  arrival: DateOnly | null;
  nights: number | null;
  departure: DateOnly | null;
  adults: number | null;
  children: number | null;
  persons: number | null;
  pricePerPersonNight: number | null;
  childPricePercent: number | null;
  total: number | null;
  depositPercent: number | null;
  deposit: number | null;
  /** `idr_quotationissue` as stored: compared so an unchanged text is not written again. */
  issue: string | null;
  quoteSentOn: DateOnly | null;
  optionExpiresOn: DateOnly | null;
  cutoffDate: DateOnly | null;
  roomingListDueOn: DateOnly | null;
}

/** Values to write; a property is present only when its value changes. */
export interface QuotationCorrections {
  arrival?: DateOnly;
  nights?: number;
  departure?: DateOnly;
  persons?: number;
  total?: number;
  depositPercent?: number;
  deposit?: number;
  /** The new issue text, or null to clear it. */
  issue?: string | null;
  optionExpiresOn?: DateOnly;
  cutoffDate?: DateOnly;
  roomingListDueOn?: DateOnly;
}

/** The dates the policy dates are counted from, as they were before the triggering write. */
export interface BaseDatesBefore {
  arrival: DateOnly | null;
  quoteSentOn: DateOnly | null;
}

export interface EnforceOptions {
  policy: QuotationPolicy;
  /** Language of the issue text (the organisation's). */
  language: Language;
  today: DateOnly;
  /** A quotation just created: an arrival in the past is an issue. */
  isNew?: boolean;
  /** Decimals of the record's currency; 2 when not given. */
  precision?: number;
  /** The stay fields the triggering write set (the webhook Target's columns). */
  changed?: readonly StayField[];
  /**
   * The base dates before the triggering write (the Update step's pre-image). Without them (a create,
   * or not known) policy dates are only filled when empty, never moved.
   */
  before?: BaseDatesBefore;
  /** The total of the quotation's room blocks (rooms.ts); when given it is the total, not persons × price. */
  roomBlocksTotal?: number | null;
}

export interface EnforceResult {
  corrections: QuotationCorrections;
  /** What is still wrong after the corrections. */
  issues: ValidationIssue[];
  /** Those issues as one readable text (what `issue` holds after the corrections); null when none. */
  issueText: string | null;
}

function sameMoney(a: number | null, b: number | null, precision: number): boolean {
  if (a === null || b === null) return a === b;
  try {
    return toMinorUnits(a, precision) === toMinorUnits(b, precision);
  } catch (error) {
    // Not countable in minor units (not finite, or absurdly large): equal only if identical.
    if (error instanceof InvalidAmountError) return Object.is(a, b);
    throw error;
  }
}

/** Which stay field to derive when arrival, nights and departure all are set but disagree. */
function fieldToDerive(changed: readonly StayField[] | undefined): 'nights' | 'departure' {
  const set = new Set(changed ?? []);
  if (set.has('nights') && !set.has('departure')) return 'departure';
  if (set.has('arrival') && !set.has('nights') && !set.has('departure')) return 'departure';
  return 'nights';
}

function enforceStay(
  stored: Pick<StoredQuotation, 'arrival' | 'nights' | 'departure'>,
  changed: readonly StayField[] | undefined,
): QuotationCorrections {
  const { arrival, nights, departure } = stored;
  if (arrival && departure) {
    const stayNights = nightsBetween(arrival, departure);
    if (nights === stayNights) return {};
    if (isValidNights(nights) && fieldToDerive(changed) === 'departure')
      return { departure: departureFor(arrival, nights) };
    return isValidNights(stayNights) ? { nights: stayNights } : {};
  }
  if (arrival && isValidNights(nights)) return { departure: departureFor(arrival, nights) };
  if (departure && isValidNights(nights)) return { arrival: arrivalFor(departure, nights) };
  return {};
}

/** The stay as enforcement will leave it after a save that wrote `changed` (room blocks are checked against it). */
export function settledStay(
  stored: Pick<StoredQuotation, 'arrival' | 'nights' | 'departure'>,
  changed: readonly StayField[] | undefined,
): { arrival: DateOnly | null; nights: number | null; departure: DateOnly | null } {
  const corrections = enforceStay(stored, changed);
  return {
    arrival: corrections.arrival ?? stored.arrival,
    nights: corrections.nights ?? stored.nights,
    departure: corrections.departure ?? stored.departure,
  };
}

const POLICY_DATE_FIELDS = ['optionExpiresOn', 'cutoffDate', 'roomingListDueOn'] as const;

function enforcePolicyDates(
  stored: StoredQuotation,
  arrival: DateOnly | null,
  policy: QuotationPolicy,
  before: BaseDatesBefore | undefined,
): QuotationCorrections {
  const now = policyDates({ quoteSentOn: stored.quoteSentOn, confirmedOn: null, arrival }, policy);
  const then = before && policyDates({ ...before, confirmedOn: null }, policy);
  const corrections: QuotationCorrections = {};
  for (const field of POLICY_DATE_FIELDS) {
    const due = now[field];
    const current = stored[field];
    // No base date (no arrival, not sent): a stored date stays; it is never cleared.
    if (!due || sameOptionalDate(current, due)) continue;
    if (current === null || (then && sameOptionalDate(current, then[field]))) corrections[field] = due;
  }
  return corrections;
}

/** The corrections to write for a stored quotation, and the issues that remain. Never throws for stored values. */
export function enforceQuotation(stored: StoredQuotation, options: EnforceOptions): EnforceResult {
  const precision = options.precision ?? DEFAULT_PRECISION;
  const corrections: QuotationCorrections = enforceStay(stored, options.changed);
  const arrival = corrections.arrival ?? stored.arrival;
  const departure = corrections.departure ?? stored.departure;
  const nights = corrections.nights ?? stored.nights;

  const onlyPersons = stored.adults === null && stored.children === null && stored.persons !== null;
  const adults = onlyPersons ? stored.persons : stored.adults;
  const children = stored.children;
  const countsOk = [adults, children].every((c) => c === null || (Number.isInteger(c) && c >= 0));
  if (!onlyPersons && countsOk && (adults !== null || children !== null)) {
    const persons = (adults ?? 0) + (children ?? 0);
    if (persons !== stored.persons) corrections.persons = persons;
  }

  const amounts = computeQuotationAmounts(
    {
      nights,
      adults,
      children,
      pricePerPersonNight: stored.pricePerPersonNight,
      childPricePercent: stored.childPricePercent,
      depositPercent: null,
    },
    { precision, defaultChildPricePercent: options.policy.childPricePercent },
  );
  const computed = options.roomBlocksTotal ?? amounts.total;
  if (computed !== null && !sameMoney(computed, stored.total, precision)) corrections.total = computed;
  const total = computed ?? stored.total;

  const percentOk = (p: number | null): p is number => p !== null && Number.isFinite(p) && p >= 0 && p <= 100;
  const totalOk = total !== null && Number.isFinite(total) && total >= 0;
  let depositPercent = stored.depositPercent;
  if (depositPercent === null && totalOk) {
    depositPercent = options.policy.defaultDepositPercent;
    corrections.depositPercent = depositPercent;
  }
  if (totalOk && percentOk(depositPercent)) {
    try {
      const deposit = computeDeposit(total, depositPercent, precision);
      if (!sameMoney(deposit, stored.deposit, precision)) corrections.deposit = deposit;
    } catch (error) {
      // A written total too large to count in minor units: the deposit is left as it is.
      if (!(error instanceof InvalidAmountError)) throw error;
    }
  }

  const issues = validateQuotation(
    {
      arrival,
      nights,
      departure,
      adults,
      children,
      pricePerPersonNight: stored.pricePerPersonNight,
      childPricePercent: stored.childPricePercent,
      depositPercent,
    },
    { today: options.today, isNew: options.isNew ?? false, language: options.language },
  );
  const issue = issuesText(issues);
  if (issue !== (stored.issue === '' ? null : stored.issue)) corrections.issue = issue;
  Object.assign(corrections, enforcePolicyDates(stored, arrival, options.policy, options.before));
  return { corrections, issues, issueText: issue };
}

export function applyCorrections(
  stored: StoredQuotation,
  corrections: QuotationCorrections,
): StoredQuotation {
  return { ...stored, ...corrections };
}

/** The stay fields a set of corrections writes, as the next trigger's `changed`. */
export function changedStayFields(corrections: QuotationCorrections): StayField[] {
  return (['arrival', 'nights', 'departure'] as const).filter((f) => f in corrections);
}

export function hasCorrections(corrections: QuotationCorrections): boolean {
  return Object.keys(corrections).length > 0;
}
