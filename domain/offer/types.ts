/** The shapes the offer engine reads: offers, and each contact's history as of any date. */
import type { EpochMs } from '../interest/time';
import type { ValueTier } from '../interest/valuetier';

export type OfferOutcome = 'accepted' | 'declined' | 'later';

/** What an adviser may offer; dates are date-only `YYYY-MM-DD` strings, `null` = open. */
export interface Offer {
  readonly id: string;
  readonly code: string;
  readonly name: string;
  readonly value: number;
  readonly priority: number;
  readonly validFrom: string | null;
  readonly validTo: string | null;
  /** An order within this many days after a cutoff is a purchase (the label). */
  readonly labelDays: number;
  readonly conceptIds: readonly string[];
  /** Value tiers the offer may be presented to; a contact with no tier yet counts as `maintain`. */
  readonly eligibleTiers: ReadonlySet<ValueTier>;
  readonly argumentsEn: string;
  readonly argumentsEs: string;
  /** The campaign the offer belongs to, if any: an accepted presentation is a response to it. */
  readonly campaignId?: string | null;
}

/** One interaction, reduced to what propensity needs. */
export interface HistoryEvent {
  readonly occurredOn: EpochMs;
  /** Points the interaction applied per concept (from `idr_applieddeltas`). */
  readonly deltas: readonly { readonly conceptId: string; readonly points: number }[];
  /** Set on an order of an offer. */
  readonly orderedOffer?: string | null;
  /** Set on an "Offer presented" interaction. */
  readonly presented?: { readonly offerId: string; readonly outcome: OfferOutcome | null } | null;
}

export interface ContactHistory {
  readonly contactId: string;
  readonly tier: ValueTier | null;
  /** Any order; features only look at events before the cutoff they are computed at. */
  readonly events: readonly HistoryEvent[];
}
