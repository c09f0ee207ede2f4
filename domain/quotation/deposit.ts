/**
 * The payment plan of a confirmed quotation (stored as JSON in `idr_depositschedule`).
 *
 * A fresh plan has a deposit (deposit % of the total, due N days after confirmation) and the
 * balance (due M days before arrival). In a late booking the balance date would come before the
 * deposit date: the balance is then due on the deposit date (the two stay separate, so the first
 * instalment still equals the quotation's deposit). Instalments of zero are left out.
 *
 * Instalment numbers never change once given (reminders are keyed on them). When the total changes
 * after something was paid, paid instalments stay as they are and what is left is spread over the
 * unpaid ones in proportion to their amounts; if all are paid, a new balance instalment is added;
 * if more was paid than the new total, the difference is reported as a refund.
 */
import {
  addDays,
  type DateOnly,
  formatDateOnly,
  isBefore,
  isDateOnly,
  laterOf,
  tryParseDateOnly,
} from './dateonly';
import { InvalidDepositScheduleError } from './errors';
import {
  allocateMinorUnits,
  DEFAULT_PRECISION,
  fromMinorUnits,
  percentOfMinorUnits,
  toMinorUnits,
} from './pricing';
import { type QuotationPolicy } from './policy';

export type InstalmentKind = 'deposit' | 'balance';

export interface Instalment {
  /** Fixed for the instalment's life: the deposit is 1, the balance 2, later additions 3, 4… */
  number: number;
  kind: InstalmentKind;
  dueOn: DateOnly;
  amount: number;
  paidOn: DateOnly | null;
}

export interface DepositPlanInput {
  total: number;
  depositPercent: number;
  confirmedOn: DateOnly;
  arrival: DateOnly;
  /** Decimals of the record's currency; 2 when not given. */
  precision?: number;
}

export interface DepositSchedule {
  /** By due date, then number. Their amounts add up exactly to the total (unless refundDue > 0). */
  instalments: Instalment[];
  /** What was paid beyond the new total, owed back to the agency; 0 normally. */
  refundDue: number;
}

/** The deposit and balance due dates the policy gives this quotation (see the module comment). */
export function depositDueDates(
  input: Pick<DepositPlanInput, 'confirmedOn' | 'arrival'>,
  policy: QuotationPolicy,
): { depositDueOn: DateOnly; balanceDueOn: DateOnly } {
  const depositDueOn = addDays(input.confirmedOn, policy.depositDueAfterConfirmDays);
  const balanceDueOn = laterOf(addDays(input.arrival, -policy.balanceDueDays), depositDueOn);
  return { depositDueOn, balanceDueOn };
}

function byDueDate(a: Instalment, b: Instalment): number {
  if (isBefore(a.dueOn, b.dueOn)) return -1;
  if (isBefore(b.dueOn, a.dueOn)) return 1;
  return a.number - b.number;
}

/**
 * The schedule for the quotation as it is now. With a previous schedule in which something was
 * paid, paid instalments are kept and the rest is redistributed; otherwise a fresh plan.
 */
export function scheduleDeposit(
  input: DepositPlanInput,
  policy: QuotationPolicy,
  previous: readonly Instalment[] = [],
): DepositSchedule {
  const precision = input.precision ?? DEFAULT_PRECISION;
  const totalMinor = toMinorUnits(input.total, precision);
  const { depositDueOn, balanceDueOn } = depositDueDates(input, policy);
  const dueOnFor = (kind: InstalmentKind): DateOnly => (kind === 'deposit' ? depositDueOn : balanceDueOn);

  const paid = previous.filter((i) => i.paidOn !== null);
  if (paid.length === 0) {
    const depositMinor = percentOfMinorUnits(totalMinor, input.depositPercent);
    const fresh: Instalment[] = [
      {
        number: 1,
        kind: 'deposit',
        dueOn: depositDueOn,
        amount: fromMinorUnits(depositMinor, precision),
        paidOn: null,
      },
      {
        number: 2,
        kind: 'balance',
        dueOn: balanceDueOn,
        amount: fromMinorUnits(totalMinor - depositMinor, precision),
        paidOn: null,
      },
    ];
    return { instalments: fresh.filter((i) => i.amount !== 0), refundDue: 0 };
  }

  const paidMinor = paid.reduce((sum, i) => sum + toMinorUnits(i.amount, precision), 0);
  const remaining = totalMinor - paidMinor;
  const kept = paid.map((i) => ({ ...i }));
  if (remaining <= 0) {
    return { instalments: kept.sort(byDueDate), refundDue: fromMinorUnits(-remaining, precision) };
  }
  const unpaid = previous.filter((i) => i.paidOn === null);
  let open: Instalment[];
  if (unpaid.length === 0) {
    const number = Math.max(...previous.map((i) => i.number)) + 1;
    open = [
      {
        number,
        kind: 'balance',
        dueOn: balanceDueOn,
        amount: fromMinorUnits(remaining, precision),
        paidOn: null,
      },
    ];
  } else {
    const shares = allocateMinorUnits(
      remaining,
      unpaid.map((i) => toMinorUnits(i.amount, precision)),
    );
    open = unpaid
      .map((i, n) => ({ ...i, dueOn: dueOnFor(i.kind), amount: fromMinorUnits(shares[n], precision) }))
      .filter((i) => i.amount !== 0);
  }
  return { instalments: [...kept, ...open].sort(byDueDate), refundDue: 0 };
}

