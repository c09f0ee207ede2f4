import { dateOnly, type DateOnly } from '../../domain/quotation/dateonly';
import { type FollowUpQuotation, type QuotationPhase } from '../../domain/quotation/followups';
import { DEFAULT_POLICY } from '../../domain/quotation/policy';
import { QuotationPhase as PhaseChoice } from '../../dataverse/generated/choices';
import { InvalidPolicyError } from '../../domain/quotation/errors';
import { idr_quotationpolicy } from '../../dataverse/generated/idr_quotationpolicy';
import {
  defaultPolicyOptions,
  phaseOf,
  policyFromRow,
  policyIdOf,
  policyOptions,
  toTimeline,
} from './timeline';

const d = (month: number, day: number): DateOnly => dateOnly(2027, month, day);
const TODAY = d(3, 10);

function quotation(phase: QuotationPhase, overrides: Partial<FollowUpQuotation> = {}): FollowUpQuotation {
  return {
    phase,
    quoteSentOn: null,
    confirmedOn: null,
    arrival: d(6, 1),
    departure: d(6, 5),
    depositDueOn: null,
    depositReceivedOn: null,
    roomingListReceivedOn: null,
    optionExpiresOn: null,
    agent: 'agent',
    owner: 'owner',
    ...overrides,
  };
}

const SENT = { quoteSentOn: d(3, 1) };
const CONFIRMED = { ...SENT, confirmedOn: d(3, 5), depositDueOn: d(3, 12) };
const PAID = { ...CONFIRMED, depositReceivedOn: d(3, 9) };
const LISTED = { ...PAID, roomingListReceivedOn: d(5, 10) };

describe('QuotationTimeline mapping: each phase', () => {
  it.each<[QuotationPhase, Partial<FollowUpQuotation>, string[], string[]]>([
    ['request', {}, ['current'], []],
    [
      'quotationSent',
      SENT,
      ['done', 'current'],
      ['quotationEmail:overdue', 'confirmationChaser:overdue', 'optionExpiry:upcoming'],
    ],
    [
      'confirmed',
      CONFIRMED,
      ['done', 'done', 'current'],
      ['depositReminder:overdue', 'depositCall:upcoming', 'depositOverdue:upcoming'],
    ],
    ['deposit', PAID, ['done', 'done', 'done', 'current'], ['handoff:overdue']],
    ['roomingList', LISTED, ['done', 'done', 'done', 'done', 'current'], ['handoff:overdue']],
    ['proforma', LISTED, ['done', 'done', 'done', 'done', 'done', 'current'], ['handoff:overdue']],
    ['transferred', LISTED, ['done', 'done', 'done', 'done', 'done', 'done', 'current'], []],
    ['settled', LISTED, ['done', 'done', 'done', 'done', 'done', 'done', 'done', 'current'], []],
  ])('%s', (phase, dates, steps, followUps) => {
    const timeline = toTimeline(quotation(phase, dates), DEFAULT_POLICY, TODAY, new Set());
    expect(timeline.steps.map((s) => s.state).slice(0, steps.length)).toEqual(steps);
    expect(timeline.steps.slice(steps.length).every((s) => s.state === 'upcoming')).toBe(true);
    expect(
      timeline.followUps
        .filter(
          (f) =>
            f.action !== 'roomingListRequest' && f.action !== 'roomingListCall' && f.action !== 'settlement',
        )
        .map((f) => `${f.action}:${f.status}`),
    ).toEqual(followUps);
  });

  it('a lost quotation has no step current and no follow-up', () => {
    const timeline = toTimeline(quotation('lost', SENT), DEFAULT_POLICY, TODAY, new Set());
    expect(timeline.closed).toBe(true);
    expect(timeline.steps.map((s) => s.state).slice(0, 3)).toEqual(['upcoming', 'done', 'upcoming']);
    expect(timeline.followUps).toEqual([]);
  });

  it('marks follow-ups recorded by the sweep as done, the rest overdue in date order, and the next due day', () => {
    const timeline = toTimeline(
      quotation('quotationSent', SENT),
      DEFAULT_POLICY,
      d(3, 9),
      new Set(['quotationEmail']),
    );
    expect(timeline.followUps.map((f) => [f.action, f.status, f.dueOn])).toEqual([
      ['quotationEmail', 'done', d(3, 1)],
      ['confirmationChaser', 'overdue', d(3, 8)],
      ['optionExpiry', 'upcoming', d(3, 11)],
    ]);
    expect(timeline.overdueCount).toBe(1);
    expect(timeline.nextDueOn).toEqual(d(3, 11));
  });

  it('reads the idr_phase choice, an empty phase as a request', () => {
    expect(phaseOf(PhaseChoice.RoomingList)).toBe('roomingList');
    expect(phaseOf(null)).toBe('request');
  });
});

describe("QuotationTimeline mapping: the quotation's policy", () => {
  const P = idr_quotationpolicy.columns;

  it('reads the id of the idr_policy lookup as the form hands it over', () => {
    const id = '{5A0E3B9F-599A-4CBB-BC5A-37874DB0A234}';
    expect(policyIdOf([{ id, entityType: idr_quotationpolicy.logicalName }])).toBe(
      '5a0e3b9f-599a-4cbb-bc5a-37874db0a234',
    );
    expect(policyIdOf([])).toBeNull();
    expect(policyIdOf(null)).toBeNull();
  });

  it('asks for every policy column, and for the oldest active default row when the quotation has none', () => {
    const one = new URLSearchParams(policyOptions().slice(1));
    expect(one.get('$select')?.split(',')).toEqual(
      expect.arrayContaining([P.idr_name, P.idr_optiondays, P.idr_confirmationchaserdays, P.idr_cutoffdays]),
    );
    const fallback = new URLSearchParams(defaultPolicyOptions().slice(1));
    expect(fallback.get('$filter')).toBe(
      `${P.idr_isdefault} eq true and ${P.statecode} eq ${idr_quotationpolicy.choices.statecode.Active}`,
    );
    expect([fallback.get('$orderby'), fallback.get('$top')]).toEqual([`${P.createdon} asc`, '1']);
  });

  it("plans with the row's values, each empty column taking the default", () => {
    const policy = policyFromRow({
      [P.idr_name]: 'Hotel Sol',
      [P.idr_optiondays]: 30,
      [P.idr_cutoffdays]: null,
    });
    expect(policy).toEqual({ ...DEFAULT_POLICY, optionDays: 30 });
    const timeline = toTimeline(quotation('quotationSent', SENT), policy, TODAY, new Set());
    expect(timeline.followUps.find((f) => f.action === 'optionExpiry')?.dueOn).toEqual(d(3, 31));
  });

  it('uses the built-in defaults when there is no row, and names the row whose value cannot be used', () => {
    expect(policyFromRow(undefined)).toEqual(DEFAULT_POLICY);
    expect(() => policyFromRow({ [P.idr_name]: 'Hotel Sol', [P.idr_optiondays]: -2 })).toThrow(
      InvalidPolicyError,
    );
    expect(() => policyFromRow({ [P.idr_name]: 'Hotel Sol', [P.idr_optiondays]: -2 })).toThrow(/Hotel Sol/);
  });
});
