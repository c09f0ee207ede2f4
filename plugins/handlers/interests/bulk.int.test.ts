/** Bulk scoring gives what live scoring gives, in a few requests, and a replay changes nothing. */
import { randomUUID } from 'node:crypto';
import type { DataverseClient, EntityRecord } from '../../../dataverse/client';
import {
  account,
  contact,
  EventType,
  idr_accountinterest,
  idr_interaction,
  idr_interestprofile,
  idr_marketingconcept,
  ProcessingStatus,
} from '../../../dataverse/generated';
import { silentLogger } from '../../../dataverse/logger';
import { DAY_MS, utcDay } from '../../../domain/interest';
import { BulkScorer } from './bulk';
import { bind, lookupValue, recordUrl } from './records';
import {
  createInterestsOrg,
  type InterestsOrg,
  listMembers,
  seedAccount,
  seedConcept,
  seedContact,
  seedRule,
} from './test-org.testkit';

const PC = idr_interestprofile.columns;
const IC = idr_interaction.columns;
const NOW = new Date('2025-03-01T09:00:00Z');
const HOUR = 3_600_000;

interface Seeded {
  readonly contacts: Map<string, string>;
  readonly concepts: Map<string, { id: string; listId: string | null }>;
}

/** The same catalogue, accounts and contacts in any organisation. */
async function seedWorld(client: DataverseClient): Promise<Seeded> {
  const concepts = new Map<string, { id: string; listId: string | null }>();
  concepts.set('CLOUD', await seedConcept(client, { code: 'CLOUD', enter: 12, exit: 6, halfLifeDays: 3 }));
  concepts.set('DATA', await seedConcept(client, { code: 'DATA', enter: 8, exit: 4, halfLifeDays: 5 }));
  const cloud = concepts.get('CLOUD')?.id ?? '';
  const data = concepts.get('DATA')?.id ?? '';
  await seedRule(client, { concept: cloud, points: 7, match: 'url=*cloud*', name: 'Cloud click' });
  await seedRule(client, { concept: data, points: 3, name: 'Any click' });
  await seedRule(client, {
    concept: data,
    points: 10,
    eventType: EventType.FormSubmission,
    repeatable: false,
    name: 'First form',
  });
  await seedRule(client, {
    concept: cloud,
    points: 4,
    eventType: EventType.WebVisit,
    dailyCap: 2,
    name: 'Visit, twice a day',
  });
  const acme = await seedAccount(client, 'Acme');
  const contacts = new Map<string, string>();
  contacts.set('Ana', await seedContact(client, { name: 'Ana', accountId: acme }));
  contacts.set('Bo', await seedContact(client, { name: 'Bo', accountId: acme }));
  contacts.set('Cy', await seedContact(client, { name: 'Cy', doNotBulkEmail: true }));
  contacts.set('Di', await seedContact(client, { name: 'Di' }));
  return { contacts, concepts };
}

/** A deterministic mix of events over three days: clicks, forms (once per contact), capped visits. */
function events(world: Seeded): EntityRecord[] {
  const names = ['Ana', 'Bo', 'Cy', 'Di'];
  const kinds = [
    { eventType: EventType.EmailClick, url: 'https://x.test/cloud/a' },
    { eventType: EventType.EmailClick, url: 'https://x.test/data' },
    { eventType: EventType.FormSubmission, url: 'https://x.test/form' },
    { eventType: EventType.WebVisit, url: 'https://x.test/visit' },
    { eventType: EventType.SocialMention, url: 'https://x.test/nothing' },
  ];
  const out: EntityRecord[] = [];
  for (let i = 0; i < 60; i++) {
    const who = names[(i * 7) % names.length] ?? 'Ana';
    const kind = kinds[(i * 3 + Math.floor(i / 5)) % kinds.length] ?? kinds[0];
    const occurredOn = new Date(NOW.getTime() - 72 * HOUR + i * HOUR);
    out.push({
      [IC.idr_name]: `event ${i}`,
      [IC.idr_source]: 'test',
      [IC.idr_externalid]: `e-${i}`,
      [IC.idr_eventtype]: kind?.eventType ?? EventType.EmailClick,
      [IC.idr_occurredon]: occurredOn.toISOString(),
      [IC.idr_url]: kind?.url ?? '',
      [bind(IC.idr_contact)]: recordUrl(contact.entitySetName, world.contacts.get(who) ?? ''),
    });
  }
  return out;
}

