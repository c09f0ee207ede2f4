/**
 * Guarded distribution of a campaign activity: every member of its marketing lists passes the contact
 * policy (domain/campaign/guard.ts); eligible members get the activity (an email or a phone call
 * regarding the campaign activity, scheduled on its day), the others an `idr_exclusion` row with the
 * reason, and the campaign activity keeps the counts. Rerunning creates nothing twice: members who
 * already have the activity keep it, and exclusions are upserted on their alternate key.
 */
import type { BatchOperation, DataverseClient } from '../../../dataverse/client';
import type { Logger } from '../../../dataverse/logger';
import {
  campaign,
  campaignactivity,
  contact,
  email,
  phonecall,
  ExclusionReason as ReasonChoice,
  type ExclusionReasonValue,
  idr_exclusion,
  type campaignactivityRecord,
  type emailRecord,
  type idr_exclusionRecord,
  type idr_exclusionWrite,
  type activitypartyWrite,
  type emailWrite,
  type letterWrite,
  type phonecallWrite,
  type campaignactivityWrite,
  type letterRecord,
  type phonecallRecord,
} from '../../../dataverse/generated';
import type { Channel, DistributionPlan, ExclusionReason } from '../../../domain/campaign';
import { planDistribution } from '../../../domain/campaign';
import { idValue, lookupValue, recordUrl, textValue, timeValue } from '../interests/records';
import { CampaignActivityNotReadyError, CampaignRecordNotFoundError } from './errors';
import {
  activityLink,
  CHANNEL_TABLES,
  chunk,
  dayOf,
  exclusionListMembers,
  type LinkedActivityTable,
  listMembers,
  partyRows,
  reachedByCampaign,
  readCampaignActivity,
  readCandidates,
  readContactPolicy,
  readImpacts,
  whereIn,
} from './read';
import { recheckOnSendDay, type SendDayAction } from './sendday';

const DAY_MS = 86_400_000;
const MONTH_DAYS = 30;
const PAGE = 5000;
/** Operations per $batch: Dataverse allows 1,000; 100 keeps each request short and retry-friendly. */
export const BATCH_SIZE = 100;

export const REASON_CHOICES: Readonly<Record<ExclusionReason, ExclusionReasonValue>> = {
  'exclusion-list': ReasonChoice.ExclusionListRobinson,
  'no-consent': ReasonChoice.NoConsentForTheChannel,
  'below-zero': ReasonChoice.BelowZero,
  incompatible: ReasonChoice.IncompatibleCampaign,
  'frequency-cap': ReasonChoice.FrequencyCap,
  control: ReasonChoice.ControlGroup,
  capacity: ReasonChoice.OverChannelCapacity,
};

export interface DistributeProgress {
  readonly phase: 'activities' | 'exclusions';
  readonly done: number;
  readonly total: number;
}

export interface DistributeOptions {
  /** Plan and report only; write nothing. */
  readonly dryRun?: boolean;
  readonly onProgress?: (progress: DistributeProgress) => void;
}

export interface DistributeResult {
  readonly campaignActivityId: string;
  readonly channel: string;
  readonly plan: DistributionPlan;
  /** Members who already had the activity from an earlier run (not created again). */
  readonly alreadyDistributed: number;
}

export interface DistributeDeps {
  readonly client: DataverseClient;
  readonly clock: () => Date;
  readonly logger?: Logger;
}

