/**
 * Interaction rules turn one event into signed points per concept. A rule matches when its event
 * type equals the event's and every key of its `match` expression matches (see parseMatch).
 *
 * - Explicit concept: when the event names a concept, only rules for that concept apply. The
 *   sender knows what the event is about, so rules scoring other concepts from the same URL or
 *   campaign would be noise; the concept still needs a rule for the event type to earn points.
 * - Once per contact (`repeatable: false`): skipped when the contact's history already holds the rule.
 * - Daily cap: skipped when the contact already had `dailyCap` applications of the rule on the UTC
 *   day of the event's `occurredOn` (not the processing day, so late events count where they belong).
 *   No cap when absent; a cap of 0 means the rule never applies.
 */
import { InvalidMatchExpressionError, InvalidRuleError, MATCH_KEYS, type MatchKey } from './errors';
import { foldChar, globMatches, type Glob, type GlobToken } from './glob';
import { type EpochMs } from './time';

export { MATCH_KEYS, type MatchKey } from './errors';

export interface InteractionEvent {
  /** `idr_eventtype` choice value. */
  readonly eventType: number;
  readonly occurredOn: EpochMs;
  readonly url?: string | null;
  readonly campaignId?: string | null;
  readonly campaignName?: string | null;
  readonly product?: string | null;
  readonly productFamily?: string | null;
  readonly caseSubject?: string | null;
  /** Explicit concept named by the sender. */
  readonly conceptId?: string | null;
}

export interface InteractionRule {
  readonly id: string;
  /** Shown in error messages when present. */
  readonly name?: string;
  readonly eventType: number;
  readonly conceptId: string;
  /** Signed; the column allows −1000..1000. */
  readonly points: number;
  readonly match?: string | null;
  readonly repeatable: boolean;
  readonly dailyCap?: number | null;
}

export interface Delta {
  readonly ruleId: string;
  readonly conceptId: string;
  readonly points: number;
}

/** What the contact's earlier interactions already used up; the adapter reads it from Dataverse. */
export interface RuleHistory {
  /** Rules applied to this contact by any earlier interaction. */
  readonly appliedRuleIds: ReadonlySet<string>;
  /** Applications per rule to this contact on the UTC day of the event being scored. */
  readonly appliedOnEventDay: ReadonlyMap<string, number>;
}

export const EMPTY_HISTORY: RuleHistory = { appliedRuleIds: new Set(), appliedOnEventDay: new Map() };

/** `conceptInactive`: the rule scores a concept that is not among the active concepts (profile.ts). */
export type SkipReason = 'alreadyApplied' | 'dailyCapReached' | 'conceptInactive';

export interface SkippedRule {
  readonly ruleId: string;
  readonly conceptId: string;
  readonly reason: SkipReason;
}

export interface RuleEvaluation {
  readonly deltas: readonly Delta[];
  /** Rules that matched but were held back: the "why not" of the explanation. */
  readonly skipped: readonly SkippedRule[];
}

export interface MatchClause {
  readonly key: MatchKey;
  readonly glob: Glob;
}

export type MatchExpression = readonly MatchClause[];

export const MAX_RULE_POINTS = 1000;

/**
 * Parses `key=glob;key=glob`. Keys (case-insensitive): url, campaign (matches the campaign's id or
 * name), product, subject (case subject), productfamily. Spaces around keys and globs are ignored;
 * `\` makes the next character literal (`\;`, `\*`, `\?`, `\\`). Empty clauses are ignored, so an
 * empty or missing expression matches on the event type alone. Throws InvalidMatchExpressionError.
 */
