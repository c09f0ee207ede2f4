/**
 * Triggered actions: marketing's "when … then …" rules (`idr_trigger`). Pure: the adapter reads the
 * facts (segment changes, interactions, birthdays, profiles) and writes what these functions decide.
 * Each occurrence carries a key (trigger, contact, occurrence) so its action is created once, however
 * often the event-driven path and the scheduled job see it.
 */
import type { Exclusion, Impact } from './guard';
import { blockOn } from './guard';
import { type Consent, standingExclusion } from './standing';
import type { Channel, ContactPolicy } from './policy';
import { validateContactPolicy } from './policy';
import { InvalidTriggerError } from './errors';

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

export const TRIGGER_KINDS = [
  'enters-segment',
  'leaves-segment',
  'birthday',
  'cart-abandoned',
  'response',
  'score-drop',
] as const;
export type TriggerKind = (typeof TRIGGER_KINDS)[number];

export const TRIGGER_ACTIONS = ['phone-call', 'task', 'email', 'add-to-list'] as const;
export type TriggerActionKind = (typeof TRIGGER_ACTIONS)[number];

export interface TriggerRule {
  readonly id: string;
  readonly name: string;
  readonly kind: TriggerKind;
  readonly action: TriggerActionKind;
  /** Segment and score kinds: the concept watched. */
  readonly conceptId?: string | null;
  /** Birthday: days before it (0: on the day). */
  readonly days?: number | null;
  /** Cart abandoned: hours without an order. */
  readonly hours?: number | null;
  /** Score drop: the score today under which it fires. */
  readonly threshold?: number | null;
  /** Add to a list: the list. */
  readonly listId?: string | null;
}

/** One firing of a trigger for one contact: `key` is the same whenever the same fact is seen again. */
export interface Occurrence {
  readonly triggerId: string;
  readonly contactId: string;
  readonly key: string;
  /** When the fact happened (ms): the action is due then, or now when that is past. */
  readonly at: number;
}

/** What a trigger needs set, by kind and action; throws InvalidTriggerError naming the column to fill. */
export function validateTrigger(rule: TriggerRule): TriggerRule {
  const need = (ok: boolean, field: string, allowed: string, value: unknown) => {
    if (!ok) throw new InvalidTriggerError(rule.name, field, value, allowed);
  };
  if (rule.kind === 'enters-segment' || rule.kind === 'leaves-segment' || rule.kind === 'score-drop')
    need(!!rule.conceptId, 'Marketing Concept', 'a marketing concept', rule.conceptId ?? null);
  if (rule.kind === 'birthday')
    need(
      rule.days !== null && rule.days !== undefined && Number.isInteger(rule.days) && rule.days >= 0,
      'Days',
      'a whole number of days from 0 to 365',
      rule.days ?? null,
    );
  if (rule.kind === 'cart-abandoned')
    need(
      rule.hours !== null && rule.hours !== undefined && Number.isInteger(rule.hours) && rule.hours >= 1,
      'Hours',
      'a whole number of hours ≥ 1',
      rule.hours ?? null,
    );
  if (rule.kind === 'score-drop')
    need(
      rule.threshold !== null && rule.threshold !== undefined && rule.threshold > 0,
      'Score Below',
      'a score above 0',
      rule.threshold ?? null,
    );
  if (rule.action === 'add-to-list') need(!!rule.listId, 'Marketing List', 'a marketing list', null);
  return rule;
}

function key(rule: TriggerRule, contactId: string, occurrence: string): string {
  return `${rule.id}|${contactId}|${occurrence}`;
}

/** A profile's segment state as Dataverse keeps it (`idr_insegment`, `idr_segmentchangedon`). */
export interface SegmentState {
  readonly contactId: string;
  readonly conceptId: string;
  readonly inSegment: boolean;
  readonly changedOn: number | null;
}

