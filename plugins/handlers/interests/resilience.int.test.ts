/**
 * What Dataverse does to a webhook in production: deliver events at the same time, deliver them twice,
 * and throttle the calls the handler makes back. None of it may change a score.
 */
import type { BatchOperation, BatchResult, DataverseClient } from '../../../dataverse/client';
import { ThrottledError } from '../../../dataverse/errors';
import {
  asyncoperation,
  contact,
  EventType,
  idr_interaction,
  idr_interestprofile,
  listmember,
  ProcessingStatus,
} from '../../../dataverse/generated';
import { directScore } from '../../../domain/interest';
import { lookupValue } from './records';
import {
  createInterestsOrg,
  type InterestsOrg,
  listMembers,
  profileOf,
  seedConcept,
  seedContact,
  seedInteraction,
  seedRule,
} from './test-org.testkit';

const IC = idr_interaction.columns;
const PC = idr_interestprofile.columns;
const START = new Date('2025-03-01T09:00:00Z');
const HALF_LIFE = 30;
/** Dataverse delivers a webhook once more on these answers, and only once. */
const RETRIED = new Set([502, 503, 504]);

let env: InterestsOrg;
afterEach(() => env.close());

const hoursBefore = (hours: number) => new Date(START.getTime() - hours * 3_600_000);

function attemptsLogged(): number[] {
  return env.logger.lines
    .filter((line) => line.includes('Interaction scored.'))
    .map((line) => (JSON.parse(line.slice(line.indexOf('{'))) as { attempts: number }).attempts);
}

describe('50 interactions of one contact delivered at the same time', () => {
  it('give the exact score: colliding writes get 412, and the handler re-reads and retries', async () => {
    env = createInterestsOrg({ start: START });
    const cloud = await seedConcept(env.client, {
      code: 'CLOUD',
      enter: 40,
      exit: 20,
      halfLifeDays: HALF_LIFE,
    });
    await seedRule(env.client, { concept: cloud.id, points: 1.5 });
    const ana = await seedContact(env.client, { name: 'Ana' });
    await env.drain();
    const times = Array.from({ length: 50 }, (_, i) => hoursBefore(50 - i));
    for (const occurredOn of times) await seedInteraction(env.client, { contactId: ana, occurredOn });

    const held = await env.hold();
    expect(held).toHaveLength(50);
    const replies = await Promise.all(held.map((delivery) => env.deliver(delivery)));
    // Dataverse's one retry for those the handler gave up on (503 after its bounded attempts).
    const again = held.filter((_, i) => RETRIED.has(replies[i].status));
    const retried = await Promise.all(again.map((delivery) => env.deliver(delivery)));
    expect([...replies, ...retried].filter((r) => !RETRIED.has(r.status)).map((r) => r.status)).toEqual(
      Array(50).fill(200),
    );

    const expected = directScore(
      times.map((t) => ({ points: 1.5, occurredOn: t.getTime() })),
      START.getTime(),
      HALF_LIFE,
    );
    const profile = await profileOf(env.client, ana, cloud.id);
    expect(profile?.[PC.idr_eventcount]).toBe(50);
    expect(profile?.[PC.idr_score]).toBeCloseTo(expected, 4);
    expect(profile?.[PC.idr_insegment]).toBe(true);
    expect(await listMembers(env.client, cloud.listId!)).toEqual([ana]);
    const scored = await env.client.retrieveMultiple(idr_interaction.entitySetName, {
      filter: `${IC.idr_processingstatus} eq ${ProcessingStatus.Scored}`,
      select: [IC.idr_interactionid],
    });
    expect(scored).toHaveLength(50);
    // The deliveries really interleaved: most needed more than one attempt.
    expect(Math.max(...attemptsLogged())).toBeGreaterThan(1);
  });
});

/** Everything a user could see change: profiles, interactions, list members, primary interests. */
async function snapshot(client: DataverseClient) {
  const profiles = await client.retrieveMultiple(idr_interestprofile.entitySetName, {
    select: [
      lookupValue(PC.idr_contact),
      lookupValue(PC.idr_concept),
      PC.idr_score,
      PC.idr_accumulator,
      PC.idr_eventcount,
      PC.idr_insegment,
      PC.idr_scoredon,
      idr_interestprofile.columns.versionnumber,
    ],
    orderBy: [PC.idr_interestprofileid],
  });
  const interactions = await client.retrieveMultiple(idr_interaction.entitySetName, {
    select: [IC.idr_processingstatus, IC.idr_applieddeltas, IC.idr_processingerror, IC.versionnumber],
    orderBy: [IC.idr_interactionid],
  });
  const members = await client.retrieveMultiple(listmember.entitySetName, {
    select: [lookupValue(listmember.columns.listid), lookupValue(listmember.columns.entityid)],
    orderBy: [listmember.columns.listmemberid],
  });
  const contacts = await client.retrieveMultiple(contact.entitySetName, {
    select: [lookupValue(contact.columns.idr_primaryinterest), contact.columns.versionnumber],
    orderBy: [contact.columns.contactid],
  });
  return { profiles, interactions, members, contacts };
}

