import type { Candidate, DistributionRequest, Impact } from './guard';
import { blockOn, controlGroup, planDistribution } from './guard';
import { InvalidCampaignSettingError, InvalidContactPolicyError } from './errors';
import type { ContactPolicy } from './policy';
import { DEFAULT_CONTACT_POLICY } from './policy';

const START = 20_000;
const open: ContactPolicy = {
  channelCaps: {},
  overallCap: {},
  overCap: 'postpone',
  horizonDays: 30,
  excludeBelowZero: true,
  dailyCapacity: {},
};

function people(count: number, prefix = 'c'): Candidate[] {
  return Array.from({ length: count }, (_, i) => ({
    contactId: `${prefix}${String(i).padStart(4, '0')}`,
    consent: {},
    belowZero: false,
    priority: 0,
  }));
}

function request(overrides: Partial<DistributionRequest>): DistributionRequest {
  return {
    campaignId: 'spring',
    channel: 'email',
    startDay: START,
    controlPercent: 0,
    incompatibleWithinDays: 0,
    candidates: [],
    exclusionListMembers: new Set(),
    impacts: [],
    policy: open,
    ...overrides,
  };
}

function reasonOf(plan: ReturnType<typeof planDistribution>, id: string): string | undefined {
  return plan.exclusions.find((e) => e.contactId === id)?.reason;
}

