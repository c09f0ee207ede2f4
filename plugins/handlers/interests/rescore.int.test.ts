/** `ideario rescore`'s core: rebuilding profiles from the history gives what live scoring gives. */
import {
  account,
  contact,
  EventType,
  idr_interaction,
  idr_interactionrule,
  idr_interestprofile,
  ProcessingStatus,
} from '../../../dataverse/generated';
import { directScore } from '../../../domain/interest';
import { lookupValue } from './records';
import { rescoreAll } from './rescore';
import {
  listMembers,
  orgPerTest,
  profileOf,
  seedAccount,
  seedConcept,
  seedContact,
  seedInteraction,
  seedRule,
} from './test-org.testkit';

const PC = idr_interestprofile.columns;
const IC = idr_interaction.columns;
const RC = idr_interactionrule.columns;
const START = new Date('2025-03-01T09:00:00Z');
const HOUR = 3_600_000;

const env = orgPerTest({ start: START });

const deps = () => ({ client: env.client, clock: env.clock.now, logger: env.logger });

/** Events arrive over two days; each is scored an hour after it happened, as a busy async queue would. */
async function liveHistory(
  events: { contactId: string; url: string; eventType?: number }[],
): Promise<Date[]> {
  const times: Date[] = [];
  for (const [i, event] of events.entries()) {
    const occurredOn = new Date(START.getTime() + i * 4 * HOUR);
    env.clock.set(new Date(occurredOn.getTime() + HOUR));
    await seedInteraction(env.client, { ...event, occurredOn });
    await env.drain();
    times.push(occurredOn);
  }
  return times;
}

