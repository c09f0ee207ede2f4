/**
 * Web API JSON in, domain/offer values out, and offer scores back to columns: the one place that
 * knows how the offer tables and the offer columns of interactions are read and written.
 */
import { normalizeGuid } from '../../../dataverse/adapters/keys';
import type { BatchOperation, EntityRecord } from '../../../dataverse/client';
import {
  contact,
  EventType,
  idr_interaction,
  idr_offer,
  idr_offerconcept,
  idr_offerscore,
  OfferOutcome,
  ValueTier,
} from '../../../dataverse/generated';
import { appliedDeltaItems, type ValueTier as Tier } from '../../../domain/interest';
import type { ContactScore, HistoryEvent, Offer, OfferOutcome as Outcome } from '../../../domain/offer';
import {
  bind,
  bool,
  lookup,
  num,
  recordUrl,
  text,
  time,
  truncate,
  guid,
  NAME_MAX,
} from '../interests/records';

export const OC = idr_offer.columns;
export const OCC = idr_offerconcept.columns;
export const SC = idr_offerscore.columns;
const IC = idr_interaction.columns;

export const OFFER_SELECT: readonly string[] = [
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
];

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

/** Date-only columns read as `YYYY-MM-DD` (the Web API returns them so; a datetime is cut to its day). */
function day(record: EntityRecord, column: string): string | null {
  return text(record, column)?.slice(0, 10) ?? null;
}

export function toOffer(record: EntityRecord, conceptIds: readonly string[]): Offer {
  const tiers = new Set<Tier>();
  // Boolean defaults are the solution's: every tier but Below zero
  if (bool(record, OC.idr_formostvaluable) ?? true) tiers.add('mostValuable');
  if (bool(record, OC.idr_formostgrowable) ?? true) tiers.add('mostGrowable');
  if (bool(record, OC.idr_formaintain) ?? true) tiers.add('maintain');
  if (bool(record, OC.idr_forbelowzero) ?? false) tiers.add('belowZero');
  const id = guid(record, OC.idr_offerid) ?? '';
  return {
    id,
    code: text(record, OC.idr_code) ?? id,
    name: text(record, OC.idr_name) ?? text(record, OC.idr_code) ?? id,
    value: num(record, OC.idr_value) ?? 0,
    priority: num(record, OC.idr_priority) ?? 0,
    validFrom: day(record, OC.idr_validfrom),
    validTo: day(record, OC.idr_validto),
    labelDays: num(record, OC.idr_labeldays) ?? DEFAULT_LABEL_DAYS,
    conceptIds,
    eligibleTiers: tiers,
    argumentsEn: text(record, OC.idr_arguments) ?? '',
    argumentsEs: text(record, OC.idr_argumentses) ?? '',
  };
}

export const HISTORY_SELECT: readonly string[] = [
  `_${IC.idr_contact}_value`,
  IC.idr_occurredon,
  IC.idr_eventtype,
  `_${IC.idr_offer}_value`,
  IC.idr_offeroutcome,
  IC.idr_applieddeltas,
];

/** An interaction as history: its applied points per concept, and the offer it ordered or presented. */
export function toHistoryEvent(record: EntityRecord): { contactId: string; event: HistoryEvent } | null {
  const contactId = lookup(record, IC.idr_contact);
  const occurredOn = time(record, IC.idr_occurredon);
  if (contactId === null || occurredOn === null) return null;
  const deltas = appliedDeltaItems(record[IC.idr_applieddeltas]).flatMap((item) =>
    typeof item.concept === 'string' && typeof item.points === 'number'
      ? [{ conceptId: normalizeGuid(item.concept) ?? item.concept, points: item.points }]
      : [],
  );
  const offerId = lookup(record, IC.idr_offer);
  const type = num(record, IC.idr_eventtype);
  const outcome = OUTCOME_OF_CHOICE.get(num(record, IC.idr_offeroutcome) ?? -1) ?? null;
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
  return {
    kind: 'upsert',
    entitySet: idr_offerscore.entitySetName,
    key: { [SC.idr_contact]: score.contactId, [SC.idr_offer]: offer.id },
    record: {
      [SC.idr_name]: truncate(`${contactName ?? score.contactId} · ${offer.name}`, NAME_MAX),
      [bind(SC.idr_contact)]: recordUrl(contact.entitySetName, score.contactId),
      [bind(SC.idr_offer)]: recordUrl(idr_offer.entitySetName, offer.id),
      [SC.idr_propensity]: Math.round(score.propensity * 1e6) / 1e6,
      [SC.idr_expectedvalue]: Math.round(score.expectedValue * 100) / 100,
      [SC.idr_modelversion]: modelVersion,
      [SC.idr_scoredon]: new Date(scoredOn).toISOString(),
    },
  };
}
