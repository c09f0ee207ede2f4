/**
 * The whole per-event computation the interaction handler calls, and `rescore`, which replays an
 * interaction history through exactly the same code, so a rebuilt profile equals the live one.
 *
 * For one event of one contact: rules → deltas (rules.ts); the deltas of each concept are summed
 * and added to its profile at the event's time (decay.ts); then every active profile of the
 * contact is scored at `now` and its segment re-evaluated (segments.ts), since decay may have taken
 * a contact below an exit threshold since its last event; finally the primary interest.
 */
import { addEvent, type DecayState, emptyState, rankKey, scoreAt, validateHalfLife } from './decay';
import { type ConceptScore, primaryInterest } from './primary';
import {
  compileRules,
  type Delta,
  evaluateRules,
  type InteractionEvent,
  type InteractionRule,
  isRuleSet,
  type RuleHistory,
  type RuleSet,
  type SkippedRule,
} from './rules';
import { segmentTransition, type SegmentTransition, validateThresholds } from './segments';
import { type EpochMs, requireFinite, utcDay } from './time';

export interface ConceptConfig {
  readonly id: string;
  readonly code: string;
  readonly halfLifeDays: number;
  readonly enterThreshold: number;
  readonly exitThreshold: number;
  /** The concept's landmark (`idr_landmarkon`), where new profiles start; defaults to the first event's time. */
  readonly landmark?: EpochMs | null;
}

/** A stored interest profile (one contact × concept), as the adapter reads it. */
export interface InterestProfile {
  readonly conceptId: string;
  readonly accumulator: number;
  readonly landmark: EpochMs;
  readonly eventCount: number;
  readonly inSegment: boolean;
  readonly lastInteractionOn?: EpochMs | null;
  readonly segmentChangedOn?: EpochMs | null;
}

export interface ProfileResult extends InterestProfile {
  /** Score at `scoredOn` (`idr_score`). */
  readonly score: number;
  readonly scoredOn: EpochMs;
  /** Orders the concept's profiles by score on any day (`idr_rankkey`, decay.ts rankKey). */
  readonly rankKey: number;
  /** This event added points to the profile (or created it). */
  readonly touched: boolean;
  readonly transition: SegmentTransition;
  /** Touched or changed segment: the rows the adapter has to write. */
  readonly changed: boolean;
}

/** The explanation stored in `idr_applieddeltas`. */
export interface AppliedDelta {
  readonly rule: string;
  readonly concept: string;
  readonly points: number;
}

export interface SegmentChange {
  readonly conceptId: string;
  readonly transition: 'enter' | 'leave';
  readonly score: number;
}

export type PrimaryInterest = ConceptScore;

export interface ProfilesEvaluation {
  /** Every profile of the contact for an active concept, in `concepts` order. */
  readonly profiles: readonly ProfileResult[];
  readonly transitions: readonly SegmentChange[];
  readonly primaryInterest: PrimaryInterest | null;
}

export interface ScoreEventResult extends ProfilesEvaluation {
  readonly appliedDeltas: readonly AppliedDelta[];
  /** Matching rules held back (once per contact, daily cap, inactive concept). */
  readonly skipped: readonly SkippedRule[];
}

export interface ScoreEventInput {
  readonly event: InteractionEvent;
  /** Active rules; compile them once with compileRules when scoring many events. */
  readonly rules: RuleSet | readonly InteractionRule[];
  /** Active concepts. Profiles and rules of other concepts are left alone. */
  readonly concepts: readonly ConceptConfig[];
  /** The contact's current profiles. */
  readonly profiles: readonly InterestProfile[];
  readonly history: RuleHistory;
  readonly now: EpochMs;
}

export function validateConcept(concept: ConceptConfig): ConceptConfig {
  validateHalfLife(concept.halfLifeDays, concept.id);
  validateThresholds({ enter: concept.enterThreshold, exit: concept.exitThreshold }, concept.id);
  if (concept.landmark !== null && concept.landmark !== undefined)
    requireFinite('landmark', concept.landmark);
  return concept;
}

function conceptMap(concepts: readonly ConceptConfig[]): Map<string, ConceptConfig> {
  return new Map(concepts.map((concept) => [concept.id, validateConcept(concept)]));
}

function toRuleSet(rules: RuleSet | readonly InteractionRule[]): RuleSet {
  return isRuleSet(rules) ? rules : compileRules(rules);
}

interface Applied {
  readonly profiles: Map<string, InterestProfile>;
  readonly deltas: readonly Delta[];
  readonly skipped: readonly SkippedRule[];
  readonly touched: ReadonlySet<string>;
}