/** Everything scoring writes, named by contact and concept rather than by id. */
async function snapshot(env: InterestsOrg, world: Seeded): Promise<unknown> {
  const client = env.client;
  const contactName = new Map([...world.contacts].map(([n, id]) => [id, n]));
  const conceptCode = new Map([...world.concepts].map(([c, v]) => [v.id, c]));
  const profiles = await client.retrieveMultiple(idr_interestprofile.entitySetName, {
    select: [
      PC.idr_name,
      lookupValue(PC.idr_contact),
      lookupValue(PC.idr_concept),
      PC.idr_score,
      PC.idr_accumulator,
      PC.idr_landmarkon,
      PC.idr_eventcount,
      PC.idr_insegment,
      PC.idr_lastinteractionon,
      PC.idr_segmentchangedon,
    ],
  });
  const interactions = await client.retrieveMultiple(idr_interaction.entitySetName, {
    select: [IC.idr_externalid, IC.idr_processingstatus, IC.idr_applieddeltas],
  });
  const people = await client.retrieveMultiple(contact.entitySetName, {
    select: [contact.columns.fullname, lookupValue(contact.columns.idr_primaryinterest)],
  });
  const accounts = await client.retrieveMultiple(account.entitySetName, {
    select: [account.columns.name, lookupValue(account.columns.idr_primaryinterest)],
  });
  const AIC = idr_accountinterest.columns;
  const accountRows = await client.retrieveMultiple(idr_accountinterest.entitySetName, {
    select: [
      AIC.idr_name,
      lookupValue(AIC.idr_concept),
      AIC.idr_score,
      AIC.idr_contactcount,
      AIC.idr_lastinteractionon,
    ],
  });
  const lists: Record<string, string[]> = {};
  for (const [code, concept] of world.concepts)
    lists[code] = (await listMembers(client, concept.listId ?? ''))
      .map((id) => contactName.get(id) ?? id)
      .sort();
  const deltasByName = (raw: unknown) =>
    (JSON.parse(String(raw)) as { ruleName: string; conceptName: string; points: number }[])
      .map((d) => `${d.ruleName}→${d.conceptName}:${d.points}`)
      .sort(); // rules apply in id order, and ids differ between the two organisations
  return {
    profiles: profiles
      .map((p) => ({
        name: p[PC.idr_name],
        who: `${contactName.get(String(p[lookupValue(PC.idr_contact)])) ?? '?'}|${conceptCode.get(String(p[lookupValue(PC.idr_concept)])) ?? '?'}`,
        score: p[PC.idr_score],
        // Live scoring adds to the stored (10-decimal) accumulator each time, the batch in full precision.
        accumulator: Number(p[PC.idr_accumulator]).toPrecision(9),
        landmark: p[PC.idr_landmarkon],
        events: p[PC.idr_eventcount],
        inSegment: p[PC.idr_insegment],
        last: p[PC.idr_lastinteractionon],
        segmentChangedOn: p[PC.idr_segmentchangedon],
      }))
      .sort((a, b) => a.who.localeCompare(b.who)),
    interactions: interactions
      .map((i) => ({
        id: i[IC.idr_externalid],
        status: i[IC.idr_processingstatus],
        deltas: deltasByName(i[IC.idr_applieddeltas] ?? '[]'),
      }))
      .sort((a, b) => String(a.id).localeCompare(String(b.id))),
    primary: people
      .map((p) => [
        p[contact.columns.fullname],
        conceptCode.get(String(p[lookupValue(contact.columns.idr_primaryinterest)])) ?? null,
      ])
      .sort(),
    accounts: accounts.map((a) => [
      a[account.columns.name],
      conceptCode.get(String(a[lookupValue(account.columns.idr_primaryinterest)])) ?? null,
    ]),
    // Live scoring adds each contact's change to the stored row; the batch adds them up in memory.
    accountInterests: accountRows
      .map((r) => ({
        name: r[AIC.idr_name],
        concept: conceptCode.get(String(r[lookupValue(AIC.idr_concept)])) ?? '?',
        score: Number(r[AIC.idr_score]).toPrecision(6),
        contacts: r[AIC.idr_contactcount],
        last: r[AIC.idr_lastinteractionon],
      }))
      .sort((a, b) => a.concept.localeCompare(b.concept)),
    lists,
  };
}

