import {
  DEFAULT_POLICY,
  formatDateOnly,
  type Instalment,
  parseDateOnly,
  parseSchedule,
} from '../../../domain/quotation';
import { type ScheduleInput, scheduleCorrections } from './schedule';

const d = parseDateOnly;
const confirmed: ScheduleInput = {
  confirmedOn: d('2026-03-09'),
  arrival: d('2026-05-10'),
  total: 10_000,
  depositPercent: 25,
  depositDueOn: null,
  depositReceivedOn: null,
  previous: [],
  previousText: null,
};
const rows = (text: string | undefined): string[] =>
  parseSchedule(text).map(
    (i: Instalment) =>
      `${i.number} ${i.kind} ${formatDateOnly(i.dueOn)} ${i.amount}${i.paidOn ? ` paid ${formatDateOnly(i.paidOn)}` : ''}`,
  );

describe('the deposit schedule kept by the server', () => {
  it('waits until the quotation is confirmed and priced', () => {
    expect(scheduleCorrections({ ...confirmed, confirmedOn: null }, DEFAULT_POLICY)).toEqual({});
    expect(scheduleCorrections({ ...confirmed, total: null }, DEFAULT_POLICY)).toEqual({});
    expect(scheduleCorrections({ ...confirmed, depositPercent: 140 }, DEFAULT_POLICY)).toEqual({});
  });

  it('plans deposit and balance from the policy and fills the empty deposit due date', () => {
    const result = scheduleCorrections(confirmed, DEFAULT_POLICY);
    expect(rows(result.schedule)).toEqual(['1 deposit 2026-03-16 2500', '2 balance 2026-04-26 7500']);
    expect(result.depositDueOn).toEqual(d('2026-03-16'));
  });

  it('writes nothing the second time: the stored plan is what it would write', () => {
    const first = scheduleCorrections(confirmed, DEFAULT_POLICY);
    const again = scheduleCorrections(
      {
        ...confirmed,
        depositDueOn: first.depositDueOn ?? null,
        previous: parseSchedule(first.schedule),
        previousText: first.schedule ?? null,
      },
      DEFAULT_POLICY,
    );
    expect(again).toEqual({});
  });

  it('keeps a deposit due date someone agreed, moving the balance if it would fall before it', () => {
    const result = scheduleCorrections({ ...confirmed, depositDueOn: d('2026-04-30') }, DEFAULT_POLICY);
    expect(rows(result.schedule)).toEqual(['1 deposit 2026-04-30 2500', '2 balance 2026-04-30 7500']);
    expect(result.depositDueOn).toBeUndefined();
  });

  it('marks the deposit paid when it is received, and keeps it when the price changes afterwards', () => {
    const paid = scheduleCorrections(
      { ...confirmed, depositDueOn: d('2026-03-16'), depositReceivedOn: d('2026-03-14') },
      DEFAULT_POLICY,
    );
    expect(rows(paid.schedule)).toEqual([
      '1 deposit 2026-03-16 2500 paid 2026-03-14',
      '2 balance 2026-04-26 7500',
    ]);

    const repriced = scheduleCorrections(
      {
        ...confirmed,
        total: 12_000,
        depositDueOn: d('2026-03-16'),
        depositReceivedOn: d('2026-03-14'),
        previous: parseSchedule(paid.schedule),
        previousText: paid.schedule ?? null,
      },
      DEFAULT_POLICY,
    );
    expect(rows(repriced.schedule)).toEqual([
      '1 deposit 2026-03-16 2500 paid 2026-03-14',
      '2 balance 2026-04-26 9500',
    ]);
  });
});
