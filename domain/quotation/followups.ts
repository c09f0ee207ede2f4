/**
 * The follow-up plan of a quotation: which reminders, calls and tasks are due, each under a stable
 * key so the daily sweep does it once (the key goes into `idr_quotationaction.idr_key`).
 *
 * An action is due on `dueOn` and stays due until done or until its `lastOn` (inclusive), after which
 * it is pointless. Events end actions too, and then they are simply not planned:
 * - quotation email, confirmation chaser, option expiry: until confirmed, at the latest the day
 *   before arrival;
 * - rooming-list request and call: once confirmed, until the list is received, at the latest the
 *   day before arrival;
 * - deposit reminder (per instalment): once confirmed, from N days before the due date to the due
 *   date, unless paid; a call to the agency on the due date itself; then the overdue task from the
 *   day after, until paid or settled;
 * - cutoff review: on the cutoff date, a task to release or keep the rooms not yet confirmed, for a
 *   quotation that was sent or confirmed, at the latest the day before arrival;
 * - handoff to the ERP/PMS: once confirmed and the deposit received (or none is asked), until the
 *   quotation is transferred;
 * - settlement: from the day after departure, until settled.
 * Lost and cancelled quotations get nothing. Actions addressed to the agent wait until the
 * quotation has one.
 */
import { addDays, type DateOnly, earlierOf, isAfter, isBefore, laterOf } from './dateonly';
import { type Instalment } from './deposit';
import { type QuotationPolicy } from './policy';

export type QuotationPhase =
  | 'request'
  | 'quotationSent'
  | 'confirmed'
  | 'deposit'
  | 'roomingList'
  | 'proforma'
  | 'transferred'
  | 'settled'
  | 'lost'
  | 'cancelled';

export type FollowUpActionType =
  | 'quotationEmail'
  | 'confirmationChaser'
  | 'optionExpiry'
  | 'depositReminder'
  | 'depositOverdue'
  | 'depositCall'
  | 'cutoffReview'
  | 'roomingListRequest'
  | 'roomingListCall'
  | 'handoff'
  | 'settlement';

export type FollowUpKind = 'email' | 'phonecall' | 'task' | 'handoff';

export interface FollowUpAction {
  /** Unique per quotation and stable across sweeps: `confirmationChaser`, `depositReminder:2`. */
  key: string;
  action: FollowUpActionType;
  dueOn: DateOnly;
  to: 'agent' | 'owner';
  cc?: 'owner';
  kind: FollowUpKind;
  /** The instalment a deposit reminder or overdue task is about. */
  instalment?: number;
}

export interface PlannedFollowUp extends FollowUpAction {
  /** The last day the action is still worth doing; null = until done. */
  lastOn: DateOnly | null;
}

export interface FollowUpQuotation {
  phase: QuotationPhase;
  quoteSentOn: DateOnly | null;
  confirmedOn: DateOnly | null;
  arrival: DateOnly | null;
  departure: DateOnly | null;
  /** The deposit due date column; used when there is no schedule. */
  depositDueOn: DateOnly | null;
  depositReceivedOn: DateOnly | null;
  /** When empty, arrival − the policy's rooming-list due days. */
  roomingListDueOn?: DateOnly | null;
  roomingListReceivedOn: DateOnly | null;
  /** When empty, quotation sent + the policy's option days. */
  optionExpiresOn: DateOnly | null;
  /** The cutoff date: the day to release or keep the rooms not yet confirmed. */
  cutoffDate?: DateOnly | null;
  /** The full payment: once recorded, there is nothing left to chase or settle. */
  paymentReceivedOn?: DateOnly | null;
  /** The deposit schedule; without one, a single deposit due on `depositDueOn`. */
  instalments?: readonly Instalment[];
  /** Id of the agent (contact); agent-bound actions wait for one. */
  agent: string | null;
  /** Id of the owner (user or team). */
  owner: string | null;
}

