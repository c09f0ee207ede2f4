import fc from 'fast-check';
import { type DateOnly, formatDateOnly, parseDateOnly } from './dateonly';
import {
  type Instalment,
  markInstalmentPaid,
  nextUnpaidInstalment,
  parseSchedule,
  scheduleDeposit,
  serializeSchedule,
} from './deposit';
import { InvalidDepositScheduleError } from './errors';
import { toMinorUnits } from './pricing';
import { DEFAULT_POLICY, resolvePolicy } from './policy';

const d = parseDateOnly;
const base = { total: 10_000, depositPercent: 25, confirmedOn: d('2026-03-09'), arrival: d('2026-05-10') };
const rows = (instalments: readonly Instalment[]): string[] =>
  instalments.map(
    (i) =>
      `${i.number} ${i.kind} ${formatDateOnly(i.dueOn)} ${i.amount}${i.paidOn ? ` paid ${formatDateOnly(i.paidOn)}` : ''}`,
  );
const sumMinor = (instalments: readonly Instalment[]): number =>
  instalments.reduce((s, i) => s + toMinorUnits(i.amount), 0);

describe('a fresh schedule', () => {
  it('is 25 % due 7 days after confirmation and the balance 14 days before arrival', () => {
    const { instalments, refundDue } = scheduleDeposit(base, DEFAULT_POLICY);
    expect(rows(instalments)).toEqual(['1 deposit 2026-03-16 2500', '2 balance 2026-04-26 7500']);
    expect(refundDue).toBe(0);
  });

  it('follows the policy', () => {
    const policy = resolvePolicy({ depositDueAfterConfirmDays: 3, balanceDueDays: 30 });
    expect(rows(scheduleDeposit({ ...base, depositPercent: 40 }, policy).instalments)).toEqual([
      '1 deposit 2026-03-12 4000',
      '2 balance 2026-04-10 6000',
    ]);
  });

  it('in a late booking the balance falls due with the deposit, not before it', () => {
    const late = { ...base, confirmedOn: d('2026-05-01') };
    expect(rows(scheduleDeposit(late, DEFAULT_POLICY).instalments)).toEqual([
      '1 deposit 2026-05-08 2500',
      '2 balance 2026-05-08 7500',
    ]);
  });

  it('adds up to the total to the cent, whatever the percentage', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 100_000_000 }),
        fc.integer({ min: 0, max: 10_000 }),
        (cents, pctHundredths) => {
          const total = cents / 100;
          const { instalments } = scheduleDeposit(
            { ...base, total, depositPercent: pctHundredths / 100 },
            DEFAULT_POLICY,
          );
          expect(sumMinor(instalments)).toBe(cents);
          expect(instalments.every((i) => i.amount > 0)).toBe(true);
        },
      ),
    );
    expect(
      rows(scheduleDeposit({ ...base, total: 100.01, depositPercent: 33.33 }, DEFAULT_POLICY).instalments),
    ).toEqual(['1 deposit 2026-03-16 33.33', '2 balance 2026-04-26 66.68']);
  });

  it('leaves out instalments of nothing', () => {
    expect(rows(scheduleDeposit({ ...base, depositPercent: 0 }, DEFAULT_POLICY).instalments)).toEqual([
      '2 balance 2026-04-26 10000',
    ]);
    expect(rows(scheduleDeposit({ ...base, depositPercent: 100 }, DEFAULT_POLICY).instalments)).toEqual([
      '1 deposit 2026-03-16 10000',
    ]);
    expect(scheduleDeposit({ ...base, total: 0 }, DEFAULT_POLICY).instalments).toEqual([]);
  });
});

