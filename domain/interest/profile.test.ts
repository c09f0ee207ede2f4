import fc from 'fast-check';
import { InvalidHalfLifeError, InvalidThresholdsError } from './errors';
import {
  type AppliedDelta,
  buildRuleHistory,
  type ConceptConfig,
  type HistoricalInteraction,
  type InterestProfile,
  recheckProfiles,
  rescore,
  scoreEvent,
  stripResult,
} from './profile';
import {
  compileRules,
  EMPTY_HISTORY,
  type InteractionEvent,
  type InteractionRule,
  type RuleHistory,
} from './rules';
import { DAY_MS } from './time';

// Event types are opaque numbers to the engine; the adapter passes the idr_eventtype choice values.
const VISIT = 1;
const CLICK = 2;
const COMPLAINT = 3;

const BASE = Date.UTC(2025, 0, 1);

const concepts: ConceptConfig[] = [
  { id: 'cloud', code: 'CLOUD', halfLifeDays: 30, enterThreshold: 20, exitThreshold: 10, landmark: BASE },
  { id: 'sec', code: 'SEC', halfLifeDays: 90, enterThreshold: 15, exitThreshold: 5, landmark: BASE },
  { id: 'ai', code: 'AI', halfLifeDays: 7, enterThreshold: 8, exitThreshold: 8 },
];

const rules: InteractionRule[] = [
  {
    id: 'r-cloud-visit',
    eventType: VISIT,
    conceptId: 'cloud',
    points: 10,
    match: 'url=*/cloud/*',
    repeatable: true,
    dailyCap: 2,
  },
  {
    id: 'r-cloud-pricing',
    eventType: VISIT,
    conceptId: 'cloud',
    points: 15,
    match: 'url=*/cloud/pricing*',
    repeatable: false,
  },
  {
    id: 'r-sec-visit',
    eventType: VISIT,
    conceptId: 'sec',
    points: 6,
    match: 'url=*/security/*',
    repeatable: true,
  },
  {
    id: 'r-ai-click',
    eventType: CLICK,
    conceptId: 'ai',
    points: 4,
    match: 'campaign=ai*',
    repeatable: true,
    dailyCap: 1,
  },
  { id: 'r-sec-click', eventType: CLICK, conceptId: 'sec', points: 2, repeatable: true },
  { id: 'r-complaint', eventType: COMPLAINT, conceptId: 'cloud', points: -25, repeatable: true },
  { id: 'r-retired', eventType: VISIT, conceptId: 'retired', points: 50, repeatable: true },
];

function visit(url: string, occurredOn: number, extra: Partial<InteractionEvent> = {}): InteractionEvent {
  return { eventType: VISIT, occurredOn, url, ...extra };
}