describe('planDistribution', () => {
  it('excludes Robinson members, opted-out and Below-Zero contacts, each with its reason', () => {
    const candidates = people(5);
    candidates[1] = { ...candidates[1], consent: { donotbulkemail: true } };
    candidates[2] = { ...candidates[2], belowZero: true };
    const plan = planDistribution(request({ candidates, exclusionListMembers: new Set(['c0000', 'c0001']) }));
    // On an exclusion list and opted out: the legal reason comes first.
    expect(reasonOf(plan, 'c0000')).toBe('exclusion-list');
    expect(reasonOf(plan, 'c0001')).toBe('exclusion-list');
    expect(reasonOf(plan, 'c0002')).toBe('below-zero');
    expect(plan.actions.map((a) => a.contactId)).toEqual(['c0003', 'c0004']);
    expect(plan.counts.excluded).toMatchObject({ 'exclusion-list': 2, 'below-zero': 1, 'no-consent': 0 });
  });

  it('contacts Below-Zero customers when the policy allows it', () => {
    const candidates = people(2).map((c) => ({ ...c, belowZero: true }));
    const plan = planDistribution(request({ candidates, policy: { ...open, excludeBelowZero: false } }));
    expect(plan.counts.created).toBe(2);
  });

  it('counts a contact who is in two lists once', () => {
    const plan = planDistribution(request({ candidates: [...people(3), ...people(2)] }));
    expect(plan.counts.targeted).toBe(3);
    expect(plan.actions).toHaveLength(3);
  });

  it('postpones an action over the weekly cap to the first allowed day', () => {
    const impacts: Impact[] = [
      { contactId: 'c0000', channel: 'email', day: START - 6, campaignId: 'a' },
      { contactId: 'c0000', channel: 'email', day: START - 2, campaignId: 'b' },
    ];
    const policy = { ...open, channelCaps: { email: { week: 2 } } };
    const plan = planDistribution(request({ candidates: people(2), impacts, policy }));
    // The impact of START-6 leaves the 7-day window on START+1.
    expect(plan.actions).toEqual([
      { contactId: 'c0000', day: START + 1, postponedBecause: 'frequency-cap' },
      { contactId: 'c0001', day: START },
    ]);
    expect(plan.counts.postponed).toBe(1);
  });

  it('drops an action over the cap when the policy says drop', () => {
    const impacts: Impact[] = [{ contactId: 'c0000', channel: 'email', day: START, campaignId: 'a' }];
    const policy: ContactPolicy = { ...open, overallCap: { day: 1 }, overCap: 'drop' };
    const plan = planDistribution(request({ candidates: people(1), impacts, policy }));
    expect(plan.actions).toEqual([]);
    expect(reasonOf(plan, 'c0000')).toBe('frequency-cap');
  });

  it('counts other channels against the overall cap only', () => {
    const impacts: Impact[] = [{ contactId: 'c0000', channel: 'phone', day: START, campaignId: 'a' }];
    const emailCap = { ...open, channelCaps: { email: { day: 1 } }, overCap: 'drop' as const };
    expect(
      planDistribution(request({ candidates: people(1), impacts, policy: emailCap })).counts.created,
    ).toBe(1);
    const overall = { ...emailCap, overallCap: { day: 1 } };
    expect(
      planDistribution(request({ candidates: people(1), impacts, policy: overall })).counts.created,
    ).toBe(0);
  });

  it('keeps a future scheduled impact in the windows the new action would fall into', () => {
    const impacts: Impact[] = [{ contactId: 'c0000', channel: 'email', day: START + 3, campaignId: 'a' }];
    const policy = { ...open, channelCaps: { email: { week: 1 } } };
    const plan = planDistribution(request({ candidates: people(1), impacts, policy }));
    expect(plan.actions[0]?.day).toBe(START + 10);
  });

  it('never puts two incompatible campaigns inside the wider window', () => {
    const impacts: Impact[] = [
      {
        contactId: 'c0000',
        channel: 'email',
        day: START - 3,
        campaignId: 'offer-a',
        incompatibleWithinDays: 14,
      },
      { contactId: 'c0001', channel: 'email', day: START - 3, campaignId: 'newsletter' },
    ];
    const plan = planDistribution(request({ candidates: people(2), impacts, incompatibleWithinDays: 7 }));
    expect(plan.actions).toEqual([
      { contactId: 'c0000', day: START + 11, postponedBecause: 'incompatible' },
      { contactId: 'c0001', day: START },
    ]);
    const own = request({ incompatibleWithinDays: 7, campaignId: 'offer-a' });
    expect(blockOn(own, impacts, START)).toBeUndefined();
  });

  it('holds out a control group that reruns pick again, sized from the eligible target', () => {
    const candidates = people(200);
    const exclusionListMembers = new Set(['c0000', 'c0001']);
    const first = planDistribution(request({ candidates, controlPercent: 10, exclusionListMembers }));
    const again = planDistribution(
      request({ candidates: [...candidates].reverse(), controlPercent: 10, exclusionListMembers }),
    );
    const control = (p: typeof first) =>
      p.exclusions
        .filter((e) => e.reason === 'control')
        .map((e) => e.contactId)
        .sort();
    expect(control(first)).toHaveLength(20); // 10 % of 198, rounded
    expect(control(again)).toEqual(control(first));
    expect(control(first)).not.toContain('c0000');
    const other = planDistribution(
      request({ candidates, controlPercent: 10, exclusionListMembers, campaignId: 'autumn' }),
    );
    expect(control(other)).not.toEqual(control(first));
  });

  it('on a rerun plans nobody twice and draws the same control group', () => {
    const candidates = people(100);
    const first = planDistribution(request({ candidates, controlPercent: 10 }));
    const contacted = new Set(first.actions.map((a) => a.contactId));
    const rerun = planDistribution(request({ candidates, controlPercent: 10, alreadyContacted: contacted }));
    expect(rerun.actions).toEqual([]);
    expect(rerun.counts.already).toBe(90);
    expect(rerun.exclusions).toEqual(first.exclusions);
  });

  it('keeps everyone else’s draw when a member is added', () => {
    const ids = people(300).map((c) => c.contactId);
    const before = controlGroup('spring', ids, 50);
    const after = controlGroup('spring', [...ids, 'late'], 50);
    const moved = [...before].filter((id) => !after.has(id));
    expect(moved.length).toBeLessThanOrEqual(1);
  });

  it('spreads calls over days within capacity, highest value first, and reports what did not fit', () => {
    const candidates = people(130).map((c, i) => ({ ...c, priority: i }));
    const policy = { ...open, dailyCapacity: { phone: 40 }, horizonDays: 3 };
    const plan = planDistribution(request({ channel: 'phone', candidates, policy }));
    expect(plan.counts.perDay).toEqual([
      { day: START, actions: 40 },
      { day: START + 1, actions: 40 },
      { day: START + 2, actions: 40 },
      { day: START + 3, actions: 10 },
    ]);
    // Highest priority (the last generated) go on the first day.
    expect(plan.actions.find((a) => a.contactId === 'c0129')?.day).toBe(START);
    expect(plan.actions.find((a) => a.contactId === 'c0000')?.day).toBe(START + 3);
    const short = planDistribution(
      request({ channel: 'phone', candidates, policy: { ...policy, horizonDays: 2 } }),
    );
    expect(short.counts.excluded.capacity).toBe(10);
    expect(reasonOf(short, 'c0000')).toBe('capacity');
  });

  it('refuses a policy or campaign setting out of range, naming it', () => {
    expect(() => planDistribution(request({ policy: { ...open, dailyCapacity: { phone: 0 } } }))).toThrow(
      InvalidContactPolicyError,
    );
    expect(() => planDistribution(request({ controlPercent: 120, candidates: people(1) }))).toThrow(
      /control percentage is 120/,
    );
    expect(() => planDistribution(request({ incompatibleWithinDays: -1 }))).toThrow(
      InvalidCampaignSettingError,
    );
  });

  it('ships a default policy that passes its own validation', () => {
    const plan = planDistribution(request({ candidates: people(3), policy: DEFAULT_CONTACT_POLICY }));
    expect(plan.counts.created).toBe(3);
  });
});
