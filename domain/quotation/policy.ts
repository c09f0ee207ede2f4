/**
 * The timings and percentages of a hotel's quotation process (one `idr_quotationpolicy` row).
 * A stored row may leave columns empty: each empty one takes the default below.
 */
import { addDays, type DateOnly } from './dateonly';
import { InvalidPolicyError, type PolicyProblem } from './errors';
import type { Language } from './language';

export interface QuotationPolicy {
  /** Days after the quotation is sent before the agent is chased for a confirmation. */
  confirmationChaserDays: number;
  /** Days before arrival the owner phones the agent if the rooming list is still missing. */
  roomingListCallDays: number;
  /** Days before arrival the rooming list is due (and requested from the agent). */
  roomingListDueDays: number;
  /** Days the rooms are held (the option) after the quotation is sent. */
  optionDays: number;
  /** Days after confirmation the deposit is due. */
  depositDueAfterConfirmDays: number;
  /** Days before a payment is due that the agent is reminded. */
  depositReminderDays: number;
  /** Days before arrival unconfirmed rooms are released. */
  cutoffDays: number;
  /** Days before arrival the balance is due. */
  balanceDueDays: number;
  defaultDepositPercent: number;
  childPricePercent: number;
}

/** The two percentages a new quotation's form fills in from the policy. */
export type PolicyPercents = Pick<QuotationPolicy, 'defaultDepositPercent' | 'childPricePercent'>;

const DEFAULT_DEPOSIT_PERCENT = 25;
const DEFAULT_CHILD_PRICE_PERCENT = 100;

// Marked pure so a bundle that never reads it (the Opportunity form script) leaves it out.
export const DEFAULT_POLICY: Readonly<QuotationPolicy> = /* @__PURE__ */ Object.freeze({
  confirmationChaserDays: 7,
  roomingListCallDays: 7,
  roomingListDueDays: 14,
  optionDays: 10,
  depositDueAfterConfirmDays: 7,
  depositReminderDays: 3,
  cutoffDays: 21,
  balanceDueDays: 14,
  defaultDepositPercent: DEFAULT_DEPOSIT_PERCENT,
  childPricePercent: DEFAULT_CHILD_PRICE_PERCENT,
});

/** A stored policy row in domain names; empty columns read as null or are absent. */
export type PolicyInput = { [K in keyof QuotationPolicy]?: number | null };

const DAY_FIELDS = [
  'confirmationChaserDays',
  'roomingListCallDays',
  'roomingListDueDays',
  'optionDays',
  'depositDueAfterConfirmDays',
  'depositReminderDays',
  'cutoffDays',
  'balanceDueDays',
] as const;
const PERCENT_FIELDS = ['defaultDepositPercent', 'childPricePercent'] as const;
/** The column range in the data model: Integer(0..365). */
const MAX_DAYS = 365;

export function policyProblems(policy: QuotationPolicy): PolicyProblem[] {
  const problems: PolicyProblem[] = [];
  for (const field of DAY_FIELDS) {
    const value = policy[field];
    if (!Number.isInteger(value) || value < 0 || value > MAX_DAYS) {
      problems.push({ field, value, allowed: `a whole number of days from 0 to ${MAX_DAYS}` });
    }
  }
  return [...problems, ...percentProblems(policy).map(withAllowed)];
}

/** A percentage of the policy that cannot be used, and its value: the form words it from its RESX strings. */
export interface PercentProblem {
  field: keyof PolicyPercents;
  value: number;
}

function percentProblems(policy: PolicyPercents): PercentProblem[] {
  // Written as "not within 0–100" so that NaN, which compares false, is a problem too.
  return PERCENT_FIELDS.filter((field) => !(policy[field] >= 0 && policy[field] <= 100)).map((field) => ({
    field,
    value: policy[field],
  }));
}

/** InvalidPolicyError's wording of a percent problem; added here so the form script does not carry it. */
function withAllowed(problem: PercentProblem): PolicyProblem {
  return { ...problem, allowed: 'a percentage from 0 to 100' };
}

export type PolicyStringKey =
  'policy.unusable' | 'policy.unusableUnnamed' | `policy.${keyof PolicyPercents}OutOfRange`;

