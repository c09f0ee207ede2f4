/**
 * Web API JSON in, domain/offer values out, and offer scores back to columns: the one place that
 * knows how the offer tables and the offer columns of interactions are read and written.
 */
import { normalizeGuid } from '../../../dataverse/adapters/keys';
import type { BatchOperation } from '../../../dataverse/client';
import type { Selected } from '../../../dataverse/selected';
import {
  contact,
  EventType,
  idr_interaction,
  idr_offer,
  idr_offerconcept,
  idr_offerscore,
  OfferOutcome,
  ValueTier,
  type idr_interactionRecord,
  type idr_offerRecord,
  type idr_offerscoreWrite,
} from '../../../dataverse/generated';
import { appliedDeltaItems, type ValueTier as Tier } from '../../../domain/interest';
import type { ContactScore, HistoryEvent, Offer, OfferOutcome as Outcome } from '../../../domain/offer';
import { idValue, NAME_MAX, recordUrl, textValue, timeValue, truncate } from '../interests/records';

export const OC = idr_offer.columns;
export const OCC = idr_offerconcept.columns;
export const SC = idr_offerscore.columns;
const IC = idr_interaction.columns;

export const OFFER_SELECT = [
  OC.idr_offerid,
  OC.idr_name,
  OC.idr_code,
  OC.idr_value,
  OC.idr_priority,
  OC.idr_validfrom,
  OC.idr_validto,
  OC.idr_labeldays,
  OC.idr_arguments,
  OC.idr_argumentses,
  OC.idr_formostvaluable,
  OC.idr_formostgrowable,
  OC.idr_formaintain,
  OC.idr_forbelowzero,
] as const;

/** A row as OFFER_SELECT reads it. */
export type OfferRow = Selected<idr_offerRecord, typeof OFFER_SELECT>;

/** The purchase window when an offer leaves `idr_labeldays` empty. */
export const DEFAULT_LABEL_DAYS = 30;

export const TIER_OF_CHOICE: ReadonlyMap<number, Tier> = new Map([
  [ValueTier.MostValuable, 'mostValuable'],
  [ValueTier.MostGrowable, 'mostGrowable'],
  [ValueTier.Maintain, 'maintain'],
  [ValueTier.BelowZero, 'belowZero'],
]);

const OUTCOME_OF_CHOICE: ReadonlyMap<number, Outcome> = new Map([
  [OfferOutcome.Accepted, 'accepted'],
  [OfferOutcome.Declined, 'declined'],
  [OfferOutcome.Later, 'later'],
]);

export const CHOICE_OF_OUTCOME: Readonly<Record<Outcome, number>> = {
  accepted: OfferOutcome.Accepted,
  declined: OfferOutcome.Declined,
  later: OfferOutcome.Later,
};

export function toOffer(row: OfferRow, conceptIds: readonly string[]): Offer {
  const tiers = new Set<Tier>();
  // Boolean defaults are the solution's: every tier but Below zero
  if (row.idr_formostvaluable ?? true) tiers.add('mostValuable');
  if (row.idr_formostgrowable ?? true) tiers.add('mostGrowable');
  if (row.idr_formaintain ?? true) tiers.add('maintain');
  if (row.idr_forbelowzero ?? false) tiers.add('belowZero');
  const id = idValue(row.idr_offerid) ?? '';
  const code = textValue(row.idr_code);
  return {
    id,
    code: code ?? id,
    name: textValue(row.idr_name) ?? code ?? id,
    value: row.idr_value ?? 0,
    priority: row.idr_priority ?? 0,
    // Date-only columns arrive as `YYYY-MM-DD`; a datetime is cut to its day.
    validFrom: textValue(row.idr_validfrom)?.slice(0, 10) ?? null,
    validTo: textValue(row.idr_validto)?.slice(0, 10) ?? null,
    labelDays: row.idr_labeldays ?? DEFAULT_LABEL_DAYS,
    conceptIds,
    eligibleTiers: tiers,
    argumentsEn: textValue(row.idr_arguments) ?? '',
    argumentsEs: textValue(row.idr_argumentses) ?? '',
  };
}

export const HISTORY_SELECT = [
  `_${IC.idr_contact}_value`,
  IC.idr_occurredon,
  IC.idr_eventtype,
  `_${IC.idr_offer}_value`,
  IC.idr_offeroutcome,
  IC.idr_applieddeltas,
] as const;

/** A row as HISTORY_SELECT reads it. */
export type HistoryRow = Selected<idr_interactionRecord, typeof HISTORY_SELECT>;

/** An interaction as history: its applied points per concept, and the offer it ordered or presented. */
export function toHistoryEvent(row: HistoryRow): { contactId: string; event: HistoryEvent } | null {
  const contactId = idValue(row._idr_contact_value);
  const occurredOn = timeValue(row.idr_occurredon);
  if (contactId === null || occurredOn === null) return null;
  const deltas = appliedDeltaItems(row.idr_applieddeltas).flatMap((item) =>
    typeof item.concept === 'string' && typeof item.points === 'number'
      ? [{ conceptId: normalizeGuid(item.concept) ?? item.concept, points: item.points }]
      : [],
  );
  const offerId = idValue(row._idr_offer_value);
  const type = row.idr_eventtype;
  const outcome = OUTCOME_OF_CHOICE.get(row.idr_offeroutcome ?? -1) ?? null;
  return {
    contactId,
    event: {
      occurredOn,
      deltas,
      orderedOffer: type === EventType.OrderConfirmed ? offerId : null,
      presented: type === EventType.OfferPresented && offerId !== null ? { offerId, outcome } : null,
    },
  };
}

/** Upserts the contact's score for the offer by the alternate key (contact + offer). */
export function scoreUpsert(
  offer: Offer,
  score: ContactScore,
  modelVersion: string,
  scoredOn: number,
  contactName?: string,
): BatchOperation {
  const record: idr_offerscoreWrite = {
    idr_name: truncate(`${contactName ?? score.contactId} · ${offer.name}`, NAME_MAX),
    'idr_contact@odata.bind': recordUrl(contact.entitySetName, score.contactId),
    'idr_offer@odata.bind': recordUrl(idr_offer.entitySetName, offer.id),
    idr_propensity: Math.round(score.propensity * 1e6) / 1e6,
    idr_expectedvalue: Math.round(score.expectedValue * 100) / 100,
    idr_modelversion: modelVersion,
    idr_scoredon: new Date(scoredOn).toISOString(),
  };
  return {
    kind: 'upsert',
    entitySet: idr_offerscore.entitySetName,
    key: { [SC.idr_contact]: score.contactId, [SC.idr_offer]: offer.id },
    record,
  };
}
