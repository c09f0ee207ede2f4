/**
 * The guard every outbound marketing action passes, and the distribution plan built on it: who of a
 * campaign activity's members gets the action, on which day, and why each of the others does not.
 * Pure: the adapter reads members, consent, past impacts and the policy, and writes the plan back.
 * Days are whole UTC day numbers (days since 1970-01-01).
 */
import { seededRandom, seedFromText } from '../random';
import { InvalidCampaignSettingError } from './errors';
import type { Channel, ContactPolicy, FrequencyCap } from './policy';
import { ROLLING_WINDOW_DAYS, validateContactPolicy } from './policy';
import { type Consent, standingExclusion } from './standing';

/** Why a member did not get the action (or not on the planned day). Order = the order the guard checks. */
export const EXCLUSION_REASONS = [
  'exclusion-list',
  'no-consent',
  'below-zero',
  'incompatible',
  'frequency-cap',
  'control',
  'capacity',
] as const;
export type ExclusionReason = (typeof EXCLUSION_REASONS)[number];
export type BlockReason = Extract<ExclusionReason, 'incompatible' | 'frequency-cap'>;

export interface Candidate {
  readonly contactId: string;
  readonly consent: Consent;
  readonly belowZero: boolean;
  /** Higher goes first when capacity is short (value tier, then score). */
  readonly priority: number;
}

/** An outbound marketing action the contact already has (sent, or scheduled), of any campaign. */
export interface Impact {
  readonly contactId: string;
  readonly channel: Channel;
  readonly day: number;
  readonly campaignId?: string;
  /** The campaign's incompatibility window in days; 0 or absent: compatible with everything. */
  readonly incompatibleWithinDays?: number;
}

export interface DistributionRequest {
  readonly campaignId: string;
  readonly channel: Channel;
  readonly startDay: number;
  /** Share of the eligible target held out, 0–100. */
  readonly controlPercent: number;
  /** This campaign's incompatibility window in days (0: none). */
  readonly incompatibleWithinDays: number;
  readonly candidates: readonly Candidate[];
  /** Members of marketing lists flagged as exclusion (Robinson) lists. */
  readonly exclusionListMembers: ReadonlySet<string>;
  readonly impacts: readonly Impact[];
  readonly policy: ContactPolicy;
  /**
   * Members who already have this campaign activity from an earlier run: never planned again, never
   * held out, but counted in the eligible target so a rerun sizes and draws the same control group.
   */
  readonly alreadyContacted?: ReadonlySet<string>;
}

export interface PlannedAction {
  readonly contactId: string;
  readonly day: number;
  /** Set when a cap or an incompatible campaign moved the action past the start day. */
  readonly postponedBecause?: BlockReason;
}

export interface Exclusion {
  readonly contactId: string;
  readonly reason: ExclusionReason;
}

export interface DistributionCounts {
  readonly targeted: number;
  readonly created: number;
  /** Members who already had the activity (see `alreadyContacted`). */
  readonly already: number;
  readonly postponed: number;
  readonly control: number;
  readonly excluded: Readonly<Record<ExclusionReason, number>>;
  /** Actions per day, first day first. */
  readonly perDay: readonly { readonly day: number; readonly actions: number }[];
}

export interface DistributionPlan {
  readonly actions: readonly PlannedAction[];
  /** Everyone who gets nothing, control group included (reason `control`). */
  readonly exclusions: readonly Exclusion[];
  readonly counts: DistributionCounts;
}

function overCap(days: readonly number[], day: number, cap: FrequencyCap | undefined): boolean {
  if (!cap) return false;
  for (const [name, width] of Object.entries(ROLLING_WINDOW_DAYS)) {
    const limit = cap[name as keyof FrequencyCap];
    if (limit === undefined) continue;
    // Every rolling window that would hold the new action must stay within the limit.
    for (let first = day - width + 1; first <= day; first++) {
      let count = 1;
      for (const d of days) if (d >= first && d < first + width) count++;
      if (count > limit) return true;
    }
  }
  return false;
}

/** Why the contact may not get an action of this campaign on `day`, or undefined when it may. */
export function blockOn(
  request: Pick<DistributionRequest, 'campaignId' | 'channel' | 'incompatibleWithinDays' | 'policy'>,
  impacts: readonly Impact[],
  day: number,
): BlockReason | undefined {
  if (request.incompatibleWithinDays > 0) {
    for (const impact of impacts) {
      const other = impact.incompatibleWithinDays ?? 0;
      if (other <= 0 || impact.campaignId === request.campaignId) continue;
      // "Within N days": N days apart is allowed again; the wider of the two windows holds.
      if (Math.abs(impact.day - day) < Math.max(other, request.incompatibleWithinDays)) return 'incompatible';
    }
  }
  const all = impacts.map((i) => i.day);
  const sameChannel = impacts.filter((i) => i.channel === request.channel).map((i) => i.day);
  if (overCap(sameChannel, day, request.policy.channelCaps[request.channel])) return 'frequency-cap';
  if (overCap(all, day, request.policy.overallCap)) return 'frequency-cap';
  return undefined;
}