/**
 * What the Opportunity form says about a stored policy it cannot use, in the user's language: written
 * out with the form's RESX web resources, so the script carries keys. The server keeps
 * InvalidPolicyError's own (English) message for logs and admins.
 */
export const POLICY_STRINGS: Record<Language, Record<PolicyStringKey, string>> = {
  en: {
    'policy.unusable': 'Quotation policy "{name}" cannot be used: {problems}.',
    'policy.unusableUnnamed': 'The quotation policy cannot be used: {problems}.',
    'policy.defaultDepositPercentOutOfRange': 'Deposit % = {value} (allowed: a percentage from 0 to 100)',
    'policy.childPricePercentOutOfRange': 'Child price % = {value} (allowed: a percentage from 0 to 100)',
  },
  es: {
    'policy.unusable': 'No se puede usar la política de presupuestos "{name}": {problems}.',
    'policy.unusableUnnamed': 'No se puede usar la política de presupuestos: {problems}.',
    'policy.defaultDepositPercentOutOfRange': '% de depósito = {value} (se admite un porcentaje de 0 a 100)',
    'policy.childPricePercentOutOfRange':
      '% del precio para niños = {value} (se admite un porcentaje de 0 a 100)',
  },
};

/** The two percentages with the defaults filled in, and what is wrong with them (none: usable). */
export function readPolicyPercents(stored?: Pick<PolicyInput, keyof PolicyPercents> | null): {
  percents: PolicyPercents;
  problems: PercentProblem[];
} {
  const percents: PolicyPercents = {
    defaultDepositPercent: stored?.defaultDepositPercent ?? DEFAULT_DEPOSIT_PERCENT,
    childPricePercent: stored?.childPricePercent ?? DEFAULT_CHILD_PRICE_PERCENT,
  };
  return { percents, problems: percentProblems(percents) };
}

/**
 * resolvePolicy for the two percentages only (the day fields always come out valid from it when not
 * stored): the same values and the same InvalidPolicyError, without the rest of the policy.
 */
export function resolvePolicyPercents(
  stored?: Pick<PolicyInput, keyof PolicyPercents> | null,
  policyName?: string,
): PolicyPercents {
  const { percents, problems } = readPolicyPercents(stored);
  if (problems.length > 0) throw new InvalidPolicyError(problems.map(withAllowed), policyName);
  return percents;
}

/**
 * The policy to apply: the stored values over the defaults. No row at all gives the defaults.
 * Throws InvalidPolicyError, listing every bad value, when a stored value cannot be used.
 */
export function resolvePolicy(stored?: PolicyInput | null, policyName?: string): QuotationPolicy {
  const policy: QuotationPolicy = { ...DEFAULT_POLICY };
  if (stored) {
    for (const field of [...DAY_FIELDS, ...PERCENT_FIELDS]) {
      const value = stored[field];
      if (value !== null && value !== undefined) policy[field] = value;
    }
  }
  const problems = policyProblems(policy);
  if (problems.length > 0) throw new InvalidPolicyError(problems, policyName);
  return policy;
}

export interface PolicyDates {
  optionExpiresOn: DateOnly | null;
  cutoffDate: DateOnly | null;
  roomingListDueOn: DateOnly | null;
  depositDueOn: DateOnly | null;
  balanceDueOn: DateOnly | null;
}

/** The dates the policy sets for a quotation, from what is known of it so far. */
export function policyDates(
  quotation: { quoteSentOn: DateOnly | null; confirmedOn: DateOnly | null; arrival: DateOnly | null },
  policy: QuotationPolicy,
): PolicyDates {
  const { quoteSentOn, confirmedOn, arrival } = quotation;
  return {
    optionExpiresOn: quoteSentOn && addDays(quoteSentOn, policy.optionDays),
    cutoffDate: arrival && addDays(arrival, -policy.cutoffDays),
    roomingListDueOn: arrival && addDays(arrival, -policy.roomingListDueDays),
    depositDueOn: confirmedOn && addDays(confirmedOn, policy.depositDueAfterConfirmDays),
    balanceDueOn: arrival && addDays(arrival, -policy.balanceDueDays),
  };
}
