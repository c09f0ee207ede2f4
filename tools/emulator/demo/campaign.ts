/**
 * The demo's running campaign: an email newsletter sent ten days ago through the contact policy to the
 * demo contacts, with 10 % held out as a control group, a Robinson list, the opted-out contacts left
 * out with their reason, and the clicks and visits it brought back already recorded as campaign
 * responses, so `ideario results` and the Campaign Exclusions view show something after `npm start`.
 * The demo offers belong to it: "accepted" on the contact card adds a response.
 * Fixed ids make it idempotent: it runs once, and again only if an earlier start stopped half-way.
 */
import { randomUUID } from 'node:crypto';
import type { DataverseClient, EntityRecord } from '../../../dataverse/client';
import {
  campaign,
  campaignactivity,
  contact,
  EventType,
  idr_contactpolicy,
  idr_interaction,
  idr_offer,
  list,
  OverCapAction,
  type campaignactivityRecord,
  type contactRecord,
  type idr_offerRecord,
} from '../../../dataverse/generated';
import type { Logger } from '../../../dataverse/logger';
import { DEFAULT_CONTACT_POLICY } from '../../../domain/campaign';
import { Draw, seededRandom } from '../../../domain/random';
import { distributeCampaignActivity } from '../../../plugins/handlers/campaigns/distribute';
import { chunk } from '../../../plugins/handlers/campaigns/read';
import { recordAndStoreCampaignResults } from '../../../plugins/handlers/campaigns/results';
import { BulkScorer } from '../../../plugins/handlers/interests/bulk';
import {
  bind,
  lookupValue,
  membershipOperation,
  recordUrl,
  textValue,
} from '../../../plugins/handlers/interests/records';

export const DEMO_CAMPAIGN_ID = '6d1f3c2a-5b7e-4c1d-9a0e-2f4b6c8d0e01';
const DEMO_ACTIVITY_ID = '6d1f3c2a-5b7e-4c1d-9a0e-2f4b6c8d0e02';
const DEMO_TARGET_LIST_ID = '6d1f3c2a-5b7e-4c1d-9a0e-2f4b6c8d0e03';
const DEMO_ROBINSON_LIST_ID = '6d1f3c2a-5b7e-4c1d-9a0e-2f4b6c8d0e04';
const DEMO_POLICY_ID = '6d1f3c2a-5b7e-4c1d-9a0e-2f4b6c8d0e05';
const DAY_MS = 86_400_000;
const SENT_DAYS_AGO = 10;

export interface CampaignDemoResult {
  readonly campaignId: string;
  readonly emails: number;
  readonly control: number;
  readonly excluded: number;
  readonly responses: number;
  /** Demo offers that now belong to the campaign (an accepted one on the contact card answers it). */
  readonly offers: number;
}

/** The demo's offers without a campaign join the demo campaign, so the card's "accepted" is a response. */
async function linkDemoOffers(client: DataverseClient): Promise<number> {
  const O = idr_offer.columns;
  const offers = (await client.retrieveMultiple(idr_offer.entitySetName, {
    filter: `${lookupValue(O.idr_campaign)} eq null`,
    select: [O.idr_offerid],
  })) as idr_offerRecord[];
  const ids = offers.map((r) => textValue(r.idr_offerid)).filter((v): v is string => v !== null);
  for (const part of chunk(ids, 200))
    await client.executeBatch(
      part.map((id) => ({
        kind: 'update' as const,
        entitySet: idr_offer.entitySetName,
        key: id,
        record: { [bind(O.idr_campaign)]: recordUrl(campaign.entitySetName, DEMO_CAMPAIGN_ID) },
      })),
      { atomic: true },
    );
  return ids.length;
}

async function addMembers(client: DataverseClient, listId: string, ids: readonly string[]): Promise<void> {
  for (const part of chunk(ids, 200))
    await client.executeBatch(
      part.map((id) => membershipOperation('add', listId, id)),
      { continueOnError: true },
    );
}

