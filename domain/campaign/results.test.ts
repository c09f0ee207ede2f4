import { InvalidCampaignSettingError } from './errors';
import {
  activityResponders,
  answeredActivity,
  attributeOrders,
  attributeOrdersToActivities,
  campaignResults,
  DEFAULT_ATTRIBUTION_DAYS,
  uplift,
} from './results';

describe('uplift', () => {
  it('gives the difference with a Wald interval and the ratio with a log interval', () => {
    const result = uplift({ size: 1000, responders: 100 }, { size: 100, responders: 5 });
    expect(result?.difference.value).toBeCloseTo(0.05, 10);
    // se = √(0.1·0.9/1000 + 0.05·0.95/100) = 0.023770
    expect(result?.difference.low).toBeCloseTo(0.003412, 5);
    expect(result?.difference.high).toBeCloseTo(0.096588, 5);
    expect(result?.ratio?.value).toBeCloseTo(2, 10);
    // log se = √(1/100 − 1/1000 + 1/5 − 1/100) = 0.446094
    expect(result?.ratio?.low).toBeCloseTo(0.83427, 4);
    expect(result?.ratio?.high).toBeCloseTo(4.7947, 3);
  });

  it('leaves the ratio out while the control group has no response', () => {
    const result = uplift({ size: 50, responders: 5 }, { size: 10, responders: 0 });
    expect(result?.difference.value).toBeCloseTo(0.1, 10);
    expect(result?.ratio).toBeUndefined();
  });

  it('has no uplift without a control group', () => {
    expect(uplift({ size: 50, responders: 5 }, { size: 0, responders: 0 })).toBeUndefined();
  });
});

describe('campaignResults', () => {
  it('splits responders into target, control and others', () => {
    const results = campaignResults({
      targeted: 10,
      contacted: new Set(['a', 'b', 'c', 'd']),
      control: new Set(['e', 'f']),
      excluded: { 'no-consent': 3, control: 2 },
      responders: new Set(['a', 'b', 'e', 'z']),
      responses: 5,
    });
    expect(results.contacted).toEqual({ size: 4, responders: 2 });
    expect(results.control).toEqual({ size: 2, responders: 1 });
    expect(results.otherResponders).toBe(1);
    expect(results.targetRate).toBe(0.5);
    expect(results.controlRate).toBe(0.5);
    expect(results.uplift?.difference.value).toBe(0);
  });
});

describe('attributeOrders', () => {
  const DAY = 86_400_000;
  const sent = Date.UTC(2026, 2, 10, 9);
  const facts = {
    campaignId: 'spring',
    windowDays: DEFAULT_ATTRIBUTION_DAYS,
    target: new Map([
      ['ana', sent],
      // postponed by the frequency cap: her window starts two days later
      ['bea', sent + 2 * DAY],
      ['carl', sent],
      ['dora', sent],
    ]),
    control: new Map([
      ['eva', sent],
      ['fran', sent],
    ]),
  };

  it('credits orders inside each contact’s window to its group, with their value', () => {
    const result = attributeOrders({
      ...facts,
      orders: [
        { contactId: 'ana', confirmedOn: sent + 3 * DAY, value: 600 },
        { contactId: 'ana', confirmedOn: sent + 29 * DAY, value: 150 },
        // before the campaign reached her, and after her window closed
        { contactId: 'bea', confirmedOn: sent + DAY, value: 900 },
        { contactId: 'carl', confirmedOn: sent + 30 * DAY, value: 900 },
        { contactId: 'bea', confirmedOn: sent + 31 * DAY, value: 250 },
        { contactId: 'eva', confirmedOn: sent + 10 * DAY, value: 200 },
        // not in the campaign at all
        { contactId: 'zoe', confirmedOn: sent + DAY, value: 5000 },
      ],
    });
    expect(result.target).toEqual({ size: 4, orders: 3, revenue: 1000, revenuePerContact: 250 });
    expect(result.control).toEqual({ size: 2, orders: 1, revenue: 200, revenuePerContact: 100 });
    expect(result.revenueUpliftPerContact).toBe(150);
  });

  it('has no uplift on revenue without a control group', () => {
    const result = attributeOrders({ ...facts, control: new Map(), orders: [] });
    expect(result.control.revenuePerContact).toBeUndefined();
    expect(result.revenueUpliftPerContact).toBeUndefined();
  });

  it('refuses a window that is not a positive whole number of days, naming the column', () => {
    expect(() => attributeOrders({ ...facts, windowDays: 0, orders: [] })).toThrow(
      InvalidCampaignSettingError,
    );
    expect(() => attributeOrders({ ...facts, windowDays: 0, orders: [] })).toThrow(
      /attribution window \(days\) is 0/,
    );
  });
});

