/**
 * The contact policy: the limits every outbound marketing action is held to (one active policy per
 * business, `idr_contactpolicy`). Channels follow the contact's consent columns in Dataverse.
 */
import { InvalidContactPolicyError } from './errors';

export const CHANNELS = ['email', 'phone', 'mail'] as const;
/** An outbound channel: email (a bulk marketing email), phone (a call-centre call), mail (a letter). */
export type Channel = (typeof CHANNELS)[number];

/** At most this many impacts in a rolling window; `undefined` means no limit. */
export interface FrequencyCap {
  readonly day?: number;
  readonly week?: number;
  readonly month?: number;
}

export type OverCapAction = 'postpone' | 'drop';

export interface ContactPolicy {
  /** Caps per channel, counting that channel's impacts only. */
  readonly channelCaps: Readonly<Partial<Record<Channel, FrequencyCap>>>;
  /** Caps over every channel together. */
  readonly overallCap: FrequencyCap;
  /** What happens to an action over a cap or inside an incompatible campaign's window. */
  readonly overCap: OverCapAction;
  /** How many days after the planned day a postponed or unscheduled action may still go out. */
  readonly horizonDays: number;
  /** Below-Zero customers get no marketing at all (one-to-one marketing's stratification). */
  readonly excludeBelowZero: boolean;
  /** Actions a channel can carry per day (calls per day for the call centre); absent: unlimited. */
  readonly dailyCapacity: Readonly<Partial<Record<Channel, number>>>;
}

/** What ships: a contact hears from marketing at most once a day, twice a week, six times a month. */
export const DEFAULT_CONTACT_POLICY: ContactPolicy = {
  channelCaps: {
    email: { day: 1, week: 2, month: 6 },
    phone: { day: 1, week: 1, month: 2 },
    mail: { month: 2 },
  },
  overallCap: { day: 1, week: 3, month: 8 },
  overCap: 'postpone',
  horizonDays: 30,
  excludeBelowZero: true,
  dailyCapacity: { phone: 40 },
};

export const ROLLING_WINDOW_DAYS = { day: 1, week: 7, month: 30 } as const;

function checkCount(field: string, value: number | undefined): void {
  if (value === undefined) return;
  if (!Number.isInteger(value) || value < 0)
    throw new InvalidContactPolicyError(field, value, 'a whole number ≥ 0, or empty for no limit');
}

/** Throws InvalidContactPolicyError for the first value out of range. */
export function validateContactPolicy(policy: ContactPolicy): ContactPolicy {
  const caps: [string, FrequencyCap | undefined][] = [
    ['overall cap', policy.overallCap],
    ...CHANNELS.map((c): [string, FrequencyCap | undefined] => [`${c} cap`, policy.channelCaps[c]]),
  ];
  for (const [name, cap] of caps) {
    if (!cap) continue;
    checkCount(`${name} per day`, cap.day);
    checkCount(`${name} per week`, cap.week);
    checkCount(`${name} per month`, cap.month);
  }
  for (const channel of CHANNELS) {
    const capacity = policy.dailyCapacity[channel];
    if (capacity !== undefined && (!Number.isInteger(capacity) || capacity < 1))
      throw new InvalidContactPolicyError(
        `${channel} daily capacity`,
        capacity,
        'a whole number ≥ 1, or empty',
      );
  }
  if (!Number.isInteger(policy.horizonDays) || policy.horizonDays < 0 || policy.horizonDays > 366)
    throw new InvalidContactPolicyError('horizon days', policy.horizonDays, 'a whole number from 0 to 366');
  return policy;
}
