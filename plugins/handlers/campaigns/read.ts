/**
 * Reads what the campaign guard needs from Dataverse: the active contact policy, a campaign activity's
 * members with their consent and value tier, exclusion-list members, and the marketing impacts every
 * contact already has (isMarketingImpact).
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
  task,
  ValueTier,
  type activitypartyRecord,
  type campaignactivityitemRecord,
  type campaignactivityRecord,
  type campaignRecord,
  type contactRecord,
  type emailRecord,
  type idr_contactpolicyRecord,
  type idr_exclusionWrite,
  type letterRecord,
  type listmemberRecord,
  type listRecord,
  type phonecallRecord,
} from '../../../dataverse/generated';
import type { Candidate, Channel, ContactPolicy, FrequencyCap, Impact } from '../../../domain/campaign';
import { DEFAULT_CONTACT_POLICY } from '../../../domain/campaign';
import { idValue, lookupValue, recordUrl, textValue, timeValue } from '../interests/records';

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

function cap(
  day: number | null | undefined,
  week: number | null | undefined,
  month: number | null | undefined,
): FrequencyCap {
  const value = (limit: number | null | undefined) => limit ?? undefined;
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
  const row = record as idr_contactpolicyRecord;
  const calls = row.idr_callsperday ?? null;
  return {
    channelCaps: {
      email: cap(row.idr_emailperday, row.idr_emailperweek, row.idr_emailpermonth),
      phone: cap(row.idr_phoneperday, row.idr_phoneperweek, row.idr_phonepermonth),
      mail: cap(row.idr_mailperday, row.idr_mailperweek, row.idr_mailpermonth),
    },
    overallCap: cap(row.idr_overallperday, row.idr_overallperweek, row.idr_overallpermonth),
    overCap: row.idr_overcapaction === OverCapAction.Drop ? 'drop' : 'postpone',
    horizonDays: row.idr_horizondays ?? DEFAULT_CONTACT_POLICY.horizonDays,
    excludeBelowZero: row.idr_excludebelowzero ?? true,
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
  const record = (await client.retrieve(campaignactivity.entitySetName, id)) as campaignactivityRecord | null;
  if (!record) throw notFound(campaignactivity.logicalName);
  const channel = channelOf(record.channeltypecode ?? null);
  if (!channel)
    throw notReady('has a channel Ideario does not distribute', 'Set its Channel to Email or Phone.');
  const campaignId = idValue(record._regardingobjectid_value);
  if (!campaignId) throw notReady('belongs to no campaign', 'Set its Parent Campaign (Regarding).');
  const parent = (await client.retrieve(campaign.entitySetName, campaignId, [
    campaign.columns.idr_controlpercent,
    campaign.columns.idr_incompatiblewithin,
  ])) as campaignRecord | null;
  if (!parent) throw notFound(campaign.logicalName);
  const items = await client.retrieveMultiple(campaignactivityitem.entitySetName, {
    filter: `${lookupValue(campaignactivityitem.columns.campaignactivityid)} eq ${id}`,
    select: [campaignactivityitem.columns.itemid, campaignactivityitem.columns.itemobjecttypecode],
  });
  const listIds = (items as campaignactivityitemRecord[])
    .filter((i) => i.itemobjecttypecode === list.logicalName)
    .map((i) => idValue(i.itemid))
    .filter((v): v is string => v !== null);
  if (listIds.length === 0)
    throw notReady('has no marketing list', 'Add a marketing list to it (AddItemCampaignActivity).');
  const start = textValue(record.scheduledstart);
  return {
    id,
    subject: textValue(record.subject) ?? '',
    description: textValue(record.description),
    channel,
    campaignId,
    controlPercent: parent.idr_controlpercent ?? 0,
    incompatibleWithinDays: parent.idr_incompatiblewithin ?? 0,
    scheduledStart: start === null ? null : Date.parse(start),
    listIds,
  };
}

/**
 * Who takes part in each of these activities in one role (`participationtypemask`: To recipient,
 * Customer…): the contact (or other party) of every `activityparty` row, a few dozen activities a request.
 */
export async function partyRows(
  client: DataverseClient,
  activityIds: readonly string[],
  mask: number,
): Promise<{ activityId: string; contactId: string }[]> {
  const p = activityparty.columns;
  const rows = await whereIn(
    client,
    activityparty.entitySetName,
    lookupValue(p.activityid),
    activityIds,
    [lookupValue(p.activityid), lookupValue(p.partyid)],
    `${p.participationtypemask} eq ${mask}`,
  );
  return (rows as activitypartyRecord[]).flatMap((row) => {
    const activityId = idValue(row._activityid_value);
    const contactId = idValue(row._partyid_value);
    return activityId && contactId ? [{ activityId, contactId }] : [];
  });
}

export async function listMembers(client: DataverseClient, listIds: readonly string[]): Promise<string[]> {
  const m = listmember.columns;
  const rows = await whereIn(client, listmember.entitySetName, lookupValue(m.listid), listIds, [
    lookupValue(m.entityid),
  ]);
  const members = (rows as listmemberRecord[]).map((r) => idValue(r._entityid_value));
  return [...new Set(members.filter((v): v is string => v !== null))];
}