const CONFIRMED_PHASES: ReadonlySet<QuotationPhase> = new Set([
  'confirmed',
  'deposit',
  'roomingList',
  'proforma',
  'transferred',
  'settled',
]);
const ACTION_ORDER: readonly FollowUpActionType[] = [
  'quotationEmail',
  'confirmationChaser',
  'optionExpiry',
  'depositReminder',
  'depositCall',
  'depositOverdue',
  'cutoffReview',
  'handoff',
  'roomingListRequest',
  'roomingListCall',
  'settlement',
];

export function isClosedPhase(phase: QuotationPhase): boolean {
  return phase === 'lost' || phase === 'cancelled';
}

export function isConfirmed(quotation: Pick<FollowUpQuotation, 'phase' | 'confirmedOn'>): boolean {
  return quotation.confirmedOn !== null || CONFIRMED_PHASES.has(quotation.phase);
}

interface Payment {
  number: number;
  kind: Instalment['kind'];
  dueOn: DateOnly;
  paidOn: DateOnly | null;
}

function payments(q: FollowUpQuotation): Payment[] {
  if (q.instalments && q.instalments.length > 0) {
    return q.instalments
      .filter((i) => i.amount > 0)
      .map((i) => ({
        number: i.number,
        kind: i.kind,
        dueOn: i.dueOn,
        // The deposit date column counts as payment of the deposit even if the schedule lags behind.
        paidOn: i.paidOn ?? (i.kind === 'deposit' ? q.depositReceivedOn : null),
      }));
  }
  return q.depositDueOn
    ? [{ number: 1, kind: 'deposit', dueOn: q.depositDueOn, paidOn: q.depositReceivedOn }]
    : [];
}

/** When the deposit counts as received for the handoff: a date, 'notAsked' (no deposit), or null. */
function depositReceipt(q: FollowUpQuotation): DateOnly | 'notAsked' | null {
  if (q.depositReceivedOn) return q.depositReceivedOn;
  if (q.instalments && q.instalments.length > 0) {
    const deposit = q.instalments.find((i) => i.kind === 'deposit' && i.amount > 0);
    return deposit ? deposit.paidOn : 'notAsked';
  }
  return null;
}

