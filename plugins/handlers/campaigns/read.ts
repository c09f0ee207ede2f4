/**
 * Reads what the campaign guard needs from Dataverse: the active contact policy, a campaign activity's
 * members with their consent and value tier, exclusion-list members, and the marketing impacts every
 * contact already has (activities regarding any campaign activity).
 */
import type { DataverseClient, EntityRecord } from '../../../dataverse/client';
import {
  activityparty,
  campaign,
  campaignactivity,
  campaignactivityitem,
  contact,
  email,
  idr_contactpolicy,
  letter,
  list,
  listmember,
  OverCapAction,
  phonecall,
  ValueTier,
} from '../../../dataverse/generated';
import type { Candidate, Channel, ContactPolicy, FrequencyCap, Impact } from '../../../domain/campaign';
import { DEFAULT_CONTACT_POLICY } from '../../../domain/campaign';
import { bool, lookup, lookupValue, num, text } from '../interests/records';

const DAY_MS = 86_400_000;
/** Ids per `or` filter: keeps a GET URL well under Dataverse's 32 KB limit. */
const IDS_PER_QUERY = 50;
const PAGE = 5000;

/** The activity table of each channel Ideario distributes; a letter's recipient is its To party. */
export const CHANNEL_TABLES = {
  email: { table: email, mask: activityparty.choices.participationtypemask.ToRecipient },
  phone: { table: phonecall, mask: activityparty.choices.participationtypemask.ToRecipient },
  mail: { table: letter, mask: activityparty.choices.participationtypemask.ToRecipient },
} as const satisfies Readonly<Record<Channel, unknown>>;
export type DistributedChannel = keyof typeof CHANNEL_TABLES;

export function channelOf(channelTypeCode: number | null): DistributedChannel | undefined {
  const codes = campaignactivity.choices.channeltypecode;
  if (channelTypeCode === codes.Email || channelTypeCode === codes.EmailViaMailMerge) return 'email';
  if (channelTypeCode === codes.Phone) return 'phone';
  if (channelTypeCode === codes.Letter || channelTypeCode === codes.LetterViaMailMerge) return 'mail';
  return undefined;
}

export function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Records whose `column` is one of `ids`, a few dozen ids per request. */
export async function whereIn(
  client: DataverseClient,
  entitySet: string,
  column: string,
  ids: readonly string[],
  select: readonly string[],
  extra?: string,
): Promise<EntityRecord[]> {
  const out: EntityRecord[] = [];
  for (const part of chunk([...new Set(ids)], IDS_PER_QUERY)) {
    const any = part.map((id) => `${column} eq ${id}`).join(' or ');
    const filter = extra ? `(${any}) and ${extra}` : any;
    out.push(...(await client.retrieveMultiple(entitySet, { filter, select, pageSize: PAGE })));
  }
  return out;
}

function cap(record: EntityRecord, day: string, week: string, month: string): FrequencyCap {
  const value = (column: string) => num(record, column) ?? undefined;
  return { day: value(day), week: value(week), month: value(month) };
}

/** The newest active contact policy, or the shipped defaults when there is none. */
export async function readContactPolicy(client: DataverseClient): Promise<ContactPolicy> {
  const c = idr_contactpolicy.columns;
  const [record] = await client.retrieveMultiple(idr_contactpolicy.entitySetName, {
    filter: `${c.statecode} eq 0`,
    orderBy: [`${c.modifiedon} desc`],
    top: 1,
  });
  if (!record) return DEFAULT_CONTACT_POLICY;
  const calls = num(record, c.idr_callsperday);
  return {
    channelCaps: {
      email: cap(record, c.idr_emailperday, c.idr_emailperweek, c.idr_emailpermonth),
      phone: cap(record, c.idr_phoneperday, c.idr_phoneperweek, c.idr_phonepermonth),
      mail: cap(record, c.idr_mailperday, c.idr_mailperweek, c.idr_mailpermonth),
    },
    overallCap: cap(record, c.idr_overallperday, c.idr_overallperweek, c.idr_overallpermonth),
    overCap: num(record, c.idr_overcapaction) === OverCapAction.Drop ? 'drop' : 'postpone',
    horizonDays: num(record, c.idr_horizondays) ?? DEFAULT_CONTACT_POLICY.horizonDays,
    excludeBelowZero: bool(record, c.idr_excludebelowzero) ?? true,
    dailyCapacity: calls === null ? {} : { phone: calls },
  };
}