describe('rescoring the interaction history', () => {
  it('changes nothing when the rules have not changed: the replay equals live scoring', async () => {
    const cloud = await seedConcept(env.client, { code: 'CLOUD', enter: 12, exit: 6, halfLifeDays: 3 });
    const data = await seedConcept(env.client, { code: 'DATA', enter: 8, exit: 4, halfLifeDays: 5 });
    await seedRule(env.client, { concept: cloud.id, points: 7, match: 'url=*cloud*' });
    await seedRule(env.client, { concept: data.id, points: 3 });
    await seedRule(env.client, {
      concept: data.id,
      points: 10,
      eventType: EventType.FormSubmission,
      repeatable: false,
    });
    await seedRule(env.client, { concept: cloud.id, points: -4, eventType: EventType.Complaint });
    const acme = await seedAccount(env.client, 'Acme');
    const ana = await seedContact(env.client, { name: 'Ana', accountId: acme });
    const ben = await seedContact(env.client, { name: 'Ben', accountId: acme, doNotBulkEmail: true });
    await env.drain();
    await liveHistory([
      { contactId: ana, url: 'https://x.test/cloud' },
      { contactId: ben, url: 'https://x.test/data' },
      { contactId: ana, url: 'https://x.test/cloud' },
      { contactId: ana, url: 'https://x.test/form', eventType: EventType.FormSubmission },
      { contactId: ana, url: 'https://x.test/form', eventType: EventType.FormSubmission },
      { contactId: ben, url: 'https://x.test/cloud' },
      { contactId: ana, url: 'https://x.test/complaint', eventType: EventType.Complaint },
      { contactId: ana, url: 'https://x.test/cloud' },
    ]);
    expect(await listMembers(env.client, cloud.listId ?? '')).toEqual([ana]);

    const summary = await rescoreAll(deps());
    expect(summary).toEqual({
      interactions: 8,
      contacts: 2,
      profilesChanged: 0,
      interactionsChanged: 0,
      primaryInterestsChanged: 0,
      accountsChanged: 0,
      listAdds: 0,
      listRemoves: 0,
      conflicts: [],
    });
  });

  it('changes nothing when a profile keeps the same scores against a later landmark', async () => {
    const cloud = await seedConcept(env.client, { code: 'CLOUD', enter: 100, exit: 50, halfLifeDays: 10 });
    await seedRule(env.client, { concept: cloud.id, points: 6 });
    const ana = await seedContact(env.client, { name: 'Ana' });
    await env.drain();
    await liveHistory([
      { contactId: ana, url: 'a' },
      { contactId: ana, url: 'b' },
    ]);
    // What live scoring and the recheck job do as time passes: the same scores, a later landmark.
    const stored = await profileOf(env.client, ana, cloud.id);
    const landmark = Date.parse(String(stored?.[PC.idr_landmarkon]));
    const later = landmark + 20 * 86_400_000;
    await env.client.update(idr_interestprofile.entitySetName, String(stored?.[PC.idr_interestprofileid]), {
      [PC.idr_accumulator]: Number(stored?.[PC.idr_accumulator]) / 4,
      [PC.idr_landmarkon]: new Date(later).toISOString(),
    });
    expect(await rescoreAll(deps(), { dryRun: true })).toMatchObject({ profilesChanged: 0 });
    // A real difference still shows: the stored score a tenth too high.
    await env.client.update(idr_interestprofile.entitySetName, String(stored?.[PC.idr_interestprofileid]), {
      [PC.idr_accumulator]: (Number(stored?.[PC.idr_accumulator]) / 4) * 1.1,
    });
    expect(await rescoreAll(deps(), { dryRun: true })).toMatchObject({ profilesChanged: 1 });
  });

  it('applies changed points to the whole history: scores, explanations, segments and lists', async () => {
    const cloud = await seedConcept(env.client, { code: 'CLOUD', enter: 20, exit: 10, halfLifeDays: 30 });
    const rule = await seedRule(env.client, { concept: cloud.id, points: 5 });
    const ana = await seedContact(env.client, { name: 'Ana' });
    await env.drain();
    const times = await liveHistory([
      { contactId: ana, url: 'a' },
      { contactId: ana, url: 'b' },
      { contactId: ana, url: 'c' },
    ]);
    expect(await listMembers(env.client, cloud.listId ?? '')).toEqual([]);

    await env.client.update(idr_interactionrule.entitySetName, rule, { [RC.idr_points]: 8 });
    await env.drain();
    const summary = await rescoreAll(deps());
    expect(summary).toMatchObject({
      profilesChanged: 1,
      interactionsChanged: 3,
      listAdds: 1,
      primaryInterestsChanged: 0,
    });

    const now = env.clock.now().getTime();
    const profile = await profileOf(env.client, ana, cloud.id);
    expect(profile?.[PC.idr_score]).toBeCloseTo(
      directScore(
        times.map((t) => ({ points: 8, occurredOn: t.getTime() })),
        now,
        30,
      ),
      4,
    );
    expect(profile?.[PC.idr_insegment]).toBe(true);
    expect(await listMembers(env.client, cloud.listId ?? '')).toEqual([ana]);
    const explained = await env.client.retrieveMultiple(idr_interaction.entitySetName, {
      select: [IC.idr_applieddeltas],
    });
    expect(explained.map((r) => JSON.parse(String(r[IC.idr_applieddeltas])) as unknown)).toEqual(
      Array(3).fill([
        { rule, ruleName: 'Rule 5', concept: cloud.id, conceptName: 'Concept CLOUD', points: 8 },
      ]),
    );
  });

  it('rescores page by page, a few contacts at a time, to the same result as one page', async () => {
    const cloud = await seedConcept(env.client, { code: 'CLOUD', enter: 12, exit: 6, halfLifeDays: 30 });
    const rule = await seedRule(env.client, { concept: cloud.id, points: 5 });
    const acme = await seedAccount(env.client, 'Acme');
    const people: string[] = [];
    for (let i = 0; i < 7; i++)
      people.push(
        await seedContact(env.client, { name: `Person ${i}`, accountId: i % 2 ? acme : undefined }),
      );
    // One contact without interactions: read in its page, with nothing to rebuild.
    await seedContact(env.client, { name: 'Quiet' });
    await env.drain();
    await liveHistory(
      people.flatMap((contactId, i) => Array.from({ length: 1 + (i % 3) }, () => ({ contactId, url: 'u' }))),
    );
    await env.client.update(idr_interactionrule.entitySetName, rule, { [RC.idr_points]: 9 });
    await env.drain();

    const progress: { done: number; total: number }[] = [];
    const paged = await rescoreAll(deps(), {
      dryRun: true,
      pageSize: 3,
      onProgress: (p) => progress.push(p),
    });
    const whole = await rescoreAll(deps(), { dryRun: true });
    expect(paged).toEqual(whole);
    expect(paged).toMatchObject({
      interactions: 13,
      contacts: 7,
      profilesChanged: 7,
      interactionsChanged: 13,
    });
    // 8 contacts in pages of 3: the total grows while a full page says there may be more.
    expect(progress).toEqual([
      { done: 3, total: 6 },
      { done: 6, total: 9 },
      { done: 8, total: 8 },
    ]);

    await rescoreAll(deps(), { pageSize: 2 });
    expect(await rescoreAll(deps(), { dryRun: true, pageSize: 2 })).toMatchObject({
      profilesChanged: 0,
      interactionsChanged: 0,
      primaryInterestsChanged: 0,
      accountsChanged: 0,
      listAdds: 0,
      listRemoves: 0,
    });
  });

  it('sets profiles to zero and takes contacts out of segments when their only rule is deactivated', async () => {
    const cloud = await seedConcept(env.client, { code: 'CLOUD', enter: 5, exit: 2 });
    const rule = await seedRule(env.client, { concept: cloud.id, points: 9 });
    const acme = await seedAccount(env.client, 'Acme');
    const ana = await seedContact(env.client, { name: 'Ana', accountId: acme });
    await env.drain();
    const [first] = await liveHistory([{ contactId: ana, url: 'x' }]);
    expect(await listMembers(env.client, cloud.listId ?? '')).toEqual([ana]);
    await env.client.update(idr_interactionrule.entitySetName, rule, {
      [RC.statecode]: idr_interactionrule.choices.statecode.Inactive,
      [RC.statuscode]: idr_interactionrule.choices.statuscode.Inactive,
    });
    await env.drain();

    expect(await rescoreAll(deps(), { dryRun: true })).toMatchObject({
      profilesChanged: 1,
      listRemoves: 1,
      accountsChanged: 1,
    });
    expect(await listMembers(env.client, cloud.listId ?? '')).toEqual([ana]);

    await rescoreAll(deps());
    const profile = await profileOf(env.client, ana, cloud.id);
    expect(profile).toMatchObject({ [PC.idr_score]: 0, [PC.idr_eventcount]: 0, [PC.idr_insegment]: false });
    expect(await listMembers(env.client, cloud.listId ?? '')).toEqual([]);
    const [row] = await env.client.retrieveMultiple(idr_interaction.entitySetName, {
      select: [IC.idr_processingstatus, IC.idr_occurredon],
    });
    expect(row).toMatchObject({
      [IC.idr_processingstatus]: ProcessingStatus.Ignored,
      [IC.idr_occurredon]: first?.toISOString().replace('.000', ''),
    });
    const person = await env.client.retrieve(contact.entitySetName, ana, [
      lookupValue(contact.columns.idr_primaryinterest),
    ]);
    expect(person?.[lookupValue(contact.columns.idr_primaryinterest)]).toBeNull();
    const company = await env.client.retrieve(account.entitySetName, acme, [
      lookupValue(account.columns.idr_primaryinterest),
    ]);
    expect(company?.[lookupValue(account.columns.idr_primaryinterest)]).toBeNull();
  });
});