/**
 * The control group: `percent` of the eligible ids (plus `alreadyContacted` members, never held out),
 * rounded, chosen by a draw seeded with the campaign and the contact, so a rerun (or a member added
 * later) leaves everyone else's draw unchanged.
 */
export function controlGroup(
  campaignId: string,
  eligible: readonly string[],
  percent: number,
  alreadyContacted = 0,
): Set<string> {
  if (!Number.isFinite(percent) || percent < 0 || percent > 100)
    throw new InvalidCampaignSettingError(
      campaignId,
      'control percentage',
      percent,
      'a number from 0 to 100',
    );
  const size = Math.round(((eligible.length + alreadyContacted) * percent) / 100);
  const drawn = eligible.map((id) => ({ id, draw: seededRandom(seedFromText(`${campaignId}:${id}`))() }));
  drawn.sort((a, b) => a.draw - b.draw || (a.id < b.id ? -1 : 1));
  return new Set(drawn.slice(0, size).map((d) => d.id));
}

export function planDistribution(request: DistributionRequest): DistributionPlan {
  const policy = validateContactPolicy(request.policy);
  if (!Number.isInteger(request.incompatibleWithinDays) || request.incompatibleWithinDays < 0)
    throw new InvalidCampaignSettingError(
      request.campaignId,
      'incompatible within (days)',
      request.incompatibleWithinDays,
      'a whole number ≥ 0',
    );
  const lastDay = request.startDay + policy.horizonDays;
  const byContact = new Map<string, Impact[]>();
  for (const impact of request.impacts) {
    const list = byContact.get(impact.contactId) ?? [];
    list.push(impact);
    byContact.set(impact.contactId, list);
  }
  const unique = new Map<string, Candidate>();
  for (const c of request.candidates) if (!unique.has(c.contactId)) unique.set(c.contactId, c);
  const ordered = [...unique.values()].sort(
    (a, b) => b.priority - a.priority || (a.contactId < b.contactId ? -1 : a.contactId > b.contactId ? 1 : 0),
  );

  const already = request.alreadyContacted ?? new Set<string>();
  const exclusions: Exclusion[] = [];
  let alreadyCount = 0;
  const eligible: { candidate: Candidate; earliest: number; postponedBecause?: BlockReason }[] = [];
  for (const candidate of ordered) {
    const id = candidate.contactId;
    if (already.has(id)) {
      alreadyCount++;
      continue;
    }
    const standing = standingExclusion(
      { ...candidate, onExclusionList: request.exclusionListMembers.has(id) },
      request.channel,
      policy,
    );
    if (standing) {
      exclusions.push({ contactId: id, reason: standing });
      continue;
    }
    const impacts = byContact.get(id) ?? [];
    const block = blockOn(request, impacts, request.startDay);
    if (!block) eligible.push({ candidate, earliest: request.startDay });
    else {
      let day: number | undefined;
      if (policy.overCap === 'postpone')
        for (let d = request.startDay + 1; d <= lastDay && day === undefined; d++)
          if (!blockOn(request, impacts, d)) day = d;
      if (day === undefined) exclusions.push({ contactId: id, reason: block });
      else eligible.push({ candidate, earliest: day, postponedBecause: block });
    }
  }

  const control = controlGroup(
    request.campaignId,
    eligible.map((e) => e.candidate.contactId),
    request.controlPercent,
    alreadyCount,
  );
  const capacity = policy.dailyCapacity[request.channel];
  const used = new Map<number, number>();
  const actions: PlannedAction[] = [];
  for (const entry of eligible) {
    const id = entry.candidate.contactId;
    if (control.has(id)) {
      exclusions.push({ contactId: id, reason: 'control' });
      continue;
    }
    const impacts = byContact.get(id) ?? [];
    let day: number | undefined;
    for (let d = entry.earliest; d <= lastDay && day === undefined; d++) {
      if (capacity !== undefined && (used.get(d) ?? 0) >= capacity) continue;
      if (d !== entry.earliest && blockOn(request, impacts, d)) continue;
      day = d;
    }
    if (day === undefined) {
      exclusions.push({ contactId: id, reason: 'capacity' });
      continue;
    }
    used.set(day, (used.get(day) ?? 0) + 1);
    actions.push(
      entry.postponedBecause
        ? { contactId: id, day, postponedBecause: entry.postponedBecause }
        : { contactId: id, day },
    );
  }

  const excluded = Object.fromEntries(EXCLUSION_REASONS.map((r) => [r, 0])) as Record<
    ExclusionReason,
    number
  >;
  for (const e of exclusions) excluded[e.reason]++;
  return {
    actions,
    exclusions,
    counts: {
      targeted: unique.size,
      created: actions.length,
      already: alreadyCount,
      postponed: actions.filter((a) => a.postponedBecause).length,
      control: excluded.control,
      excluded,
      perDay: [...used.entries()].sort(([a], [b]) => a - b).map(([day, n]) => ({ day, actions: n })),
    },
  };
}
