/**
 * The contact's interest card from two FetchXML reads (the contact with its profiles and concepts, and
 * whether it is on an exclusion list; its scored interactions): scores decayed to now with
 * domain/interest's scoreAt, and for each concept the interactions that contributed most, decayed the
 * same way from their idr_occurredon.
 */
import { DEFAULT_HALF_LIFE_DAYS, scoreAt } from '../../domain/interest/decay';
import { appliedDeltaItems } from '../../domain/interest/explanation';
import { contact } from '../../dataverse/generated/contact';
import { idr_interaction } from '../../dataverse/generated/idr_interaction';
import { idr_interestprofile } from '../../dataverse/generated/idr_interestprofile';
import { idr_marketingconcept } from '../../dataverse/generated/idr_marketingconcept';
import { list } from '../../dataverse/generated/list';
import { listmember } from '../../dataverse/generated/listmember';
import { asBoolean, asGuid, asNumber, asTime } from '../shared/values';

const C = contact.columns;
const P = idr_interestprofile.columns;
const MC = idr_marketingconcept.columns;
const I = idr_interaction.columns;
const FORMATTED = '@OData.Community.Display.V1.FormattedValue';
/** Aliases of the linked profile and concept in the card's FetchXML. */
const PA = 'p';
const CA = 'c';
/** Aliases of the contact's list memberships and of the exclusion list each may be. */
const MA = 'm';
const XA = 'x';
/** The most recent interactions read for the explanations and the offers' exclusions. */
export const INTERACTIONS_READ = 1000;
/** Interactions explained per concept. */
export const TOP_CONTRIBUTIONS = 3;

function guid(id: string): string {
  return id.replace(/[{}]/g, '').toLowerCase();
}

/** Request 1: the contact, outer-joined to its active profiles and their concepts. */
export function cardFetchXml(contactId: string): string {
  return (
    `<fetch><entity name="${contact.logicalName}">` +
    [C.fullname, C.idr_valuetier, C.idr_primaryinterest, C.donotbulkemail, C.donotemail, C.donotphone]
      .map((a) => `<attribute name="${a}"/>`)
      .join('') +
    `<filter><condition attribute="${contact.primaryIdAttribute}" operator="eq" value="${guid(contactId)}"/></filter>` +
    `<link-entity name="${idr_interestprofile.logicalName}" from="${P.idr_contact}" to="${contact.primaryIdAttribute}" link-type="outer" alias="${PA}">` +
    [
      P.idr_accumulator,
      P.idr_landmarkon,
      P.idr_score,
      P.idr_scoredon,
      P.idr_insegment,
      P.idr_lastinteractionon,
    ]
      .map((a) => `<attribute name="${a}"/>`)
      .join('') +
    `<filter><condition attribute="${P.statecode}" operator="eq" value="0"/></filter>` +
    `<link-entity name="${idr_marketingconcept.logicalName}" from="${MC.idr_marketingconceptid}" to="${P.idr_concept}" link-type="outer" alias="${CA}">` +
    [MC.idr_marketingconceptid, MC.idr_name, MC.idr_halflifedays]
      .map((a) => `<attribute name="${a}"/>`)
      .join('') +
    `</link-entity></link-entity>` +
    // Outer both ways, so a contact on no list still reads; each row repeats per membership, x set on exclusion lists only.
    `<link-entity name="${listmember.logicalName}" from="${listmember.columns.entityid}" to="${contact.primaryIdAttribute}" link-type="outer" alias="${MA}">` +
    `<link-entity name="${list.logicalName}" from="${list.columns.listid}" to="${listmember.columns.listid}" link-type="outer" alias="${XA}">` +
    `<attribute name="${list.columns.listid}"/>` +
    `<filter><condition attribute="${list.columns.idr_isexclusionlist}" operator="eq" value="1"/></filter>` +
    `</link-entity></link-entity></entity></fetch>`
  );
}

/**
 * Request 2: the contact's latest interactions that explain a score or are about an offer (orders and
 * presentations, for the next-best offers' exclusions): one read serves both sections.
 */
export function interactionsFetchXml(contactId: string): string {
  return (
    `<fetch top="${INTERACTIONS_READ}"><entity name="${idr_interaction.logicalName}">` +
    [I.idr_eventtype, I.idr_occurredon, I.idr_applieddeltas, I.idr_offer, I.idr_offeroutcome]
      .map((a) => `<attribute name="${a}"/>`)
      .join('') +
    `<filter><condition attribute="${I.idr_contact}" operator="eq" value="${guid(contactId)}"/>` +
    `<filter type="or"><condition attribute="${I.idr_applieddeltas}" operator="not-null"/>` +
    `<condition attribute="${I.idr_offer}" operator="not-null"/></filter></filter>` +
    `<order attribute="${I.idr_occurredon}" descending="true"/></entity></fetch>`
  );
}

export interface Contribution {
  readonly event: string;
  readonly occurredOn: number;
  readonly ruleName: string;
  readonly points: number;
  readonly pointsToday: number;
}

export interface ConceptCard {
  readonly id: string;
  readonly name: string;
  readonly scoreToday: number;
  readonly inSegment: boolean;
  readonly lastInteractionOn: number | null;
  readonly contributions: readonly Contribution[];
}

