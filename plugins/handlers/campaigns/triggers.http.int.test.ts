/**
 * The acceptance scenario over HTTP, as on `npm start`: the marketer and the external shop write
 * through the Web API with the Node client, the webhook host scores each interaction, and the hourly
 * job runs with the same Node client the host uses.
 */
import { createNodeClient } from '../../../dataverse/adapters/node-client';
import type { DataverseClient } from '../../../dataverse/client';
import { DuplicateRecordError } from '../../../dataverse/errors';
import {
  contact,
  email,
  EventType,
  ExclusionReason,
  idr_exclusion,
  idr_trigger,
  phonecall,
  task,
  TriggerAction,
  TriggerKind,
} from '../../../dataverse/generated';
import { startWebApiServer, type WebApiServer } from '../../../tools/emulator/http/server';
import type { RequestCounts } from '../../../tools/emulator/http/stats';
import { lookupValue } from '../interests/records';
import { createInterestsOrg, type InterestsOrg, seedInteraction } from '../interests/test-org.testkit';
import { triggerJob } from './triggerjob';
import { actionId } from './triggers';

const TOKEN = 'triggers-token';
let env: InterestsOrg;
let server: WebApiServer;
let api: DataverseClient;

beforeEach(async () => {
  env = createInterestsOrg({ start: new Date('2026-05-04T09:00:00Z') });
  server = await startWebApiServer({ engine: env.org.engine, port: 0, token: TOKEN });
  api = createNodeClient({ url: server.url, getToken: () => Promise.resolve(TOKEN) });
});
afterEach(async () => {
  await server.close();
  env.close();
});

async function regarding(table: typeof email | typeof phonecall, contactId: string): Promise<number> {
  const rows = await api.retrieveMultiple(table.entitySetName, {
    filter: `${lookupValue(table.columns.regardingobjectid)} eq ${contactId}`,
    select: [table.columns.activityid],
  });
  return rows.length;
}

it('a cart abandoned at 10:00 with no order by 12:00 gets one email, and a coupon click one reinforcement call', async () => {
  const T = idr_trigger.columns;
  await api.create(idr_trigger.entitySetName, {
    [T.idr_name]: 'Abandoned cart',
    [T.idr_kind]: TriggerKind.CartAbandoned,
    [T.idr_action]: TriggerAction.Email,
    [T.idr_hours]: 2,
    [T.idr_subject]: 'You left something in your cart',
  });
  await api.create(idr_trigger.entitySetName, {
    [T.idr_name]: 'Coupon reinforcement',
    [T.idr_kind]: TriggerKind.RespondedToACouponOrEmail,
    [T.idr_action]: TriggerAction.PhoneCallForTheOwner,
  });
  const ana = await api.create(contact.entitySetName, { [contact.columns.lastname]: 'Ana' });
  const job = triggerJob();
  const run = () => job.run({ client: api, clock: env.clock.now, logger: env.logger });

  env.clock.set(new Date('2026-05-04T10:00:00Z'));
  await seedInteraction(api, {
    contactId: ana,
    eventType: EventType.CartAbandoned,
    occurredOn: env.clock.now(),
  });
  await env.drain();
  env.clock.set(new Date('2026-05-04T11:00:00Z'));
  await run();
  expect(await regarding(email, ana)).toBe(0);
  env.clock.set(new Date('2026-05-04T12:00:00Z'));
  // Two hosts' jobs at once (Azure may run a timer on any instance): the second create is a duplicate.
  await Promise.all([run(), run()]);
  await run();
  expect(await regarding(email, ana)).toBe(1);

  env.clock.set(new Date('2026-05-04T13:00:00Z'));
  await seedInteraction(api, {
    contactId: ana,
    eventType: EventType.CouponClick,
    occurredOn: env.clock.now(),
  });
  await env.drain();
  expect(await regarding(phonecall, ana)).toBe(1);
  env.clock.set(new Date('2026-05-04T14:00:00Z'));
  await run();
  expect(await regarding(phonecall, ana)).toBe(1);
  expect(await regarding(email, ana)).toBe(1);
});

it('refuses a second create of an action id as a duplicate, which is what makes an action happen once', async () => {
  const id = actionId('trigger|contact|birthday:2026');
  const record = { [task.columns.activityid]: id, [task.columns.subject]: 'Birthday: send a card' };
  await api.create(task.entitySetName, record);
  await expect(api.create(task.entitySetName, record)).rejects.toBeInstanceOf(DuplicateRecordError);
});

/** The emulator's request counter over HTTP; `reset` zeroes it first. */
async function requestCounts(method: 'GET' | 'DELETE' = 'GET'): Promise<RequestCounts> {
  const response = await fetch(`${server.url}/api/ideario/stats`, {
    method,
    headers: { Authorization: `Bearer ${TOKEN}` },
  });
  return (await response.json()) as RequestCounts;
}

it('an hourly run that finds a left-out action already explained writes nothing', async () => {
  const T = idr_trigger.columns;
  await api.create(idr_trigger.entitySetName, {
    [T.idr_name]: 'Abandoned cart',
    [T.idr_kind]: TriggerKind.CartAbandoned,
    [T.idr_action]: TriggerAction.Email,
    [T.idr_hours]: 1,
  });
  const optedOut = await api.create(contact.entitySetName, {
    [contact.columns.lastname]: 'Opted out',
    [contact.columns.donotemail]: true,
  });
  await seedInteraction(api, {
    contactId: optedOut,
    eventType: EventType.CartAbandoned,
    occurredOn: env.clock.now(),
  });
  await env.drain();
  const run = () => triggerJob().run({ client: api, clock: env.clock.now, logger: env.logger });
  env.clock.set(new Date('2026-05-04T11:00:00Z'));
  await run();
  const X = idr_exclusion.columns;
  const whyNot = () =>
    api.retrieveMultiple(idr_exclusion.entitySetName, {
      filter: `${lookupValue(X.idr_contact)} eq ${optedOut}`,
      select: [X.idr_reason, X.idr_excludedon],
    });
  const first = await whyNot();
  expect(first.map((r) => r[X.idr_reason])).toEqual([ExclusionReason.NoConsentForTheChannel]);

  // The next hourly run sees the same occurrence (still in its look-back window) and the same answer.
  env.clock.set(new Date('2026-05-04T12:00:00Z'));
  await requestCounts('DELETE');
  await run();
  const counts = await requestCounts();
  expect(counts.requests).toBeGreaterThan(0);
  expect(Object.keys(counts.byMethod).sort()).toEqual(['GET']);
  expect(await whyNot()).toEqual(first);
  expect(await regarding(email, optedOut)).toBe(0);
});