function applyEvent(
  event: InteractionEvent,
  ruleSet: RuleSet,
  concepts: ReadonlyMap<string, ConceptConfig>,
  profiles: ReadonlyMap<string, InterestProfile>,
  history: RuleHistory,
): Applied {
  requireFinite('occurredOn', event.occurredOn);
  const evaluation = evaluateRules(event, ruleSet, history);
  const deltas: Delta[] = [];
  const skipped: SkippedRule[] = [...evaluation.skipped];
  const pointsByConcept = new Map<string, number>();
  for (const delta of evaluation.deltas) {
    if (!concepts.has(delta.conceptId)) {
      skipped.push({ ruleId: delta.ruleId, conceptId: delta.conceptId, reason: 'conceptInactive' });
      continue;
    }
    deltas.push(delta);
    pointsByConcept.set(delta.conceptId, (pointsByConcept.get(delta.conceptId) ?? 0) + delta.points);
  }
  const next = new Map(profiles);
  for (const [conceptId, points] of pointsByConcept) {
    const concept = concepts.get(conceptId)!;
    const current = profiles.get(conceptId);
    const state: DecayState = current ?? emptyState(concept.landmark ?? event.occurredOn);
    const added = addEvent(state, points, event.occurredOn, concept.halfLifeDays);
    const last = current?.lastInteractionOn ?? null;
    next.set(conceptId, {
      conceptId,
      accumulator: added.accumulator,
      landmark: added.landmark,
      eventCount: (current?.eventCount ?? 0) + 1,
      inSegment: current?.inSegment ?? false,
      // A late event must not move "last interaction" back in time.
      lastInteractionOn: last === null || event.occurredOn > last ? event.occurredOn : last,
      segmentChangedOn: current?.segmentChangedOn ?? null,
    });
  }
  return { profiles: next, deltas, skipped, touched: new Set(pointsByConcept.keys()) };
}

function evaluateProfiles(
  profiles: ReadonlyMap<string, InterestProfile>,
  concepts: readonly ConceptConfig[],
  touched: ReadonlySet<string>,
  now: EpochMs,
): ProfilesEvaluation {
  requireFinite('now', now);
  const results: ProfileResult[] = [];
  const transitions: SegmentChange[] = [];
  const scores: ConceptScore[] = [];
  for (const concept of concepts) {
    const profile = profiles.get(concept.id);
    if (profile === undefined) continue;
    const score = scoreAt(profile, now, concept.halfLifeDays);
    const transition = segmentTransition(
      profile.inSegment,
      score,
      { enter: concept.enterThreshold, exit: concept.exitThreshold },
      concept.id,
    );
    const wasTouched = touched.has(concept.id);
    results.push({
      ...profile,
      inSegment: transition === 'none' ? profile.inSegment : transition === 'enter',
      segmentChangedOn: transition === 'none' ? (profile.segmentChangedOn ?? null) : now,
      score,
      scoredOn: now,
      rankKey: rankKey(profile, concept.halfLifeDays),
      touched: wasTouched,
      transition,
      changed: wasTouched || transition !== 'none',
    });
    if (transition !== 'none') transitions.push({ conceptId: concept.id, transition, score });
    scores.push({
      conceptId: concept.id,
      conceptCode: concept.code,
      score,
      lastInteractionOn: profile.lastInteractionOn ?? null,
    });
  }
  return { profiles: results, transitions, primaryInterest: primaryInterest(scores) };
}

/** Scores one interaction of one contact. Pure: the caller writes the changed profiles. */
export function scoreEvent(input: ScoreEventInput): ScoreEventResult {
  const concepts = conceptMap(input.concepts);
  const current = new Map(input.profiles.map((profile) => [profile.conceptId, profile]));
  const applied = applyEvent(input.event, toRuleSet(input.rules), concepts, current, input.history);
  return {
    ...evaluateProfiles(applied.profiles, input.concepts, applied.touched, input.now),
    appliedDeltas: applied.deltas.map((d) => ({ rule: d.ruleId, concept: d.conceptId, points: d.points })),
    skipped: applied.skipped,
  };
}

/** The scheduled re-check: scores and segments at `now` without an event (decay only lowers |S|). */
export function recheckProfiles(
  profiles: readonly InterestProfile[],
  concepts: readonly ConceptConfig[],
  now: EpochMs,
): ProfilesEvaluation {
  conceptMap(concepts);
  return evaluateProfiles(new Map(profiles.map((p) => [p.conceptId, p])), concepts, new Set(), now);
}

/**
 * The rule history of a contact as the handler reads it back from Dataverse: its earlier scored
 * interactions with their stored `idr_applieddeltas`. Daily caps count the UTC day of the event
 * being scored (`occurredOn`), like rescore does.
 */