describe('when the total changes', () => {
  const fresh = scheduleDeposit(base, DEFAULT_POLICY).instalments;
  const depositPaid = markInstalmentPaid(fresh, 1, d('2026-03-14'));

  it('with nothing paid, the plan is made again for the new total', () => {
    expect(rows(scheduleDeposit({ ...base, total: 12_000 }, DEFAULT_POLICY, fresh).instalments)).toEqual([
      '1 deposit 2026-03-16 3000',
      '2 balance 2026-04-26 9000',
    ]);
  });

  it('a paid deposit is untouched and the balance takes the difference', () => {
    expect(
      rows(scheduleDeposit({ ...base, total: 12_000 }, DEFAULT_POLICY, depositPaid).instalments),
    ).toEqual(['1 deposit 2026-03-16 2500 paid 2026-03-14', '2 balance 2026-04-26 9500']);
    expect(
      rows(scheduleDeposit({ ...base, total: 8_000.01 }, DEFAULT_POLICY, depositPaid).instalments),
    ).toEqual(['1 deposit 2026-03-16 2500 paid 2026-03-14', '2 balance 2026-04-26 5500.01']);
  });

  it('spreads the rest over several unpaid instalments in proportion, exactly', () => {
    const three: Instalment[] = [
      ...depositPaid,
      { number: 3, kind: 'balance', dueOn: d('2026-04-26'), amount: 2500, paidOn: null },
    ];
    const { instalments } = scheduleDeposit({ ...base, total: 12_500.01 }, DEFAULT_POLICY, three);
    expect(rows(instalments)).toEqual([
      '1 deposit 2026-03-16 2500 paid 2026-03-14',
      '2 balance 2026-04-26 7500.01',
      '3 balance 2026-04-26 2500',
    ]);
    expect(sumMinor(instalments)).toBe(toMinorUnits(12_500.01));
  });

  it('when everything is paid and the total grows, a new instalment is added with the next number', () => {
    const allPaid = markInstalmentPaid(depositPaid, 2, d('2026-04-20'));
    const { instalments } = scheduleDeposit({ ...base, total: 10_400 }, DEFAULT_POLICY, allPaid);
    expect(rows(instalments)).toEqual([
      '1 deposit 2026-03-16 2500 paid 2026-03-14',
      '2 balance 2026-04-26 7500 paid 2026-04-20',
      '3 balance 2026-04-26 400',
    ]);
  });

  it('when more was paid than the new total, unpaid instalments go and a refund is reported', () => {
    const result = scheduleDeposit({ ...base, total: 2_000 }, DEFAULT_POLICY, depositPaid);
    expect(rows(result.instalments)).toEqual(['1 deposit 2026-03-16 2500 paid 2026-03-14']);
    expect(result.refundDue).toBe(500);
  });

  it('unpaid instalments follow a moved arrival; paid ones keep their date', () => {
    const moved = scheduleDeposit({ ...base, arrival: d('2026-06-10') }, DEFAULT_POLICY, depositPaid);
    expect(rows(moved.instalments)).toEqual([
      '1 deposit 2026-03-16 2500 paid 2026-03-14',
      '2 balance 2026-05-27 7500',
    ]);
  });

  it('paid amounts never change, and the schedule always adds up', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10_000_000 }),
        fc.integer({ min: 0, max: 10_000_000 }),
        (firstCents, secondCents) => {
          const first = scheduleDeposit({ ...base, total: firstCents / 100 }, DEFAULT_POLICY).instalments;
          if (first.length === 0) return;
          const paid = markInstalmentPaid(first, first[0].number, d('2026-03-10'));
          const next = scheduleDeposit({ ...base, total: secondCents / 100 }, DEFAULT_POLICY, paid);
          expect(next.instalments.find((i) => i.number === first[0].number)).toEqual(paid[0]);
          expect(sumMinor(next.instalments) - toMinorUnits(next.refundDue)).toBe(secondCents);
        },
      ),
    );
  });
});

describe('helpers and storage', () => {
  const { instalments } = scheduleDeposit(base, DEFAULT_POLICY);

  it('finds the next instalment to pay', () => {
    expect(nextUnpaidInstalment(instalments)?.number).toBe(1);
    expect(nextUnpaidInstalment(markInstalmentPaid(instalments, 1, d('2026-03-15')))?.number).toBe(2);
    const due = (x: DateOnly): string => formatDateOnly(x);
    expect(due(nextUnpaidInstalment(instalments)!.dueOn)).toBe('2026-03-16');
    expect(nextUnpaidInstalment([])).toBeNull();
  });

  it('round-trips through the stored JSON', () => {
    const paid = markInstalmentPaid(instalments, 1, d('2026-03-15'));
    const text = serializeSchedule(paid);
    expect(JSON.parse(text)).toEqual([
      { number: 1, kind: 'deposit', dueOn: '2026-03-16', amount: 2500, paidOn: '2026-03-15' },
      { number: 2, kind: 'balance', dueOn: '2026-04-26', amount: 7500, paidOn: null },
    ]);
    expect(parseSchedule(text)).toEqual(paid);
    expect(parseSchedule(null)).toEqual([]);
    expect(parseSchedule('  ')).toEqual([]);
  });

  it('says what is wrong with a damaged stored schedule', () => {
    expect(() => parseSchedule('{oops')).toThrow(InvalidDepositScheduleError);
    expect(() => parseSchedule('{}')).toThrow('not a list');
    expect(() =>
      parseSchedule('[{"number":1,"kind":"deposit","dueOn":"2026-02-30","amount":1,"paidOn":null}]'),
    ).toThrow('instalment 1 has no "dueOn"');
    expect(() => parseSchedule('[{"number":1,"kind":"deposit","dueOn":"2026-02-03","amount":-1}]')).toThrow(
      '"amount"',
    );
    expect(() =>
      parseSchedule(
        '[{"number":1,"kind":"deposit","dueOn":"2026-02-03","amount":1},{"number":1,"kind":"balance","dueOn":"2026-02-03","amount":1}]',
      ),
    ).toThrow('instalment 2 has no unique positive "number"');
    expect(() => parseSchedule('[{"number":1,"kind":"tip","dueOn":"2026-02-03","amount":1}]')).toThrow(
      '"kind"',
    );
    expect(() =>
      parseSchedule('[{"number":1,"kind":"deposit","dueOn":"2026-02-03","amount":1,"paidOn":"yesterday"}]'),
    ).toThrow('"paidOn"');
  });
});
