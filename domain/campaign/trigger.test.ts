import { DEFAULT_CONTACT_POLICY } from './policy';
import {
  birthdayOccurrences,
  cartOccurrences,
  crossingTime,
  guardAction,
  guardTriggeredAction,
  nextBirthday,
  responseOccurrences,
  scoreDropOccurrences,
  segmentOccurrences,
  type TriggerInteraction,
  type TriggerRule,
  validateTrigger,
} from './trigger';
import { InvalidTriggerError } from './errors';

const DAY = 86_400_000;
const HOUR = 3_600_000;
const at = (iso: string) => Date.parse(iso);
const day = (iso: string) => Math.floor(at(iso) / DAY);

const cart: TriggerRule = { id: 't1', name: 'Cart', kind: 'cart-abandoned', action: 'email', hours: 2 };

describe('cart abandoned', () => {
  const abandoned: TriggerInteraction = {
    id: 'i1',
    contactId: 'c1',
    kind: 'cart-abandoned',
    occurredOn: at('2026-05-04T10:00:00Z'),
  };
  it('fires once the hours are over without an order, with the cart as the occurrence', () => {
    expect(cartOccurrences(cart, [abandoned], at('2026-05-04T11:59:00Z'))).toEqual([]);
    const [occurrence] = cartOccurrences(cart, [abandoned], at('2026-05-04T12:00:00Z'));
    expect(occurrence).toEqual({
      triggerId: 't1',
      contactId: 'c1',
      key: 't1|c1|interaction:i1',
      at: at('2026-05-04T12:00:00Z'),
    });
  });
  it('does not fire when an order follows within the hours; a later order does not stop it', () => {
    const order = (t: string): TriggerInteraction => ({
      id: 'o',
      contactId: 'c1',
      kind: 'order',
      occurredOn: at(t),
    });
    const now = at('2026-05-05T00:00:00Z');
    expect(cartOccurrences(cart, [abandoned, order('2026-05-04T11:30:00Z')], now)).toEqual([]);
    expect(cartOccurrences(cart, [abandoned, order('2026-05-04T13:00:00Z')], now)).toHaveLength(1);
  });
});

describe('birthday', () => {
  const rule: TriggerRule = { id: 'b', name: 'Birthday', kind: 'birthday', action: 'task', days: 3 };
  it('fires within N days before, keyed by the year, so once a year', () => {
    const people = [{ contactId: 'c1', birthdate: '1980-06-10' }];
    expect(birthdayOccurrences(rule, people, day('2026-06-06'))).toEqual([]);
    const first = birthdayOccurrences(rule, people, day('2026-06-07'));
    const again = birthdayOccurrences(rule, people, day('2026-06-09'));
    expect(first.map((o) => o.key)).toEqual(['b|c1|birthday:2026']);
    expect(again.map((o) => o.key)).toEqual(first.map((o) => o.key));
    expect(birthdayOccurrences(rule, people, day('2027-06-08')).map((o) => o.key)).toEqual([
      'b|c1|birthday:2027',
    ]);
  });
  it('moves 29 February to the 28th in other years, and wraps at the year end', () => {
    expect(nextBirthday('2000-02-29', day('2027-02-01'))).toEqual({ year: 2027, day: day('2027-02-28') });
    expect(nextBirthday('1990-01-02', day('2026-12-31'))).toEqual({ year: 2027, day: day('2027-01-02') });
  });
});

describe('segments, responses and score drops', () => {
  const enters: TriggerRule = {
    id: 's',
    name: 'Enters',
    kind: 'enters-segment',
    action: 'add-to-list',
    conceptId: 'k',
    listId: 'l',
  };
  it('a segment entry is one occurrence, whoever sees it', () => {
    const state = { contactId: 'c', conceptId: 'k', inSegment: true, changedOn: at('2026-05-01T09:00:00Z') };
    const once = segmentOccurrences(enters, [state], at('2026-04-30T00:00:00Z'));
    expect(once).toHaveLength(1);
    expect(segmentOccurrences(enters, [state], at('2026-04-30T00:00:00Z'))).toEqual(once);
    expect(segmentOccurrences(enters, [{ ...state, inSegment: false }], 0)).toEqual([]);
    expect(segmentOccurrences(enters, [{ ...state, conceptId: 'other' }], 0)).toEqual([]);
  });
  it('a response interaction fires once per interaction', () => {
    const rule: TriggerRule = { id: 'r', name: 'Coupon', kind: 'response', action: 'phone-call' };
    const click: TriggerInteraction = { id: 'x', contactId: 'c', kind: 'response', occurredOn: 5 };
    expect(responseOccurrences(rule, [click, { ...click, id: 'y', kind: 'other' }])).toEqual([
      { triggerId: 'r', contactId: 'c', key: 'r|c|interaction:x', at: 5 },
    ]);
  });
  it('a score decaying below the threshold fires at the crossing', () => {
    const state = { contactId: 'c', conceptId: 'k', score: 40, scoredOn: 0, halfLifeDays: 10 };
    expect(crossingTime(state, 20)).toBe(10 * DAY);
    expect(crossingTime({ ...state, score: 10 }, 20)).toBeNull();
    const rule: TriggerRule = {
      id: 'd',
      name: 'Drop',
      kind: 'score-drop',
      action: 'task',
      conceptId: 'k',
      threshold: 20,
    };
    expect(scoreDropOccurrences(rule, [state], 0, 9 * DAY)).toEqual([]);
    expect(scoreDropOccurrences(rule, [state], 0, 11 * DAY).map((o) => o.at)).toEqual([10 * DAY]);
  });
});

