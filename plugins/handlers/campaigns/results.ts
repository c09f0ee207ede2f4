/**
 * Campaign results: interactions that carry a campaign become Dataverse campaign responses (once each,
 * keyed by the interaction), and the results per campaign are counted from what Dataverse holds:
 * activities of its campaign activities (contacted), `idr_exclusion` rows (control group and exclusions
 * by reason) and campaign responses (responders). The statistics are domain/campaign/results.ts.
 */
import type { DataverseClient, EntityRecord } from '../../../dataverse/client';
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
} from '../../../dataverse/generated';
import type { CampaignResults, ExclusionReason } from '../../../domain/campaign';
import { campaignResults } from '../../../domain/campaign';
import { bind, lookup, lookupValue, num, recordUrl, text } from '../interests/records';
import { REASON_CHOICES } from './distribute';
import { CampaignRecordNotFoundError } from './errors';
import { CHANNEL_TABLES, whereIn } from './read';

/** Interactions that answer a campaign (opens are too weak a signal; complaints and cases are not answers). */
export const RESPONSE_EVENTS: ReadonlyMap<number, number> = new Map([
  [EventType.EmailClick, campaignresponse.choices.channeltypecode.Email],
  [EventType.FormSubmission, campaignresponse.choices.channeltypecode.Other],
  [EventType.WebVisit, campaignresponse.choices.channeltypecode.Other],
  [EventType.OrderConfirmed, campaignresponse.choices.channeltypecode.Other],
  [EventType.EventAttended, campaignresponse.choices.channeltypecode.Appointment],
]);

const PAGE = 5000;

/** Creates the campaign responses still missing for the campaign's interactions; returns how many. */
export async function recordCampaignResponses(client: DataverseClient, campaignId: string): Promise<number> {
  const i = idr_interaction.columns;
  const r = campaignresponse.columns;
  const events = [...RESPONSE_EVENTS.keys()].map((e) => `${i.idr_eventtype} eq ${e}`).join(' or ');
  const interactions = await client.retrieveMultiple(idr_interaction.entitySetName, {
    filter: `${lookupValue(i.idr_campaign)} eq ${campaignId} and ${lookupValue(i.idr_contact)} ne null and (${events})`,
    select: [i.idr_interactionid, i.idr_name, i.idr_eventtype, i.idr_occurredon, lookupValue(i.idr_contact)],
    pageSize: PAGE,
  });
  const existing = await client.retrieveMultiple(campaignresponse.entitySetName, {
    filter: `${lookupValue(r.regardingobjectid)} eq ${campaignId} and ${lookupValue(r.idr_interaction)} ne null`,
    select: [lookupValue(r.idr_interaction)],
    pageSize: PAGE,
  });
  const done = new Set(existing.map((e) => lookup(e, r.idr_interaction)));
  let created = 0;
  for (const interaction of interactions) {
    const id = text(interaction, i.idr_interactionid);
    const contactId = lookup(interaction, i.idr_contact);
    if (!id || !contactId || done.has(id)) continue;
    const occurred = text(interaction, i.idr_occurredon);
    await client.create(campaignresponse.entitySetName, {
      [r.subject]: (text(interaction, i.idr_name) ?? 'Campaign response').slice(0, 200),
      // The campaign is the only target of a campaign response's regarding.
      [bind(r.regardingobjectid)]: recordUrl(campaign.entitySetName, campaignId),
      [bind(r.idr_interaction)]: recordUrl(idr_interaction.entitySetName, id),
      [r.responsecode]: campaignresponse.choices.responsecode.Interested,
      [r.channeltypecode]: RESPONSE_EVENTS.get(num(interaction, i.idr_eventtype) ?? -1) ?? null,
      ...(occurred ? { [r.receivedon]: occurred } : {}),
      [`${campaignresponse.logicalName}_activity_parties`]: [
        {
          [bind(`${activityparty.columns.partyid}_${contact.logicalName}`)]: recordUrl(
            contact.entitySetName,
            contactId,
          ),
          [activityparty.columns.participationtypemask]: activityparty.choices.participationtypemask.Customer,
        },
      ],
    });
    done.add(id);
    created++;
  }
  return created;
}

export interface CampaignReport extends CampaignResults {
  readonly campaignId: string;
  readonly name: string;
  readonly campaignActivities: number;
}

async function partiesOf(
  client: DataverseClient,
  activityIds: readonly string[],
  mask: number,
): Promise<Set<string>> {
  const p = activityparty.columns;
  const rows = await whereIn(
    client,
    activityparty.entitySetName,
    lookupValue(p.activityid),
    activityIds,
    [lookupValue(p.partyid)],
    `${p.participationtypemask} eq ${mask}`,
  );
  return new Set(rows.map((row) => lookup(row, p.partyid)).filter((v): v is string => v !== null));
}

function ids(rows: readonly EntityRecord[], column: string): string[] {
  return rows.map((row) => text(row, column)).filter((v): v is string => v !== null);
}

