/**
 * The next-best offer for an adviser on an inbound contact: the current offers the contact may get,
 * by expected value (propensity × value), each with the interests that make it relevant. Pure and
 * free of the model's library, so the InterestProfile control can bundle it.
 */
import type { Channel } from '../campaign/policy';
import { type ContactStanding, type StandingReason, standingExclusion } from '../campaign/standing';
import { DAY_MS, type EpochMs } from '../interest/time';
import type { ValueTier } from '../interest/valuetier';
import type { HistoryEvent, Offer } from './types';

export interface ConceptInterest {
  readonly conceptId: string;
  readonly name: string;
  readonly score: number;
}

export interface RankedOffer {
  readonly offer: Offer;
  readonly propensity: number;
  readonly expectedValue: number;
  /** The contact's strongest interests among the concepts the offer serves, highest first. */
  readonly why: readonly ConceptInterest[];
}

export interface NextBestInput {
  readonly offers: readonly Offer[];
  /** Propensity per offer id from `idr_offerscore`; an offer with no score yet is left out. */
  readonly propensities: ReadonlyMap<string, number>;
  readonly tier: ValueTier | null;
  /** Offer ids the contact must not be offered (see `excludedOffers`). */
  readonly excluded: ReadonlySet<string>;
  /** Today as `YYYY-MM-DD` in the adviser's calendar. */
  readonly today: string;
  /** The contact's interest today per concept id. */
  readonly interests: readonly ConceptInterest[];
  readonly limit?: number;
}

/** Valid on `today` (date-only strings compare as dates). */
export function isCurrent(offer: Offer, today: string): boolean {
  return (
    (offer.validFrom === null || offer.validFrom <= today) &&
    (offer.validTo === null || today <= offer.validTo)
  );
}

export function isEligible(offer: Offer, tier: ValueTier | null): boolean {
  return offer.eligibleTiers.has(tier ?? 'maintain');
}

/** Where the offers are presented: by an adviser on the contact's inbound call. */
export const PRESENTATION_CHANNEL: Channel = 'phone';

/** Why the adviser presents no offer at all (Below Zero is left to each offer's value tiers). */
export type WithheldReason = Exclude<StandingReason, 'below-zero'>;

/**
 * Why no offer at all may be presented to the contact, by the contact policy's own rules: a Robinson
 * list, or no consent for marketing on the phone. Undefined when offers may be presented.
 */
export function offersWithheld(standing: Omit<ContactStanding, 'belowZero'>): WithheldReason | undefined {
  // The customer called in, so only a pitch on the phone is at stake; Below Zero stays with each offer's "For Below Zero".
  const reason = standingExclusion({ ...standing, belowZero: false }, PRESENTATION_CHANNEL, {
    excludeBelowZero: false,
  });
  return reason === 'below-zero' ? undefined : reason;
}

export interface ExclusionRules {
  /** A declined offer is not presented again for this many days. */
  readonly declinedCooldownDays: number;
}

export const DEFAULT_EXCLUSION_RULES: ExclusionRules = { declinedCooldownDays: 30 };

/**
 * Offers the contact should not hear about now: bought (ordered or accepted) within the offer's
 * purchase window, or declined within the cool-down.
 */
export function excludedOffers(
  offers: readonly Offer[],
  events: readonly HistoryEvent[],
  now: EpochMs,
  rules: ExclusionRules = DEFAULT_EXCLUSION_RULES,
): Set<string> {
  const excluded = new Set<string>();
  for (const offer of offers) {
    const boughtSince = now - offer.labelDays * DAY_MS;
    const declinedSince = now - rules.declinedCooldownDays * DAY_MS;
    for (const event of events) {
      if (event.occurredOn > now) continue;
      const bought =
        (event.orderedOffer === offer.id ||
          (event.presented?.offerId === offer.id && event.presented.outcome === 'accepted')) &&
        event.occurredOn >= boughtSince;
      const declined =
        event.presented?.offerId === offer.id &&
        event.presented.outcome === 'declined' &&
        event.occurredOn >= declinedSince;
      if (bought || declined) excluded.add(offer.id);
    }
  }
  return excluded;
}

export function nextBestOffers(input: NextBestInput): RankedOffer[] {
  const interestById = new Map(input.interests.map((i) => [i.conceptId, i]));
  const ranked: RankedOffer[] = [];
  for (const offer of input.offers) {
    const propensity = input.propensities.get(offer.id);
    if (propensity === undefined) continue;
    if (!isCurrent(offer, input.today) || !isEligible(offer, input.tier) || input.excluded.has(offer.id))
      continue;
    const why = offer.conceptIds
      .map((id) => interestById.get(id))
      .filter((i): i is ConceptInterest => i !== undefined && i.score > 0)
      .sort((a, b) => b.score - a.score)
      .slice(0, 3);
    ranked.push({ offer, propensity, expectedValue: propensity * offer.value, why });
  }
  ranked.sort(
    (a, b) =>
      b.expectedValue - a.expectedValue ||
      b.offer.priority - a.offer.priority ||
      a.offer.name.localeCompare(b.offer.name),
  );
  return ranked.slice(0, input.limit ?? 5);
}
