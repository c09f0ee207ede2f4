/**
 * The next-best offers section of the contact card, from the card's reads plus one (the contact's
 * offer scores with their offers and concepts; its interactions about offers come with the card's):
 * withheld by domain/offer's offersWithheld, else ranked by its nextBestOffers, and the interaction one
 * click records when an offer is presented.
 */
import type { ValueTier as Tier } from '../../domain/interest/valuetier';
import {
  type ConceptInterest,
  excludedOffers,
  nextBestOffers,
  offersWithheld,
  type RankedOffer,
  type WithheldReason,
} from '../../domain/offer/nextbest';
import type { HistoryEvent, Offer, OfferOutcome } from '../../domain/offer/types';
import { EventType, OfferOutcome as OutcomeChoice, ValueTier } from '../../dataverse/generated/choices';
import { campaign } from '../../dataverse/generated/campaign';
import { contact } from '../../dataverse/generated/contact';
import { idr_interaction } from '../../dataverse/generated/idr_interaction';
import { idr_offer } from '../../dataverse/generated/idr_offer';
import { idr_offerconcept } from '../../dataverse/generated/idr_offerconcept';
import { idr_offerscore } from '../../dataverse/generated/idr_offerscore';
import { asBoolean, asGuid, asNumber, asTime } from '../shared/values';
import type { InterestCard } from './card';

const S = idr_offerscore.columns;
const O = idr_offer.columns;
const OC = idr_offerconcept.columns;
const I = idr_interaction.columns;
/** Aliases of the linked offer and its concepts in the scores FetchXML. */
const OA = 'o';
const LA = 'oc';
/** Offers shown to the adviser. */
export const OFFERS_SHOWN = 3;
/** Where the card's clicks come from (`idr_source`); with `idr_externalid` it identifies the event. */
export const CARD_SOURCE = 'ideario-card';

type Entity = Readonly<Record<string, unknown>>;

function guid(id: string): string {
  return id.replace(/[{}]/g, '').toLowerCase();
}

/** Request 3: the contact's offer scores, each with its active offer and the concepts it serves. */
export function offerScoresFetchXml(contactId: string): string {
  return (
    `<fetch><entity name="${idr_offerscore.logicalName}">` +
    `<attribute name="${S.idr_propensity}"/>` +
    `<filter><condition attribute="${S.idr_contact}" operator="eq" value="${guid(contactId)}"/>` +
    `<condition attribute="${S.statecode}" operator="eq" value="0"/></filter>` +
    `<link-entity name="${idr_offer.logicalName}" from="${O.idr_offerid}" to="${S.idr_offer}" link-type="inner" alias="${OA}">` +
    [
      O.idr_offerid,
      O.idr_name,
      O.idr_code,
      O.idr_value,
      O.idr_priority,
      O.idr_validfrom,
      O.idr_validto,
      O.idr_labeldays,
      O.idr_arguments,
      O.idr_argumentses,
      O.idr_formostvaluable,
      O.idr_formostgrowable,
      O.idr_formaintain,
      O.idr_forbelowzero,
      O.idr_campaign,
    ]
      .map((a) => `<attribute name="${a}"/>`)
      .join('') +
    `<filter><condition attribute="${O.statecode}" operator="eq" value="0"/></filter>` +
    `<link-entity name="${idr_offerconcept.logicalName}" from="${OC.idr_offer}" to="${O.idr_offerid}" link-type="outer" alias="${LA}">` +
    `<attribute name="${OC.idr_concept}"/>` +
    `</link-entity></link-entity></entity></fetch>`
  );
}

const TIERS: ReadonlyMap<number, Tier> = new Map([
  [ValueTier.MostValuable, 'mostValuable'],
  [ValueTier.MostGrowable, 'mostGrowable'],
  [ValueTier.Maintain, 'maintain'],
  [ValueTier.BelowZero, 'belowZero'],
]);
const OUTCOMES: ReadonlyMap<number, OfferOutcome> = new Map([
  [OutcomeChoice.Accepted, 'accepted'],
  [OutcomeChoice.Declined, 'declined'],
  [OutcomeChoice.Later, 'later'],
]);

function text(entity: Entity, key: string): string | null {
  const value = entity[key];
  return typeof value === 'string' && value !== '' ? value : null;
}

/** A lookup as FetchXML returns it: `_x_value` from the Web API, or the bare name in aliased rows. */
function lookupId(entity: Entity, column: string): string | null {
  return asGuid(entity[`_${column}_value`]) ?? asGuid(entity[column]);
}

function flag(entity: Entity, key: string, fallback: boolean): boolean {
  return entity[key] === undefined || entity[key] === null ? fallback : asBoolean(entity[key]);
}

export interface OfferSection {
  readonly offers: readonly RankedOffer[];
  /** Set when the contact policy keeps every offer from the contact: the card says why (offers empty). */
  readonly withheld?: WithheldReason;
}

/**
 * The offers to present, best first, or none and why. `today` is the adviser's calendar day
 * (`YYYY-MM-DD`): validity dates are whole days.
 */
