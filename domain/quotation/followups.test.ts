import { addDays, type DateOnly, daysBetween, formatDateOnly, parseDateOnly } from './dateonly';
import { markInstalmentPaid, scheduleDeposit } from './deposit';
import {
  dueFollowUps,
  type FollowUpQuotation,
  nextFollowUpOn,
  planFollowUps,
  type QuotationPhase,
} from './followups';
import { DEFAULT_POLICY, resolvePolicy } from './policy';

const day0 = parseDateOnly('2026-03-01');
const day = (n: number): DateOnly => addDays(day0, n);
const dayOf = (date: DateOnly): number => daysBetween(day0, date);

const sent: FollowUpQuotation = {
  phase: 'quotationSent',
  quoteSentOn: day(0),
  confirmedOn: null,
  arrival: day(50),
  departure: day(54),
  depositDueOn: null,
  depositReceivedOn: null,
  roomingListReceivedOn: null,
  optionExpiresOn: null,
  agent: 'agent-1',
  owner: 'owner-1',
};

/**
 * Runs the daily sweep for 60 days. `stateOn(n)` is the quotation as it stands on day n; each action
 * is recorded once (as the sweep's idr_quotationaction rows do). Returns key → the day it was done.
 */
function sweep(stateOn: (n: number) => FollowUpQuotation, policy = DEFAULT_POLICY): Map<string, number> {
  const done = new Map<string, number>();
  for (let n = 0; n < 60; n += 1) {
    for (const action of dueFollowUps(stateOn(n), policy, day(n), new Set(done.keys()))) {
      expect(done.has(action.key)).toBe(false);
      done.set(action.key, n);
    }
  }
  return done;
}

/** Day → keys due that day, with nothing ever marked done. */
function dueEachDay(q: FollowUpQuotation): Map<number, string[]> {
  const result = new Map<number, string[]>();
  for (let n = 0; n < 60; n += 1)
    result.set(
      n,
      dueFollowUps(q, DEFAULT_POLICY, day(n)).map((a) => a.key),
    );
  return result;
}

describe('acceptance story over 60 days', () => {
  it('a quotation sent on day 0 and never confirmed: email day 0, chaser from day 7 under one key, option expiry day 10', () => {
    const due = dueEachDay(sent);
    const chaserDays = [...due].filter(([, keys]) => keys.includes('confirmationChaser')).map(([n]) => n);
    expect(chaserDays[0]).toBe(7);
    // Due every day from 7 until the day before arrival (49) until someone records it.
    expect(chaserDays).toEqual(Array.from({ length: 43 }, (_, i) => 7 + i));
    expect(new Set([...due.values()].flat().filter((k) => k.startsWith('confirmation')))).toEqual(
      new Set(['confirmationChaser']),
    );

    expect(Object.fromEntries(sweep(() => sent))).toEqual({
      quotationEmail: 0,
      confirmationChaser: 7,
      optionExpiry: 10,
    });
    const [chaser] = dueFollowUps(sent, DEFAULT_POLICY, day(7), new Set(['quotationEmail']));
    expect(chaser).toEqual({
      key: 'confirmationChaser',
      action: 'confirmationChaser',
      dueOn: day(7),
      to: 'agent',
      cc: 'owner',
      kind: 'email',
    });
  });

  it('confirmed on day 3, arriving day 40, deposit paid, no rooming list: request day 26, phone call from day 33', () => {
    const stateOn = (n: number): FollowUpQuotation => ({
      ...sent,
      phase: n >= 3 ? 'confirmed' : 'quotationSent',
      confirmedOn: n >= 3 ? day(3) : null,
      arrival: day(40),
      departure: day(44),
      depositDueOn: n >= 3 ? day(10) : null,
      depositReceivedOn: n >= 8 ? day(8) : null,
    });
    expect(Object.fromEntries(sweep(stateOn))).toEqual({
      quotationEmail: 0,
      'depositReminder:1': 7,
      handoff: 8,
      roomingListRequest: 26,
      roomingListCall: 33,
      settlement: 45,
    });
    const call = dueFollowUps(stateOn(33), DEFAULT_POLICY, day(33)).find((a) => a.key === 'roomingListCall');
    expect(call).toEqual({
      key: 'roomingListCall',
      action: 'roomingListCall',
      dueOn: day(33),
      to: 'owner',
      kind: 'phonecall',
    });
  });

  it('the rooming list arriving on day 30 cancels the call', () => {
    const q = {
      ...sent,
      phase: 'confirmed' as const,
      confirmedOn: day(3),
      arrival: day(40),
      roomingListReceivedOn: day(30),
    };
    expect(sweep(() => q).has('roomingListCall')).toBe(false);
    expect(
      dueFollowUps({ ...q, roomingListReceivedOn: null }, DEFAULT_POLICY, day(32)).map((a) => a.key),
    ).not.toContain('roomingListCall');
  });

  it('an unpaid deposit due on day 10: reminder from day 7 to day 10, overdue task from day 11', () => {
    const q = {
      ...sent,
      phase: 'confirmed' as const,
      confirmedOn: day(3),
      depositDueOn: day(10),
      arrival: day(40),
      departure: day(44),
    };
    const due = dueEachDay(q);
    const daysWith = (key: string): number[] =>
      [...due].filter(([, keys]) => keys.includes(key)).map(([n]) => n);
    expect(daysWith('depositReminder:1')).toEqual([7, 8, 9, 10]);
    expect(daysWith('depositOverdue:1')[0]).toBe(11);
    expect(daysWith('depositOverdue:1').length).toBe(49);
    expect(daysWith('handoff')).toEqual([]);
    const done = sweep(() => q);
    expect([done.get('depositReminder:1'), done.get('depositOverdue:1')]).toEqual([7, 11]);
    const overdue = dueFollowUps(q, DEFAULT_POLICY, day(11)).find((a) => a.action === 'depositOverdue');
    expect(overdue).toEqual({
      key: 'depositOverdue:1',
      action: 'depositOverdue',
      dueOn: day(11),
      to: 'owner',
      kind: 'task',
      instalment: 1,
    });
  });

  it('a deposit paid before its due date ends the reminder and never goes overdue', () => {
    const q = {
      ...sent,
      phase: 'confirmed' as const,
      confirmedOn: day(3),
      depositDueOn: day(10),
      depositReceivedOn: day(9),
    };
    const done = sweep(() => q);
    expect(done.has('depositOverdue:1')).toBe(false);
    expect(done.get('handoff')).toBe(9);
  });

  it.each<QuotationPhase>(['lost', 'cancelled'])('a %s quotation gets nothing, ever', (phase) => {
    for (const q of [
      { ...sent, phase },
      { ...sent, phase, confirmedOn: day(3), depositDueOn: day(10), arrival: day(40), departure: day(44) },
    ]) {
      expect(planFollowUps(q, DEFAULT_POLICY)).toEqual([]);
      expect(sweep(() => q).size).toBe(0);
    }
  });
});

