import { InvalidMatchExpressionError, InvalidRuleError } from './errors';
import {
  compileRules,
  EMPTY_HISTORY,
  evaluateRules,
  type InteractionEvent,
  type InteractionRule,
  matchRules,
  parseMatch,
  matchesEvent,
  type RuleHistory,
} from './rules';

// Event types are opaque numbers to the engine; the adapter passes the idr_eventtype choice values.
const CLICK = 1;
const VISIT = 2;
const CASE_OPENED = 3;

const at = Date.UTC(2025, 2, 10, 14, 30);

function rule(id: string, overrides: Partial<InteractionRule> = {}): InteractionRule {
  return { id, eventType: VISIT, conceptId: 'cloud', points: 5, repeatable: true, ...overrides };
}

function visit(url: string, extra: Partial<InteractionEvent> = {}): InteractionEvent {
  return { eventType: VISIT, occurredOn: at, url, ...extra };
}

function history(applied: string[] = [], today: Record<string, number> = {}): RuleHistory {
  return { appliedRuleIds: new Set(applied), appliedOnEventDay: new Map(Object.entries(today)) };
}

describe('match expressions', () => {
  it('matches URL globs case-insensitively against the whole URL', () => {
    const match = parseMatch('url=*/cloud/*', 'r1');
    expect(matchesEvent(match, visit('https://example.com/Cloud/pricing'))).toBe(true);
    expect(matchesEvent(match, visit('https://example.com/cloudy/pricing'))).toBe(false);
    expect(matchesEvent(match, visit('https://example.com/cloud'))).toBe(false);
  });

  it('treats ? as exactly one character and \\ as an escape', () => {
    const match = parseMatch('product=model-?', 'r1');
    expect(matchesEvent(match, visit('x', { product: 'Model-X' }))).toBe(true);
    expect(matchesEvent(match, visit('x', { product: 'Model-XL' }))).toBe(false);
    const literal = parseMatch('subject=billing \\*urgent\\*', 'r1');
    expect(matchesEvent(literal, visit('x', { caseSubject: 'Billing *URGENT*' }))).toBe(true);
    expect(matchesEvent(literal, visit('x', { caseSubject: 'Billing very urgent!' }))).toBe(false);
    const semicolon = parseMatch('url=*a\\;b*', 'r1');
    expect(matchesEvent(semicolon, visit('https://x/a;b/c'))).toBe(true);
  });

  it('requires every given key to match, ignoring spaces and key case', () => {
    const match = parseMatch(' URL = *shop* ; ProductFamily=Laptops ;', 'r1');
    expect(match.map((c) => c.key)).toEqual(['url', 'productfamily']);
    expect(matchesEvent(match, visit('https://shop.example.com', { productFamily: 'laptops' }))).toBe(true);
    expect(matchesEvent(match, visit('https://shop.example.com', { productFamily: 'Phones' }))).toBe(false);
    expect(matchesEvent(match, visit('https://www.example.com', { productFamily: 'Laptops' }))).toBe(false);
  });

  it('never matches a field the event does not carry, not even with *', () => {
    const match = parseMatch('product=*', 'r1');
    expect(matchesEvent(match, visit('https://x'))).toBe(false);
    expect(matchesEvent(match, visit('https://x', { product: '' }))).toBe(false);
    expect(matchesEvent(match, visit('https://x', { product: 'anything' }))).toBe(true);
  });

  it('matches a campaign by id or by name', () => {
    const byName = parseMatch('campaign=spring*', 'r1');
    const byId = parseMatch('campaign=0F8FAD5B-*', 'r1');
    const event = visit('x', {
      campaignId: '0f8fad5b-d9cb-469f-a165-70867728950e',
      campaignName: 'Spring launch 2025',
    });
    expect(matchesEvent(byName, event)).toBe(true);
    expect(matchesEvent(byId, event)).toBe(true);
  });

  it('matches on event type alone when there is no expression', () => {
    expect(parseMatch(undefined)).toEqual([]);
    expect(parseMatch('  ;  ')).toEqual([]);
    expect(matchesEvent(parseMatch(null), visit('anything'))).toBe(true);
  });

  it('does not blow up on patterns with many stars', () => {
    const match = parseMatch('url=*a*a*a*a*a*a*a*a*a*a*b', 'r1');
    expect(matchesEvent(match, visit('a'.repeat(20_000)))).toBe(false);
    expect(matchesEvent(match, visit('a'.repeat(20_000) + 'b'))).toBe(true);
  });

  it.each([
    ['url', 'has no "="', 0],
    ['page=*x*', 'unknown key "page"', 0],
    ['url=a;  url=b', 'key "url" appears twice', 8],
    ['url=   ', 'key "url" has no pattern', 3],
    ['=abc', 'a key is missing', 0],
    ['url=abc\\', 'escapes nothing', 7],
  ])('rejects %p, naming the rule and the problem', (expression, problem, position) => {
    let caught: unknown;
    try {
      parseMatch(expression, 'rule-42');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(InvalidMatchExpressionError);
    const error = caught as InvalidMatchExpressionError;
    expect(error.ruleId).toBe('rule-42');
    expect(error.expression).toBe(expression);
    expect(error.problem).toContain(problem);
    expect(error.position).toBe(position);
    expect(error.message).toContain('rule-42');
  });
});

describe('rule evaluation', () => {
  it('gives the points of every matching rule of the event type, in rule-id order', () => {
    const rules = [
      rule('r2', { match: 'url=*/cloud/*', points: 5 }),
      rule('r1', { match: 'url=*/cloud/pricing*', points: 10, conceptId: 'pricing' }),
      rule('r3', { eventType: CLICK, points: 1 }),
      rule('r4', { match: 'url=*/security/*', conceptId: 'security' }),
    ];
    expect(matchRules(visit('https://example.com/cloud/pricing?plan=pro'), rules)).toEqual([
      { ruleId: 'r1', conceptId: 'pricing', points: 10 },
      { ruleId: 'r2', conceptId: 'cloud', points: 5 },
    ]);
  });

  it('keeps negative points (a complaint lowers interest)', () => {
    const rules = [rule('complaint', { eventType: CASE_OPENED, match: 'subject=*complaint*', points: -20 })];
    const event: InteractionEvent = {
      eventType: CASE_OPENED,
      occurredOn: at,
      caseSubject: 'Complaint: late delivery',
    };
    expect(matchRules(event, rules)).toEqual([{ ruleId: 'complaint', conceptId: 'cloud', points: -20 }]);
  });

  it("applies only the named concept's rules when the event names a concept", () => {
    const rules = [rule('a', { conceptId: 'cloud' }), rule('b', { conceptId: 'security' })];
    expect(matchRules(visit('https://x', { conceptId: 'security' }), rules)).toEqual([
      { ruleId: 'b', conceptId: 'security', points: 5 },
    ]);
    expect(matchRules(visit('https://x', { conceptId: 'ai' }), rules)).toEqual([]);
  });

  it('applies a once-per-contact rule only if the contact never had it', () => {
    const ruleSet = compileRules([rule('welcome', { repeatable: false, points: 25 })]);
    expect(evaluateRules(visit('https://x'), ruleSet, history()).deltas).toHaveLength(1);
    const again = evaluateRules(visit('https://x'), ruleSet, history(['welcome']));
    expect(again.deltas).toEqual([]);
    expect(again.skipped).toEqual([{ ruleId: 'welcome', conceptId: 'cloud', reason: 'alreadyApplied' }]);
  });

  it("stops a capped rule once the day's applications reach the cap", () => {
    const ruleSet = compileRules([
      rule('visit', { dailyCap: 3 }),
      rule('never', { dailyCap: 0, conceptId: 'x' }),
    ]);
    expect(
      evaluateRules(visit('https://x'), ruleSet, history([], { visit: 2 })).deltas.map((d) => d.ruleId),
    ).toEqual(['visit']);
    const capped = evaluateRules(visit('https://x'), ruleSet, history(['visit'], { visit: 3 }));
    expect(capped.deltas).toEqual([]);
    expect(capped.skipped.map((s) => [s.ruleId, s.reason])).toEqual([
      ['never', 'dailyCapReached'],
      ['visit', 'dailyCapReached'],
    ]);
  });

  it('lets a repeatable rule without cap apply every time', () => {
    const ruleSet = compileRules([rule('visit')]);
    expect(
      evaluateRules(visit('https://x'), ruleSet, history(['visit'], { visit: 500 })).deltas,
    ).toHaveLength(1);
    expect(evaluateRules(visit('https://x'), ruleSet, EMPTY_HISTORY).deltas).toHaveLength(1);
  });

  it('refuses a rule with a malformed match, naming it, unless asked to skip it', () => {
    const bad = rule('bad', { name: 'Pricing page', match: 'uri=*pricing*' });
    expect(() => compileRules([rule('ok'), bad])).toThrow(/bad \(Pricing page\).*unknown key "uri"/);
    const ruleSet = compileRules([rule('ok'), bad], { skipInvalid: true });
    expect(ruleSet.rules.map((r) => r.rule.id)).toEqual(['ok']);
    expect(ruleSet.invalid[0]?.rule).toBe(bad);
    expect(ruleSet.invalid[0]?.error).toBeInstanceOf(InvalidMatchExpressionError);
  });

  it.each([
    [{ points: 1500 }, 'points'],
    [{ points: Number.NaN }, 'points'],
    [{ dailyCap: -1 }, 'dailyCap'],
    [{ dailyCap: 2.5 }, 'dailyCap'],
    [{ conceptId: '' }, 'conceptId'],
  ] as const)('rejects a rule with %p', (overrides, field) => {
    expect(() => compileRules([rule('r9', overrides)])).toThrow(InvalidRuleError);
    expect(() => compileRules([rule('r9', overrides)])).toThrow(new RegExp(`r9: ${field}`));
  });
});