export interface CampaignActivityInfo {
  readonly id: string;
  readonly subject: string;
  readonly description: string | null;
  readonly channel: DistributedChannel;
  readonly campaignId: string;
  readonly controlPercent: number;
  readonly incompatibleWithinDays: number;
  readonly scheduledStart: number | null;
  readonly listIds: readonly string[];
}

export async function readCampaignActivity(
  client: DataverseClient,
  id: string,
  notFound: (table: string) => Error,
  notReady: (problem: string, fix: string) => Error,
): Promise<CampaignActivityInfo> {
  const a = campaignactivity.columns;
  const record = await client.retrieve(campaignactivity.entitySetName, id);
  if (!record) throw notFound(campaignactivity.logicalName);
  const channel = channelOf(num(record, a.channeltypecode));
  if (!channel)
    throw notReady('has a channel Ideario does not distribute', 'Set its Channel to Email or Phone.');
  const campaignId = lookup(record, a.regardingobjectid);
  if (!campaignId) throw notReady('belongs to no campaign', 'Set its Parent Campaign (Regarding).');
  const parent = await client.retrieve(campaign.entitySetName, campaignId, [
    campaign.columns.idr_controlpercent,
    campaign.columns.idr_incompatiblewithin,
  ]);
  if (!parent) throw notFound(campaign.logicalName);
  const items = await client.retrieveMultiple(campaignactivityitem.entitySetName, {
    filter: `${lookupValue(campaignactivityitem.columns.campaignactivityid)} eq ${id}`,
    select: [campaignactivityitem.columns.itemid, campaignactivityitem.columns.itemobjecttypecode],
  });
  const listIds = items
    .filter((i) => text(i, campaignactivityitem.columns.itemobjecttypecode) === list.logicalName)
    .map((i) => text(i, campaignactivityitem.columns.itemid))
    .filter((v): v is string => v !== null);
  if (listIds.length === 0)
    throw notReady('has no marketing list', 'Add a marketing list to it (AddItemCampaignActivity).');
  const start = text(record, a.scheduledstart);
  return {
    id,
    subject: text(record, a.subject) ?? '',
    description: text(record, a.description),
    channel,
    campaignId,
    controlPercent: num(parent, campaign.columns.idr_controlpercent) ?? 0,
    incompatibleWithinDays: num(parent, campaign.columns.idr_incompatiblewithin) ?? 0,
    scheduledStart: start === null ? null : Date.parse(start),
    listIds,
  };
}

export async function listMembers(client: DataverseClient, listIds: readonly string[]): Promise<string[]> {
  const m = listmember.columns;
  const rows = await whereIn(client, listmember.entitySetName, lookupValue(m.listid), listIds, [
    lookupValue(m.entityid),
  ]);
  return [...new Set(rows.map((r) => lookup(r, m.entityid)).filter((v): v is string => v !== null))];
}

/** Members of every list flagged as an exclusion (Robinson) list. */
export async function exclusionListMembers(client: DataverseClient): Promise<Set<string>> {
  const lists = await client.retrieveMultiple(list.entitySetName, {
    filter: `${list.columns.idr_isexclusionlist} eq true`,
    select: [list.columns.listid],
  });
  const ids = lists.map((l) => text(l, list.columns.listid)).filter((v): v is string => v !== null);
  return new Set(ids.length ? await listMembers(client, ids) : []);
}

const TIER_PRIORITY: Readonly<Record<number, number>> = {
  [ValueTier.MostValuable]: 3,
  [ValueTier.MostGrowable]: 2,
  [ValueTier.Maintain]: 1,
  [ValueTier.BelowZero]: -1,
};