/** Every follow-up still to come or due for the quotation as it stands, whatever today is. */
export function planFollowUps(q: FollowUpQuotation, policy: QuotationPolicy): PlannedFollowUp[] {
  if (isClosedPhase(q.phase)) return [];
  const plan: PlannedFollowUp[] = [];
  const hasAgent = q.agent !== null && q.agent !== '';
  const cc = q.owner ? { cc: 'owner' as const } : {};
  const beforeArrival = q.arrival && addDays(q.arrival, -1);
  const add = (item: PlannedFollowUp): void => {
    if (item.to === 'agent' && !hasAgent) return;
    if (item.lastOn && isAfter(item.dueOn, item.lastOn)) return;
    plan.push(item);
  };

  if (!isConfirmed(q)) {
    if (q.quoteSentOn) {
      const sent = q.quoteSentOn;
      add({
        key: 'quotationEmail',
        action: 'quotationEmail',
        dueOn: sent,
        to: 'agent',
        kind: 'email',
        lastOn: beforeArrival,
      });
      add({
        key: 'confirmationChaser',
        action: 'confirmationChaser',
        dueOn: addDays(sent, policy.confirmationChaserDays),
        to: 'agent',
        ...cc,
        kind: 'email',
        lastOn: beforeArrival,
      });
    }
    const optionExpiresOn = q.optionExpiresOn ?? (q.quoteSentOn && addDays(q.quoteSentOn, policy.optionDays));
    if (optionExpiresOn) {
      add({
        key: 'optionExpiry',
        action: 'optionExpiry',
        dueOn: optionExpiresOn,
        to: 'owner',
        kind: 'task',
        lastOn: beforeArrival,
      });
    }
  } else {
    const settled = q.phase === 'settled' || Boolean(q.paymentReceivedOn);
    for (const payment of payments(q)) {
      if (payment.paidOn || settled) continue;
      add({
        key: `depositReminder:${payment.number}`,
        action: 'depositReminder',
        dueOn: addDays(payment.dueOn, -policy.depositReminderDays),
        to: 'agent',
        ...cc,
        kind: 'email',
        instalment: payment.number,
        lastOn: payment.dueOn,
      });
      // The agreed date: a call to the agency that day if nothing has come in.
      add({
        key: `depositCall:${payment.number}`,
        action: 'depositCall',
        dueOn: payment.dueOn,
        to: 'owner',
        kind: 'phonecall',
        instalment: payment.number,
        lastOn: payment.dueOn,
      });
      add({
        key: `depositOverdue:${payment.number}`,
        action: 'depositOverdue',
        dueOn: addDays(payment.dueOn, 1),
        to: 'owner',
        kind: 'task',
        instalment: payment.number,
        lastOn: null,
      });
    }

    const receipt = depositReceipt(q);
    if (receipt && q.phase !== 'transferred' && !settled) {
      const dueOn =
        receipt === 'notAsked' ? q.confirmedOn : q.confirmedOn ? laterOf(q.confirmedOn, receipt) : receipt;
      if (dueOn)
        add({ key: 'handoff', action: 'handoff', dueOn, to: 'owner', kind: 'handoff', lastOn: null });
    }

    if (q.arrival && !q.roomingListReceivedOn) {
      const dueOn = q.roomingListDueOn ?? addDays(q.arrival, -policy.roomingListDueDays);
      add({
        key: 'roomingListRequest',
        action: 'roomingListRequest',
        dueOn,
        to: 'agent',
        kind: 'email',
        lastOn: beforeArrival,
      });
      add({
        key: 'roomingListCall',
        action: 'roomingListCall',
        dueOn: addDays(q.arrival, -policy.roomingListCallDays),
        to: 'owner',
        kind: 'phonecall',
        lastOn: beforeArrival,
      });
    }

    if (q.departure && !settled) {
      add({
        key: 'settlement',
        action: 'settlement',
        dueOn: addDays(q.departure, 1),
        to: 'owner',
        kind: 'task',
        lastOn: null,
      });
    }
  }

  if (q.cutoffDate && (q.quoteSentOn || isConfirmed(q)) && q.phase !== 'settled') {
    add({
      key: 'cutoffReview',
      action: 'cutoffReview',
      dueOn: q.cutoffDate,
      to: 'owner',
      kind: 'task',
      lastOn: beforeArrival,
    });
  }

  return plan.sort((a, b) => {
    if (isBefore(a.dueOn, b.dueOn)) return -1;
    if (isBefore(b.dueOn, a.dueOn)) return 1;
    return (
      ACTION_ORDER.indexOf(a.action) - ACTION_ORDER.indexOf(b.action) ||
      (a.instalment ?? 0) - (b.instalment ?? 0)
    );
  });
}

/**
 * The actions due `today`: due on or before it, not past their last day, not in `done` (the keys
 * already recorded for this quotation).
 */
export function dueFollowUps(
  q: FollowUpQuotation,
  policy: QuotationPolicy,
  today: DateOnly,
  done: ReadonlySet<string> = new Set(),
): FollowUpAction[] {
  return planFollowUps(q, policy)
    .filter(
      (item) =>
        !isAfter(item.dueOn, today) && (!item.lastOn || !isAfter(today, item.lastOn)) && !done.has(item.key),
    )
    .map(({ lastOn: _lastOn, ...action }) => action);
}

/** The earliest day something new becomes due after `today`, for a timeline; null when nothing is. */
export function nextFollowUpOn(
  q: FollowUpQuotation,
  policy: QuotationPolicy,
  today: DateOnly,
): DateOnly | null {
  return planFollowUps(q, policy).reduce<DateOnly | null>(
    (next, item) => (isAfter(item.dueOn, today) ? (next ? earlierOf(next, item.dueOn) : item.dueOn) : next),
    null,
  );
}