/** Members of every list flagged as an exclusion (Robinson) list. */
export async function exclusionListMembers(client: DataverseClient): Promise<Set<string>> {
  const lists = await client.retrieveMultiple(list.entitySetName, {
    filter: `${list.columns.idr_isexclusionlist} eq true`,
    select: [list.columns.listid],
  });
  const ids = (lists as listRecord[]).map((l) => idValue(l.listid)).filter((v): v is string => v !== null);
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
  return (rows as contactRecord[]).map((r) => {
    const tier = r.idr_valuetier ?? null;
    return {
      contactId: textValue(r.contactid) ?? '',
      consent: {
        donotemail: r.donotemail ?? false,
        donotbulkemail: r.donotbulkemail ?? false,
        donotphone: r.donotphone ?? false,
        donotpostalmail: r.donotpostalmail ?? false,
      },
      belowZero: tier === ValueTier.BelowZero,
      priority: tier === null ? 0 : (TIER_PRIORITY[tier] ?? 0),
    };
  });
}

export function dayOf(ms: number): number {
  return Math.floor(ms / DAY_MS);
}

/** Every campaign activity, of every campaign, with the campaign it belongs to. */
async function campaignOfActivities(client: DataverseClient): Promise<Map<string, string>> {
  const a = campaignactivity.columns;
  const activities = await client.retrieveMultiple(campaignactivity.entitySetName, {
    select: [a.activityid, lookupValue(a.regardingobjectid)],
    pageSize: PAGE,
  });
  const campaignOf = new Map<string, string>();
  for (const r of activities as campaignactivityRecord[]) {
    const id = idValue(r.activityid);
    const parent = idValue(r._regardingobjectid_value);
    if (id && parent) campaignOf.set(id, parent);
  }
  return campaignOf;
}

/**
 * Whether an email, call or letter counts against its recipient's caps, the one rule distribution day
 * and send day share (issue 13: impacts "counted from the activities Dataverse already has, of every
 * campaign"): one regarding a campaign activity of any campaign, or a triggered action (it regards the
 * contact it reaches), while not cancelled. Anything else, such as a quotation follow-up (it regards its
 * opportunity), is a service message and exempt.
 */
export function isMarketingImpact(
  activity: { readonly regarding: string | null; readonly recipient: string; readonly cancelled: boolean },
  campaignOf: ReadonlyMap<string, string>,
): boolean {
  if (activity.cancelled || activity.regarding === null) return false;
  return campaignOf.has(activity.regarding) || activity.regarding === activity.recipient;
}

/**
 * The marketing impacts the contacts already have between two days (isMarketingImpact), and who this
 * campaign activity reached already.
 */
