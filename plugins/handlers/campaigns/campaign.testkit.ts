/**
 * Test support for campaign tests: an emulated organisation with Ideario's solution/, and helpers that
 * build what a marketer would through the Web API: contacts, marketing lists, a campaign with its
 * campaign activity and lists, and marketing emails already sent.
 */
import type { BatchOperation, DataverseClient, EntityRecord } from '../../../dataverse/client';
import {
  activityparty,
  campaign,
  campaignactivity,
  contact,
  EventType,
  idr_trigger,
  list,
  TriggerAction,
  TriggerKind,
} from '../../../dataverse/generated';
import { createTestOrg, type TestOrg } from '../../../tools/emulator/testing';
import { seedInteraction, type InterestsOrg } from '../../../tools/emulator/testing/interests';
import { bind, membershipOperation, recordUrl } from '../interests/records';
import { distributeCampaignActivity } from './distribute';
import { CHANNEL_TABLES, chunk, type DistributedChannel } from './read';

export function createCampaignOrg(start = new Date('2026-03-09T08:00:00Z')): TestOrg {
  return createTestOrg({ start });
}

export async function createContacts(
  client: DataverseClient,
  count: number,
  each: (index: number) => EntityRecord = () => ({}),
): Promise<string[]> {
  const ids: string[] = [];
  const c = contact.columns;
  for (const part of chunk(
    Array.from({ length: count }, (_, i) => i),
    200,
  )) {
    const results = await client.executeBatch(
      part.map((i) => ({
        kind: 'create',
        entitySet: contact.entitySetName,
        record: {
          [c.firstname]: 'Contact',
          [c.lastname]: String(ids.length + part.indexOf(i)).padStart(4, '0'),
          [c.emailaddress1]: `c${i}@example.com`,
          ...each(i),
        },
      })),
      { atomic: true },
    );
    for (const r of results) if (r.id) ids.push(r.id);
  }
  return ids;
}

export async function createList(
  client: DataverseClient,
  name: string,
  members: readonly string[],
  extra: EntityRecord = {},
): Promise<string> {
  const l = list.columns;
  const id = await client.create(list.entitySetName, {
    [l.listname]: name,
    [l.createdfromcode]: list.choices.createdfromcode.Contact,
    [l.type]: false,
    ...extra,
  });
  for (const part of chunk(members, 200)) {
    const ops: BatchOperation[] = part.map((m) => membershipOperation('add', id, m));
    await client.executeBatch(ops, { atomic: true });
  }
  return id;
}

export interface CampaignSetup {
  readonly name: string;
  readonly channel: DistributedChannel;
  readonly listIds: readonly string[];
  readonly controlPercent?: number;
  readonly incompatibleWithinDays?: number;
  readonly scheduledStart?: string;
}

export async function createCampaign(
  client: DataverseClient,
  setup: CampaignSetup,
): Promise<{ campaignId: string; campaignActivityId: string }> {
  const k = campaign.columns;
  const campaignId = await client.create(campaign.entitySetName, {
    [k.name]: setup.name,
    [k.idr_controlpercent]: setup.controlPercent ?? 0,
    [k.idr_incompatiblewithin]: setup.incompatibleWithinDays ?? 0,
  });
  const campaignActivityId = await addCampaignActivity(client, campaignId, setup);
  return { campaignId, campaignActivityId };
}

/** One more campaign activity of an existing campaign, on its channel and lists. */
export async function addCampaignActivity(
  client: DataverseClient,
  campaignId: string,
  setup: Omit<CampaignSetup, 'controlPercent' | 'incompatibleWithinDays'>,
): Promise<string> {
  const a = campaignactivity.columns;
  const codes = campaignactivity.choices.channeltypecode;
  const campaignActivityId = await client.create(campaignactivity.entitySetName, {
    [a.subject]: setup.name,
    [a.channeltypecode]: { email: codes.Email, phone: codes.Phone, mail: codes.Letter }[setup.channel],
    // The campaign is the only target of a campaign activity's regarding, so the lookup keeps its own name.
    [bind(a.regardingobjectid)]: recordUrl(campaign.entitySetName, campaignId),
    ...(setup.scheduledStart ? { [a.scheduledstart]: setup.scheduledStart } : {}),
  });
  for (const listId of setup.listIds) {
    await client.executeAction('AddItemCampaignActivity', {
      CampaignActivityId: campaignActivityId,
      ItemId: listId,
      EntityName: list.logicalName,
    });
  }
  return campaignActivityId;
}

/**
 * A campaign that emails a list, then calls the same list, both distributed: its email campaign activity
 * and its calls campaign activity.
 */