describe('scoring one interaction', () => {
  it('creates the profile, explains the points, enters the segment and sets the primary interest', () => {
    const when = BASE + 10 * DAY_MS;
    const result = scoreEvent({
      event: visit('https://example.com/cloud/pricing', when),
      rules,
      concepts,
      profiles: [],
      history: EMPTY_HISTORY,
      now: when + DAY_MS,
    });
    expect(result.appliedDeltas).toEqual<AppliedDelta[]>([
      { rule: 'r-cloud-pricing', concept: 'cloud', points: 15 },
      { rule: 'r-cloud-visit', concept: 'cloud', points: 10 },
    ]);
    expect(result.skipped).toEqual([
      { ruleId: 'r-retired', conceptId: 'retired', reason: 'conceptInactive' },
    ]);
    expect(result.profiles).toHaveLength(1);
    const cloud = result.profiles[0];
    expect(cloud).toMatchObject({
      conceptId: 'cloud',
      landmark: BASE,
      eventCount: 1,
      inSegment: true,
      lastInteractionOn: when,
      segmentChangedOn: when + DAY_MS,
      scoredOn: when + DAY_MS,
      touched: true,
      transition: 'enter',
      changed: true,
    });
    expect(cloud.score).toBeCloseTo(25 * 2 ** (-1 / 30), 12);
    expect(result.transitions).toEqual([{ conceptId: 'cloud', transition: 'enter', score: cloud.score }]);
    expect(result.primaryInterest).toMatchObject({ conceptId: 'cloud', conceptCode: 'CLOUD' });
  });

  it("respects the contact's history: a once-only rule and a reached daily cap add nothing", () => {
    const when = BASE + 10 * DAY_MS;
    const history: RuleHistory = {
      appliedRuleIds: new Set(['r-cloud-pricing', 'r-cloud-visit']),
      appliedOnEventDay: new Map([['r-cloud-visit', 2]]),
    };
    const result = scoreEvent({
      event: visit('https://example.com/cloud/pricing', when),
      rules: compileRules(rules),
      concepts,
      profiles: [],
      history,
      now: when,
    });
    expect(result.appliedDeltas).toEqual([]);
    expect(result.skipped.map((s) => s.reason)).toEqual([
      'alreadyApplied',
      'dailyCapReached',
      'conceptInactive',
    ]);
    expect(result.profiles).toEqual([]);
    expect(result.primaryInterest).toBeNull();
  });

  it('adds to an existing profile, counts the interaction once, and keeps the latest interaction date', () => {
    const first = scoreEvent({
      event: visit('https://example.com/security/zero-trust', BASE + 40 * DAY_MS),
      rules,
      concepts,
      profiles: [],
      history: EMPTY_HISTORY,
      now: BASE + 40 * DAY_MS,
    });
    const late = scoreEvent({
      event: { eventType: CLICK, occurredOn: BASE + 5 * DAY_MS, campaignName: 'Security week' },
      rules,
      concepts,
      profiles: first.profiles.map(stripResult),
      history: EMPTY_HISTORY,
      now: BASE + 41 * DAY_MS,
    });
    const sec = late.profiles.find((p) => p.conceptId === 'sec')!;
    expect(sec.eventCount).toBe(2);
    expect(sec.lastInteractionOn).toBe(BASE + 40 * DAY_MS);
    expect(sec.score).toBeCloseTo(6 * 2 ** (-1 / 90) + 2 * 2 ** (-36 / 90), 12);
    expect(sec.inSegment).toBe(false);
  });

  it('lowers interest on a complaint and takes the contact out of the segment', () => {
    const inSegment: InterestProfile = {
      conceptId: 'cloud',
      accumulator: 20,
      landmark: BASE,
      eventCount: 3,
      inSegment: true,
      lastInteractionOn: BASE,
      segmentChangedOn: BASE,
    };
    const result = scoreEvent({
      event: { eventType: COMPLAINT, occurredOn: BASE, caseSubject: 'Outage' },
      rules,
      concepts,
      profiles: [inSegment],
      history: EMPTY_HISTORY,
      now: BASE,
    });
    expect(result.profiles[0]).toMatchObject({
      score: -5,
      inSegment: false,
      transition: 'leave',
      segmentChangedOn: BASE,
    });
    expect(result.primaryInterest).toBeNull();
  });

  it("re-evaluates the contact's other segments on every event, so decay can take them out", () => {
    const decayed: InterestProfile = {
      conceptId: 'cloud',
      accumulator: 22,
      landmark: BASE,
      eventCount: 1,
      inSegment: true,
    };
    const result = scoreEvent({
      event: visit('https://example.com/security/', BASE + 60 * DAY_MS),
      rules,
      concepts,
      profiles: [decayed],
      history: EMPTY_HISTORY,
      now: BASE + 60 * DAY_MS,
    });
    const cloud = result.profiles.find((p) => p.conceptId === 'cloud')!;
    expect(cloud).toMatchObject({ touched: false, transition: 'leave', changed: true, inSegment: false });
    expect(cloud.score).toBeCloseTo(5.5, 12);
  });

  it('rejects a concept whose exit threshold is above its enter threshold, or whose half-life is zero', () => {
    const input = {
      event: visit('https://x/cloud/', BASE),
      rules,
      profiles: [],
      history: EMPTY_HISTORY,
      now: BASE,
    };
    expect(() => scoreEvent({ ...input, concepts: [{ ...concepts[0], exitThreshold: 25 }] })).toThrow(
      InvalidThresholdsError,
    );
    expect(() => scoreEvent({ ...input, concepts: [{ ...concepts[0], halfLifeDays: 0 }] })).toThrow(
      InvalidHalfLifeError,
    );
  });
});