describe('the guard for a triggered action', () => {
  const base = {
    rule: cart,
    contactId: 'c',
    consent: {},
    belowZero: false,
    onExclusionList: false,
    impacts: [],
    day: 100,
    policy: DEFAULT_CONTACT_POLICY,
  };
  it('creates it today when nothing stands in the way', () => {
    expect(guardTriggeredAction(base)).toEqual({ outcome: 'create', day: 100 });
  });
  it('respects Robinson lists, consent and Below-Zero', () => {
    expect(guardTriggeredAction({ ...base, onExclusionList: true })).toEqual({
      outcome: 'skip',
      reason: 'exclusion-list',
    });
    expect(guardTriggeredAction({ ...base, consent: { donotemail: true } })).toEqual({
      outcome: 'skip',
      reason: 'no-consent',
    });
    expect(guardTriggeredAction({ ...base, belowZero: true })).toEqual({
      outcome: 'skip',
      reason: 'below-zero',
    });
    // A task reaches no one on a channel: consent does not apply, Robinson does.
    const task = { ...base, rule: { ...cart, action: 'task' as const }, consent: { donotemail: true } };
    expect(guardTriggeredAction(task)).toEqual({ outcome: 'create', day: 100 });
  });
  it('postpones past the daily cap, or drops when the policy says so', () => {
    const impacts = [{ contactId: 'c', channel: 'email' as const, day: 100 }];
    expect(guardTriggeredAction({ ...base, impacts })).toEqual({
      outcome: 'create',
      day: 101,
      postponedBecause: 'frequency-cap',
    });
    const drop = { ...DEFAULT_CONTACT_POLICY, overCap: 'drop' as const };
    expect(guardTriggeredAction({ ...base, impacts, policy: drop })).toEqual({
      outcome: 'skip',
      reason: 'frequency-cap',
    });
  });
});

describe('the guard for any action (a distributed one re-checked on its day)', () => {
  const base = {
    channel: 'phone' as const,
    campaignId: 'spring',
    incompatibleWithinDays: 14,
    contactId: 'c',
    consent: {},
    belowZero: false,
    onExclusionList: false,
    impacts: [],
    day: 100,
    policy: DEFAULT_CONTACT_POLICY,
  };
  it("checks the action's own channel and campaign", () => {
    expect(guardAction(base)).toEqual({ outcome: 'create', day: 100 });
    expect(guardAction({ ...base, consent: { donotphone: true } })).toEqual({
      outcome: 'skip',
      reason: 'no-consent',
    });
    expect(guardAction({ ...base, consent: { donotemail: true } })).toEqual({ outcome: 'create', day: 100 });
    // Another campaign with a window, 3 days before: incompatible; the campaign's own impacts are not.
    const other = { contactId: 'c', channel: 'email' as const, day: 97, incompatibleWithinDays: 14 };
    const drop = { ...DEFAULT_CONTACT_POLICY, overCap: 'drop' as const };
    expect(guardAction({ ...base, impacts: [{ ...other, campaignId: 'autumn' }], policy: drop })).toEqual({
      outcome: 'skip',
      reason: 'incompatible',
    });
    expect(guardAction({ ...base, impacts: [{ ...other, campaignId: 'spring' }] })).toEqual({
      outcome: 'create',
      day: 100,
    });
  });
});

describe('validateTrigger', () => {
  it('names the column a trigger is missing', () => {
    expect(() =>
      validateTrigger({ id: 'x', name: 'No concept', kind: 'enters-segment', action: 'task' }),
    ).toThrow(InvalidTriggerError);
    expect(() => validateTrigger({ ...cart, hours: 0 })).toThrow(/Hours/);
    expect(validateTrigger(cart)).toBe(cart);
    expect(HOUR).toBe(3_600_000);
  });
});