export async function distributeCampaignActivity(
  deps: DistributeDeps,
  campaignActivityId: string,
  options: DistributeOptions = {},
): Promise<DistributeResult> {
  const { client } = deps;
  const info = await readCampaignActivity(
    client,
    campaignActivityId,
    (table) => new CampaignRecordNotFoundError(table, campaignActivityId),
    (problem, fix) => new CampaignActivityNotReadyError(campaignActivityId, problem, fix),
  );
  const now = deps.clock().getTime();
  const startDay = Math.max(dayOf(now), info.scheduledStart === null ? 0 : dayOf(info.scheduledStart));
  const policy = await readContactPolicy(client);
  const members = await listMembers(client, info.listIds);
  const memberSet = new Set(members);
  const { impacts, alreadyDistributed } = await readImpacts(
    client,
    memberSet,
    startDay - MONTH_DAYS,
    startDay + policy.horizonDays + MONTH_DAYS,
    campaignActivityId,
  );
  const candidates = await readCandidates(client, members);
  const plan = planDistribution({
    campaignId: info.campaignId,
    channel: info.channel,
    startDay,
    controlPercent: info.controlPercent,
    incompatibleWithinDays: info.incompatibleWithinDays,
    candidates,
    exclusionListMembers: await exclusionListMembers(client),
    impacts,
    policy,
    alreadyContacted: alreadyDistributed,
  });
  const result = {
    campaignActivityId,
    channel: info.channel,
    plan,
    alreadyDistributed: alreadyDistributed.size,
  };
  if (options.dryRun) return result;

  // Time of day from the campaign activity's start (09:00 UTC when it has none).
  const timeOfDay =
    info.scheduledStart === null ? 9 * 3_600_000 : info.scheduledStart - dayOf(info.scheduledStart) * DAY_MS;
  const { table, mask } = CHANNEL_TABLES[info.channel];
  const regarding = recordUrl(campaignactivity.entitySetName, campaignActivityId);
  let done = 0;
  const sentNow = new Map<string, string>();
  for (const part of chunk(plan.actions, BATCH_SIZE)) {
    // Party lists need a deep insert, which a $batch create cannot carry: one request per activity.
    for (const action of part) {
      const common = {
        subject: info.subject,
        scheduledstart: new Date(action.day * DAY_MS + timeOfDay).toISOString(),
        scheduledend: new Date(action.day * DAY_MS + timeOfDay + 3_600_000).toISOString(),
      } satisfies emailWrite & phonecallWrite & letterWrite;
      const to: activitypartyWrite[] = [
        {
          'partyid_contact@odata.bind': recordUrl(contact.entitySetName, action.contactId),
          participationtypemask: mask,
        },
      ];
      // "Dataverse names the regarding navigation after the relationship": regardingobjectid_<target>_<activity>.
      const record: emailWrite | phonecallWrite | letterWrite =
        table === email
          ? {
              ...common,
              'regardingobjectid_campaignactivity_email@odata.bind': regarding,
              email_activity_parties: to,
            }
          : table === phonecall
            ? {
                ...common,
                'regardingobjectid_campaignactivity_phonecall@odata.bind': regarding,
                phonecall_activity_parties: to,
              }
            : {
                ...common,
                'regardingobjectid_campaignactivity_letter@odata.bind': regarding,
                letter_activity_parties: to,
              };
      if (info.description) record.description = info.description;
      sentNow.set(action.contactId, await client.create(table.entitySetName, record));
    }
    done += part.length;
    options.onProgress?.({ phase: 'activities', done, total: plan.actions.length });
  }

  const e = idr_exclusion.columns;
  const decidedOn = new Date(now).toISOString();
  // A contact left out here whom another activity of the campaign reached was not left out of the campaign.
  const reached = await reachedByCampaign(
    client,
    info.campaignId,
    campaignActivityId,
    plan.exclusions.map((x) => x.contactId),
  );
  const rows: BatchOperation[] = [
    ...plan.exclusions.map((x) => {
      const other = reached.get(x.contactId);
      return {
        contactId: x.contactId,
        reason: x.reason,
        postponedTo: null as string | null,
        link: other ? activityLink(other.table, other.id) : {},
      };
    }),
    ...plan.actions
      .filter((a) => a.postponedBecause)
      .map((a) => {
        const sent = sentNow.get(a.contactId);
        return {
          contactId: a.contactId,
          reason: a.postponedBecause as ExclusionReason,
          postponedTo: new Date(a.day * DAY_MS + timeOfDay).toISOString(),
          link: sent ? activityLink(table, sent) : {},
        };
      }),
  ].map((x) => ({
    kind: 'upsert',
    entitySet: idr_exclusion.entitySetName,
    key: { [e.idr_campaignactivity]: campaignActivityId, [e.idr_contact]: x.contactId },
    record: {
      idr_name: `${info.subject}: ${x.reason}`.slice(0, 100),
      'idr_campaign@odata.bind': recordUrl(campaign.entitySetName, info.campaignId),
      idr_reason: REASON_CHOICES[x.reason],
      idr_postponedto: x.postponedTo,
      idr_excludedon: decidedOn,
      ...x.link,
    } satisfies idr_exclusionWrite,
  }));
  // And the other way round: contacts left out of an earlier activity of the campaign whom this one reached.
  const earlier = await whereIn(
    client,
    idr_exclusion.entitySetName,
    lookupValue(e.idr_contact),
    [...sentNow.keys()],
    [e.idr_exclusionid, lookupValue(e.idr_contact)],
    `${lookupValue(e.idr_campaign)} eq ${info.campaignId} and ${lookupValue(e.idr_campaignactivity)} ne ${campaignActivityId} ` +
      `and ${lookupValue(e.idr_activity)} eq null and ${e.idr_postponedto} eq null`,
  );
  for (const row of earlier as idr_exclusionRecord[]) {
    const contactId = idValue(row._idr_contact_value);
    const sent = contactId ? sentNow.get(contactId) : undefined;
    const id = idValue(row.idr_exclusionid);
    if (sent && id)
      rows.push({
        kind: 'update',
        entitySet: idr_exclusion.entitySetName,
        key: id,
        record: activityLink(table, sent),
      });
  }
  done = 0;
  for (const part of chunk(rows, BATCH_SIZE)) {
    await client.executeBatch(part, { atomic: true });
    done += part.length;
    options.onProgress?.({ phase: 'exclusions', done, total: rows.length });
  }

  const counts = plan.counts;
  await client.update(campaignactivity.entitySetName, campaignActivityId, {
    idr_targetedcount: counts.targeted,
    idr_createdcount: counts.created + counts.already,
    idr_postponedcount: counts.postponed,
    idr_excludedcount: plan.exclusions.length,
    idr_controlcount: counts.control,
    idr_distributedon: decidedOn,
  } satisfies campaignactivityWrite);
  deps.logger?.info('campaign activity distributed', {
    campaignActivityId,
    created: counts.created,
    excluded: plan.exclusions.length,
  });
  return result;
}

