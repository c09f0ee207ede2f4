/**
 * Campaign results: interactions that carry a campaign become Dataverse campaign responses (once each,
 * keyed by the interaction, linked to the campaign activity that reached the contact), and the results
 * per campaign are counted from what Dataverse holds:
 * activities of its campaign activities (contacted), `idr_exclusion` rows (control group and exclusions
 * by reason) and campaign responses (responders). The statistics are domain/campaign/results.ts.
 */
import { createHash } from 'node:crypto';
import type { DataverseClient } from '../../../dataverse/client';
import { DuplicateRecordError } from '../../../dataverse/errors';
import {
  activityparty,
  campaign,
  campaignactivity,
  campaignresponse,
  contact,
  EventType,
  ExclusionReason as ReasonChoice,
  idr_exclusion,
  idr_interaction,
  idr_offer,
  OfferOutcome,
  salesorder,
  type campaignactivityRecord,
  type campaignactivityWrite,
  type campaignRecord,
  type campaignWrite,
  type campaignresponseRecord,
  type emailRecord,
  type idr_exclusionRecord,
  type idr_interactionRecord,
  type idr_offerRecord,
  type letterRecord,
  type phonecallRecord,
  type salesorderRecord,
  type campaignresponseWrite,
} from '../../../dataverse/generated';
import type {
  Attribution,
  CampaignResults,
  Delivery,
  ExclusionReason,
  GroupResults,
  ResponseLink,
  ResponseOrder,
} from '../../../domain/campaign';
import {
  activityResponders,
  answeredActivity,
  attributeOrders,
  attributeOrdersToActivities,
  campaignResults,
  DEFAULT_ATTRIBUTION_DAYS,
  groupResults,
} from '../../../domain/campaign';
import { idValue, lookupValue, recordUrl, textValue, timeValue } from '../interests/records';
import { DATAVERSE_SOURCE, parseExternalId } from '../interests/business';
import { REASON_CHOICES } from './distribute';
import { CampaignRecordNotFoundError } from './errors';
import { CHANNEL_TABLES, partyRows, whereIn } from './read';

/** Interactions that answer a campaign (opens are too weak a signal; complaints and cases are not answers). */
export const RESPONSE_EVENTS: ReadonlyMap<number, ResponseChannel> = new Map<number, ResponseChannel>([
  [EventType.EmailClick, campaignresponse.choices.channeltypecode.Email],
  [EventType.FormSubmission, campaignresponse.choices.channeltypecode.Other],
  [EventType.WebVisit, campaignresponse.choices.channeltypecode.Other],
  // A coupon from the campaign redeemed (clicked through to its use).
  [EventType.CouponClick, campaignresponse.choices.channeltypecode.Other],
  [EventType.OrderConfirmed, campaignresponse.choices.channeltypecode.Other],
  [EventType.EventAttended, campaignresponse.choices.channeltypecode.Appointment],
]);

const PAGE = 5000;

/** What a campaign response is made from: the interaction's own columns, nothing read besides. */
export interface ResponseFacts {
  readonly interactionId: string;
  readonly campaignId: string;
  readonly contactId: string;
  readonly eventType: number;
  readonly offerOutcome: number | null;
  readonly name: string | null;
  /** ISO 8601 UTC. */
  readonly occurredOn: string | null;
}

/**
 * The response channel an interaction answers a campaign with, or null when it is no answer. An offer
 * the adviser presented counts only once the customer accepted it (declined or "later" is no answer).
 */
type ResponseChannel = NonNullable<campaignresponseWrite['channeltypecode']>;

export function responseChannel(eventType: number, offerOutcome: number | null): ResponseChannel | null {
  if (eventType === EventType.OfferPresented)
    return offerOutcome === OfferOutcome.Accepted ? campaignresponse.choices.channeltypecode.Phone : null;
  return RESPONSE_EVENTS.get(eventType) ?? null;
}

/** The OData filter for interactions that are responses (responseChannel's rule on the server). */
function responseFilter(): string {
  const i = idr_interaction.columns;
  return [
    ...[...RESPONSE_EVENTS.keys()].map((e) => `${i.idr_eventtype} eq ${e}`),
    `(${i.idr_eventtype} eq ${EventType.OfferPresented} and ${i.idr_offeroutcome} eq ${OfferOutcome.Accepted})`,
  ].join(' or ');
}

/**
 * The campaign response's id, derived from the interaction: the live step and `ideario results` may
 * see the same interaction, and a second create of that id is refused as a duplicate ("Create a table
 * row using the Web API": a create may set the primary key).
 */
