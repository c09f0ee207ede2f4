import {
  activityparty,
  campaign,
  campaignactivity,
  campaignresponse,
  contact,
  email,
  EventType,
  idr_interaction,
  OfferOutcome,
} from '../../../dataverse/generated';
import { bind, lookupValue, recordUrl } from '../interests/records';
import { createInterestsOrg, type InterestsOrg } from '../interests/test-org.testkit';
import {
  createContacts,
  emailThenCalls,
  createList,
  recipientActivity,
  storedCampaignResults,
} from './campaign.testkit';
import { recordCampaignResponses } from './results';
import { triggerJob } from './triggerjob';
import { memoryLogger } from '../../../dataverse/logger';

const I = idr_interaction.columns;
const R = campaignresponse.columns;
let env: InterestsOrg;
/**
 * What recording a response costs: the handlers' FetchXML reads and creates on the campaign response and
 * activity party tables (the recompute afterwards only reads, and updates the campaign and its activities' rows).
 */
let responseRequests: string[];
const WATCHED_TABLES = new Set<unknown>([campaignresponse.entitySetName, activityparty.entitySetName]);
const WATCHED_METHODS = new Set<unknown>(['fetchXml', 'create']);

beforeEach(() => {
  responseRequests = [];
  env = createInterestsOrg({
    start: new Date('2026-04-01T09:00:00Z'),
    wrapClient: (client) =>
      new Proxy(client, {
        get(target, key, receiver) {
          const value: unknown = Reflect.get(target, key, receiver);
          if (typeof value !== 'function') return value;
          return (...args: unknown[]) => {
            if (WATCHED_TABLES.has(args[0]) && WATCHED_METHODS.has(key))
              responseRequests.push(`${String(key)} ${String(args[0])}`);
            return (value as (...a: unknown[]) => unknown).apply(target, args);
          };
        },
      }),
  });
});
afterEach(() => env.close());

let counter = 0;
function interaction(
  contactId: string,
  campaignId: string | null,
  eventType: number,
  outcome?: number,
  occurredOn = '2026-04-01T08:30:00Z',
): Promise<string> {
  return env.client.create(idr_interaction.entitySetName, {
    [I.idr_name]: `Event ${++counter}`,
    [I.idr_source]: 'esp',
    [I.idr_externalid]: `evt-${counter}`,
    [I.idr_eventtype]: eventType,
    [I.idr_occurredon]: occurredOn,
    ...(outcome === undefined ? {} : { [I.idr_offeroutcome]: outcome }),
    [bind(I.idr_contact)]: recordUrl(contact.entitySetName, contactId),
    ...(campaignId ? { [bind(I.idr_campaign)]: recordUrl(campaign.entitySetName, campaignId) } : {}),
  });
}

async function responses(campaignId: string) {
  return env.client.retrieveMultiple(campaignresponse.entitySetName, {
    filter: `${lookupValue(R.regardingobjectid)} eq ${campaignId}`,
    select: [
      R.activityid,
      R.channeltypecode,
      R.receivedon,
      lookupValue(R.idr_interaction),
      lookupValue(R.originatingactivityid),
    ],
  });
}

it('creates the campaign response as the interaction arrives (clicks, coupons, accepted offers), once, and only for answers', async () => {
  const { client } = env;
  const campaignId = await client.create(campaign.entitySetName, { [campaign.columns.name]: 'Spring' });
  const ana = await client.create(contact.entitySetName, { [contact.columns.lastname]: 'Ana' });
  const luis = await client.create(contact.entitySetName, { [contact.columns.lastname]: 'Luis' });

  const click = await interaction(ana, campaignId, EventType.EmailClick);
  await interaction(ana, campaignId, EventType.EmailOpen);
  await interaction(luis, null, EventType.EmailClick);
  await interaction(luis, campaignId, EventType.OfferPresented, OfferOutcome.Declined);
  await interaction(luis, campaignId, EventType.OfferPresented, OfferOutcome.Later);
  await env.drain();
  // Opens, declined and "later" offers, and events without a campaign cost no request at all; a response
  // costs one read (the campaign activities that reached the contact) and one create.
  expect(responseRequests).toEqual([
    `fetchXml ${activityparty.entitySetName}`,
    `create ${campaignresponse.entitySetName}`,
  ]);

  const accepted = await interaction(luis, campaignId, EventType.OfferPresented, OfferOutcome.Accepted);
  await env.drain();
  expect(responseRequests).toHaveLength(4);
  // A coupon redeemed from the campaign answers it too.
  const coupon = await interaction(ana, campaignId, EventType.CouponClick);
  await env.drain();

  const rows = await responses(campaignId);
  expect(rows.map((r) => r[lookupValue(R.idr_interaction)]).sort()).toEqual([click, accepted, coupon].sort());
  const byInteraction = new Map(rows.map((r) => [r[lookupValue(R.idr_interaction)], r]));
  expect(byInteraction.get(click)?.[R.channeltypecode]).toBe(campaignresponse.choices.channeltypecode.Email);
  expect(byInteraction.get(accepted)?.[R.channeltypecode]).toBe(
    campaignresponse.choices.channeltypecode.Phone,
  );
  expect(byInteraction.get(coupon)?.[R.channeltypecode]).toBe(campaignresponse.choices.channeltypecode.Other);
  expect(byInteraction.get(click)?.[R.receivedon]).toBe('2026-04-01T08:30:00Z');
  const parties = await client.retrieveMultiple(activityparty.entitySetName, {
    filter: `${lookupValue(activityparty.columns.activityid)} eq ${String(byInteraction.get(accepted)?.[R.activityid])}`,
    select: [lookupValue(activityparty.columns.partyid)],
  });
  expect(parties.map((p) => p[lookupValue(activityparty.columns.partyid)])).toEqual([luis]);

  // Dataverse redelivers an asynchronous step after a lost reply: the replay creates nothing.
  const firstDelivery = env.delivered.find((d) => d.request.body.includes(click));
  expect(firstDelivery).toBeDefined();
  const before = responseRequests.length;
  await env.deliver(firstDelivery!);
  expect(responseRequests).toHaveLength(before + 2);
  expect(await responses(campaignId)).toHaveLength(3);
  // `ideario results` afterwards finds nothing missing.
  expect(await recordCampaignResponses(client, campaignId)).toBe(0);
  // No campaign activity reached Ana or Luis: the responses name none.
  expect(rows.map((r) => r[lookupValue(R.originatingactivityid)])).toEqual([null, null, null]);
});