/** The schedule with instalment `number` marked paid on `paidOn` (unchanged if already paid). */
export function markInstalmentPaid(
  instalments: readonly Instalment[],
  number: number,
  paidOn: DateOnly,
): Instalment[] {
  return instalments.map((i) => (i.number === number && i.paidOn === null ? { ...i, paidOn } : i));
}

/** The first instalment still to pay, or null when everything is paid. */
export function nextUnpaidInstalment(instalments: readonly Instalment[]): Instalment | null {
  return [...instalments].sort(byDueDate).find((i) => i.paidOn === null) ?? null;
}

interface StoredInstalment {
  number: number;
  kind: InstalmentKind;
  dueOn: string;
  amount: number;
  paidOn: string | null;
}

/** The JSON kept in `idr_depositschedule`: dates as YYYY-MM-DD. */
export function serializeSchedule(instalments: readonly Instalment[]): string {
  const stored: StoredInstalment[] = instalments.map((i) => ({
    number: i.number,
    kind: i.kind,
    dueOn: formatDateOnly(i.dueOn),
    amount: i.amount,
    paidOn: i.paidOn && formatDateOnly(i.paidOn),
  }));
  return JSON.stringify(stored);
}

/** Reads `idr_depositschedule`; empty gives no instalments. Throws InvalidDepositScheduleError. */
export function parseSchedule(text: string | null | undefined): Instalment[] {
  if (text === null || text === undefined || text.trim() === '') return [];
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new InvalidDepositScheduleError('it is not JSON', text);
  }
  if (!Array.isArray(raw)) throw new InvalidDepositScheduleError('it is not a list of instalments', text);
  const seen = new Set<number>();
  return raw.map((item: unknown, index): Instalment => {
    const where = `instalment ${index + 1}`;
    if (typeof item !== 'object' || item === null)
      throw new InvalidDepositScheduleError(`${where} is not an object`, text);
    const r = item as Record<string, unknown>;
    if (typeof r.number !== 'number' || !Number.isInteger(r.number) || r.number < 1 || seen.has(r.number)) {
      throw new InvalidDepositScheduleError(`${where} has no unique positive "number"`, text);
    }
    seen.add(r.number);
    if (r.kind !== 'deposit' && r.kind !== 'balance')
      throw new InvalidDepositScheduleError(`${where} has "kind" other than deposit or balance`, text);
    const dueOn = typeof r.dueOn === 'string' ? tryParseDateOnly(r.dueOn) : null;
    if (!dueOn) throw new InvalidDepositScheduleError(`${where} has no "dueOn" date (YYYY-MM-DD)`, text);
    if (typeof r.amount !== 'number' || !Number.isFinite(r.amount) || r.amount < 0) {
      throw new InvalidDepositScheduleError(`${where} has no "amount" ≥ 0`, text);
    }
    const paidOn =
      r.paidOn === null || r.paidOn === undefined
        ? null
        : typeof r.paidOn === 'string'
          ? tryParseDateOnly(r.paidOn)
          : null;
    if (r.paidOn !== null && r.paidOn !== undefined && !isDateOnly(paidOn)) {
      throw new InvalidDepositScheduleError(`${where} has a "paidOn" that is not a date (YYYY-MM-DD)`, text);
    }
    return { number: r.number, kind: r.kind, dueOn, amount: r.amount, paidOn };
  });
}