describe('answeredActivity', () => {
  const email = { campaignActivityId: 'email', sentOn: Date.UTC(2026, 2, 10) };
  const call = { campaignActivityId: 'call', sentOn: Date.UTC(2026, 2, 12) };

  it('names the latest campaign activity sent at or before the answer', () => {
    expect(answeredActivity([email, call], Date.UTC(2026, 2, 11))).toBe('email');
    expect(answeredActivity([email, call], Date.UTC(2026, 2, 12))).toBe('call');
    expect(answeredActivity([call, email], Date.UTC(2026, 3, 1))).toBe('call');
  });

  it('names none when nothing reached the contact, or only after the answer', () => {
    expect(answeredActivity([], Date.UTC(2026, 2, 11))).toBeNull();
    expect(answeredActivity([call], Date.UTC(2026, 2, 11))).toBeNull();
  });

  it('takes an undated activity when no dated one came before, and the latest when the answer has no date', () => {
    expect(
      answeredActivity([call, { campaignActivityId: 'letter', sentOn: null }], Date.UTC(2026, 2, 11)),
    ).toBe('letter');
    expect(answeredActivity([email, call], null)).toBe('call');
  });
});

describe('activityResponders', () => {
  it('counts a linked response for its activity only, and an unlinked one for every activity', () => {
    const responses = [
      { contactId: 'ana', campaignActivityId: 'email' },
      { contactId: 'bea', campaignActivityId: 'call' },
      { contactId: 'carl', campaignActivityId: null },
    ];
    expect([...activityResponders(responses, 'email')].sort()).toEqual(['ana', 'carl']);
    expect([...activityResponders(responses, 'call')].sort()).toEqual(['bea', 'carl']);
  });
});

describe('attributeOrdersToActivities', () => {
  const DAY = 86_400_000;
  const sent = Date.UTC(2026, 2, 10, 9);
  const email = { campaignActivityId: 'email', sentOn: sent };
  const call = { campaignActivityId: 'call', sentOn: sent + 5 * DAY };
  const facts = {
    campaignId: 'spring',
    windowDays: DEFAULT_ATTRIBUTION_DAYS,
    target: new Map([
      ['ana', sent],
      ['bea', sent],
      ['carl', sent],
    ]),
  };
  const deliveries = new Map([
    ['ana', [email, call]],
    ['bea', [email, call]],
    ['carl', [email]],
  ]);
  const orders = [
    // linked responses: the activity the response names, whatever was sent last
    { contactId: 'ana', confirmedOn: sent + 7 * DAY, value: 600, campaignActivityId: 'email' },
    { contactId: 'bea', confirmedOn: sent + 7 * DAY, value: 250, campaignActivityId: 'call' },
    // no response (or an unlinked one): what reached the contact last before the order
    { contactId: 'bea', confirmedOn: sent + 2 * DAY, value: 100, campaignActivityId: null },
    { contactId: 'ana', confirmedOn: sent + 6 * DAY, value: 40, campaignActivityId: null },
    // outside the window, and a control-group member: no activity's
    { contactId: 'carl', confirmedOn: sent + 30 * DAY, value: 900, campaignActivityId: null },
    { contactId: 'eva', confirmedOn: sent + DAY, value: 200, campaignActivityId: null },
  ];

  it('credits each order in the window to the activity its response is linked to, else the one that reached the contact last', () => {
    const byActivity = attributeOrdersToActivities({ ...facts, orders }, deliveries);
    expect(Object.fromEntries(byActivity)).toEqual({
      email: { orders: 2, revenue: 700 },
      call: { orders: 2, revenue: 290 },
    });
  });

  it('adds up to the revenue the campaign attributes to the contacted', () => {
    const total = [...attributeOrdersToActivities({ ...facts, orders }, deliveries).values()].reduce(
      (sum, a) => sum + a.revenue,
      0,
    );
    const campaign = attributeOrders({ ...facts, control: new Map([['eva', sent]]), orders });
    expect(total).toBe(campaign.target.revenue);
  });

  it('refuses the window the campaign-level attribution refuses', () => {
    expect(() => attributeOrdersToActivities({ ...facts, windowDays: 1.5, orders: [] }, deliveries)).toThrow(
      InvalidCampaignSettingError,
    );
  });
});