it('links the response to the campaign activity that last reached the contact before the answer', async () => {
  const { client } = env;
  const ids = await createContacts(client, 4);
  const everyone = await createList(client, 'Everyone', ids);
  const spring = await emailThenCalls(client, env.clock.now, {
    name: 'Spring',
    listId: everyone,
    emailOn: '2026-04-02T09:00:00Z',
    callsOn: '2026-04-04T10:00:00Z',
  });
  const { calls } = spring;
  // Contact 0's email is cancelled by hand: it reached nobody.
  const cancelledEmail = await recipientActivity(client, 'email', spring.campaignActivityId, ids[0]);
  await client.update(email.entitySetName, cancelledEmail!, {
    [email.columns.statecode]: email.choices.statecode.Canceled,
    [email.columns.statuscode]: email.choices.statuscode.Canceled,
  });
  await env.drain();

  const answer = async (contactId: string, on: string) => {
    const id = await interaction(contactId, spring.campaignId, EventType.EmailClick, undefined, on);
    await env.drain();
    const [row] = await env.client.retrieveMultiple(campaignresponse.entitySetName, {
      filter: `${lookupValue(R.idr_interaction)} eq ${id}`,
      select: [lookupValue(R.originatingactivityid)],
    });
    return row?.[lookupValue(R.originatingactivityid)];
  };
  const k = campaign.columns;
  // Between the email and the call: the email; after the call: the call.
  expect(await answer(ids[1], '2026-04-03T12:00:00Z')).toBe(spring.campaignActivityId);
  // The first answer's figures are on the campaign row at once.
  expect(await storedCampaignResults(client, spring.campaignId)).toMatchObject({ [k.idr_responses]: 1 });
  expect(await answer(ids[2], '2026-04-05T12:00:00Z')).toBe(calls);
  // Contact 0 got only the call: before it, nothing had reached them.
  expect(await answer(ids[0], '2026-04-03T12:00:00Z')).toBeNull();
  expect(await answer(ids[0], '2026-04-05T12:00:00Z')).toBe(calls);
  // Answers within the minute wait: the live step recomputes a campaign at most once a minute.
  expect(await storedCampaignResults(client, spring.campaignId)).toMatchObject({ [k.idr_responses]: 1 });

  // The hourly job recomputes what the live step left: 4 contacted (3 of them answered, 0 twice), no control group.
  env.clock.advance(60_000);
  await triggerJob().run({ client, clock: env.clock.now, logger: memoryLogger() });
  const row = await storedCampaignResults(client, spring.campaignId);
  expect(row).toMatchObject({
    [k.idr_contacted]: 4,
    [k.idr_responses]: 4,
    [k.idr_responserate]: 75,
    [k.idr_controlresponserate]: null,
    [k.idr_uplift]: null,
    [k.idr_resultson]: env.clock
      .now()
      .toISOString()
      .replace(/\.\d+Z$/, 'Z'),
  });
  // Each campaign activity's row too: the email reached 1–3 (0's was cancelled) and 1 answered it; the
  // calls reached all four and 0 and 2 answered them.
  const a = campaignactivity.columns;
  const activity = (id: string) =>
    client.retrieve(campaignactivity.entitySetName, id, [
      a.idr_contacted,
      a.idr_responses,
      a.idr_responserate,
      a.idr_controlresponserate,
      a.idr_uplift,
    ]);
  expect(await activity(spring.campaignActivityId)).toMatchObject({
    [a.idr_contacted]: 3,
    [a.idr_responses]: 1,
    [a.idr_responserate]: 33.33,
    [a.idr_controlresponserate]: null,
    [a.idr_uplift]: null,
  });
  expect(await activity(calls)).toMatchObject({
    [a.idr_contacted]: 4,
    [a.idr_responses]: 2,
    [a.idr_responserate]: 50,
  });
});