export function parseMatch(expression: string | null | undefined, ruleId = '(unsaved)'): MatchExpression {
  if (expression === null || expression === undefined) return [];
  const text = expression;
  const fail = (problem: string, position: number): never => {
    throw new InvalidMatchExpressionError(ruleId, text, problem, position);
  };
  const clauses: MatchClause[] = [];
  let i = 0;
  while (i <= text.length) {
    const start = i;
    let equals = -1;
    const chars: { char: string; escaped: boolean }[] = [];
    while (i < text.length && text[i] !== ';') {
      const char = String.fromCodePoint(text.codePointAt(i) ?? 0);
      if (equals < 0) {
        if (char === '=') equals = i;
        else if (char === '\\') fail('"\\" cannot appear in a key', i);
      } else if (char === '\\') {
        if (i + 1 >= text.length) fail('"\\" at the end escapes nothing', i);
        const escaped = String.fromCodePoint(text.codePointAt(i + 1) ?? 0);
        chars.push({ char: escaped, escaped: true });
        i += 1 + escaped.length;
        continue;
      } else {
        chars.push({ char, escaped: false });
      }
      i += char.length;
    }
    const clauseText = text.slice(start, i);
    i++;
    if (clauseText.trim() === '') continue;
    const keyStart = start + (clauseText.length - clauseText.trimStart().length);
    if (equals < 0) fail(`"${clauseText.trim()}" has no "=" (write key=glob)`, keyStart);
    const key = text.slice(start, equals).trim().toLowerCase();
    if (key === '') fail('a key is missing before "="', equals);
    if (!(MATCH_KEYS as readonly string[]).includes(key)) fail(`unknown key "${key}"`, keyStart);
    if (clauses.some((c) => c.key === key)) fail(`key "${key}" appears twice`, keyStart);
    const blank = (c: { char: string; escaped: boolean } | undefined): boolean =>
      c !== undefined && !c.escaped && c.char.trim() === '';
    while (blank(chars[0])) chars.shift();
    while (blank(chars[chars.length - 1])) chars.pop();
    if (chars.length === 0) fail(`key "${key}" has no pattern after "="`, equals);
    clauses.push({ key: key as MatchKey, glob: toGlob(text.slice(equals + 1, i - 1).trim(), chars) });
  }
  return clauses;
}

function toGlob(source: string, chars: readonly { char: string; escaped: boolean }[]): Glob {
  const tokens: GlobToken[] = [];
  for (const { char, escaped } of chars) {
    if (!escaped && char === '*') {
      if (tokens[tokens.length - 1]?.kind !== 'star') tokens.push({ kind: 'star' });
    } else if (!escaped && char === '?') {
      tokens.push({ kind: 'any' });
    } else {
      for (const folded of Array.from(foldChar(char))) tokens.push({ kind: 'char', char: folded });
    }
  }
  return { source, tokens };
}

function present(value: string | null | undefined): value is string {
  return value !== null && value !== undefined && value !== '';
}

function eventValues(event: InteractionEvent, key: MatchKey): string[] {
  switch (key) {
    case 'url':
      return [event.url].filter(present);
    case 'campaign':
      return [event.campaignId, event.campaignName].filter(present);
    case 'product':
      return [event.product].filter(present);
    case 'subject':
      return [event.caseSubject].filter(present);
    case 'productfamily':
      return [event.productFamily].filter(present);
  }
}

/** True when every clause matches. A field the event does not carry never matches, even `*`. */
export function matchesEvent(match: MatchExpression, event: InteractionEvent): boolean {
  return match.every((clause) =>
    eventValues(event, clause.key).some((value) => globMatches(clause.glob, value)),
  );
}