export async function emailThenCalls(
  client: DataverseClient,
  clock: () => Date,
  setup: {
    readonly name: string;
    readonly listId: string;
    readonly emailOn: string;
    readonly callsOn: string;
  },
): Promise<{ campaignId: string; campaignActivityId: string; calls: string }> {
  const spring = await createCampaign(client, {
    name: setup.name,
    channel: 'email',
    listIds: [setup.listId],
    scheduledStart: setup.emailOn,
  });
  const calls = await addCampaignActivity(client, spring.campaignId, {
    name: `${setup.name} calls`,
    channel: 'phone',
    listIds: [setup.listId],
    scheduledStart: setup.callsOn,
  });
  await distributeCampaignActivity({ client, clock }, spring.campaignActivityId);
  await distributeCampaignActivity({ client, clock }, calls);
  return { ...spring, calls };
}

/** Who got an activity of the campaign activity, and on which day (YYYY-MM-DD). */
export async function recipients(
  client: DataverseClient,
  channel: DistributedChannel,
  campaignActivityId: string,
): Promise<Map<string, string>> {
  const { table } = CHANNEL_TABLES[channel];
  const rows = await client.retrieveMultiple(table.entitySetName, {
    filter: `_regardingobjectid_value eq ${campaignActivityId}`,
    select: [table.columns.activityid, table.columns.scheduledstart],
  });
  const dayOf = new Map(rows.map((r) => [String(r.activityid), String(r.scheduledstart).slice(0, 10)]));
  const out = new Map<string, string>();
  const p = activityparty.columns;
  for (const part of chunk([...dayOf.keys()], 50)) {
    const parties = await client.retrieveMultiple(activityparty.entitySetName, {
      filter: `(${part.map((id) => `_activityid_value eq ${id}`).join(' or ')}) and ${p.participationtypemask} eq ${activityparty.choices.participationtypemask.ToRecipient}`,
      select: ['_activityid_value', '_partyid_value'],
    });
    for (const party of parties) {
      const contactId = String(party._partyid_value);
      if (out.has(contactId)) throw new Error(`${contactId} got the activity twice`);
      out.set(contactId, dayOf.get(String(party._activityid_value)) ?? '');
    }
  }
  return out;
}

/** The id of the activity of the campaign activity the contact is the recipient of, or null. */
export async function recipientActivity(
  client: DataverseClient,
  channel: DistributedChannel,
  campaignActivityId: string,
  contactId: string,
): Promise<string | null> {
  const { table, mask } = CHANNEL_TABLES[channel];
  const rows = await client.retrieveMultiple(table.entitySetName, {
    filter: `_regardingobjectid_value eq ${campaignActivityId}`,
    select: [table.columns.activityid],
  });
  const ids = new Set(rows.map((r) => String(r.activityid)));
  const parties = await client.retrieveMultiple(activityparty.entitySetName, {
    filter: `_partyid_value eq ${contactId} and ${activityparty.columns.participationtypemask} eq ${mask}`,
    select: ['_activityid_value'],
  });
  return parties.map((p) => String(p._activityid_value)).find((id) => ids.has(id)) ?? null;
}

const HOUR = 3_600_000;

/** A trigger as a marketer creates it, with the email texts in both languages unless `record` says otherwise. */
export async function createTrigger(client: DataverseClient, record: EntityRecord): Promise<string> {
  const T = idr_trigger.columns;
  return client.create(idr_trigger.entitySetName, {
    [T.idr_subject]: 'We kept your cart',
    [T.idr_subjectes]: 'Guardamos su carrito',
    [T.idr_body]: 'Your cart is waiting.',
    [T.idr_bodyes]: 'Su carrito le espera.',
    ...record,
  });
}

/**
 * An "Abandoned cart" email trigger (after 1 hour), then one abandoned cart per entry of `carts` (a
 * contact twice abandons twice), delivered; then two hours pass with no order, so every cart is due.
 * Returns the trigger's id.
 */
export async function abandonCarts(env: InterestsOrg, carts: readonly string[]): Promise<string> {
  const T = idr_trigger.columns;
  const trigger = await createTrigger(env.client, {
    [T.idr_name]: 'Abandoned cart',
    [T.idr_kind]: TriggerKind.CartAbandoned,
    [T.idr_action]: TriggerAction.Email,
    [T.idr_hours]: 1,
  });
  for (const contactId of carts)
    await seedInteraction(env.client, {
      contactId,
      eventType: EventType.CartAbandoned,
      occurredOn: env.clock.now(),
    });
  await env.drain();
  env.clock.advance(2 * HOUR);
  return trigger;
}

/** The results Ideario keeps on the campaign row (storeCampaignResults), as a user reads them. */
export async function storedCampaignResults(
  client: DataverseClient,
  campaignId: string,
): Promise<EntityRecord | null> {
  const k = campaign.columns;
  return client.retrieve(campaign.entitySetName, campaignId, [
    k.idr_contacted,
    k.idr_responses,
    k.idr_responserate,
    k.idr_controlresponserate,
    k.idr_uplift,
    k.idr_attributedrevenue,
    k.idr_resultson,
  ]);
}