describe('follow-up rules', () => {
  const confirmed: FollowUpQuotation = {
    ...sent,
    phase: 'confirmed',
    confirmedOn: day(3),
    arrival: day(40),
    departure: day(44),
  };

  it('follows the policy timings', () => {
    const policy = resolvePolicy({
      confirmationChaserDays: 2,
      optionDays: 4,
      roomingListCallDays: 3,
      roomingListDueDays: 20,
    });
    expect(Object.fromEntries(sweep(() => sent, policy))).toEqual({
      quotationEmail: 0,
      confirmationChaser: 2,
      optionExpiry: 4,
    });
    const plan = planFollowUps(confirmed, policy).map((p) => [p.key, dayOf(p.dueOn)]);
    expect(plan).toEqual([
      ['roomingListRequest', 20],
      ['roomingListCall', 37],
      ['settlement', 45],
    ]);
  });

  it('uses the stored option expiry and rooming-list due dates when present', () => {
    expect(
      planFollowUps({ ...sent, optionExpiresOn: day(15) }, DEFAULT_POLICY).find(
        (p) => p.key === 'optionExpiry',
      )?.dueOn,
    ).toEqual(day(15));
    expect(
      planFollowUps({ ...confirmed, roomingListDueOn: day(30) }, DEFAULT_POLICY).find(
        (p) => p.key === 'roomingListRequest',
      )?.dueOn,
    ).toEqual(day(30));
  });

  it('a confirmation stops the chaser, the email and the option task', () => {
    const keys = planFollowUps(confirmed, DEFAULT_POLICY).map((p) => p.key);
    expect(keys).not.toContain('confirmationChaser');
    expect(keys).not.toContain('quotationEmail');
    expect(keys).not.toContain('optionExpiry');
    expect(planFollowUps({ ...sent, phase: 'deposit' }, DEFAULT_POLICY).map((p) => p.key)).not.toContain(
      'confirmationChaser',
    );
  });

  it('nothing before the quotation is sent', () => {
    expect(planFollowUps({ ...sent, phase: 'request', quoteSentOn: null }, DEFAULT_POLICY)).toEqual([]);
  });

  it('no chasing after arrival', () => {
    expect(dueFollowUps(sent, DEFAULT_POLICY, day(50))).toEqual([]);
    expect(dueFollowUps(confirmed, DEFAULT_POLICY, day(40)).map((a) => a.key)).toEqual([]);
  });

  it('agent-bound actions wait until the quotation has an agent; without an owner there is no cc', () => {
    expect(dueFollowUps({ ...sent, agent: null }, DEFAULT_POLICY, day(10)).map((a) => a.key)).toEqual([
      'optionExpiry',
    ]);
    expect(
      dueFollowUps({ ...sent, agent: 'a' }, DEFAULT_POLICY, day(10), new Set(['optionExpiry'])).map(
        (a) => a.key,
      ),
    ).toEqual(['quotationEmail', 'confirmationChaser']);
    expect(
      dueFollowUps({ ...sent, owner: null }, DEFAULT_POLICY, day(7)).find(
        (a) => a.key === 'confirmationChaser',
      )?.cc,
    ).toBeUndefined();
  });

  it('reminds per instalment of the schedule, keyed by its number', () => {
    const schedule = scheduleDeposit(
      { total: 10_000, depositPercent: 25, confirmedOn: day(3), arrival: day(40) },
      DEFAULT_POLICY,
    ).instalments;
    const q = { ...confirmed, instalments: schedule };
    const plan = planFollowUps(q, DEFAULT_POLICY).map((p) => `${p.key}@${dayOf(p.dueOn)}`);
    expect(plan).toEqual([
      'depositReminder:1@7',
      'depositCall:1@10',
      'depositOverdue:1@11',
      'depositReminder:2@23',
      'depositCall:2@26',
      'roomingListRequest@26',
      'depositOverdue:2@27',
      'roomingListCall@33',
      'settlement@45',
    ]);
    const paidFirst = { ...q, instalments: markInstalmentPaid(schedule, 1, day(9)) };
    const keys = planFollowUps(paidFirst, DEFAULT_POLICY).map((p) => p.key);
    expect(keys).not.toContain('depositReminder:1');
    expect(keys).toContain('depositReminder:2');
    expect(planFollowUps(paidFirst, DEFAULT_POLICY).find((p) => p.key === 'handoff')?.dueOn).toEqual(day(9));
  });

  it('without a deposit asked, the handoff follows the confirmation', () => {
    const noDeposit = scheduleDeposit(
      { total: 1000, depositPercent: 0, confirmedOn: day(3), arrival: day(40) },
      DEFAULT_POLICY,
    ).instalments;
    expect(
      planFollowUps({ ...confirmed, instalments: noDeposit }, DEFAULT_POLICY).find((p) => p.key === 'handoff')
        ?.dueOn,
    ).toEqual(day(3));
  });

  it('transferred ends the handoff; settled ends settlement and overdue tasks', () => {
    const paid = { ...confirmed, depositDueOn: day(10), depositReceivedOn: day(8) };
    expect(planFollowUps({ ...paid, phase: 'transferred' }, DEFAULT_POLICY).map((p) => p.key)).not.toContain(
      'handoff',
    );
    const settled = planFollowUps(
      { ...confirmed, phase: 'settled', depositDueOn: day(10) },
      DEFAULT_POLICY,
    ).map((p) => p.key);
    expect(settled).not.toContain('settlement');
    expect(settled).not.toContain('depositOverdue:1');
  });

  it('tells the timeline when the next action falls due', () => {
    expect(formatDateOnly(nextFollowUpOn(sent, DEFAULT_POLICY, day(0))!)).toBe(formatDateOnly(day(7)));
    expect(nextFollowUpOn({ ...sent, phase: 'lost' }, DEFAULT_POLICY, day(0))).toBeNull();
  });

  it('calls the agency on the deposit due date only while nothing is paid, and reviews the cutoff once', () => {
    const confirmedOnly: FollowUpQuotation = {
      ...sent,
      phase: 'confirmed',
      confirmedOn: day(3),
      depositDueOn: day(10),
      cutoffDate: day(30),
    };
    const unpaid = sweep(() => confirmedOnly);
    expect(unpaid.get('depositCall:1')).toBe(10);
    expect(unpaid.get('cutoffReview')).toBe(30);
    // Paid before the due date: no call, the cutoff review still comes.
    const paid = sweep((n) => (n >= 8 ? { ...confirmedOnly, depositReceivedOn: day(8) } : confirmedOnly));
    expect(paid.has('depositCall:1')).toBe(false);
    expect(paid.get('cutoffReview')).toBe(30);
    // A request never sent holds no rooms: nothing to review.
    expect(sweep(() => ({ ...sent, quoteSentOn: null, cutoffDate: day(30) })).has('cutoffReview')).toBe(
      false,
    );
  });

  it('asks for no settlement once the payment is recorded, even before the phase says Settled', () => {
    const stayed: FollowUpQuotation = {
      ...sent,
      phase: 'transferred',
      confirmedOn: day(3),
      depositReceivedOn: day(5),
    };
    expect(sweep(() => stayed).get('settlement')).toBe(55);
    expect(sweep(() => ({ ...stayed, paymentReceivedOn: day(40) })).has('settlement')).toBe(false);
  });
});