export async function readImpacts(
  client: DataverseClient,
  contactIds: ReadonlySet<string>,
  fromDay: number,
  toDay: number,
  skipCampaignActivity: string,
): Promise<{ impacts: Impact[]; alreadyDistributed: Set<string> }> {
  const campaignOf = await campaignOfActivities(client);
  const windows = new Map<string, number>();
  const campaigns = (await whereIn(
    client,
    campaign.entitySetName,
    campaign.columns.campaignid,
    [...new Set(campaignOf.values())],
    [campaign.columns.campaignid, campaign.columns.idr_incompatiblewithin],
  )) as campaignRecord[];
  for (const r of campaigns) windows.set(idValue(r.campaignid) ?? '', r.idr_incompatiblewithin ?? 0);

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
      select: [col.activityid, col.scheduledstart, col.statecode, lookupValue(col.regardingobjectid)],
      pageSize: PAGE,
    });
    const byActivity = new Map<string, { day: number; regarding: string; cancelled: boolean }>();
    for (const r of rows as (emailRecord | phonecallRecord | letterRecord)[]) {
      const regarding = idValue(r._regardingobjectid_value);
      const id = idValue(r.activityid);
      const start = timeValue(r.scheduledstart);
      if (!regarding || !id || start === null) continue;
      const cancelled = r.statecode === table.choices.statecode.Canceled;
      byActivity.set(id, { day: dayOf(start), regarding, cancelled });
    }
    for (const party of await partyRows(client, [...byActivity.keys()], mask)) {
      const contactId = party.contactId;
      const activity = byActivity.get(party.activityId);
      if (!activity || !contactIds.has(contactId)) continue;
      // Called off or not, this campaign activity dealt with the contact already.
      if (activity.regarding === skipCampaignActivity) {
        alreadyDistributed.add(contactId);
        continue;
      }
      if (!isMarketingImpact({ ...activity, recipient: contactId }, campaignOf)) continue;
      const campaignId = campaignOf.get(activity.regarding);
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

/** The marketing impacts (isMarketingImpact) each of these contacts is the recipient of between two days. */
export async function recipientImpacts(
  client: DataverseClient,
  contactIds: readonly string[],
  fromDay: number,
  toDay: number,
): Promise<Impact[]> {
  const impacts: Impact[] = [];
  const campaignOf = await campaignOfActivities(client);
  const p = activityparty.columns;
  for (const [channel, { table, mask }] of Object.entries(CHANNEL_TABLES) as [
    DistributedChannel,
    (typeof CHANNEL_TABLES)[DistributedChannel],
  ][]) {
    const parties = (await whereIn(
      client,
      activityparty.entitySetName,
      lookupValue(p.partyid),
      contactIds,
      [lookupValue(p.activityid), lookupValue(p.partyid)],
      `${p.participationtypemask} eq ${mask}`,
    )) as activitypartyRecord[];
    const activityContact = new Map(
      parties.map((r) => [idValue(r._activityid_value) ?? '', idValue(r._partyid_value) ?? '']),
    );
    const col = table.columns;
    const rows = (await whereIn(
      client,
      table.entitySetName,
      col.activityid,
      [...activityContact.keys()],
      [col.activityid, col.scheduledstart, col.statecode, lookupValue(col.regardingobjectid)],
    )) as (emailRecord | phonecallRecord | letterRecord)[];
    for (const r of rows) {
      const start = timeValue(r.scheduledstart);
      const who = activityContact.get(idValue(r.activityid) ?? '');
      if (start === null || !who) continue;
      const cancelled = r.statecode === table.choices.statecode.Canceled;
      const regarding = idValue(r._regardingobjectid_value);
      if (!isMarketingImpact({ regarding, recipient: who, cancelled }, campaignOf)) continue;
      const day = dayOf(start);
      if (day >= fromDay && day <= toDay) impacts.push({ contactId: who, channel, day });
    }
  }
  return impacts;
}

/** The activity tables a why-not row (`idr_exclusion.idr_activity`, a multi-table lookup) can point at. */
export const LINKED_ACTIVITY_TABLES = { email, phonecall, letter, task } as const;
export type LinkedActivityTable = (typeof LINKED_ACTIVITY_TABLES)[keyof typeof LINKED_ACTIVITY_TABLES];

/**
 * The `@odata.bind` that links a why-not row to its activity: a multi-table lookup is set through the
 * navigation property of the target's relationship, `idr_activity_<table>` ("Multi-table lookup
 * columns", https://learn.microsoft.com/power-apps/developer/data-platform/webapi/multitable-lookup).
 */
export function activityLink(table: LinkedActivityTable, activityId: string): idr_exclusionWrite {
  return ACTIVITY_LINKS[table.logicalName](activityId);
}

const ACTIVITY_LINKS: {
  readonly [T in LinkedActivityTable as T['logicalName']]: (id: string) => idr_exclusionWrite;
} = {
  email: (id) => ({ 'idr_activity_email@odata.bind': recordUrl(email.entitySetName, id) }),
  phonecall: (id) => ({ 'idr_activity_phonecall@odata.bind': recordUrl(phonecall.entitySetName, id) }),
  letter: (id) => ({ 'idr_activity_letter@odata.bind': recordUrl(letter.entitySetName, id) }),
  task: (id) => ({ 'idr_activity_task@odata.bind': recordUrl(task.entitySetName, id) }),
};

/**
 * Which of these contacts the campaign reached through its other campaign activities (all but
 * `skipCampaignActivity`), each with one such activity: a cancelled one reached nobody.
 */
export async function reachedByCampaign(
  client: DataverseClient,
  campaignId: string,
  skipCampaignActivity: string,
  contactIds: readonly string[],
): Promise<Map<string, { table: LinkedActivityTable; id: string }>> {
  const reached = new Map<string, { table: LinkedActivityTable; id: string }>();
  if (contactIds.length === 0) return reached;
  const a = campaignactivity.columns;
  const siblings = (
    (await client.retrieveMultiple(campaignactivity.entitySetName, {
      filter: `${lookupValue(a.regardingobjectid)} eq ${campaignId} and ${a.activityid} ne ${skipCampaignActivity}`,
      select: [a.activityid],
    })) as campaignactivityRecord[]
  )
    .map((r) => idValue(r.activityid))
    .filter((v): v is string => v !== null);
  if (siblings.length === 0) return reached;
  const wanted = new Set(contactIds);
  for (const { table, mask } of Object.values(CHANNEL_TABLES)) {
    const c = table.columns;
    const sent = (await whereIn(
      client,
      table.entitySetName,
      lookupValue(c.regardingobjectid),
      siblings,
      [c.activityid],
      `${c.statecode} ne ${table.choices.statecode.Canceled}`,
    )) as (emailRecord | phonecallRecord | letterRecord)[];
    const sentIds = sent.map((r) => idValue(r.activityid)).filter((v): v is string => v !== null);
    for (const { contactId, activityId } of await partyRows(client, sentIds, mask))
      if (wanted.has(contactId) && !reached.has(contactId)) reached.set(contactId, { table, id: activityId });
  }
  return reached;
}