describe('scheduled re-check', () => {
  it('applies hysteresis to decayed scores without touching the accumulators', () => {
    const profile: InterestProfile = {
      conceptId: 'cloud',
      accumulator: 40,
      landmark: BASE,
      eventCount: 2,
      inSegment: true,
    };
    const stay = recheckProfiles([profile], concepts, BASE + 30 * DAY_MS);
    expect(stay.profiles[0]).toMatchObject({
      score: 20,
      inSegment: true,
      transition: 'none',
      changed: false,
    });
    const between = recheckProfiles([profile], concepts, BASE + 45 * DAY_MS);
    expect(between.profiles[0]?.inSegment).toBe(true);
    const leave = recheckProfiles([profile], concepts, BASE + 61 * DAY_MS);
    expect(leave.profiles[0]).toMatchObject({
      accumulator: 40,
      inSegment: false,
      transition: 'leave',
      changed: true,
    });
    expect(leave.transitions.map((t) => t.transition)).toEqual(['leave']);
  });
});

describe('rescore', () => {
  it('rebuilds profiles and explanations from the history', () => {
    const history: HistoricalInteraction[] = [
      { interactionId: 'i1', contactId: 'anna', event: visit('https://x/cloud/pricing', BASE + DAY_MS) },
      { interactionId: 'i2', contactId: 'anna', event: visit('https://x/cloud/pricing', BASE + 2 * DAY_MS) },
      { interactionId: 'i3', contactId: 'ben', event: visit('https://x/security/', BASE + 2 * DAY_MS) },
    ];
    const result = rescore(history, rules, concepts, BASE + 2 * DAY_MS);
    const anna = result.get('anna')!;
    expect(anna.interactions.map((i) => i.appliedDeltas.map((d) => d.rule))).toEqual([
      ['r-cloud-pricing', 'r-cloud-visit'],
      ['r-cloud-visit'],
    ]);
    expect(anna.profiles[0]?.score).toBeCloseTo(25 * 2 ** (-1 / 30) + 10, 12);
    expect(anna.profiles[0]?.eventCount).toBe(2);
    expect(result.get('ben')?.primaryInterest?.conceptCode).toBe('SEC');
  });

  it('counts daily caps on the UTC day the interaction happened, not the day it was scored', () => {
    const day1 = BASE + 10 * DAY_MS;
    const item = (id: string, occurredOn: number, scoredOn?: number): HistoricalInteraction => ({
      interactionId: id,
      contactId: 'anna',
      event: visit('https://x/cloud/', occurredOn),
      scoredOn,
    });
    const result = rescore(
      [
        item('a', day1 + 1000),
        item('b', day1 + 2000, day1 + DAY_MS),
        // Registered a day late, but happened on day 1: the cap of 2 is already used up.
        item('c', day1 + 3000, day1 + DAY_MS + 5000),
        item('d', day1 + DAY_MS + 4000),
      ],
      rules,
      concepts,
      day1 + 2 * DAY_MS,
    );
    expect(result.get('anna')?.interactions.map((i) => i.appliedDeltas.length)).toEqual([1, 1, 0, 1]);
  });

  /**
   * Live scoring as the handler does it: profiles and applied deltas are stored after each event,
   * and the rule history (rules ever applied; applications on the event's UTC day) is read back
   * from the stored interactions. Rescore must end with exactly the same state.
   */
  function scoreLive(history: readonly HistoricalInteraction[], now: number) {
    const stored: { contactId: string; occurredOn: number; appliedDeltas: readonly AppliedDelta[] }[] = [];
    const profiles = new Map<string, Map<string, InterestProfile>>();
    const explanations: AppliedDelta[][] = [];
    const clocks = new Map<string, number>();
    const ruleSet = compileRules(rules);
    for (const item of history) {
      const mine = stored.filter((s) => s.contactId === item.contactId);
      const ruleHistory = buildRuleHistory(mine, item.event.occurredOn);
      const clock = Math.max(clocks.get(item.contactId) ?? -Infinity, item.event.occurredOn);
      clocks.set(item.contactId, clock);
      const own = profiles.get(item.contactId) ?? new Map<string, InterestProfile>();
      profiles.set(item.contactId, own);
      const result = scoreEvent({
        event: item.event,
        rules: ruleSet,
        concepts,
        profiles: [...own.values()],
        history: ruleHistory,
        now: item.scoredOn ?? clock,
      });
      for (const p of result.profiles) if (p.changed) own.set(p.conceptId, stripResult(p));
      stored.push({
        contactId: item.contactId,
        occurredOn: item.event.occurredOn,
        appliedDeltas: result.appliedDeltas,
      });
      explanations.push([...result.appliedDeltas]);
    }
    const final = new Map(
      [...profiles].map(([contactId, own]) => [contactId, recheckProfiles([...own.values()], concepts, now)]),
    );
    return { final, explanations };
  }

  const eventArb: fc.Arbitrary<InteractionEvent> = fc.record({
    eventType: fc.constantFrom(VISIT, CLICK, COMPLAINT),
    // Mostly a handful of days, so daily caps and once-only rules come into play; sometimes far apart.
    occurredOn: fc
      .oneof(fc.integer({ min: 0, max: 4 }), fc.integer({ min: -200, max: 400 }))
      .chain((d) => fc.integer({ min: 0, max: DAY_MS - 1 }).map((ms) => BASE + d * DAY_MS + ms)),
    url: fc.constantFrom(
      'https://x/cloud/pricing',
      'https://x/cloud/',
      'https://x/security/a',
      'https://x/blog',
    ),
    campaignName: fc.constantFrom('AI summit', 'Security week', ''),
    conceptId: fc.constantFrom(undefined, undefined, undefined, 'sec', 'ai', 'cloud'),
  });

  const historyArb = fc.array(
    fc.record({
      contactId: fc.constantFrom('anna', 'ben', 'cy'),
      event: eventArb,
      delayDays: fc.option(fc.integer({ min: 0, max: 30 }), { nil: undefined }),
    }),
    { maxLength: 40 },
  );

  it('ends exactly where live scoring event by event ends (property)', () => {
    fc.assert(
      fc.property(historyArb, fc.integer({ min: 0, max: 500 }), (items, nowDay) => {
        const history: HistoricalInteraction[] = items.map((item, index) => ({
          interactionId: `i${index}`,
          contactId: item.contactId,
          event: item.event,
          scoredOn:
            item.delayDays === undefined ? undefined : item.event.occurredOn + item.delayDays * DAY_MS,
        }));
        const now = BASE + 400 * DAY_MS + nowDay * DAY_MS;
        const live = scoreLive(history, now);
        const rebuilt = rescore(history, rules, concepts, now);
        expect([...rebuilt.keys()].sort()).toEqual([...live.final.keys()].sort());
        for (const [contactId, expected] of live.final) {
          const actual = rebuilt.get(contactId)!;
          expect(actual.profiles).toEqual(expected.profiles);
          expect(actual.primaryInterest).toEqual(expected.primaryInterest);
        }
        const rebuiltExplanations = new Map(
          [...rebuilt.values()].flatMap((c) =>
            c.interactions.map((i) => [i.interactionId, i.appliedDeltas] as const),
          ),
        );
        history.forEach((item, index) =>
          expect(rebuiltExplanations.get(item.interactionId)).toEqual(live.explanations[index]),
        );
      }),
      { numRuns: 150 },
    );
  });
});
