/**
 * The account's interest rows end to end: the emulator over HTTP wired to the real webhook host,
 * counted by the emulator's own request counter (`RunningEmulator.stats`, what `GET /api/ideario/stats`
 * serves). A history registered in bulk, then live events of contacts of an account with 50 contacts:
 * each live event costs the handler 2 Web API requests (one read, one `$batch`), once-per-contact and
 * capped rules included, however many contacts the account has; and `rescore --dry-run` finds nothing
 * to change afterwards, account rows included.
 */
import { randomUUID } from 'node:crypto';
import type { EntityRecord } from '../../../dataverse/client';
import {
  contact,
  EventType,
  idr_accountinterest,
  idr_interaction,
  ProcessingStatus,
} from '../../../dataverse/generated';
import { silentLogger } from '../../../dataverse/logger';
import { directScore } from '../../../domain/interest';
import type { RunningEmulator } from '../../../tools/emulator/start';
import { handlers } from '../../host/catalog';
import type { RunningHost } from '../../host/node-server';
import { BulkScorer } from './bulk';
import { bind, lookupValue, recordUrl } from './records';
import { rescoreAll } from './rescore';
import {
  createInterestsOrg,
  listMembers,
  seedAccount,
  seedConcept,
  seedContact,
  seedInteraction,
  seedRule,
} from './test-org.testkit';
import { startWiredEnvironment } from '../../../tools/emulator/wired.testkit';

const TOKEN = 'account-interest-token';
const KEY = 'account-interest-key';
const IC = idr_interaction.columns;
const AIC = idr_accountinterest.columns;
const DAY = 86_400_000;
const START = new Date('2025-03-01T09:00:00Z');
/** Dataverse delivers a webhook once more on these answers, and only once. */
const RETRIED = new Set([502, 503, 504]);

let emulator: RunningEmulator | undefined;
let host: RunningHost | undefined;

afterEach(async () => {
  await emulator?.close();
  await host?.close();
  emulator = host = undefined;
});

let external = 0;
function event(contactId: string, eventType: number, occurredOn: number, url: string): EntityRecord {
  return {
    [IC.idr_name]: 'event',
    [IC.idr_source]: 'test',
    [IC.idr_externalid]: `e-${++external}`,
    [IC.idr_eventtype]: eventType,
    [IC.idr_occurredon]: new Date(occurredOn).toISOString(),
    [IC.idr_url]: url,
    [bind(IC.idr_contact)]: recordUrl(contact.entitySetName, contactId),
  };
}

