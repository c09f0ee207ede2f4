import { dateOnly, type DateOnly } from '../../domain/quotation/dateonly';
import { type FollowUpQuotation, type QuotationPhase } from '../../domain/quotation/followups';
import { DEFAULT_POLICY } from '../../domain/quotation/policy';
import { QuotationPhase as PhaseChoice } from '../../dataverse/generated/choices';
import { phaseOf, toTimeline } from './timeline';

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