export function toOfferSection(
  contactRows: readonly Entity[],
  scoreRows: readonly Entity[],
  eventRows: readonly Entity[],
  card: InterestCard,
  now: number,
  today: string,
): OfferSection {
  const withheld = offersWithheld({
    onExclusionList: card.onExclusionList,
    consent: {
      donotemail: card.doNotEmail,
      donotbulkemail: card.doNotBulkEmail,
      donotphone: card.doNotPhone,
    },
  });
  if (withheld) return { offers: [], withheld };
  const offers = new Map<
    string,
    { offer: Omit<Offer, 'conceptIds'>; concepts: string[]; propensity: number }
  >();
  for (const row of scoreRows) {
    const id = asGuid(row[`${OA}.${O.idr_offerid}`]);
    const propensity = asNumber(row[S.idr_propensity]);
    if (id === null || propensity === null) continue;
    let entry = offers.get(id);
    if (!entry) {
      const tiers = new Set<Tier>();
      if (flag(row, `${OA}.${O.idr_formostvaluable}`, true)) tiers.add('mostValuable');
      if (flag(row, `${OA}.${O.idr_formostgrowable}`, true)) tiers.add('mostGrowable');
      if (flag(row, `${OA}.${O.idr_formaintain}`, true)) tiers.add('maintain');
      if (flag(row, `${OA}.${O.idr_forbelowzero}`, false)) tiers.add('belowZero');
      entry = {
        offer: {
          id,
          code: text(row, `${OA}.${O.idr_code}`) ?? id,
          name: text(row, `${OA}.${O.idr_name}`) ?? '',
          value: asNumber(row[`${OA}.${O.idr_value}`]) ?? 0,
          priority: asNumber(row[`${OA}.${O.idr_priority}`]) ?? 0,
          validFrom: text(row, `${OA}.${O.idr_validfrom}`)?.slice(0, 10) ?? null,
          validTo: text(row, `${OA}.${O.idr_validto}`)?.slice(0, 10) ?? null,
          labelDays: asNumber(row[`${OA}.${O.idr_labeldays}`]) ?? 30,
          eligibleTiers: tiers,
          argumentsEn: text(row, `${OA}.${O.idr_arguments}`) ?? '',
          argumentsEs: text(row, `${OA}.${O.idr_argumentses}`) ?? '',
          campaignId: asGuid(row[`${OA}.${O.idr_campaign}`]),
        },
        concepts: [],
        propensity,
      };
      offers.set(id, entry);
    }
    const concept = asGuid(row[`${LA}.${OC.idr_concept}`]);
    if (concept !== null && !entry.concepts.includes(concept)) entry.concepts.push(concept);
  }
  const list: Offer[] = [...offers.values()].map((e) => ({ ...e.offer, conceptIds: e.concepts }));
  const events: HistoryEvent[] = [];
  for (const row of eventRows) {
    const occurredOn = asTime(row[I.idr_occurredon]);
    const offerId = lookupId(row, I.idr_offer);
    if (occurredOn === null || offerId === null) continue;
    const type = asNumber(row[I.idr_eventtype]);
    events.push({
      occurredOn,
      deltas: [],
      orderedOffer: type === EventType.OrderConfirmed ? offerId : null,
      presented:
        type === EventType.OfferPresented
          ? { offerId, outcome: OUTCOMES.get(asNumber(row[I.idr_offeroutcome]) ?? -1) ?? null }
          : null,
    });
  }
  const interests: ConceptInterest[] = card.concepts.map((c) => ({
    conceptId: c.id,
    name: c.name,
    score: c.scoreToday,
  }));
  const first = contactRows[0] ?? {};
  return {
    offers: nextBestOffers({
      offers: list,
      propensities: new Map([...offers].map(([id, e]) => [id, e.propensity])),
      tier: TIERS.get(asNumber(first[contact.columns.idr_valuetier]) ?? -1) ?? null,
      excluded: excludedOffers(list, events, now),
      today,
      interests,
      limit: OFFERS_SHOWN,
    }),
  };
}

const OUTCOME_CHOICE: Readonly<Record<OfferOutcome, number>> = {
  accepted: OutcomeChoice.Accepted,
  declined: OutcomeChoice.Declined,
  later: OutcomeChoice.Later,
};

/**
 * The "Offer presented" interaction a click records, for `webAPI.createRecord`. It carries the offer's
 * campaign, so an accepted offer becomes that campaign's response (the interaction step makes it).
 */
export function presentedInteraction(
  contactId: string,
  offer: { readonly id: string; readonly name: string; readonly campaignId?: string | null },
  outcome: OfferOutcome,
  now: number,
): Record<string, unknown> {
  const contactGuid = guid(contactId);
  return {
    [I.idr_name]: `Offer presented: ${offer.name}`.slice(0, 200),
    [I.idr_eventtype]: EventType.OfferPresented,
    [I.idr_offeroutcome]: OUTCOME_CHOICE[outcome],
    [I.idr_occurredon]: new Date(now).toISOString(),
    [I.idr_source]: CARD_SOURCE,
    [I.idr_externalid]: `${contactGuid}:${offer.id}:${now}`,
    [`${I.idr_contact}@odata.bind`]: `/${contact.entitySetName}(${contactGuid})`,
    [`${I.idr_offer}@odata.bind`]: `/${idr_offer.entitySetName}(${offer.id})`,
    ...(offer.campaignId
      ? { [`${I.idr_campaign}@odata.bind`]: `/${campaign.entitySetName}(${guid(offer.campaignId)})` }
      : {}),
  };
}
