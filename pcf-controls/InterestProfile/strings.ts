import { readStrings, type Strings } from '../shared/strings';

/** Keys of strings/InterestProfile.*.resx the components use. */
export const INTEREST_PROFILE_KEYS = [
  'Scores_Label',
  'PrimaryInterest',
  'ValueTier',
  'None',
  'Segments',
  'Consent_Label',
  'Consent_AllowsBulk',
  'Consent_NoBulk',
  'Consent_NoEmail',
  'Consent_NoPhone',
  'Contribution',
  'InSegment',
  'Loading',
  'Empty',
  'NewRecord',
  'Error',
  'Offers_Title',
  'Offers_Empty',
  'Offers_OnExclusionList',
  'Offers_NoPhoneConsent',
  'Offer_Likelihood',
  'Offer_Why',
  'Offer_Accepted',
  'Offer_Declined',
  'Offer_Later',
  'Offer_Recorded',
  'Offer_RecordError',
] as const;

export type InterestProfileStrings = Strings<(typeof INTEREST_PROFILE_KEYS)[number]>;

export function interestProfileStrings(getString: (key: string) => string): InterestProfileStrings {
  return readStrings(INTEREST_PROFILE_KEYS, getString);
}