function counting(client: DataverseClient): { client: DataverseClient; count: () => number } {
  let requests = 0;
  const counted = new Proxy(client, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        requests++;
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { client: counted, count: () => requests };
}

const orgs: InterestsOrg[] = [];
afterEach(() => {
  for (const org of orgs.splice(0)) org.close();
});

function newOrg(wrap?: (client: DataverseClient) => DataverseClient): InterestsOrg {
  const env = createInterestsOrg({ start: NOW, ...(wrap ? { wrapClient: wrap } : {}) });
  orgs.push(env);
  return env;
}

/** Ana visits six times in one UTC day (the cap is two) and Bo sends two forms (the rule counts once). */
function cappedEvents(world: Seeded): EntityRecord[] {
  const day = (utcDay(NOW.getTime()) - 2) * DAY_MS;
  return Array.from({ length: 8 }, (_, i) => {
    const form = i === 1 || i === 6;
    return {
      [IC.idr_name]: `capped ${i}`,
      [IC.idr_source]: 'test',
      [IC.idr_externalid]: `c-${i}`,
      [IC.idr_eventtype]: form ? EventType.FormSubmission : EventType.WebVisit,
      [IC.idr_occurredon]: new Date(day + HOUR + i * HOUR).toISOString(),
      [IC.idr_url]: 'https://x.test/visit',
      [bind(IC.idr_contact)]: recordUrl(contact.entitySetName, world.contacts.get(form ? 'Bo' : 'Ana') ?? ''),
    };
  });
}

it('bulk-scored profiles, explanations, primary interests and lists equal webhook-scored ones', async () => {
  const live = newOrg();
  const liveWorld = await seedWorld(live.client);
  await live.drain();
  for (const record of events(liveWorld)) {
    await live.client.create(idr_interaction.entitySetName, record);
    await live.drain();
  }

  let handlerRequests = 0;
  const bulk = newOrg((client) => {
    const wrapped = counting(client);
    return new Proxy(wrapped.client, {
      get(target, property, receiver) {
        const value: unknown = Reflect.get(target, property, receiver);
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          handlerRequests++;
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
  });
  const bulkWorld = await seedWorld(bulk.client);
  await bulk.drain();
  handlerRequests = 0;
  const requests = counting(bulk.client);
  const scorer = new BulkScorer(
    { client: requests.client, clock: bulk.clock.now, logger: silentLogger, newId: randomUUID },
    {},
  );
  const outcomes = await scorer.register(events(bulkWorld));
  expect(outcomes.filter((o) => o.kind === 'refused' || o.kind === 'pending')).toEqual([]);
  // Catalogue (2), contacts, profiles, rule history, list memberships, then the changesets.
  expect(requests.count()).toBeLessThanOrEqual(8);
  await bulk.drain();
  // The Create webhook fired for each interaction, and its handler saw "already scored" and read nothing.
  expect(handlerRequests).toBe(0);

  const expected = await snapshot(live, liveWorld);
  expect(await snapshot(bulk, bulkWorld)).toEqual(expected);
  expect((expected as { profiles: unknown[] }).profiles.length).toBeGreaterThan(4);
  // Acme's two contacts both scored both concepts: one row per concept counting them both.
  expect((expected as { accountInterests: { contacts: unknown }[] }).accountInterests).toEqual([
    expect.objectContaining({ name: 'Acme · Concept CLOUD', concept: 'CLOUD', contacts: 2 }),
    expect.objectContaining({ name: 'Acme · Concept DATA', concept: 'DATA', contacts: 2 }),
  ]);
  expect((expected as { lists: Record<string, string[]> }).lists.CLOUD?.length).toBeGreaterThan(0);
});

it('sent in small batches, once-only and daily-capped rules still count what earlier batches applied', async () => {
  const live = newOrg();
  const liveWorld = await seedWorld(live.client);
  await live.drain();
  for (const record of cappedEvents(liveWorld)) {
    await live.client.create(idr_interaction.entitySetName, record);
    await live.drain();
  }
  const bulk = newOrg();
  const bulkWorld = await seedWorld(bulk.client);
  await bulk.drain();
  const scorer = new BulkScorer({
    client: bulk.client,
    clock: bulk.clock.now,
    logger: silentLogger,
    newId: randomUUID,
  });
  const all = cappedEvents(bulkWorld);
  // Two rows a batch: a day's third visit and a contact's second form land in later batches.
  for (let start = 0; start < all.length; start += 2) await scorer.register(all.slice(start, start + 2));
  await bulk.drain();
  expect(await snapshot(bulk, bulkWorld)).toEqual(await snapshot(live, liveWorld));
});

it('a replayed batch is a no-op: every event is reported as already registered, nothing counts twice', async () => {
  const env = newOrg();
  const world = await seedWorld(env.client);
  await env.drain();
  const scorer = new BulkScorer({
    client: env.client,
    clock: env.clock.now,
    logger: silentLogger,
    newId: randomUUID,
  });
  const first = await scorer.register(events(world));
  expect(first.every((o) => o.kind === 'scored' || o.kind === 'ignored')).toBe(true);
  const before = await snapshot(env, world);

  const replay = await scorer.register(events(world));
  expect(replay.every((o) => o.kind === 'existing')).toBe(true);
  expect(await snapshot(env, world)).toEqual(before);
});

it('writes Failed and Ignored with the reason, and leaves an unknown contact to Dataverse to refuse', async () => {
  const env = newOrg();
  const world = await seedWorld(env.client);
  await env.drain();
  const scorer = new BulkScorer({
    client: env.client,
    clock: env.clock.now,
    logger: silentLogger,
    newId: randomUUID,
  });
  const base = {
    [IC.idr_name]: 'x',
    [IC.idr_source]: 'test',
    [IC.idr_occurredon]: NOW.toISOString(),
  };
  const outcomes = await scorer.register([
    { ...base, [IC.idr_externalid]: 'no-contact', [IC.idr_eventtype]: EventType.EmailClick },
    {
      ...base,
      [IC.idr_externalid]: 'nothing-matches',
      [IC.idr_eventtype]: EventType.Complaint,
      [bind(IC.idr_contact)]: recordUrl(contact.entitySetName, world.contacts.get('Di') ?? ''),
    },
    {
      ...base,
      [IC.idr_externalid]: 'ghost',
      [IC.idr_eventtype]: EventType.EmailClick,
      [bind(IC.idr_contact)]: recordUrl(contact.entitySetName, randomUUID()),
    },
    {
      ...base,
      [IC.idr_externalid]: 'by-code',
      [IC.idr_eventtype]: EventType.EmailClick,
      [IC.idr_url]: 'https://x.test/cloud',
      [bind(IC.idr_contact)]: recordUrl(contact.entitySetName, world.contacts.get('Di') ?? ''),
      [bind(IC.idr_concept)]:
        `/${idr_marketingconcept.entitySetName}(${idr_marketingconcept.columns.idr_code}='CLOUD')`,
    },
  ]);
  expect(outcomes.map((o) => o.kind)).toEqual(['failed', 'ignored', 'refused', 'scored']);
  expect(outcomes[0]).toMatchObject({ reason: expect.stringContaining('names no contact') as unknown });
  expect(outcomes[1]).toMatchObject({
    reason: expect.stringContaining('No active interaction rule matches Complaint') as unknown,
  });
  const rows = await env.client.retrieveMultiple(idr_interaction.entitySetName, {
    select: [IC.idr_externalid, IC.idr_processingstatus],
  });
  const status: Record<string, unknown> = Object.fromEntries(
    rows.map((r) => [String(r[IC.idr_externalid]), r[IC.idr_processingstatus]]),
  );
  expect(status).toEqual({
    'no-contact': ProcessingStatus.Failed,
    'nothing-matches': ProcessingStatus.Ignored,
    'by-code': ProcessingStatus.Scored,
  });
});
