/**
 * The contact policy's rules that depend on the contact alone (Robinson lists, consent, Below Zero),
 * not on the campaign or the day: the distribution guard, the triggered actions and the next-best offers
 * on the contact card all ask this one function. Kept apart from the guard so a PCF bundle takes only it.
 */
import type { Channel, ContactPolicy } from './policy';

/** The contact's opt-outs, as Dataverse keeps them on the contact. */
export interface Consent {
  readonly donotemail?: boolean;
  readonly donotbulkemail?: boolean;
  readonly donotphone?: boolean;
  readonly donotpostalmail?: boolean;
}

/** What the policy needs to know about the contact itself. */
export interface ContactStanding {
  /** A member of a marketing list flagged as an exclusion (Robinson) list. */
  readonly onExclusionList: boolean;
  readonly consent: Consent;
  readonly belowZero: boolean;
}

/** Why the contact gets nothing, whatever the campaign. Order = the order the guard checks. */
export type StandingReason = 'exclusion-list' | 'no-consent' | 'below-zero';

/** No consent for the channel: the contact's own opt-outs (bulk email counts for marketing email). */
export function hasConsent(channel: Channel, consent: Consent): boolean {
  switch (channel) {
    case 'email':
      return !consent.donotemail && !consent.donotbulkemail;
    case 'phone':
      return !consent.donotphone;
    case 'mail':
      return !consent.donotpostalmail;
  }
}

/**
 * Why the contact may not be reached at all on `channel`, or undefined when it may: a Robinson list
 * first (no channel at all), then consent for the channel (none to check when `channel` is null, e.g.
 * a task), then Below Zero when the policy excludes it.
 */
export function standingExclusion(
  standing: ContactStanding,
  channel: Channel | null,
  policy: Pick<ContactPolicy, 'excludeBelowZero'>,
): StandingReason | undefined {
  if (standing.onExclusionList) return 'exclusion-list';
  if (channel && !hasConsent(channel, standing.consent)) return 'no-consent';
  if (policy.excludeBelowZero && standing.belowZero) return 'below-zero';
  return undefined;
}