/** Segment entries or exits since `since`: one occurrence per change (its moment is the key). */
export function segmentOccurrences(
  rule: TriggerRule,
  states: readonly SegmentState[],
  since: number,
): Occurrence[] {
  if (rule.kind !== 'enters-segment' && rule.kind !== 'leaves-segment') return [];
  const entering = rule.kind === 'enters-segment';
  return states
    .filter(
      (s) =>
        s.conceptId === rule.conceptId &&
        s.inSegment === entering &&
        s.changedOn !== null &&
        s.changedOn >= since,
    )
    .map((s) => ({
      triggerId: rule.id,
      contactId: s.contactId,
      key: key(rule, s.contactId, `segment:${s.conceptId}:${s.changedOn}`),
      at: s.changedOn ?? since,
    }));
}

/** A birthday as Dataverse's date-only `birthdate` gives it. */
export interface Birthday {
  readonly contactId: string;
  /** `YYYY-MM-DD`. */
  readonly birthdate: string;
}

/** The birthday on or after `day` (whole UTC days); 29 February falls on 28 February in other years. */
export function nextBirthday(birthdate: string, day: number): { year: number; day: number } | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(birthdate);
  if (!m) return null;
  const month = Number(m[2]) - 1;
  const date = Number(m[3]);
  const on = (year: number) => {
    const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
    const d = month === 1 && date === 29 && !leap ? 28 : date;
    return Math.floor(Date.UTC(year, month, d) / DAY_MS);
  };
  const year = new Date(day * DAY_MS).getUTCFullYear();
  return on(year) >= day ? { year, day: on(year) } : { year: year + 1, day: on(year + 1) };
}

/**
 * Birthdays within the trigger's days from `today`: once per contact and year (the year is the key),
 * so a job that runs every hour, or missed a day, still fires it once.
 */
export function birthdayOccurrences(
  rule: TriggerRule,
  birthdays: readonly Birthday[],
  today: number,
): Occurrence[] {
  if (rule.kind !== 'birthday') return [];
  const days = rule.days ?? 0;
  return birthdays.flatMap((b) => {
    const next = nextBirthday(b.birthdate, today);
    if (!next || next.day - today > days) return [];
    return [
      {
        triggerId: rule.id,
        contactId: b.contactId,
        key: key(rule, b.contactId, `birthday:${next.year}`),
        at: today * DAY_MS,
      },
    ];
  });
}

/** An interaction as the trigger rules see it. */
export interface TriggerInteraction {
  readonly id: string;
  readonly contactId: string;
  readonly kind: 'cart-abandoned' | 'order' | 'response' | 'other';
  readonly occurredOn: number;
}

/**
 * Carts abandoned (interactions of type Cart abandoned) with no order from the contact within the
 * trigger's hours after, once those hours are over at `now`.
 */
export function cartOccurrences(
  rule: TriggerRule,
  interactions: readonly TriggerInteraction[],
  now: number,
): Occurrence[] {
  if (rule.kind !== 'cart-abandoned') return [];
  const window = (rule.hours ?? 0) * HOUR_MS;
  const orders = new Map<string, number[]>();
  for (const i of interactions)
    if (i.kind === 'order') orders.set(i.contactId, [...(orders.get(i.contactId) ?? []), i.occurredOn]);
  return interactions
    .filter((i) => i.kind === 'cart-abandoned' && i.occurredOn + window <= now)
    .filter(
      (cart) =>
        !(orders.get(cart.contactId) ?? []).some(
          (t) => t >= cart.occurredOn && t <= cart.occurredOn + window,
        ),
    )
    .map((cart) => ({
      triggerId: rule.id,
      contactId: cart.contactId,
      key: key(rule, cart.contactId, `interaction:${cart.id}`),
      at: cart.occurredOn + window,
    }));
}

/** Responses (a coupon click, by default): one occurrence per response interaction. */
export function responseOccurrences(
  rule: TriggerRule,
  interactions: readonly TriggerInteraction[],
): Occurrence[] {
  if (rule.kind !== 'response') return [];
  return interactions
    .filter((i) => i.kind === 'response')
    .map((i) => ({
      triggerId: rule.id,
      contactId: i.contactId,
      key: key(rule, i.contactId, `interaction:${i.id}`),
      at: i.occurredOn,
    }));
}

/** A profile's stored score and when it was scored, with its concept's half-life. */
export interface ScoreState {
  readonly contactId: string;
  readonly conceptId: string;
  readonly score: number;
  readonly scoredOn: number;
  readonly halfLifeDays: number;
}