/**
 * The distributed activities due now (scheduled from `now - lookbackMs` to now, still open), checked
 * again on their day as a postponed triggered action is (sendday.ts): one the policy refuses by then
 * (consent withdrawn, a Robinson list joined…) is cancelled, and the campaign activity's why-not row
 * for that contact says why and links to it. Answers how many were called off.
 */
export async function recheckDistributed(
  client: DataverseClient,
  now: number,
  lookbackMs: number,
): Promise<number> {
  const scheduled: {
    table: LinkedActivityTable;
    channel: Channel;
    id: string;
    at: number;
    regarding: string;
    contactId: string;
  }[] = [];
  for (const [channel, { table, mask }] of Object.entries(CHANNEL_TABLES) as [
    Channel,
    (typeof CHANNEL_TABLES)[Channel],
  ][]) {
    const c = table.columns;
    const rows = (await client.retrieveMultiple(table.entitySetName, {
      filter:
        `${c.scheduledstart} ge ${new Date(now - lookbackMs).toISOString()} and ${c.scheduledstart} le ${new Date(now).toISOString()} ` +
        `and ${c.statecode} eq ${table.choices.statecode.Open} and ${lookupValue(c.regardingobjectid)} ne null`,
      select: [c.activityid, c.scheduledstart, lookupValue(c.regardingobjectid)],
      pageSize: PAGE,
    })) as (emailRecord | phonecallRecord | letterRecord)[];
    const starts = new Map<string, { at: number; regarding: string }>();
    for (const row of rows) {
      const id = idValue(row.activityid);
      const at = timeValue(row.scheduledstart);
      const regarding = idValue(row._regardingobjectid_value);
      if (id && at !== null && regarding) starts.set(id, { at, regarding });
    }
    for (const { activityId, contactId } of await partyRows(client, [...starts.keys()], mask)) {
      const start = starts.get(activityId);
      if (start) scheduled.push({ table, channel, id: activityId, contactId, ...start });
    }
  }
  // Only what regards a campaign activity was distributed (triggered actions regard the contact).
  const a = campaignactivity.columns;
  const parents = new Map(
    (
      (await whereIn(
        client,
        campaignactivity.entitySetName,
        a.activityid,
        scheduled.map((s) => s.regarding),
        [a.activityid, a.subject, lookupValue(a.regardingobjectid)],
      )) as campaignactivityRecord[]
    ).map((row) => [
      idValue(row.activityid),
      { subject: textValue(row.subject) ?? '', campaignId: idValue(row._regardingobjectid_value) },
    ]),
  );
  const e = idr_exclusion.columns;
  const actions: SendDayAction[] = scheduled.flatMap((s) => {
    const parent = parents.get(s.regarding);
    const campaignId = parent?.campaignId;
    if (!parent || !campaignId) return [];
    return [
      {
        activity: { table: s.table, id: s.id },
        contactId: s.contactId,
        at: s.at,
        channel: s.channel,
        campaignId,
        whyNot: (reason: ExclusionReason): BatchOperation => ({
          kind: 'upsert',
          entitySet: idr_exclusion.entitySetName,
          key: { [e.idr_campaignactivity]: s.regarding, [e.idr_contact]: s.contactId },
          record: {
            idr_name: `${parent.subject}: ${reason}`.slice(0, 100),
            'idr_campaign@odata.bind': recordUrl(campaign.entitySetName, campaignId),
            idr_reason: REASON_CHOICES[reason],
            idr_postponedto: null,
            idr_excludedon: new Date(now).toISOString(),
            ...activityLink(s.table, s.id),
          } satisfies idr_exclusionWrite,
        }),
      },
    ];
  });
  return recheckOnSendDay(client, actions);
}