export interface InterestCard {
  readonly contactName: string;
  readonly valueTier: string | null;
  readonly primaryInterest: string | null;
  readonly doNotBulkEmail: boolean;
  readonly doNotEmail: boolean;
  readonly doNotPhone: boolean;
  /** A member of a marketing list flagged as an exclusion (Robinson) list. */
  readonly onExclusionList: boolean;
  /** By score today, highest first. */
  readonly concepts: readonly ConceptCard[];
  readonly segments: readonly string[];
  /** The highest score today (bar scale), 0 when none is positive. */
  readonly max: number;
}

type Entity = Readonly<Record<string, unknown>>;

interface AppliedDelta {
  readonly concept: string;
  readonly conceptName: string;
  readonly ruleName: string;
  readonly points: number;
}

/**
 * idr_applieddeltas: `[{"rule","ruleName","concept","conceptName","points"}]`. Older rows lack the
 * names; a value that is not such a list explains nothing rather than breaking the card.
 */
export function parseAppliedDeltas(text: unknown): AppliedDelta[] {
  const deltas: AppliedDelta[] = [];
  for (const d of appliedDeltaItems(text)) {
    const concept = asGuid(d.concept);
    const points = asNumber(d.points);
    if (concept === null || points === null) continue;
    deltas.push({
      concept,
      conceptName: typeof d.conceptName === 'string' ? d.conceptName : '',
      ruleName: typeof d.ruleName === 'string' ? d.ruleName : '',
      points,
    });
  }
  return deltas;
}

function text(entity: Entity, key: string): string | null {
  const value = entity[key];
  return typeof value === 'string' && value !== '' ? value : null;
}

export function toCard(
  contactRows: readonly Entity[],
  interactions: readonly Entity[],
  now: number,
): InterestCard {
  const first = contactRows[0] ?? {};
  const concepts = new Map<string, Omit<ConceptCard, 'contributions'> & { halfLifeDays: number }>();
  for (const row of contactRows) {
    const id = asGuid(row[`${CA}.${MC.idr_marketingconceptid}`]);
    if (id === null) continue;
    const halfLifeDays = asNumber(row[`${CA}.${MC.idr_halflifedays}`]) ?? DEFAULT_HALF_LIFE_DAYS;
    const accumulator = asNumber(row[`${PA}.${P.idr_accumulator}`]);
    const scoredOn = asTime(row[`${PA}.${P.idr_scoredon}`]);
    const landmark = asTime(row[`${PA}.${P.idr_landmarkon}`]) ?? scoredOn;
    const stored = asNumber(row[`${PA}.${P.idr_score}`]);
    const state =
      accumulator !== null && landmark !== null
        ? { accumulator, landmark }
        : stored !== null && scoredOn !== null
          ? { accumulator: stored, landmark: scoredOn }
          : { accumulator: 0, landmark: now };
    concepts.set(id, {
      id,
      name: text(row, `${CA}.${MC.idr_name}`) ?? '',
      halfLifeDays,
      scoreToday: scoreAt(state, now, halfLifeDays),
      inSegment: asBoolean(row[`${PA}.${P.idr_insegment}`]),
      lastInteractionOn: asTime(row[`${PA}.${P.idr_lastinteractionon}`]),
    });
  }
  const contributions = new Map<string, Contribution[]>();
  for (const interaction of interactions) {
    const occurredOn = asTime(interaction[I.idr_occurredon]);
    if (occurredOn === null) continue;
    const event = text(interaction, `${I.idr_eventtype}${FORMATTED}`) ?? '';
    for (const delta of parseAppliedDeltas(interaction[I.idr_applieddeltas])) {
      const concept = concepts.get(delta.concept);
      if (!concept) continue;
      const list = contributions.get(delta.concept) ?? [];
      list.push({
        event,
        occurredOn,
        ruleName: delta.ruleName,
        points: delta.points,
        pointsToday: scoreAt({ accumulator: delta.points, landmark: occurredOn }, now, concept.halfLifeDays),
      });
      contributions.set(delta.concept, list);
    }
  }
  const cards = [...concepts.values()]
    .map(({ halfLifeDays: _halfLife, ...concept }): ConceptCard => ({
      ...concept,
      contributions: (contributions.get(concept.id) ?? [])
        .sort((a, b) => Math.abs(b.pointsToday) - Math.abs(a.pointsToday) || b.occurredOn - a.occurredOn)
        .slice(0, TOP_CONTRIBUTIONS),
    }))
    .sort((a, b) => b.scoreToday - a.scoreToday || a.name.localeCompare(b.name));
  return {
    contactName: text(first, C.fullname) ?? '',
    valueTier: text(first, `${C.idr_valuetier}${FORMATTED}`),
    primaryInterest: text(first, `_${C.idr_primaryinterest}_value${FORMATTED}`),
    doNotBulkEmail: asBoolean(first[C.donotbulkemail]),
    doNotEmail: asBoolean(first[C.donotemail]),
    doNotPhone: asBoolean(first[C.donotphone]),
    onExclusionList: contactRows.some((row) => asGuid(row[`${XA}.${list.columns.listid}`]) !== null),
    concepts: cards,
    segments: cards.filter((c) => c.inSegment).map((c) => c.name),
    max: cards.reduce((m, c) => Math.max(m, c.scoreToday), 0),
  };
}