/**
 * When a stored score, decaying, crosses below `threshold`: S·2^(−t/T½) = threshold. Null when it was
 * already below when scored (no drop seen) or never reaches it.
 */
export function crossingTime(state: ScoreState, threshold: number): number | null {
  if (!(state.score >= threshold) || threshold <= 0 || state.halfLifeDays <= 0) return null;
  return state.scoredOn + Math.log2(state.score / threshold) * state.halfLifeDays * DAY_MS;
}

/** Scores that decayed below the trigger's threshold between `since` and `now`. */
export function scoreDropOccurrences(
  rule: TriggerRule,
  states: readonly ScoreState[],
  since: number,
  now: number,
): Occurrence[] {
  if (rule.kind !== 'score-drop' || !rule.threshold) return [];
  const threshold = rule.threshold;
  return states.flatMap((s) => {
    if (s.conceptId !== rule.conceptId) return [];
    const at = crossingTime(s, threshold);
    if (at === null || at > now || at < since) return [];
    // The scoring moment identifies the drop: a new event rescoring the profile makes a new one.
    return [
      { triggerId: rule.id, contactId: s.contactId, key: key(rule, s.contactId, `drop:${s.scoredOn}`), at },
    ];
  });
}

/** The channel an action reaches the contact on; a task or a list membership reaches no one yet. */
export function channelOfAction(action: TriggerActionKind): Channel | null {
  if (action === 'email') return 'email';
  if (action === 'phone-call') return 'phone';
  return null;
}

export interface TriggerGuardInput {
  readonly rule: TriggerRule;
  readonly contactId: string;
  readonly consent: Consent;
  readonly belowZero: boolean;
  readonly onExclusionList: boolean;
  readonly impacts: readonly Impact[];
  readonly day: number;
  readonly policy: ContactPolicy;
}

export type TriggerDecision =
  | { readonly outcome: 'create'; readonly day: number; readonly postponedBecause?: Exclusion['reason'] }
  | { readonly outcome: 'skip'; readonly reason: Exclusion['reason'] };

/** One outbound action's guard, whatever planned it: a trigger, or a campaign distribution re-checked on its send day. */
export interface ActionGuardInput extends Omit<TriggerGuardInput, 'rule'> {
  /** The channel the action reaches the contact on; null for a task or a list membership. */
  readonly channel: Channel | null;
  /** The campaign the action counts for (a trigger's own: `trigger:<id>`) and its incompatibility window. */
  readonly campaignId: string;
  readonly incompatibleWithinDays: number;
}

/**
 * The contact policy for one action: Robinson lists and Below-Zero for every action (a list
 * membership or a task leads to contact later), consent and frequency caps for the channel the action
 * uses (postponed to the first allowed day, or dropped, as the policy says).
 */
export function guardAction(input: ActionGuardInput): TriggerDecision {
  const policy = validateContactPolicy(input.policy);
  const channel = input.channel;
  const standing = standingExclusion(input, channel, policy);
  if (standing) return { outcome: 'skip', reason: standing };
  if (!channel) return { outcome: 'create', day: input.day };
  const request = {
    campaignId: input.campaignId,
    channel,
    incompatibleWithinDays: input.incompatibleWithinDays,
    policy,
  };
  const mine = input.impacts.filter((i) => i.contactId === input.contactId);
  const block = blockOn(request, mine, input.day);
  if (!block) return { outcome: 'create', day: input.day };
  if (policy.overCap === 'postpone')
    for (let d = input.day + 1; d <= input.day + policy.horizonDays; d++)
      if (!blockOn(request, mine, d)) return { outcome: 'create', day: d, postponedBecause: block };
  return { outcome: 'skip', reason: block };
}

/** A triggered action's guard: the action's channel, counted for the trigger as its own campaign. */
export function guardTriggeredAction(input: TriggerGuardInput): TriggerDecision {
  return guardAction({
    ...input,
    channel: channelOfAction(input.rule.action),
    campaignId: `trigger:${input.rule.id}`,
    incompatibleWithinDays: 0,
  });
}
