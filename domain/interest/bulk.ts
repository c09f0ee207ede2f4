/**
 * Scoring a batch of interactions in memory: the events of each contact are applied in the order
 * given through the same `scoreEvent` the live handler calls once per event, with the rule history
 * (once-per-contact rules, daily caps) carried from one event to the next, so a contact's final
 * profiles equal those of live scoring of the same events in the same order at the same `now`.
 * The adapter reads the starting state (profiles, earlier applications of limited rules) and writes
 * what `scoreBatch` returns.
 */
import {
  type ConceptConfig,
  type InterestProfile,
  type ProfileResult,
  scoreEvent,
  stripResult,
} from './profile';
import type { AppliedDelta, ScoreEventResult } from './profile';
import {
  compileRules,
  type InteractionEvent,
  type InteractionRule,
  isRuleSet,
  type RuleHistory,
  type RuleSet,
  type SkippedRule,
} from './rules';
import type { PrimaryInterest } from './profile';
import { type EpochMs, utcDay } from './time';

/** Earlier applications of rules to one contact: which rules ever, and how often per rule and UTC day. */
export interface RuleLedger {
  readonly appliedRuleIds: Set<string>;
  /** `${ruleId}|${utcDay}` → applications. */
  readonly appliedPerDay: Map<string, number>;
}

export function emptyLedger(): RuleLedger {
  return { appliedRuleIds: new Set(), appliedPerDay: new Map() };
}

/** Adds stored interactions' explanations to a ledger (what the adapter reads back). */
export function recordApplications(
  ledger: RuleLedger,
  occurredOn: EpochMs,
  deltas: readonly Pick<AppliedDelta, 'rule'>[],
): void {
  const day = utcDay(occurredOn);
  for (const delta of deltas) {
    ledger.appliedRuleIds.add(delta.rule);
    const key = `${delta.rule}|${day}`;
    ledger.appliedPerDay.set(key, (ledger.appliedPerDay.get(key) ?? 0) + 1);
  }
}

function historyFor(ledger: RuleLedger, ruleSet: RuleSet, occurredOn: EpochMs): RuleHistory {
  const day = utcDay(occurredOn);
  const appliedOnEventDay = new Map<string, number>();
  for (const { rule } of ruleSet.rules) {
    const count = ledger.appliedPerDay.get(`${rule.id}|${day}`);
    if (count !== undefined) appliedOnEventDay.set(rule.id, count);
  }
  return { appliedRuleIds: ledger.appliedRuleIds, appliedOnEventDay };
}

export interface BatchEvent {
  /** The caller's handle for the event (a row number, an id). */
  readonly key: string;
  readonly contactId: string;
  readonly event: InteractionEvent;
}

export interface BatchEventResult {
  readonly key: string;
  readonly contactId: string;
  readonly appliedDeltas: readonly AppliedDelta[];
  readonly skipped: readonly SkippedRule[];
}

export interface BatchContactResult {
  readonly contactId: string;
  /** Every profile of the contact for an active concept after the batch, in `concepts` order. */
  readonly profiles: readonly ProfileResult[];
  /** Concepts whose profile row must be written (points added, or segment changed). */
  readonly changed: ReadonlySet<string>;
  /** Segment entries and exits between the state before the batch and after it. */
  readonly transitions: readonly { readonly conceptId: string; readonly transition: 'enter' | 'leave' }[];
  readonly primaryInterest: PrimaryInterest | null;
}

export interface ScoredBatch {
  /** In the order given. */
  readonly events: readonly BatchEventResult[];
  readonly contacts: ReadonlyMap<string, BatchContactResult>;
}

export interface ScoreBatchInput {
  /** Applied per contact in this order: pass them in the order they were registered. */
  readonly events: readonly BatchEvent[];
  readonly rules: RuleSet | readonly InteractionRule[];
  readonly concepts: readonly ConceptConfig[];
  /** Each contact's current profiles (missing: none yet). */
  readonly profiles: ReadonlyMap<string, readonly InterestProfile[]>;
  /** Each contact's earlier rule applications; updated in place as the batch applies rules. */
  readonly ledgers: Map<string, RuleLedger>;
  readonly now: EpochMs;
}

/** Scores every event of a batch. Pure apart from the ledgers it is handed, which it keeps current. */
export function scoreBatch(input: ScoreBatchInput): ScoredBatch {
  const ruleSet = isRuleSet(input.rules) ? input.rules : compileRules(input.rules);
  const current = new Map<string, readonly InterestProfile[]>();
  const last = new Map<string, ScoreEventResult>();
  const changed = new Map<string, Set<string>>();
  const events: BatchEventResult[] = [];
  for (const item of input.events) {
    const profiles = current.get(item.contactId) ?? input.profiles.get(item.contactId) ?? [];
    let ledger = input.ledgers.get(item.contactId);
    if (ledger === undefined) {
      ledger = emptyLedger();
      input.ledgers.set(item.contactId, ledger);
    }
    const result = scoreEvent({
      event: item.event,
      rules: ruleSet,
      concepts: input.concepts,
      profiles,
      history: historyFor(ledger, ruleSet, item.event.occurredOn),
      now: input.now,
    });
    events.push({
      key: item.key,
      contactId: item.contactId,
      appliedDeltas: result.appliedDeltas,
      skipped: result.skipped,
    });
    // Live scoring writes nothing for an event no rule applies to: neither does the batch.
    if (result.appliedDeltas.length === 0) continue;
    recordApplications(ledger, item.event.occurredOn, result.appliedDeltas);
    current.set(item.contactId, result.profiles.map(stripResult));
    last.set(item.contactId, result);
    const written = changed.get(item.contactId) ?? new Set<string>();
    for (const profile of result.profiles) if (profile.changed) written.add(profile.conceptId);
    changed.set(item.contactId, written);
  }
  const contacts = new Map<string, BatchContactResult>();
  for (const [contactId, result] of last) {
    const before = new Map((input.profiles.get(contactId) ?? []).map((p) => [p.conceptId, p.inSegment]));
    const transitions = result.profiles.flatMap((p) =>
      p.inSegment === (before.get(p.conceptId) ?? false)
        ? []
        : [{ conceptId: p.conceptId, transition: p.inSegment ? ('enter' as const) : ('leave' as const) }],
    );
    contacts.set(contactId, {
      contactId,
      profiles: result.profiles,
      changed: changed.get(contactId) ?? new Set(),
      transitions,
      primaryInterest: result.primaryInterest,
    });
  }
  return { events, contacts };
}