export function buildRuleHistory(
  earlier: readonly { readonly occurredOn: EpochMs; readonly appliedDeltas: readonly AppliedDelta[] }[],
  occurredOn: EpochMs,
): RuleHistory {
  const day = utcDay(occurredOn);
  const appliedRuleIds = new Set<string>();
  const appliedOnEventDay = new Map<string, number>();
  for (const interaction of earlier) {
    const sameDay = utcDay(interaction.occurredOn) === day;
    for (const delta of interaction.appliedDeltas) {
      appliedRuleIds.add(delta.rule);
      if (sameDay) appliedOnEventDay.set(delta.rule, (appliedOnEventDay.get(delta.rule) ?? 0) + 1);
    }
  }
  return { appliedRuleIds, appliedOnEventDay };
}

export interface HistoricalInteraction {
  readonly interactionId: string;
  readonly contactId: string;
  readonly event: InteractionEvent;
  /**
   * When live scoring evaluated it (segments are re-evaluated at that time). Defaults to the latest
   * `occurredOn` seen so far for the contact, so the replay's clock never runs backwards.
   */
  readonly scoredOn?: EpochMs | null;
}

export interface RescoredInteraction {
  readonly interactionId: string;
  readonly appliedDeltas: readonly AppliedDelta[];
  readonly skipped: readonly SkippedRule[];
}

export interface ContactRescore extends ProfilesEvaluation {
  /** Per interaction, in replay order: the new `idr_applieddeltas`. */
  readonly interactions: readonly RescoredInteraction[];
}

interface ReplayState {
  profiles: Map<string, InterestProfile>;
  appliedRuleIds: Set<string>;
  /** `${ruleId}|${utcDay}` → applications. */
  appliedPerDay: Map<string, number>;
  clock: number;
  interactions: RescoredInteraction[];
}

/**
 * Rebuilds every contact's profiles from its interaction history, with the same arithmetic as live
 * scoring. Interactions are replayed in the order given: pass them in the order they were
 * registered (`createdon`) to reproduce live scoring, since "once per contact" and daily caps go to
 * whichever interaction was scored first. Profiles start empty at each concept's landmark; a final
 * re-check at `now` settles segments.
 */
export function rescore(
  history: readonly HistoricalInteraction[],
  rules: RuleSet | readonly InteractionRule[],
  concepts: readonly ConceptConfig[],
  now: EpochMs,
): Map<string, ContactRescore> {
  const ruleSet = toRuleSet(rules);
  const byId = conceptMap(concepts);
  const contacts = new Map<string, ReplayState>();
  for (const item of history) {
    let state = contacts.get(item.contactId);
    if (state === undefined) {
      state = {
        profiles: new Map(),
        appliedRuleIds: new Set(),
        appliedPerDay: new Map(),
        clock: -Infinity,
        interactions: [],
      };
      contacts.set(item.contactId, state);
    }
    const day = utcDay(item.event.occurredOn);
    const appliedOnEventDay = new Map<string, number>();
    for (const compiled of ruleSet.rules) {
      const count = state.appliedPerDay.get(`${compiled.rule.id}|${day}`);
      if (count !== undefined) appliedOnEventDay.set(compiled.rule.id, count);
    }
    const applied = applyEvent(item.event, ruleSet, byId, state.profiles, {
      appliedRuleIds: state.appliedRuleIds,
      appliedOnEventDay,
    });
    state.clock = Math.max(state.clock, item.event.occurredOn);
    const evaluated = evaluateProfiles(
      applied.profiles,
      concepts,
      applied.touched,
      item.scoredOn ?? state.clock,
    );
    state.profiles = new Map(evaluated.profiles.map((p) => [p.conceptId, stripResult(p)]));
    for (const delta of applied.deltas) {
      state.appliedRuleIds.add(delta.ruleId);
      const key = `${delta.ruleId}|${day}`;
      state.appliedPerDay.set(key, (state.appliedPerDay.get(key) ?? 0) + 1);
    }
    state.interactions.push({
      interactionId: item.interactionId,
      appliedDeltas: applied.deltas.map((d) => ({ rule: d.ruleId, concept: d.conceptId, points: d.points })),
      skipped: applied.skipped,
    });
  }
  const result = new Map<string, ContactRescore>();
  for (const [contactId, state] of contacts) {
    result.set(contactId, {
      ...evaluateProfiles(state.profiles, concepts, new Set(), now),
      interactions: state.interactions,
    });
  }
  return result;
}

/** The stored part of a result: what the adapter writes and reads back. */
export function stripResult(result: ProfileResult): InterestProfile {
  return {
    conceptId: result.conceptId,
    accumulator: result.accumulator,
    landmark: result.landmark,
    eventCount: result.eventCount,
    inSegment: result.inSegment,
    lastInteractionOn: result.lastInteractionOn ?? null,
    segmentChangedOn: result.segmentChangedOn ?? null,
  };
}