/** Loads the demo campaign unless it was distributed already; returns what it did, or undefined. */
export async function loadCampaignDemo(
  client: DataverseClient,
  options: { readonly now: Date; readonly seed: number; readonly logger: Logger },
): Promise<CampaignDemoResult | undefined> {
  const a = campaignactivity.columns;
  const existing = (await client.retrieve(campaignactivity.entitySetName, DEMO_ACTIVITY_ID, [
    a.idr_distributedon,
  ])) as campaignactivityRecord | null;
  if (existing && textValue(existing.idr_distributedon)) return undefined;
  const contacts = (
    (await client.retrieveMultiple(contact.entitySetName, {
      select: [contact.columns.contactid],
      orderBy: [`${contact.columns.contactid} asc`],
      top: 400,
    })) as contactRecord[]
  )
    .map((r) => textValue(r.contactid))
    .filter((v): v is string => v !== null);
  if (contacts.length < 20) return undefined;
  const draw = new Draw(seededRandom(options.seed));

  const p = idr_contactpolicy.columns;
  const caps = DEFAULT_CONTACT_POLICY;
  await client.upsert(idr_contactpolicy.entitySetName, DEMO_POLICY_ID, {
    [p.idr_name]: 'Default contact policy',
    [p.idr_emailperday]: caps.channelCaps.email?.day ?? null,
    [p.idr_emailperweek]: caps.channelCaps.email?.week ?? null,
    [p.idr_emailpermonth]: caps.channelCaps.email?.month ?? null,
    [p.idr_phoneperday]: caps.channelCaps.phone?.day ?? null,
    [p.idr_phoneperweek]: caps.channelCaps.phone?.week ?? null,
    [p.idr_phonepermonth]: caps.channelCaps.phone?.month ?? null,
    [p.idr_mailpermonth]: caps.channelCaps.mail?.month ?? null,
    [p.idr_overallperday]: caps.overallCap.day ?? null,
    [p.idr_overallperweek]: caps.overallCap.week ?? null,
    [p.idr_overallpermonth]: caps.overallCap.month ?? null,
    [p.idr_callsperday]: caps.dailyCapacity.phone ?? null,
    [p.idr_horizondays]: caps.horizonDays,
    [p.idr_excludebelowzero]: caps.excludeBelowZero,
    [p.idr_overcapaction]: OverCapAction.PostponeToTheFirstAllowedDay,
  });
  const l = list.columns;
  await client.upsert(list.entitySetName, DEMO_ROBINSON_LIST_ID, {
    [l.listname]: 'Robinson list (do not contact)',
    [l.createdfromcode]: list.choices.createdfromcode.Contact,
    [l.type]: false,
    [l.idr_isexclusionlist]: true,
  });
  await addMembers(client, DEMO_ROBINSON_LIST_ID, draw.sample(contacts, 3));
  await client.upsert(list.entitySetName, DEMO_TARGET_LIST_ID, {
    [l.listname]: 'Spring newsletter target',
    [l.createdfromcode]: list.choices.createdfromcode.Contact,
    [l.type]: false,
  });
  await addMembers(client, DEMO_TARGET_LIST_ID, contacts);

  const sentOn = new Date(options.now.getTime() - SENT_DAYS_AGO * DAY_MS);
  const k = campaign.columns;
  await client.upsert(campaign.entitySetName, DEMO_CAMPAIGN_ID, {
    [k.name]: 'Spring newsletter',
    [k.codename]: 'CMP-SPRING',
    [k.typecode]: campaign.choices.typecode.DirectMarketing,
    [k.description]:
      'Monthly newsletter with the spring offers; 10 % of the target held out to measure uplift.',
    [k.idr_controlpercent]: 10,
    [k.actualstart]: sentOn.toISOString(),
  });
  const offers = await linkDemoOffers(client);
  await client.upsert(campaignactivity.entitySetName, DEMO_ACTIVITY_ID, {
    [a.subject]: 'Spring newsletter',
    [a.channeltypecode]: campaignactivity.choices.channeltypecode.Email,
    [a.description]: 'Our spring offers, picked for your interests.',
    [a.scheduledstart]: new Date(
      Math.floor(sentOn.getTime() / DAY_MS) * DAY_MS + 9 * 3_600_000,
    ).toISOString(),
    // The campaign is the only target of a campaign activity's regarding.
    [bind(a.regardingobjectid)]: recordUrl(campaign.entitySetName, DEMO_CAMPAIGN_ID),
  });
  await client.executeAction('AddItemCampaignActivity', {
    CampaignActivityId: DEMO_ACTIVITY_ID,
    ItemId: DEMO_TARGET_LIST_ID,
    EntityName: list.logicalName,
  });
  const distributed = await distributeCampaignActivity(
    { client, clock: () => sentOn, logger: options.logger },
    DEMO_ACTIVITY_ID,
  );

  // Clicks from the contacted (about 14 %) and campaign-URL visits from 6 % of the control group, drawn
  // as a share rather than one chance each: with some 30 held out, chance alone often leaves the control
  // group silent and the uplift ratio undefined.
  const control = distributed.plan.exclusions.filter((e) => e.reason === 'control').map((e) => e.contactId);
  const i = idr_interaction.columns;
  const responses: EntityRecord[] = [];
  const respond = (contactId: string, eventType: number, url: string) => {
    responses.push({
      [i.idr_name]:
        eventType === EventType.EmailClick ? 'Email click: Spring newsletter' : 'Web visit: spring offers',
      [i.idr_source]: 'demo-esp',
      [i.idr_externalid]: `spring-newsletter-${contactId}`,
      [i.idr_eventtype]: eventType,
      [i.idr_occurredon]: new Date(
        sentOn.getTime() + draw.int(1, 5) * DAY_MS + draw.int(8, 20) * 3_600_000,
      ).toISOString(),
      [i.idr_url]: url,
      [bind(i.idr_contact)]: recordUrl(contact.entitySetName, contactId),
      [bind(i.idr_campaign)]: recordUrl(campaign.entitySetName, DEMO_CAMPAIGN_ID),
    });
  };
  for (const action of distributed.plan.actions)
    if (draw.chance(0.14))
      respond(action.contactId, EventType.EmailClick, 'https://example.com/spring?utm_campaign=CMP-SPRING');
  for (const id of draw.sample(control, Math.round(control.length * 0.06)))
    respond(id, EventType.WebVisit, 'https://example.com/spring');
  responses.sort((x, y) => String(x[i.idr_occurredon]).localeCompare(String(y[i.idr_occurredon])));
  const scorer = new BulkScorer(
    { client, clock: () => options.now, logger: options.logger, newId: randomUUID },
    { bypassCustomAsync: true },
  );
  await scorer.register(responses);
  // With the campaign row's figures, as the Marketing app's Campaign Results view and chart show them.
  const { recorded } = await recordAndStoreCampaignResults(client, DEMO_CAMPAIGN_ID, options.now);
  return {
    campaignId: DEMO_CAMPAIGN_ID,
    emails: distributed.plan.counts.created,
    control: distributed.plan.counts.control,
    excluded: distributed.plan.exclusions.length - distributed.plan.counts.control,
    responses: recorded,
    offers,
  };
}
