/**
 * Segment membership with hysteresis: enter when S ≥ enter threshold, leave when S < exit
 * threshold, otherwise stay as you are, so a score hovering near one line does not flap a contact
 * in and out of a marketing list.
 *
 * Two memberships are kept apart on purpose. Score membership (`inSegment`, stored on the
 * interest profile) says what the contact's behaviour shows and is never changed by consent.
 * List membership (the concept's marketing list) is what marketing sends to, so it also needs
 * consent: Dataverse keeps that on the contact (`donotbulkemail`), and a contact who must not be
 * contacted in bulk is scored and segmented but never added to the list.
 */
import { InvalidThresholdsError } from './errors';
import { requireFinite } from './time';

export interface SegmentThresholds {
  readonly enter: number;
  readonly exit: number;
}

export type SegmentTransition = 'enter' | 'leave' | 'none';

/** Throws InvalidThresholdsError (with both values) unless exit ≤ enter and both are numbers. */
export function validateThresholds(thresholds: SegmentThresholds, conceptId?: string): SegmentThresholds {
  const { enter, exit } = thresholds;
  if (!Number.isFinite(enter) || !Number.isFinite(exit) || exit > enter) {
    throw new InvalidThresholdsError(conceptId, enter, exit);
  }
  return thresholds;
}

export function segmentTransition(
  inSegment: boolean,
  score: number,
  thresholds: SegmentThresholds,
  conceptId?: string,
): SegmentTransition {
  validateThresholds(thresholds, conceptId);
  requireFinite('score', score);
  if (!inSegment && score >= thresholds.enter) return 'enter';
  if (inSegment && score < thresholds.exit) return 'leave';
  return 'none';
}

export function nextInSegment(inSegment: boolean, score: number, thresholds: SegmentThresholds): boolean {
  const transition = segmentTransition(inSegment, score, thresholds);
  return transition === 'none' ? inSegment : transition === 'enter';
}

/** Consent as Dataverse keeps it on the contact. */
export interface Consent {
  /** `donotbulkemail`: the contact must not receive bulk (marketing) communication. */
  readonly doNotBulkEmail: boolean;
}

export type MembershipAction = 'add' | 'remove' | 'none';

export interface MembershipInput {
  /** Score membership after this evaluation. */
  readonly inSegment: boolean;
  /** Whether the contact is a member of the concept's marketing list now. */
  readonly inList: boolean;
  readonly consent: Consent;
}

/** What to do to the marketing list so it holds exactly the consenting members of the segment. */
export function decideMembership({ inSegment, inList, consent }: MembershipInput): MembershipAction {
  const belongs = inSegment && !consent.doNotBulkEmail;
  if (belongs && !inList) return 'add';
  if (!belongs && inList) return 'remove';
  return 'none';
}