/** Checks every field of a rule as it would be saved; throws the first problem found. */
export function validateRule(rule: InteractionRule): MatchExpression {
  const label = rule.name ? `${rule.id} (${rule.name})` : rule.id;
  if (typeof rule.id !== 'string' || rule.id === '')
    throw new InvalidRuleError(label, 'id', rule.id, 'a non-empty id');
  if (typeof rule.conceptId !== 'string' || rule.conceptId === '') {
    throw new InvalidRuleError(label, 'conceptId', rule.conceptId, 'the id of a marketing concept');
  }
  if (!Number.isInteger(rule.eventType)) {
    throw new InvalidRuleError(label, 'eventType', rule.eventType, 'an Event Type choice value');
  }
  if (!Number.isFinite(rule.points) || Math.abs(rule.points) > MAX_RULE_POINTS) {
    throw new InvalidRuleError(
      label,
      'points',
      rule.points,
      `a number from -${MAX_RULE_POINTS} to ${MAX_RULE_POINTS}`,
    );
  }
  const cap = rule.dailyCap;
  if (cap !== null && cap !== undefined && (!Number.isInteger(cap) || cap < 0)) {
    throw new InvalidRuleError(label, 'dailyCap', cap, 'empty (no cap) or a whole number ≥ 0');
  }
  return parseMatch(rule.match, label);
}

export interface CompiledRule {
  readonly rule: InteractionRule;
  readonly match: MatchExpression;
}

/** Rules parsed once, in rule-id order so deltas and explanations do not depend on fetch order. */
export interface RuleSet {
  readonly rules: readonly CompiledRule[];
  /** Rules left out because they failed validation (only with `skipInvalid`). */
  readonly invalid: readonly { readonly rule: InteractionRule; readonly error: Error }[];
}

/**
 * Validates and parses the active rules. By default an invalid rule throws (its error names it);
 * with `skipInvalid` it is left out and reported in `invalid`, so one bad rule saved through the
 * API does not stop every interaction from being scored.
 */
export function compileRules(
  rules: readonly InteractionRule[],
  options: { skipInvalid?: boolean } = {},
): RuleSet {
  const compiled: CompiledRule[] = [];
  const invalid: { rule: InteractionRule; error: Error }[] = [];
  for (const rule of rules) {
    try {
      compiled.push({ rule, match: validateRule(rule) });
    } catch (error) {
      if (!options.skipInvalid || !(error instanceof Error)) throw error;
      invalid.push({ rule, error });
    }
  }
  compiled.sort((a, b) => (a.rule.id < b.rule.id ? -1 : a.rule.id > b.rule.id ? 1 : 0));
  return { rules: compiled, invalid };
}

/** The deltas an event earns, and which matching rules were held back and why. */
export function evaluateRules(
  event: InteractionEvent,
  ruleSet: RuleSet,
  history: RuleHistory = EMPTY_HISTORY,
): RuleEvaluation {
  const deltas: Delta[] = [];
  const skipped: SkippedRule[] = [];
  const explicit = present(event.conceptId) ? event.conceptId : undefined;
  for (const { rule, match } of ruleSet.rules) {
    if (rule.eventType !== event.eventType) continue;
    if (explicit !== undefined && rule.conceptId !== explicit) continue;
    if (!matchesEvent(match, event)) continue;
    if (!rule.repeatable && history.appliedRuleIds.has(rule.id)) {
      skipped.push({ ruleId: rule.id, conceptId: rule.conceptId, reason: 'alreadyApplied' });
      continue;
    }
    const cap = rule.dailyCap;
    if (cap !== null && cap !== undefined && (history.appliedOnEventDay.get(rule.id) ?? 0) >= cap) {
      skipped.push({ ruleId: rule.id, conceptId: rule.conceptId, reason: 'dailyCapReached' });
      continue;
    }
    deltas.push({ ruleId: rule.id, conceptId: rule.conceptId, points: rule.points });
  }
  return { deltas, skipped };
}

/** Shorthand for callers that only need the deltas. */
export function matchRules(
  event: InteractionEvent,
  rules: RuleSet | readonly InteractionRule[],
  history?: RuleHistory,
): Delta[] {
  const ruleSet = isRuleSet(rules) ? rules : compileRules(rules);
  return [...evaluateRules(event, ruleSet, history).deltas];
}

export function isRuleSet(value: RuleSet | readonly InteractionRule[]): value is RuleSet {
  return !Array.isArray(value);
}