export async function readCandidates(client: DataverseClient, ids: readonly string[]): Promise<Candidate[]> {
  const c = contact.columns;
  const rows = await whereIn(client, contact.entitySetName, c.contactid, ids, [
    c.contactid,
    c.donotemail,
    c.donotbulkemail,
    c.donotphone,
    c.donotpostalmail,
    c.idr_valuetier,
  ]);
  return rows.map((r) => {
    const tier = num(r, c.idr_valuetier);
    return {
      contactId: text(r, c.contactid) ?? '',
      consent: {
        donotemail: bool(r, c.donotemail) ?? false,
        donotbulkemail: bool(r, c.donotbulkemail) ?? false,
        donotphone: bool(r, c.donotphone) ?? false,
        donotpostalmail: bool(r, c.donotpostalmail) ?? false,
      },
      belowZero: tier === ValueTier.BelowZero,
      priority: tier === null ? 0 : (TIER_PRIORITY[tier] ?? 0),
    };
  });
}

export function dayOf(ms: number): number {
  return Math.floor(ms / DAY_MS);
}

/**
 * The marketing impacts the contacts already have between two days: emails and phone calls regarding
 * any campaign activity, of every campaign, whoever created them. Activities regarding anything else
 * (quotation follow-ups: service messages) do not count against the caps.
 */
export async function readImpacts(
  client: DataverseClient,
  contactIds: ReadonlySet<string>,
  fromDay: number,
  toDay: number,
  skipCampaignActivity: string,
): Promise<{ impacts: Impact[]; alreadyDistributed: Set<string> }> {
  const a = campaignactivity.columns;
  const activities = await client.retrieveMultiple(campaignactivity.entitySetName, {
    select: [a.activityid, lookupValue(a.regardingobjectid)],
    pageSize: PAGE,
  });
  const campaignOf = new Map<string, string>();
  for (const r of activities) {
    const id = text(r, a.activityid);
    const parent = lookup(r, a.regardingobjectid);
    if (id && parent) campaignOf.set(id, parent);
  }
  const windows = new Map<string, number>();
  for (const r of await whereIn(
    client,
    campaign.entitySetName,
    campaign.columns.campaignid,
    [...new Set(campaignOf.values())],
    [campaign.columns.campaignid, campaign.columns.idr_incompatiblewithin],
  ))
    windows.set(
      text(r, campaign.columns.campaignid) ?? '',
      num(r, campaign.columns.idr_incompatiblewithin) ?? 0,
    );

  const impacts: Impact[] = [];
  const alreadyDistributed = new Set<string>();
  const from = new Date(fromDay * DAY_MS).toISOString();
  const to = new Date((toDay + 1) * DAY_MS).toISOString();
  for (const [channel, { table, mask }] of Object.entries(CHANNEL_TABLES) as [
    Channel,
    (typeof CHANNEL_TABLES)[DistributedChannel],
  ][]) {
    const col = table.columns;
    const rows = await client.retrieveMultiple(table.entitySetName, {
      filter: `${col.scheduledstart} ge ${from} and ${col.scheduledstart} lt ${to} and ${lookupValue(col.regardingobjectid)} ne null`,
      select: [col.activityid, col.scheduledstart, lookupValue(col.regardingobjectid)],
      pageSize: PAGE,
    });
    const byActivity = new Map<string, { day: number; campaignActivity: string }>();
    for (const r of rows) {
      const regarding = lookup(r, col.regardingobjectid);
      const id = text(r, col.activityid);
      const start = text(r, col.scheduledstart);
      if (!regarding || !id || !start || !campaignOf.has(regarding)) continue;
      byActivity.set(id, { day: dayOf(Date.parse(start)), campaignActivity: regarding });
    }
    const p = activityparty.columns;
    const parties = await whereIn(
      client,
      activityparty.entitySetName,
      lookupValue(p.activityid),
      [...byActivity.keys()],
      [lookupValue(p.activityid), lookupValue(p.partyid)],
      `${p.participationtypemask} eq ${mask}`,
    );
    for (const party of parties) {
      const contactId = lookup(party, p.partyid);
      const activity = byActivity.get(lookup(party, p.activityid) ?? '');
      if (!contactId || !activity || !contactIds.has(contactId)) continue;
      if (activity.campaignActivity === skipCampaignActivity) {
        alreadyDistributed.add(contactId);
        continue;
      }
      const campaignId = campaignOf.get(activity.campaignActivity);
      impacts.push({
        contactId,
        channel,
        day: activity.day,
        campaignId,
        incompatibleWithinDays: campaignId ? windows.get(campaignId) : undefined,
      });
    }
  }
  return { impacts, alreadyDistributed };
}
