/**
 * The quotation as a stepper and a follow-up list, computed by domain/quotation's follow-up plan and
 * policy: the same plan the hourly sweep acts on, so what the form shows is what the sweep will do.
 */
import { compareDates, type DateOnly, isAfter, isBefore } from '../../domain/quotation/dateonly';
import {
  type FollowUpActionType,
  type FollowUpQuotation,
  isClosedPhase,
  nextFollowUpOn,
  planFollowUps,
  type QuotationPhase,
} from '../../domain/quotation/followups';
import { PHASE_STEPS } from '../../domain/quotation/phase';
import { type QuotationPolicy, resolvePolicy } from '../../domain/quotation/policy';
import { QuotationPhase as PhaseChoice } from '../../dataverse/generated/choices';
import { idr_quotationpolicy } from '../../dataverse/generated/idr_quotationpolicy';
import { POLICY_SELECT, policyInput, policyName } from '../../plugins/handlers/groupquotes/policy-columns';

/** The phases a quotation moves through, in order (lost and cancelled end it anywhere). */
export const STEPS = PHASE_STEPS;

const PHASES: ReadonlyMap<number, QuotationPhase> = new Map<number, QuotationPhase>([
  [PhaseChoice.Request, 'request'],
  [PhaseChoice.QuotationSent, 'quotationSent'],
  [PhaseChoice.Confirmed, 'confirmed'],
  [PhaseChoice.Deposit, 'deposit'],
  [PhaseChoice.RoomingList, 'roomingList'],
  [PhaseChoice.Proforma, 'proforma'],
  [PhaseChoice.Transferred, 'transferred'],
  [PhaseChoice.Settled, 'settled'],
  [PhaseChoice.Lost, 'lost'],
  [PhaseChoice.Cancelled, 'cancelled'],
]);

/** The phase of an idr_phase value; an empty phase is a new request. */
export function phaseOf(value: number | null): QuotationPhase {
  return (value === null ? undefined : PHASES.get(value)) ?? 'request';
}

export type StepState = 'done' | 'current' | 'upcoming';

export interface TimelineStep {
  readonly phase: (typeof STEPS)[number];
  readonly state: StepState;
  /** The date the step was reached, when the quotation records one. */
  readonly date: DateOnly | null;
}

export type FollowUpStatus = 'done' | 'overdue' | 'due' | 'upcoming' | 'lapsed';

export interface TimelineFollowUp {
  readonly key: string;
  readonly action: FollowUpActionType;
  readonly instalment: number | null;
  readonly dueOn: DateOnly;
  readonly status: FollowUpStatus;
}

export interface Timeline {
  readonly phase: QuotationPhase;
  readonly closed: boolean;
  readonly steps: readonly TimelineStep[];
  readonly followUps: readonly TimelineFollowUp[];
  readonly nextDueOn: DateOnly | null;
  readonly overdueCount: number;
}

function stepDate(phase: (typeof STEPS)[number], q: FollowUpQuotation): DateOnly | null {
  switch (phase) {
    case 'quotationSent':
      return q.quoteSentOn;
    case 'confirmed':
      return q.confirmedOn;
    case 'deposit':
      return q.depositReceivedOn;
    case 'roomingList':
      return q.roomingListReceivedOn;
    default:
      return null;
  }
}

/**
 * Steps before the current phase are done, the phase itself current; a closed (lost/cancelled)
 * quotation shows the steps it recorded dates for as done and nothing current.
 */
export function stepsOf(q: FollowUpQuotation): TimelineStep[] {
  const closed = isClosedPhase(q.phase);
  const currentIndex = STEPS.indexOf(q.phase as (typeof STEPS)[number]);
  return STEPS.map((phase, index): TimelineStep => {
    const date = stepDate(phase, q);
    const state: StepState = closed
      ? date
        ? 'done'
        : 'upcoming'
      : index < currentIndex
        ? 'done'
        : index === currentIndex
          ? 'current'
          : 'upcoming';
    return { phase, state, date };
  });
}

/** The steps and the follow-up plan; `done` holds the keys of follow-ups already recorded (idr_quotationaction.idr_key). */
export function toTimeline(
  q: FollowUpQuotation,
  policy: QuotationPolicy,
  today: DateOnly,
  done: ReadonlySet<string>,
): Timeline {
  const closed = isClosedPhase(q.phase);
  const steps = stepsOf(q);
  const followUps = planFollowUps(q, policy).map((item): TimelineFollowUp => {
    let status: FollowUpStatus;
    if (done.has(item.key)) status = 'done';
    else if (item.lastOn && isBefore(item.lastOn, today)) status = 'lapsed';
    else if (isBefore(item.dueOn, today)) status = 'overdue';
    else if (isAfter(item.dueOn, today)) status = 'upcoming';
    else status = 'due';
    return {
      key: item.key,
      action: item.action,
      instalment: item.instalment ?? null,
      dueOn: item.dueOn,
      status,
    };
  });
  return {
    phase: q.phase,
    closed,
    steps,
    followUps: [...followUps].sort((a, b) => compareDates(a.dueOn, b.dueOn)),
    nextDueOn: nextFollowUpOn(q, policy, today),
    overdueCount: followUps.filter((f) => f.status === 'overdue').length,
  };
}

const P = idr_quotationpolicy.columns;

/** The id of the quotation's policy lookup (idr_policy) as the form hands it over, or null when empty. */
export function policyIdOf(raw: readonly ComponentFramework.LookupValue[] | null | undefined): string | null {
  const id = raw?.[0]?.id;
  return id ? id.replace(/[{}]/g, '').toLowerCase() : null;
}

/** Web API options to read one policy row (`webAPI.retrieveRecord`). */
export function policyOptions(): string {
  return `?$select=${POLICY_SELECT.join(',')}`;
}

/** Web API options for the policy marked default, the oldest first: what the sweep uses without idr_policy. */
export function defaultPolicyOptions(): string {
  const active = idr_quotationpolicy.choices.statecode.Active;
  return `${policyOptions()}&$filter=${P.idr_isdefault} eq true and ${P.statecode} eq ${active}&$orderby=${P.createdon} asc&$top=1`;
}

/**
 * The policy the timeline plans with, as the follow-up sweep chooses it: the stored row's values over
 * the defaults, or the built-in defaults when there is no row. Throws InvalidPolicyError for a value
 * the sweep could not use either.
 */
export function policyFromRow(row: Readonly<Record<string, unknown>> | undefined): QuotationPolicy {
  return row ? resolvePolicy(policyInput(row), policyName(row)) : resolvePolicy(null);
}
