/**
 * The deposit schedule the server keeps in `idr_depositschedule` once a quotation is confirmed.
 * domain/quotation plans it from the policy; two things recorded on the opportunity win over the plan:
 * a deposit due date someone agreed (the column is filled from the plan when empty, and a date typed
 * there later moves the deposit), and a deposit received date (the deposit instalment is then paid).
 */
import {
  compareDates,
  type DateOnly,
  type Instalment,
  isAfter,
  type QuotationPolicy,
  scheduleDeposit,
  serializeSchedule,
} from '../../../domain/quotation';

export interface ScheduleInput {
  confirmedOn: DateOnly | null;
  arrival: DateOnly | null;
  total: number | null;
  depositPercent: number | null;
  depositDueOn: DateOnly | null;
  depositReceivedOn: DateOnly | null;
  /** The stored schedule as read (empty when there is none or it was unreadable). */
  previous: readonly Instalment[];
  /** The stored text, compared so an unchanged schedule is not written again. */
  previousText: string | null;
  precision?: number;
}

export interface ScheduleCorrections {
  /** The new JSON, present only when it changes. */
  schedule?: string;
  /** Filled from the plan when the column was empty. */
  depositDueOn?: DateOnly;
}

function usable(value: number | null, max: number): value is number {
  return value !== null && Number.isFinite(value) && value >= 0 && value <= max;
}

/** Nothing until the quotation is confirmed and priced; then only what differs from what is stored. */
export function scheduleCorrections(input: ScheduleInput, policy: QuotationPolicy): ScheduleCorrections {
  const { confirmedOn, arrival, total, depositPercent } = input;
  if (!confirmedOn || !arrival || !usable(total, Number.MAX_SAFE_INTEGER) || !usable(depositPercent, 100))
    return {};
  let instalments: Instalment[];
  try {
    instalments = scheduleDeposit(
      { total, depositPercent, confirmedOn, arrival, precision: input.precision },
      policy,
      input.previous,
    ).instalments;
  } catch (error) {
    // An amount too large to count in minor units: validation reports it, the schedule waits.
    if (error instanceof RangeError) return {};
    throw error;
  }

  const agreedDueOn = input.depositDueOn;
  instalments = instalments.map((i) => {
    if (i.kind !== 'deposit' || i.paidOn !== null) return i;
    const dueOn = agreedDueOn ?? i.dueOn;
    return { ...i, dueOn, paidOn: input.depositReceivedOn };
  });
  const deposit = instalments.find((i) => i.kind === 'deposit');
  if (deposit) {
    // A balance due before the agreed deposit date is due with it, as in a late booking.
    instalments = instalments.map((i) =>
      i.kind === 'balance' && i.paidOn === null && isAfter(deposit.dueOn, i.dueOn)
        ? { ...i, dueOn: deposit.dueOn }
        : i,
    );
  }

  instalments.sort((a, b) => compareDates(a.dueOn, b.dueOn) || a.number - b.number);

  const corrections: ScheduleCorrections = {};
  const text = serializeSchedule(instalments);
  if (text !== input.previousText) corrections.schedule = text;
  if (!agreedDueOn && deposit) corrections.depositDueOn = deposit.dueOn;
  return corrections;
}