export function responseId(interactionId: string): string {
  const hash = createHash('sha1').update(`ideario-campaign-response:${interactionId.toLowerCase()}`).digest();
  hash[6] = (hash[6] & 0x0f) | 0x50;
  hash[8] = (hash[8] & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * Creates the campaign response of one interaction, linked to the campaign activity it answers when
 * there is one; false when it existed already (a replay, a race).
 */
export async function createCampaignResponse(
  client: DataverseClient,
  facts: ResponseFacts,
  campaignActivityId: string | null,
): Promise<boolean> {
  const record: campaignresponseWrite = {
    activityid: responseId(facts.interactionId),
    subject: (facts.name ?? 'Campaign response').slice(0, 200),
    // The campaign is the only target of a campaign response's regarding.
    'regardingobjectid@odata.bind': recordUrl(campaign.entitySetName, facts.campaignId),
  };
  // A multi-table lookup is bound through its per-target navigation property, here the campaign activity.
  if (campaignActivityId)
    record['originatingactivityid_campaignactivity@odata.bind'] = recordUrl(
      campaignactivity.entitySetName,
      campaignActivityId,
    );
  record['idr_interaction@odata.bind'] = recordUrl(idr_interaction.entitySetName, facts.interactionId);
  record.responsecode = campaignresponse.choices.responsecode.Interested;
  record.channeltypecode = responseChannel(facts.eventType, facts.offerOutcome);
  if (facts.occurredOn) record.receivedon = facts.occurredOn;
  record.campaignresponse_activity_parties = [
    {
      'partyid_contact@odata.bind': recordUrl(contact.entitySetName, facts.contactId),
      participationtypemask: activityparty.choices.participationtypemask.Customer,
    },
  ];
  try {
    await client.create(campaignresponse.entitySetName, record);
    return true;
  } catch (error) {
    if (error instanceof DuplicateRecordError) return false;
    throw error;
  }
}

/** The start of a campaign activity row: when it was scheduled, else distributed, else started. */
function activityStart(row: campaignactivityRecord): number | null {
  return timeValue(row.scheduledstart) ?? timeValue(row.idr_distributedon) ?? timeValue(row.actualstart);
}

/**
 * The campaign's emails, calls and letters (not cancelled) one contact is the recipient of, in one
 * FetchXML read: the contact's activity parties, each joined to its email, call or letter and that to
 * a campaign activity of this campaign (outer joins, kept only where one of them matched).
 */
export async function deliveriesTo(
  client: DataverseClient,
  campaignId: string,
  contactId: string,
): Promise<Delivery[]> {
  const p = activityparty.columns;
  const a = campaignactivity.columns;
  const channels = Object.values(CHANNEL_TABLES);
  const masks = [...new Set(channels.map(({ mask }) => mask))];
  const parentAlias = (table: string) => `${table}_${campaignactivity.logicalName}`;
  const links = channels.map(({ table }) => {
    const c = table.columns;
    return (
      `<link-entity name="${table.logicalName}" from="${c.activityid}" to="${p.activityid}" link-type="outer" alias="${table.logicalName}">` +
      `<attribute name="${c.scheduledstart}"/>` +
      `<filter><condition attribute="${c.statecode}" operator="ne" value="${table.choices.statecode.Canceled}"/></filter>` +
      `<link-entity name="${campaignactivity.logicalName}" from="${a.activityid}" to="${c.regardingobjectid}" link-type="outer" alias="${parentAlias(table.logicalName)}">` +
      [a.activityid, a.scheduledstart, a.idr_distributedon, a.actualstart]
        .map((name) => `<attribute name="${name}"/>`)
        .join('') +
      `<filter><condition attribute="${a.regardingobjectid}" operator="eq" value="${campaignId}"/></filter>` +
      '</link-entity></link-entity>'
    );
  });
  const fetch =
    `<fetch><entity name="${activityparty.logicalName}"><attribute name="${p.activityid}"/>` +
    `<filter><condition attribute="${p.partyid}" operator="eq" value="${contactId}"/>` +
    `<condition attribute="${p.participationtypemask}" operator="in">${masks.map((m) => `<value>${m}</value>`).join('')}</condition>` +
    '<filter type="or">' +
    channels
      .map(
        ({ table }) =>
          `<condition entityname="${parentAlias(table.logicalName)}" attribute="${a.activityid}" operator="not-null"/>`,
      )
      .join('') +
    `</filter></filter>${links.join('')}</entity></fetch>`;
  const rows = await client.fetchXml(activityparty.entitySetName, fetch);
  const text = (value: unknown) => (typeof value === 'string' ? textValue(value) : null);
  return rows.flatMap((row) => {
    for (const { table } of channels) {
      // Link-entity columns come back named `<alias>.<column>`.
      const parent = (column: string) => text(row[`${parentAlias(table.logicalName)}.${column}`]);
      const id = idValue(parent(a.activityid));
      if (!id) continue;
      const parentRow: campaignactivityRecord = {
        scheduledstart: parent(a.scheduledstart),
        idr_distributedon: parent(a.idr_distributedon),
        actualstart: parent(a.actualstart),
      };
      const own = timeValue(text(row[`${table.logicalName}.${table.columns.scheduledstart}`]));
      return [{ campaignActivityId: id, sentOn: own ?? activityStart(parentRow) }];
    }
    return [];
  });
}

/**
 * The live path: the campaign response of one interaction as it arrives, if it is one. Interactions
 * without a campaign or that answer nothing cost no request; a response event costs one read (which
 * campaign activities reached the contact) and one create, refused as a duplicate when an earlier
 * delivery or `ideario results` recorded it already.
 */
export async function recordResponseOf(client: DataverseClient, facts: ResponseFacts): Promise<boolean> {
  if (responseChannel(facts.eventType, facts.offerOutcome) === null) return false;
  const deliveries = await deliveriesTo(client, facts.campaignId, facts.contactId);
  return createCampaignResponse(client, facts, answeredActivity(deliveries, timeValue(facts.occurredOn)));
}

/** What reached whom in one campaign: its campaign activities and their emails, calls and letters. */
interface CampaignReach {
  readonly activityRows: readonly campaignactivityRecord[];
  /** Each contact's deliveries, one per email, call or letter not cancelled. */
  readonly deliveries: ReadonlyMap<string, readonly Delivery[]>;
  /** Activities called off (cancelled, on their send day or by hand): they reached nobody. */
  readonly calledOff: ReadonlySet<string>;
}

/** The figures `storeCampaignResults` keeps on each campaign activity row (its results-on date aside). */
const RESULT_FIGURES = [
  campaignactivity.columns.idr_contacted,
  campaignactivity.columns.idr_responses,
  campaignactivity.columns.idr_responserate,
  campaignactivity.columns.idr_controlresponserate,
  campaignactivity.columns.idr_uplift,
  campaignactivity.columns.idr_attributedrevenue,
] as const;

async function readCampaignReach(client: DataverseClient, campaignId: string): Promise<CampaignReach> {
  const a = campaignactivity.columns;
  const activityRows = (await client.retrieveMultiple(campaignactivity.entitySetName, {
    filter: `${lookupValue(a.regardingobjectid)} eq ${campaignId}`,
    // The stored results come along so storeCampaignResults can leave unchanged rows alone at no extra read.
    select: [
      a.activityid,
      a.subject,
      a.scheduledstart,
      a.idr_distributedon,
      a.actualstart,
      a.idr_resultson,
      ...RESULT_FIGURES,
    ],
  })) as campaignactivityRecord[];
  const activities = ids(activityRows.map((row) => row.activityid));
  const startOf = new Map(activityRows.map((row) => [idValue(row.activityid), activityStart(row)]));
  const deliveries = new Map<string, Delivery[]>();
  const calledOff = new Set<string>();
  for (const { table, mask } of Object.values(CHANNEL_TABLES)) {
    const c = table.columns;
    const all = (await whereIn(client, table.entitySetName, lookupValue(c.regardingobjectid), activities, [
      c.activityid,
      c.scheduledstart,
      c.statecode,
      lookupValue(c.regardingobjectid),
    ])) as (emailRecord | phonecallRecord | letterRecord)[];
    const cancelled = (row: (typeof all)[number]) => row.statecode === table.choices.statecode.Canceled;
    for (const row of all.filter(cancelled)) calledOff.add(idValue(row.activityid) ?? '');
    const sent = new Map(
      all
        .filter((row) => !cancelled(row))
        .map((row) => {
          const parent = idValue(row._regardingobjectid_value);
          const sentOn = timeValue(row.scheduledstart) ?? startOf.get(parent) ?? null;
          return [idValue(row.activityid), { parent, sentOn }] as const;
        }),
    );
    for (const party of await partyRows(client, ids([...sent.keys()]), mask)) {
      const activity = sent.get(party.activityId);
      if (!activity?.parent) continue;
      const list = deliveries.get(party.contactId) ?? [];
      list.push({ campaignActivityId: activity.parent, sentOn: activity.sentOn });
      deliveries.set(party.contactId, list);
    }
  }
  return { activityRows, deliveries, calledOff };
}

function ids(values: readonly (string | null | undefined)[]): string[] {
  return values.map(idValue).filter((v): v is string => v !== null);
}

/** Creates the campaign responses still missing for the campaign's interactions; returns how many. */
export async function recordCampaignResponses(client: DataverseClient, campaignId: string): Promise<number> {
  return recordResponses(client, campaignId, await readCampaignReach(client, campaignId));
}

/**
 * `ideario results` and the demo: the responses still missing, then the results stored, from one read
 * of what reached whom (recording responses does not change it).
 */
export async function recordAndStoreCampaignResults(
  client: DataverseClient,
  campaignId: string,
  now: Date,
): Promise<{ readonly recorded: number; readonly report: CampaignReport }> {
  const reach = await readCampaignReach(client, campaignId);
  const recorded = await recordResponses(client, campaignId, reach);
  return { recorded, report: await storeResults(client, campaignId, now, reach) };
}

async function recordResponses(
  client: DataverseClient,
  campaignId: string,
  reach: CampaignReach,
): Promise<number> {
  const i = idr_interaction.columns;
  const r = campaignresponse.columns;
  const interactions = await client.retrieveMultiple(idr_interaction.entitySetName, {
    filter: `${lookupValue(i.idr_campaign)} eq ${campaignId} and ${lookupValue(i.idr_contact)} ne null and (${responseFilter()})`,
    select: [
      i.idr_interactionid,
      i.idr_name,
      i.idr_eventtype,
      i.idr_offeroutcome,
      i.idr_occurredon,
      lookupValue(i.idr_contact),
    ],
    pageSize: PAGE,
  });
  const existing = await client.retrieveMultiple(campaignresponse.entitySetName, {
    filter: `${lookupValue(r.regardingobjectid)} eq ${campaignId} and ${lookupValue(r.idr_interaction)} ne null`,
    select: [lookupValue(r.idr_interaction)],
    pageSize: PAGE,
  });
  const done = new Set((existing as campaignresponseRecord[]).map((e) => idValue(e._idr_interaction_value)));
  const { deliveries } = reach;
  let created = 0;
  for (const interaction of interactions as idr_interactionRecord[]) {
    const id = textValue(interaction.idr_interactionid);
    const contactId = idValue(interaction._idr_contact_value);
    if (!id || !contactId || done.has(id)) continue;
    const made = await createCampaignResponse(
      client,
      {
        interactionId: id,
        campaignId,
        contactId,
        eventType: interaction.idr_eventtype ?? -1,
        offerOutcome: interaction.idr_offeroutcome ?? null,
        name: textValue(interaction.idr_name),
        occurredOn: textValue(interaction.idr_occurredon),
      },
      answeredActivity(deliveries.get(contactId) ?? [], timeValue(interaction.idr_occurredon)),
    );
    done.add(id);
    if (made) created++;
  }
  return created;
}

/** One campaign activity's results: those its activities reached against those it held back. */
export interface CampaignActivityResults extends GroupResults {
  readonly campaignActivityId: string;
  readonly name: string;
  /** The contacted's orders attributed to this campaign activity (attributeOrdersToActivities), and their value. */
  readonly attributed: { readonly orders: number; readonly revenue: number };
}

export interface CampaignReport extends CampaignResults {
  readonly campaignId: string;
  readonly name: string;
  readonly campaignActivities: number;
  /**
   * Each campaign activity's own groups and uplift. A response counts for the campaign activity it is
   * linked to (the one that reached the contact last before it); one without the link (recorded before
   * responses named their activity) counts for every activity that reached its contact.
   */
  readonly activities: readonly CampaignActivityResults[];
  /** Orders confirmed within the attribution window, and their value (a Dataverse order's total amount). */
  readonly attribution: Attribution;
  /** Why-not rows of erased contacts (tools/erase): kept without a person, so counted in no figure above. */
  readonly erasedRows: number;
}

/**
 * The contacts' confirmed orders since the campaign started, each worth what was ordered: the
 * order's total amount (`salesorder.totalamount`) when the interaction came from a Dataverse order;
 * an order reported by another system carries no amount, so it counts at its offer's value, or 0.
 * Each carries the campaign activity its campaign response is linked to (`answered`, by interaction).
 */
async function confirmedOrders(
  client: DataverseClient,
  contactIds: readonly string[],
  since: number | null,
  answered: ReadonlyMap<string, string | null>,
): Promise<ResponseOrder[]> {
  if (since === null || contactIds.length === 0) return [];
  const i = idr_interaction.columns;
  const rows = await whereIn(
    client,
    idr_interaction.entitySetName,
    lookupValue(i.idr_contact),
    contactIds,
    [
      i.idr_interactionid,
      i.idr_occurredon,
      i.idr_source,
      i.idr_externalid,
      lookupValue(i.idr_contact),
      lookupValue(i.idr_offer),
    ],
    `${i.idr_eventtype} eq ${EventType.OrderConfirmed} and ${i.idr_occurredon} ge ${new Date(since).toISOString()}`,
  );
  const orders = rows as idr_interactionRecord[];
  const salesOrderOf = (row: idr_interactionRecord): string | null => {
    if (textValue(row.idr_source) !== DATAVERSE_SOURCE) return null;
    const key = parseExternalId(textValue(row.idr_externalid));
    return key?.table === salesorder.logicalName && !key.suffix ? idValue(key.recordId) : null;
  };
  const s = salesorder.columns;
  const amounts = new Map(
    (
      (await whereIn(
        client,
        salesorder.entitySetName,
        s.salesorderid,
        orders.map(salesOrderOf).filter((v): v is string => v !== null),
        [s.salesorderid, s.totalamount],
      )) as salesorderRecord[]
    ).map((row) => [idValue(row.salesorderid), row.totalamount ?? null]),
  );
  const o = idr_offer.columns;
  const offerIds = orders.map((row) => idValue(row._idr_offer_value)).filter((v): v is string => v !== null);
  const offers = (await whereIn(client, idr_offer.entitySetName, o.idr_offerid, offerIds, [
    o.idr_offerid,
    o.idr_value,
  ])) as idr_offerRecord[];
  const values = new Map(offers.map((row) => [textValue(row.idr_offerid), row.idr_value ?? 0]));
  return orders.flatMap((row) => {
    const contactId = idValue(row._idr_contact_value);
    const confirmedOn = timeValue(row.idr_occurredon);
    if (!contactId || confirmedOn === null) return [];
    const amount = amounts.get(salesOrderOf(row));
    const value = amount ?? values.get(idValue(row._idr_offer_value)) ?? 0;
    const campaignActivityId = answered.get(idValue(row.idr_interactionid) ?? '') ?? null;
    return [{ contactId, confirmedOn, value, campaignActivityId }];
  });
}

export async function readCampaignResults(
  client: DataverseClient,
  campaignId: string,
): Promise<CampaignReport> {
  return computeCampaignResults(client, campaignId, await readCampaignReach(client, campaignId));
}

/** The report, counted from the campaign's reach (whose activity rows hold the figures stored last). */
async function computeCampaignResults(
  client: DataverseClient,
  campaignId: string,
  reach: CampaignReach,
): Promise<CampaignReport> {
  const record = (await client.retrieve(campaign.entitySetName, campaignId, [
    campaign.columns.name,
    campaign.columns.idr_attributiondays,
  ])) as campaignRecord | null;
  if (!record) throw new CampaignRecordNotFoundError(campaign.logicalName, campaignId);
  const { activityRows, deliveries, calledOff } = reach;
  const activities = ids(activityRows.map((row) => row.activityid));
  const starts = activityRows.map(activityStart).filter((v): v is number => v !== null);
  const campaignStart = starts.length ? Math.min(...starts) : null;
  // When each contacted contact was sent the campaign: its earliest activity (a postponed one starts
  // later); NaN when none of its activities has a date.
  const sentOn = new Map<string, number>();
  // Who each campaign activity reached, and held back as its control group.
  const reachedBy = new Map<string, Set<string>>();
  const heldBy = new Map<string, Set<string>>();
  const addTo = (groups: Map<string, Set<string>>, campaignActivityId: string | null, contactId: string) => {
    if (campaignActivityId)
      groups.set(campaignActivityId, (groups.get(campaignActivityId) ?? new Set<string>()).add(contactId));
  };
  for (const [contactId, reached] of deliveries) {
    for (const d of reached) addTo(reachedBy, d.campaignActivityId, contactId);
    const dated = reached.map((d) => d.sentOn ?? campaignStart).filter((v): v is number => v !== null);
    sentOn.set(contactId, dated.length ? Math.min(...dated) : Number.NaN);
  }
  const contacted = new Set(sentOn.keys());
  const e = idr_exclusion.columns;
  const exclusions = await client.retrieveMultiple(idr_exclusion.entitySetName, {
    filter: `${lookupValue(e.idr_campaign)} eq ${campaignId}`,
    select: [
      lookupValue(e.idr_contact),
      lookupValue(e.idr_activity),
      lookupValue(e.idr_campaignactivity),
      e.idr_reason,
      e.idr_postponedto,
    ],
    pageSize: PAGE,
  });
  const reasonOf = new Map<number, ExclusionReason>(
    Object.entries(REASON_CHOICES).map(([reason, value]) => [value, reason as ExclusionReason]),
  );
  const control = new Set<string>();
  const excludedContacts = new Set<string>();
  // Contacts left out of the campaign entirely, per reason: a contact left out of two of its activities
  // for the same reason is one contact (as the Exclusions by Reason per Campaign chart counts them).
  const leftOut = new Map<ExclusionReason, Set<string>>();
  let erasedRows = 0;
  for (const row of exclusions as idr_exclusionRecord[]) {
    const contactId = idValue(row._idr_contact_value);
    const reason = reasonOf.get(row.idr_reason ?? -1);
    // A postponed action still went out, and a row linked to an activity says which one reached the
    // contact: a delay, or another activity of the campaign, not an exclusion. A row linked to an
    // activity called off on its send day (sendday.ts) says why it never went out: an exclusion.
    const linked = idValue(row._idr_activity_value);
    if (!reason || textValue(row.idr_postponedto) !== null || (linked !== null && !calledOff.has(linked)))
      continue;
    if (contactId && contacted.has(contactId)) continue;
    if (!contactId) {
      // An erased contact's row (tools/erase): nothing tells one erased person from another, so it cannot
      // count as a person (once per reason) without a key that would identify them; as the chart, not at all.
      erasedRows++;
      continue;
    }
    if (row.idr_reason === ReasonChoice.ControlGroup) {
      control.add(contactId);
      addTo(heldBy, idValue(row._idr_campaignactivity_value), contactId);
    }
    excludedContacts.add(contactId);
    leftOut.set(reason, (leftOut.get(reason) ?? new Set<string>()).add(contactId));
  }
  const excluded: Partial<Record<ExclusionReason, number>> = {};
  for (const [reason, who] of leftOut) excluded[reason] = (excluded[reason] ?? 0) + who.size;
  const r = campaignresponse.columns;
  const responseRows = (await client.retrieveMultiple(campaignresponse.entitySetName, {
    filter: `${lookupValue(r.regardingobjectid)} eq ${campaignId}`,
    select: [r.activityid, lookupValue(r.originatingactivityid), lookupValue(r.idr_interaction)],
    pageSize: PAGE,
  })) as campaignresponseRecord[];
  const responses = ids(responseRows.map((row) => row.activityid));
  const answered = new Map(
    responseRows.map((row) => [idValue(row.activityid), idValue(row._originatingactivityid_value)]),
  );
  const links: ResponseLink[] = (
    await partyRows(client, responses, activityparty.choices.participationtypemask.Customer)
  ).map((party) => ({
    contactId: party.contactId,
    campaignActivityId: answered.get(party.activityId) ?? null,
  }));
  const responders = new Set(links.map((link) => link.contactId));
  const results = campaignResults({
    targeted: new Set([...contacted, ...excludedContacts]).size,
    contacted,
    control,
    excluded,
    responders,
    responses: responses.length,
  });
  const windowDays = record.idr_attributiondays ?? DEFAULT_ATTRIBUTION_DAYS;
  const target = new Map([...sentOn].filter(([, at]) => !Number.isNaN(at)));
  const held = new Map(campaignStart === null ? [] : [...control].map((id) => [id, campaignStart]));
  // The campaign activity each order's response is linked to, by the order's interaction.
  const answeredBy = new Map(
    responseRows.flatMap((row) => {
      const interaction = idValue(row._idr_interaction_value);
      return interaction ? [[interaction, idValue(row._originatingactivityid_value)] as const] : [];
    }),
  );
  const orders = await confirmedOrders(client, [...target.keys(), ...held.keys()], campaignStart, answeredBy);
  const attribution = attributeOrders({ campaignId, windowDays, target, control: held, orders });
  const byActivity = attributeOrdersToActivities({ campaignId, windowDays, target, orders }, deliveries);
  const none = new Set<string>();
  const report: CampaignReport = {
    ...results,
    campaignId,
    name: textValue(record.name) ?? campaignId,
    campaignActivities: activities.length,
    activities: activityRows.flatMap((row) => {
      const id = idValue(row.activityid);
      if (!id) return [];
      const groups = groupResults(
        reachedBy.get(id) ?? none,
        heldBy.get(id) ?? none,
        activityResponders(links, id),
      );
      const attributed = byActivity.get(id) ?? { orders: 0, revenue: 0 };
      return [{ campaignActivityId: id, name: textValue(row.subject) ?? id, ...groups, attributed }];
    }),
    attribution,
    erasedRows,
  };
  return report;
}

/** A rate or a difference of rates as the campaign row keeps it: percent, two decimals, empty when undefined. */
function percentColumn(value: number | undefined): number | null {
  return value === undefined ? null : Math.round(value * 10_000) / 100;
}

/** An amount as the revenue columns keep it: two decimals. */
function moneyColumn(value: number): number {
  return Math.round(value * 100) / 100;
}

/** The results columns of the campaign row, from its report. */
export function campaignResultColumns(report: CampaignReport, now: Date): campaignWrite {
  const k = campaign.columns;
  return {
    [k.idr_contacted]: report.contacted.size,
    [k.idr_responses]: report.responses,
    [k.idr_responserate]: percentColumn(report.targetRate),
    [k.idr_controlresponserate]: percentColumn(report.controlRate),
    [k.idr_uplift]: percentColumn(report.uplift?.difference.value),
    [k.idr_attributedrevenue]: moneyColumn(report.attribution.target.revenue),
    [k.idr_resultson]: now.toISOString(),
  };
}

/**
 * The results columns of a campaign activity row, from its part of the report. Its responses are the
 * contacts it reached who answered it, each once: the numerator of its response rate.
 */
export function campaignActivityResultColumns(
  results: CampaignActivityResults,
  now: Date,
): campaignactivityWrite {
  const k = campaignactivity.columns;
  return {
    [k.idr_contacted]: results.contacted.size,
    [k.idr_responses]: results.contacted.responders,
    [k.idr_responserate]: percentColumn(results.targetRate),
    [k.idr_controlresponserate]: percentColumn(results.controlRate),
    [k.idr_uplift]: percentColumn(results.uplift?.difference.value),
    [k.idr_attributedrevenue]: moneyColumn(results.attributed.revenue),
    [k.idr_resultson]: now.toISOString(),
  };
}

/** Whether the row already holds these figures (its results-on date aside). */
function holdsFigures(row: campaignactivityRecord, columns: campaignactivityWrite): boolean {
  return RESULT_FIGURES.every((name) => (row[name] ?? null) === (columns[name] ?? null));
}

/**
 * Recomputes a campaign's results and keeps them on its row and on each campaign activity's row, so
 * the Marketing app's views and charts show what `ideario results` prints (O(campaign size) reads, one
 * update of the campaign, one per campaign activity whose figures changed).
 */
export async function storeCampaignResults(
  client: DataverseClient,
  campaignId: string,
  now: Date,
): Promise<CampaignReport> {
  return storeResults(client, campaignId, now, await readCampaignReach(client, campaignId));
}

async function storeResults(
  client: DataverseClient,
  campaignId: string,
  now: Date,
  reach: CampaignReach,
): Promise<CampaignReport> {
  const report = await computeCampaignResults(client, campaignId, reach);
  const { activityRows } = reach;
  await client.update(campaign.entitySetName, campaignId, campaignResultColumns(report, now));
  const rowOf = new Map(activityRows.map((row) => [idValue(row.activityid), row]));
  for (const activity of report.activities) {
    const row = rowOf.get(activity.campaignActivityId);
    const columns = campaignActivityResultColumns(activity, now);
    // A response usually moves one activity's figures: the others keep their row, and their results-on date.
    if (row && holdsFigures(row, columns)) continue;
    // An activity that reached and held back nobody yet has no results to show (the view lists rows with a date).
    if ((row?.idr_resultson ?? null) === null && activity.contacted.size === 0 && activity.control.size === 0)
      continue;
    await client.update(campaignactivity.entitySetName, activity.campaignActivityId, columns);
  }
  return report;
}

/**
 * Recomputes the campaigns whose stored results are older than a response created within `lookbackMs`
 * (the live step's throttled recomputes, responses a user recorded by hand); returns how many.
 */
export async function refreshStaleCampaignResults(
  client: DataverseClient,
  now: Date,
  lookbackMs: number,
): Promise<number> {
  const r = campaignresponse.columns;
  const rows = (await client.retrieveMultiple(campaignresponse.entitySetName, {
    filter: `${r.createdon} ge ${new Date(now.getTime() - lookbackMs).toISOString()} and ${lookupValue(r.regardingobjectid)} ne null`,
    select: [lookupValue(r.regardingobjectid), r.createdon],
    pageSize: PAGE,
  })) as campaignresponseRecord[];
  const latest = new Map<string, number>();
  for (const row of rows) {
    const id = idValue(row._regardingobjectid_value);
    const at = timeValue(row.createdon);
    if (id && at !== null) latest.set(id, Math.max(at, latest.get(id) ?? at));
  }
  const k = campaign.columns;
  const stored = (await whereIn(
    client,
    campaign.entitySetName,
    k.campaignid,
    [...latest.keys()],
    [k.campaignid, k.idr_resultson],
  )) as campaignRecord[];
  let refreshed = 0;
  for (const row of stored) {
    const id = idValue(row.campaignid);
    const on = timeValue(row.idr_resultson);
    // Times are kept to the second: a response in the same second as the last recompute may be newer.
    if (!id || (on !== null && on > (latest.get(id) ?? 0))) continue;
    await storeCampaignResults(client, id, now);
    refreshed++;
  }
  return refreshed;
}

const REASON_LABELS: Readonly<Record<'en' | 'es', Readonly<Record<ExclusionReason, string>>>> = {
  en: {
    'exclusion-list': 'exclusion list (Robinson)',
    'no-consent': 'no consent for the channel',
    'below-zero': 'Below Zero',
    incompatible: 'incompatible campaign',
    'frequency-cap': 'frequency cap',
    control: 'control group',
    capacity: 'over channel capacity',
  },
  es: {
    'exclusion-list': 'lista de exclusión (Robinson)',
    'no-consent': 'sin consentimiento para el canal',
    'below-zero': 'Bajo cero',
    incompatible: 'campaña incompatible',
    'frequency-cap': 'límite de frecuencia',
    control: 'grupo de control',
    capacity: 'por encima de la capacidad del canal',
  },
};

/** Numbers as the reader's locale writes them: `12.5` in English, `12,5` (and `12.345,50`) in Spanish. */
function numberFormat(language: 'en' | 'es'): (value: number, digits?: number) => string {
  if (language === 'en') return (value, digits = 0) => value.toFixed(digits);
  return (value, digits = 0) =>
    // `value || 0` turns -0 into 0: Intl writes "-0", toFixed does not.
    new Intl.NumberFormat('es-ES', { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(
      value || 0,
    );
}

/** The report `ideario results` prints, in English or Spanish. */
export function describeCampaignResults(report: CampaignReport, language: 'en' | 'es' = 'en'): string[] {
  const es = language === 'es';
  const n = numberFormat(language);
  const percent = (value: number | undefined) => (value === undefined ? '—' : `${n(value * 100, 1)} %`);
  const signed = (value: number, text: string) => `${value >= 0 ? '+' : ''}${text}`;
  const activities = report.campaignActivities;
  const lines = es
    ? [
        `Campaña "${report.name}" (${n(activities)} actividad${activities === 1 ? '' : 'es'} de campaña)`,
        `  objetivo: ${n(report.targeted)}; contactados: ${n(report.contacted.size)}; grupo de control: ${n(report.control.size)}`,
      ]
    : [
        `Campaign "${report.name}" (${activities} campaign activit${activities === 1 ? 'y' : 'ies'})`,
        `  targeted: ${report.targeted}; contacted: ${report.contacted.size}; control group: ${report.control.size}`,
      ];
  const reasons = Object.entries(report.excluded)
    .filter(([reason]) => reason !== 'control')
    .map(([reason, count]) => `${REASON_LABELS[language][reason as ExclusionReason]} ${n(count)}`);
  const nobody = es ? 'nadie' : 'nobody';
  lines.push(`  ${es ? 'excluidos' : 'excluded'}: ${reasons.length ? reasons.join(', ') : nobody}`);
  if (report.erasedRows > 0)
    lines.push(
      es
        ? `  filas de exclusión de contactos borrados (no cuentan como personas): ${n(report.erasedRows)}`
        : `  exclusion rows of erased contacts (not counted as people): ${report.erasedRows}`,
    );
  lines.push(
    es
      ? `  respuestas: ${n(report.responses)} (respondieron: ${n(report.contacted.responders)} contactados, ${n(report.control.responders)} de control, ${n(report.otherResponders)} otros)`
      : `  responses: ${report.responses} (responders: ${report.contacted.responders} contacted, ${report.control.responders} control, ${report.otherResponders} other)`,
  );
  lines.push(
    es
      ? `  tasa de respuesta: contactados ${percent(report.targetRate)}, control ${percent(report.controlRate)}`
      : `  response rate: contacted ${percent(report.targetRate)}, control ${percent(report.controlRate)}`,
  );
  const upliftText = (u: GroupResults['uplift']): string => {
    if (!u) return es ? 'incremento (uplift): necesita un grupo de control' : 'uplift: needs a control group';
    const pp = (v: number) => n(v * 100, 1);
    const difference = signed(u.difference.value, pp(u.difference.value));
    const ratio = u.ratio;
    return es
      ? `incremento (uplift): ${difference} puntos (IC 95 % ${pp(u.difference.low)} a ${pp(u.difference.high)})` +
          (ratio
            ? `; razón ×${n(ratio.value, 2)} (IC 95 % ${n(ratio.low, 2)} a ${n(ratio.high, 2)})`
            : '; razón: necesita una respuesta en ambos grupos')
      : `uplift: ${difference} points (95 % CI ${pp(u.difference.low)} to ${pp(u.difference.high)})` +
          (ratio
            ? `; ratio ×${n(ratio.value, 2)} (95 % CI ${n(ratio.low, 2)} to ${n(ratio.high, 2)})`
            : '; ratio: needs a response in both groups');
  };
  lines.push(`  ${upliftText(report.uplift)}`);
  // With more than one campaign activity, each one's own groups (a response counts for the activity it answers).
  if (report.activities.length > 1)
    for (const a of report.activities)
      lines.push(
        es
          ? `  actividad "${a.name}": contactados ${n(a.contacted.size)} (tasa ${percent(a.targetRate)}), control ${n(a.control.size)} (tasa ${percent(a.controlRate)}); ${upliftText(a.uplift)}; pedidos atribuidos ${n(a.attributed.orders)} por ${n(a.attributed.revenue, 2)}`
          : `  activity "${a.name}": contacted ${a.contacted.size} (rate ${percent(a.targetRate)}), control ${a.control.size} (rate ${percent(a.controlRate)}); ${upliftText(a.uplift)}; orders attributed ${a.attributed.orders} worth ${a.attributed.revenue.toFixed(2)}`,
      );
  const t = report.attribution;
  const money = (v: number) => n(v, 2);
  lines.push(
    es
      ? `  pedidos atribuidos (${n(t.windowDays)} días tras el envío): contactados ${n(t.target.orders)} por ${money(t.target.revenue)}, control ${n(t.control.orders)} por ${money(t.control.revenue)}`
      : `  orders attributed (${t.windowDays} days after sending): contacted ${t.target.orders} worth ${money(t.target.revenue)}, control ${t.control.orders} worth ${money(t.control.revenue)}`,
  );
  const perContact = (v: number | undefined) => (v === undefined ? '—' : money(v));
  const gain = t.revenueUpliftPerContact;
  lines.push(
    es
      ? `  ingresos por contacto: contactados ${perContact(t.target.revenuePerContact)}, control ${perContact(t.control.revenuePerContact)}; ` +
          (gain === undefined
            ? 'el incremento necesita un grupo de control'
            : `incremento ${signed(gain, money(gain))} por contacto`)
      : `  revenue per contact: contacted ${perContact(t.target.revenuePerContact)}, control ${perContact(t.control.revenuePerContact)}; ` +
          (gain === undefined
            ? 'uplift needs a control group'
            : `uplift ${signed(gain, money(gain))} per contact`),
  );
  return lines;
}