it('scores each live event of a 50-contact account in 2 requests, and rescore then changes nothing', async () => {
  const wired = await startWiredEnvironment({
    handlers: handlers,
    logger: silentLogger,
    token: TOKEN,
    key: KEY,
  });
  host = wired.host;
  emulator = wired.emulator;
  const client = wired.client;

  // One half-life for every concept: the ranking of scores (primary interests) cannot change with
  // time, and thresholds no one reaches: no segment moves, so no run depends on the wall clock.
  const concept = (code: string) => seedConcept(client, { code, enter: 1e6, exit: 5e5, halfLifeDays: 30 });
  const cloud = await concept('CLOUD');
  const data = await concept('DATA');
  const security = await concept('SECURITY');
  await seedRule(client, { concept: cloud.id, points: 5, match: 'url=*cloud*' });
  await seedRule(client, { concept: data.id, points: 2, eventType: EventType.WebVisit, dailyCap: 3 });
  await seedRule(client, {
    concept: security.id,
    points: 15,
    eventType: EventType.FormSubmission,
    repeatable: false,
  });
  await seedRule(client, { concept: data.id, points: 3, eventType: EventType.FormSubmission });
  // A segment someone enters live: thresholds an event attended reaches.
  const events = await seedConcept(client, { code: 'EVENTS', enter: 10, exit: 5, halfLifeDays: 30 });
  await seedRule(client, { concept: events.id, points: 20, eventType: EventType.EventAttended });
  const acme = await seedAccount(client, 'Acme');
  const people: string[] = [];
  for (let i = 0; i < 50; i++) people.push(await seedContact(client, { name: `Acme ${i}`, accountId: acme }));
  const loner = await seedContact(client, { name: 'Loner' });
  await emulator.whenJobsIdle();

  // The history, registered in bulk (as `ideario ingest` and the demo do): 400 events.
  const now = Date.now();
  const kinds = [
    [EventType.EmailClick, 'https://x.test/cloud'],
    [EventType.WebVisit, 'https://x.test/pricing'],
    [EventType.FormSubmission, 'https://x.test/form'],
  ] as const;
  const history = Array.from({ length: 400 }, (_, i) => {
    const [type, url] = kinds[i % kinds.length] ?? kinds[0];
    const who = i % 9 === 0 ? loner : (people[(i * 7) % people.length] ?? loner);
    return event(who, type, now - 60 * DAY + i * 3_600_000, url);
  });
  const scorer = new BulkScorer(
    { client, clock: () => new Date(), logger: silentLogger, newId: randomUUID },
    { bypassCustomAsync: true },
  );
  const ana = people[3] ?? '';
  const ben = people[4] ?? '';
  // Long ago, decayed far below the segment's exit threshold: Ana has a profile, not in the segment.
  history.unshift(event(ana, EventType.EventAttended, now - 300 * DAY, 'https://x.test/summit'));
  const outcomes = await scorer.register(history);
  expect(outcomes.filter((o) => o.kind !== 'scored' && o.kind !== 'ignored')).toEqual([]);
  await emulator.whenJobsIdle();

  const live = async (record: EntityRecord): Promise<number> => {
    emulator?.stats.reset();
    await client.create(idr_interaction.entitySetName, record);
    await emulator?.whenJobsIdle();
    // The test's own create is one request; the rest is the handler's.
    return (emulator?.stats.snapshot().requests ?? 0) - 1;
  };
  // The first event loads the rule cache (two more queries), the first Ignored one of a type reads the
  // type's label: not what this test measures.
  await live(event(ben, EventType.EmailClick, now - DAY, 'https://x.test/cloud'));
  await live(event(ben, EventType.SocialMention, now - DAY, 'https://x.test/post'));
  const costs = [
    await live(event(ana, EventType.EmailClick, now - 2 * 3_600_000, 'https://x.test/cloud')),
    await live(event(ana, EventType.WebVisit, now - 2 * 3_600_000, 'https://x.test/a')),
    await live(event(ana, EventType.WebVisit, now - 3_600_000, 'https://x.test/b')),
    await live(event(ben, EventType.FormSubmission, now - 3_600_000, 'https://x.test/form')),
    await live(event(ana, EventType.FormSubmission, now - 1_800_000, 'https://x.test/form')),
    await live(event(loner, EventType.EmailClick, now - 1_800_000, 'https://x.test/cloud')),
    // Enters the EVENTS segment: the list membership was in the read, AddMemberList in the changeset.
    await live(event(ana, EventType.EventAttended, now - 1_800_000, 'https://x.test/summit')),
    // Ignored (no rule for a mention): the read and the interaction's update.
    await live(event(ana, EventType.SocialMention, now - 1_800_000, 'https://x.test/post')),
  ];
  expect(costs).toEqual([2, 2, 2, 2, 2, 2, 2, 2]);
  expect(await listMembers(client, events.listId ?? '')).toEqual([ana]);

  const statuses = await client.retrieveMultiple(idr_interaction.entitySetName, {
    select: [IC.idr_processingstatus],
  });
  expect(statuses.filter((s) => s[IC.idr_processingstatus] === ProcessingStatus.Pending)).toEqual([]);

  // Every contact of Acme that scored a concept counts once in Acme's row of it.
  const rows = await client.retrieveMultiple(idr_accountinterest.entitySetName, {
    select: [lookupValue(AIC.idr_concept), AIC.idr_contactcount],
    filter: `${lookupValue(AIC.idr_account)} eq ${acme}`,
  });
  expect(rows).toHaveLength(4);
  const counts = new Map(rows.map((r) => [r[lookupValue(AIC.idr_concept)], r[AIC.idr_contactcount]]));
  expect(counts.get(events.id)).toBe(1);
  for (const id of [cloud.id, data.id, security.id]) expect(Number(counts.get(id))).toBeGreaterThan(10);

  const summary = await rescoreAll(
    { client, clock: () => new Date(), logger: silentLogger },
    { dryRun: true },
  );
  expect(summary).toMatchObject({
    interactions: 411,
    profilesChanged: 0,
    interactionsChanged: 0,
    primaryInterestsChanged: 0,
    accountsChanged: 0,
    listAdds: 0,
    listRemoves: 0,
    conflicts: [],
  });
}, 180_000);

it("adds every contact's change to the account's row when 20 contacts of one account are scored at once", async () => {
  const env = createInterestsOrg({ start: START });
  try {
    const cloud = await seedConcept(env.client, { code: 'CLOUD', enter: 1e6, exit: 5e5, halfLifeDays: 30 });
    await seedRule(env.client, { concept: cloud.id, points: 2.5 });
    const acme = await seedAccount(env.client, 'Acme');
    const people: string[] = [];
    for (let i = 0; i < 20; i++)
      people.push(await seedContact(env.client, { name: `Person ${i}`, accountId: acme }));
    await env.drain();
    const times = people.map((_, i) => new Date(START.getTime() - (20 - i) * 3_600_000));
    for (const [i, contactId] of people.entries())
      await seedInteraction(env.client, { contactId, occurredOn: times[i] ?? START });

    // All delivered at the same time: the account's row is written with its etag, so a changeset
    // built on a stale row fails (412, or the twin create on the alternate key) and is recomputed.
    const held = await env.hold();
    const replies = await Promise.all(held.map((delivery) => env.deliver(delivery)));
    const again = held.filter((_, i) => RETRIED.has(replies[i]?.status ?? 0));
    await Promise.all(again.map((delivery) => env.deliver(delivery)));

    const rows = await env.client.retrieveMultiple(idr_accountinterest.entitySetName, {
      select: [AIC.idr_contactcount, AIC.idr_score],
    });
    expect(rows).toHaveLength(1);
    expect(rows[0]?.[AIC.idr_contactcount]).toBe(20);
    expect(Number(rows[0]?.[AIC.idr_score])).toBeCloseTo(
      directScore(
        times.map((t) => ({ points: 2.5, occurredOn: t.getTime() })),
        START.getTime(),
        30,
      ),
      4,
    );
  } finally {
    env.close();
  }
});