describe('every payload delivered twice', () => {
  it('changes nothing the second time, one after the other or all at once', async () => {
    env = createInterestsOrg({ start: START });
    const cloud = await seedConcept(env.client, { code: 'CLOUD', enter: 10, exit: 5 });
    const data = await seedConcept(env.client, { code: 'DATA', enter: 10, exit: 5 });
    await seedRule(env.client, { concept: cloud.id, points: 7, match: 'url=*cloud*' });
    await seedRule(env.client, { concept: data.id, points: 4 });
    await seedRule(env.client, {
      concept: data.id,
      points: 9,
      eventType: EventType.FormSubmission,
      repeatable: false,
    });
    const ana = await seedContact(env.client, { name: 'Ana' });
    const ben = await seedContact(env.client, { name: 'Ben', doNotBulkEmail: true });
    for (const [who, hours, url] of [
      [ana, 30, 'https://x.test/cloud'],
      [ana, 20, 'https://x.test/cloud'],
      [ben, 10, 'https://x.test/data'],
      [ben, 5, 'https://x.test/cloud'],
    ] as const) {
      await seedInteraction(env.client, { contactId: who, occurredOn: hoursBefore(hours), url });
    }
    await seedInteraction(env.client, {
      contactId: ben,
      eventType: EventType.FormSubmission,
      occurredOn: hoursBefore(2),
    });
    await env.drain();
    const before = await snapshot(env.client);
    expect(before.profiles.length).toBe(4);
    expect(before.members.length).toBeGreaterThan(0);

    const firstRound = [...env.delivered];
    for (const delivery of firstRound) expect((await env.deliver(delivery)).status).toBe(200);
    expect(await snapshot(env.client)).toEqual(before);

    const replies = await Promise.all(firstRound.map((delivery) => env.deliver(delivery)));
    expect(replies.every((r) => r.status === 200)).toBe(true);
    expect(await snapshot(env.client)).toEqual(before);
  });
});

/** Throws 429 with Retry-After on the first `$batch`, as Dataverse's service protection would. */
function throttleFirstBatch(calls: { throttled: number }) {
  return (client: DataverseClient): DataverseClient => ({
    create: (...args) => client.create(...args),
    retrieve: (...args) => client.retrieve(...args),
    update: (...args) => client.update(...args),
    upsert: (...args) => client.upsert(...args),
    delete: (...args) => client.delete(...args),
    retrieveMultiple: (...args) => client.retrieveMultiple(...args),
    fetchXml: (...args) => client.fetchXml(...args),
    executeAction: (...args) => client.executeAction(...args),
    executeFunction: (...args) => client.executeFunction(...args),
    executeBatch(
      operations: readonly BatchOperation[],
      options?: { atomic?: boolean; continueOnError?: boolean },
    ): Promise<BatchResult[]> {
      if (calls.throttled === 0) {
        calls.throttled++;
        return Promise.reject(
          new ThrottledError(
            'Number of requests exceeded the limit of 6000 over time window of 300 seconds.',
            30,
            '0x80072322',
          ),
        );
      }
      return client.executeBatch(operations, options);
    },
  });
}

describe('a throttled Dataverse', () => {
  it('costs one more delivery but loses nothing: the host answers 503, Dataverse retries once, the retry scores it', async () => {
    const calls = { throttled: 0 };
    env = createInterestsOrg({ start: START, wrapClient: throttleFirstBatch(calls) });
    const cloud = await seedConcept(env.client, {
      code: 'CLOUD',
      enter: 10,
      exit: 5,
      halfLifeDays: HALF_LIFE,
    });
    await seedRule(env.client, { concept: cloud.id, points: 12 });
    const ana = await seedContact(env.client, { name: 'Ana' });
    const id = await seedInteraction(env.client, { contactId: ana, occurredOn: hoursBefore(24) });
    await env.drain();

    expect(calls.throttled).toBe(1);
    expect(env.logger.lines.some((l) => l.includes('answering 503 so Dataverse retries once'))).toBe(true);
    const [job] = await env.client.retrieveMultiple(asyncoperation.entitySetName, {
      filter: `${lookupValue(asyncoperation.columns.regardingobjectid)} eq ${id}`,
      select: [asyncoperation.columns.retrycount, asyncoperation.columns.statuscode],
    });
    expect(job).toMatchObject({
      [asyncoperation.columns.retrycount]: 1,
      [asyncoperation.columns.statuscode]: asyncoperation.choices.statuscode.Succeeded,
    });
    const profile = await profileOf(env.client, ana, cloud.id);
    expect(profile?.[PC.idr_eventcount]).toBe(1);
    expect(profile?.[PC.idr_score]).toBeCloseTo(
      directScore([{ points: 12, occurredOn: hoursBefore(24).getTime() }], START.getTime(), HALF_LIFE),
      4,
    );
    expect(await listMembers(env.client, cloud.listId!)).toEqual([ana]);
    const row = await env.client.retrieve(idr_interaction.entitySetName, id, [IC.idr_processingstatus]);
    expect(row?.[IC.idr_processingstatus]).toBe(ProcessingStatus.Scored);
  });
});
