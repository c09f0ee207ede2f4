import { type DateOnly, formatDateOnly, parseDateOnly } from './dateonly';
import { InvalidPolicyError } from './errors';
import { DEFAULT_POLICY, policyDates, resolvePolicy, resolvePolicyPercents } from './policy';

describe('resolvePolicy', () => {
  it('gives the documented defaults when there is no row', () => {
    expect(resolvePolicy()).toEqual({
      confirmationChaserDays: 7,
      roomingListCallDays: 7,
      roomingListDueDays: 14,
      optionDays: 10,
      depositDueAfterConfirmDays: 7,
      depositReminderDays: 3,
      cutoffDays: 21,
      balanceDueDays: 14,
      defaultDepositPercent: 25,
      childPricePercent: 100,
    });
    expect(resolvePolicy(null)).toEqual(DEFAULT_POLICY);
  });

  it('takes stored values over defaults and defaults for empty columns', () => {
    const policy = resolvePolicy({
      confirmationChaserDays: 5,
      roomingListCallDays: null,
      defaultDepositPercent: 30,
      childPricePercent: 0,
    });
    expect(policy.confirmationChaserDays).toBe(5);
    expect(policy.roomingListCallDays).toBe(7);
    expect(policy.defaultDepositPercent).toBe(30);
    expect(policy.childPricePercent).toBe(0);
    expect(resolvePolicy({ optionDays: 0 }).optionDays).toBe(0);
  });

  it('does not let a resolved policy change the defaults', () => {
    resolvePolicy({ optionDays: 3 }).optionDays = 99;
    expect(resolvePolicy().optionDays).toBe(10);
  });

  it('rejects unusable values, naming the policy, every bad setting and what is allowed', () => {
    let error: unknown;
    try {
      resolvePolicy({ confirmationChaserDays: -1, cutoffDays: 2.5, defaultDepositPercent: 120 }, 'Hotel Sol');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidPolicyError);
    const policyError = error as InvalidPolicyError;
    expect(policyError.problems.map((p) => p.field)).toEqual([
      'confirmationChaserDays',
      'cutoffDays',
      'defaultDepositPercent',
    ]);
    expect(policyError.message).toContain('Quotation policy "Hotel Sol"');
    expect(policyError.message).toContain('cutoffDays = 2.5 (allowed: a whole number of days from 0 to 365)');
    expect(() => resolvePolicy({ optionDays: 400 })).toThrow(InvalidPolicyError);
  });
});

describe('resolvePolicyPercents (what the form fills in)', () => {
  it('gives the same two percentages as resolvePolicy, and refuses the same bad values', () => {
    const cases = [
      null,
      {},
      { defaultDepositPercent: 40 },
      { childPricePercent: 0, defaultDepositPercent: null },
    ];
    for (const stored of cases) {
      const full = resolvePolicy(stored);
      expect(resolvePolicyPercents(stored)).toEqual({
        defaultDepositPercent: full.defaultDepositPercent,
        childPricePercent: full.childPricePercent,
      });
    }
    expect(() => resolvePolicyPercents({ childPricePercent: 120 }, 'Summer')).toThrow(InvalidPolicyError);
    expect(() => resolvePolicyPercents({ childPricePercent: 120 }, 'Summer')).toThrow(
      'Quotation policy "Summer" cannot be used: childPricePercent = 120 (allowed: a percentage from 0 to 100).',
    );
  });
});

describe('policyDates', () => {
  it('places the option, cutoff, rooming list, deposit and balance dates', () => {
    const dates = policyDates(
      {
        quoteSentOn: parseDateOnly('2026-03-02'),
        confirmedOn: parseDateOnly('2026-03-09'),
        arrival: parseDateOnly('2026-04-20'),
      },
      DEFAULT_POLICY,
    );
    const shown = Object.fromEntries(
      (Object.entries(dates) as [string, DateOnly | null][]).map(([k, v]) => [k, v && formatDateOnly(v)]),
    );
    expect(shown).toEqual({
      optionExpiresOn: '2026-03-12',
      cutoffDate: '2026-03-30',
      roomingListDueOn: '2026-04-06',
      depositDueOn: '2026-03-16',
      balanceDueOn: '2026-04-06',
    });
    expect(policyDates({ quoteSentOn: null, confirmedOn: null, arrival: null }, DEFAULT_POLICY)).toEqual({
      optionExpiresOn: null,
      cutoffDate: null,
      roomingListDueOn: null,
      depositDueOn: null,
      balanceDueOn: null,
    });
  });
});