export async function readCampaignResults(
  client: DataverseClient,
  campaignId: string,
): Promise<CampaignReport> {
  const record = await client.retrieve(campaign.entitySetName, campaignId, [campaign.columns.name]);
  if (!record) throw new CampaignRecordNotFoundError(campaign.logicalName, campaignId);
  const a = campaignactivity.columns;
  const activities = ids(
    await client.retrieveMultiple(campaignactivity.entitySetName, {
      filter: `${lookupValue(a.regardingobjectid)} eq ${campaignId}`,
      select: [a.activityid],
    }),
    a.activityid,
  );
  const contacted = new Set<string>();
  for (const { table, mask } of Object.values(CHANNEL_TABLES)) {
    const sent = await whereIn(
      client,
      table.entitySetName,
      lookupValue(table.columns.regardingobjectid),
      activities,
      [table.columns.activityid],
    );
    for (const id of await partiesOf(client, ids(sent, table.columns.activityid), mask)) contacted.add(id);
  }
  const e = idr_exclusion.columns;
  const exclusions = await client.retrieveMultiple(idr_exclusion.entitySetName, {
    filter: `${lookupValue(e.idr_campaign)} eq ${campaignId}`,
    select: [lookupValue(e.idr_contact), e.idr_reason, e.idr_postponedto],
    pageSize: PAGE,
  });
  const reasonOf = new Map<number, ExclusionReason>(
    Object.entries(REASON_CHOICES).map(([reason, value]) => [value, reason as ExclusionReason]),
  );
  const control = new Set<string>();
  const excludedContacts = new Set<string>();
  const excluded: Partial<Record<ExclusionReason, number>> = {};
  let erased = 0;
  for (const row of exclusions) {
    const contactId = lookup(row, e.idr_contact);
    const reason = reasonOf.get(num(row, e.idr_reason) ?? -1);
    // A postponed action still went out: it is a delay, not an exclusion.
    if (!reason || text(row, e.idr_postponedto) !== null || (contactId && contacted.has(contactId))) continue;
    if (!contactId) {
      // An erased contact's row (tools/erase): still targeted and excluded, no longer a person to follow.
      erased++;
      excluded[reason] = (excluded[reason] ?? 0) + 1;
      continue;
    }
    if (num(row, e.idr_reason) === ReasonChoice.ControlGroup) control.add(contactId);
    excludedContacts.add(contactId);
    excluded[reason] = (excluded[reason] ?? 0) + 1;
  }
  const r = campaignresponse.columns;
  const responses = ids(
    await client.retrieveMultiple(campaignresponse.entitySetName, {
      filter: `${lookupValue(r.regardingobjectid)} eq ${campaignId}`,
      select: [r.activityid],
      pageSize: PAGE,
    }),
    r.activityid,
  );
  const responders = await partiesOf(client, responses, activityparty.choices.participationtypemask.Customer);
  const results = campaignResults({
    targeted: new Set([...contacted, ...excludedContacts]).size + erased,
    contacted,
    control,
    excluded,
    responders,
    responses: responses.length,
  });
  return {
    ...results,
    campaignId,
    name: text(record, campaign.columns.name) ?? campaignId,
    campaignActivities: activities.length,
  };
}

const REASON_LABELS: Readonly<Record<ExclusionReason, string>> = {
  'exclusion-list': 'exclusion list (Robinson)',
  'no-consent': 'no consent for the channel',
  'below-zero': 'Below Zero',
  incompatible: 'incompatible campaign',
  'frequency-cap': 'frequency cap',
  control: 'control group',
  capacity: 'over channel capacity',
};

function percent(value: number | undefined): string {
  return value === undefined ? '—' : `${(value * 100).toFixed(1)} %`;
}

/** The report `ideario results` prints. */
export function describeCampaignResults(report: CampaignReport): string[] {
  const lines = [
    `Campaign "${report.name}" (${report.campaignActivities} campaign activit${report.campaignActivities === 1 ? 'y' : 'ies'})`,
    `  targeted: ${report.targeted}; contacted: ${report.contacted.size}; control group: ${report.control.size}`,
  ];
  const reasons = Object.entries(report.excluded)
    .filter(([reason]) => reason !== 'control')
    .map(([reason, n]) => `${REASON_LABELS[reason as ExclusionReason]} ${n}`);
  lines.push(`  excluded: ${reasons.length ? reasons.join(', ') : 'nobody'}`);
  lines.push(
    `  responses: ${report.responses} (responders: ${report.contacted.responders} contacted, ${report.control.responders} control, ${report.otherResponders} other)`,
  );
  lines.push(
    `  response rate: contacted ${percent(report.targetRate)}, control ${percent(report.controlRate)}`,
  );
  const u = report.uplift;
  if (!u) lines.push('  uplift: needs a control group');
  else {
    const pp = (v: number) => `${(v * 100).toFixed(1)}`;
    lines.push(
      `  uplift: ${u.difference.value >= 0 ? '+' : ''}${pp(u.difference.value)} points (95 % CI ${pp(u.difference.low)} to ${pp(u.difference.high)})` +
        (u.ratio
          ? `; ratio ×${u.ratio.value.toFixed(2)} (95 % CI ${u.ratio.low.toFixed(2)} to ${u.ratio.high.toFixed(2)})`
          : '; ratio: needs a response in both groups'),
    );
  }
  return lines;
}
