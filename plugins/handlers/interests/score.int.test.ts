/**
 * Scoring through the emulator: an interaction is POSTed through the client, the Create step queues a
 * System Job, the job posts the webhook in process (verify → parse → dispatch), and the handler scores
 * it against the emulated Web API. Expected values come from domain/interest's brute-force sum.
 */
import {
  account,
  contact,
  EventType,
  idr_interaction,
  idr_interestprofile,
  ProcessingStatus,
} from '../../../dataverse/generated';
import { DAY_MS, directScore } from '../../../domain/interest';
import { lookupValue } from './records';
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

const IC = idr_interaction.columns;
const PC = idr_interestprofile.columns;
const START = new Date('2025-03-01T09:00:00Z');
const HALF_LIFE = 30;

const env = orgPerTest({ start: START });

const daysBefore = (days: number) => new Date(START.getTime() - days * DAY_MS);

async function interaction(id: string) {
  return env.client.retrieve(idr_interaction.entitySetName, id, [
    IC.idr_processingstatus,
    IC.idr_processingerror,
    IC.idr_applieddeltas,
  ]);
}

/** Status and reason of an interaction, as the user reads them on the form. */
async function outcome(id: string): Promise<[unknown, string]> {
  const row = await interaction(id);
  return [row?.[IC.idr_processingstatus], String(row?.[IC.idr_processingerror] ?? '')];
}

describe('an interaction created through the Web API', () => {
  it('is scored by the async step: profile, explanation, segment list and primary interest', async () => {
    const cloud = await seedConcept(env.client, {
      code: 'CLOUD',
      enter: 10,
      exit: 5,
      halfLifeDays: HALF_LIFE,
    });
    const data = await seedConcept(env.client, { code: 'DATA', enter: 10, exit: 5, halfLifeDays: HALF_LIFE });
    const clickCloud = await seedRule(env.client, {
      concept: cloud.id,
      points: 6,
      match: 'url=*cloud*',
      name: 'Cloud click',
    });
    const clickData = await seedRule(env.client, {
      concept: data.id,
      points: 2,
      match: 'url=*cloud*',
      name: 'Cloud click also data',
    });
    await seedRule(env.client, {
      concept: data.id,
      points: 50,
      match: 'url=*pricing*',
      name: 'Pricing click',
    });
    const ana = await seedContact(env.client, { name: 'Ana' });

    const first = await seedInteraction(env.client, {
      contactId: ana,
      occurredOn: daysBefore(3),
      url: 'https://example.com/cloud/webinar',
    });
    const second = await seedInteraction(env.client, {
      contactId: ana,
      occurredOn: daysBefore(1),
      url: 'https://example.com/Cloud/migration',
    });
    await env.drain();

    for (const id of [first, second]) {
      const row = await interaction(id);
      expect(row?.[IC.idr_processingstatus]).toBe(ProcessingStatus.Scored);
      expect(JSON.parse(String(row?.[IC.idr_applieddeltas]))).toEqual(
        expect.arrayContaining([
          // The explanation names the rule and the concept, in the shape the InterestProfile control reads.
          {
            rule: clickCloud,
            ruleName: 'Cloud click',
            concept: cloud.id,
            conceptName: 'Concept CLOUD',
            points: 6,
          },
          {
            rule: clickData,
            ruleName: 'Cloud click also data',
            concept: data.id,
            conceptName: 'Concept DATA',
            points: 2,
          },
        ]),
      );
    }
    const now = START.getTime();
    const events = [daysBefore(3), daysBefore(1)].map((d) => d.getTime());
    const expectedCloud = directScore(
      events.map((t) => ({ points: 6, occurredOn: t })),
      now,
      HALF_LIFE,
    );
    const expectedData = directScore(
      events.map((t) => ({ points: 2, occurredOn: t })),
      now,
      HALF_LIFE,
    );
    expect(expectedCloud).toBeGreaterThan(10);

    const cloudProfile = await profileOf(env.client, ana, cloud.id);
    expect(cloudProfile?.[PC.idr_score]).toBeCloseTo(expectedCloud, 4);
    expect(cloudProfile?.[PC.idr_eventcount]).toBe(2);
    expect(cloudProfile?.[PC.idr_insegment]).toBe(true);
    const dataProfile = await profileOf(env.client, ana, data.id);
    expect(dataProfile?.[PC.idr_score]).toBeCloseTo(expectedData, 4);
    expect(dataProfile?.[PC.idr_insegment]).toBe(false);

    expect(await listMembers(env.client, cloud.listId!)).toEqual([ana]);
    expect(await listMembers(env.client, data.listId!)).toEqual([]);
    const person = await env.client.retrieve(contact.entitySetName, ana, [
      lookupValue(contact.columns.idr_primaryinterest),
    ]);
    expect(person?.[lookupValue(contact.columns.idr_primaryinterest)]).toBe(cloud.id);
  });
});

describe('interactions that cannot be scored', () => {
  it('are marked Ignored or Failed with a reason a person can act on, never left Pending', async () => {
    const cloud = await seedConcept(env.client, { code: 'CLOUD' });
    const retired = await seedConcept(env.client, { code: 'OLD', active: false });
    await seedRule(env.client, { concept: cloud.id, points: 5, match: 'url=*cloud*' });
    const ana = await seedContact(env.client, { name: 'Ana' });
    const acme = await seedAccount(env.client, 'Acme');

    const unmatched = await seedInteraction(env.client, {
      contactId: ana,
      occurredOn: daysBefore(1),
      url: 'https://example.com/careers',
    });
    const noContact = await seedInteraction(env.client, {
      occurredOn: daysBefore(1),
      url: 'https://example.com/cloud',
    });
    const accountOnly = await seedInteraction(env.client, {
      accountId: acme,
      occurredOn: daysBefore(1),
      url: 'https://example.com/cloud',
    });
    const inactiveConcept = await seedInteraction(env.client, {
      contactId: ana,
      occurredOn: daysBefore(1),
      url: 'https://example.com/cloud',
      conceptId: retired.id,
    });
    await env.drain();

    expect(await interaction(unmatched)).toMatchObject({
      [IC.idr_processingstatus]: ProcessingStatus.Ignored,
      [IC.idr_processingerror]:
        'No active interaction rule matches Email click (url https://example.com/careers).',
    });
    const [noContactStatus, noContactReason] = await outcome(noContact);
    expect(noContactStatus).toBe(ProcessingStatus.Failed);
    expect(noContactReason).toContain('names no contact');
    const [accountStatus, accountReason] = await outcome(accountOnly);
    expect(accountStatus).toBe(ProcessingStatus.Ignored);
    expect(accountReason).toContain(`names account ${acme} but no contact`);
    const [conceptStatus, conceptReason] = await outcome(inactiveConcept);
    expect(conceptStatus).toBe(ProcessingStatus.Failed);
    expect(conceptReason).toContain(`concept ${retired.id}, which is not active`);
    expect(await profileOf(env.client, ana, cloud.id)).toBeNull();
  });

  it('explain a rule held back by "once per contact" and by its daily cap', async () => {
    const cloud = await seedConcept(env.client, { code: 'CLOUD', enter: 100, exit: 50 });
    await seedRule(env.client, {
      concept: cloud.id,
      points: 20,
      eventType: EventType.FormSubmission,
      repeatable: false,
      name: 'First form',
    });
    await seedRule(env.client, {
      concept: cloud.id,
      points: 1,
      eventType: EventType.WebVisit,
      dailyCap: 2,
      name: 'Visits',
    });
    const ana = await seedContact(env.client, { name: 'Ana' });
    const form1 = await seedInteraction(env.client, {
      contactId: ana,
      eventType: EventType.FormSubmission,
      occurredOn: daysBefore(5),
    });
    const visits: string[] = [];
    for (const hour of [1, 2, 3]) {
      visits.push(
        await seedInteraction(env.client, {
          contactId: ana,
          eventType: EventType.WebVisit,
          occurredOn: new Date(daysBefore(2).getTime() + hour * 3_600_000),
        }),
      );
    }
    const nextDay = await seedInteraction(env.client, {
      contactId: ana,
      eventType: EventType.WebVisit,
      occurredOn: daysBefore(1),
    });
    await env.drain();
    const form2 = await seedInteraction(env.client, {
      contactId: ana,
      eventType: EventType.FormSubmission,
      occurredOn: daysBefore(0.5),
    });
    await env.drain();

    expect((await interaction(form1))?.[IC.idr_processingstatus]).toBe(ProcessingStatus.Scored);
    const [formStatus, formReason] = await outcome(form2);
    expect(formStatus).toBe(ProcessingStatus.Ignored);
    expect(formReason).toContain(
      "rule 'First form' already applied to this contact and counts once per contact",
    );
    const statuses = await Promise.all(
      visits.map(async (id) => (await interaction(id))?.[IC.idr_processingstatus]),
    );
    expect(statuses).toEqual([ProcessingStatus.Scored, ProcessingStatus.Scored, ProcessingStatus.Ignored]);
    expect((await outcome(visits[2]))[1]).toContain("rule 'Visits' reached its daily cap");
    expect((await interaction(nextDay))?.[IC.idr_processingstatus]).toBe(ProcessingStatus.Scored);
    expect((await profileOf(env.client, ana, cloud.id))?.[PC.idr_eventcount]).toBe(4);
  });
});

describe('consent', () => {
  it('scores and segments a contact who refuses bulk email but never adds them to the marketing list', async () => {
    const cloud = await seedConcept(env.client, { code: 'CLOUD', enter: 10, exit: 5 });
    await seedRule(env.client, { concept: cloud.id, points: 25 });
    const ana = await seedContact(env.client, { name: 'Ana' });
    const ben = await seedContact(env.client, { name: 'Ben', doNotBulkEmail: true });
    await seedInteraction(env.client, { contactId: ana, occurredOn: daysBefore(1) });
    await seedInteraction(env.client, { contactId: ben, occurredOn: daysBefore(1) });
    await env.drain();

    const benProfile = await profileOf(env.client, ben, cloud.id);
    expect(benProfile?.[PC.idr_score]).toBeCloseTo(
      directScore([{ points: 25, occurredOn: daysBefore(1).getTime() }], START.getTime(), 30),
      4,
    );
    expect(benProfile?.[PC.idr_insegment]).toBe(true);
    expect(await listMembers(env.client, cloud.listId!)).toEqual([ana]);
  });
});

describe('the account roll-up', () => {
  it("sets the account's primary interest from the sum of its contacts' scores", async () => {
    const cloud = await seedConcept(env.client, { code: 'CLOUD', halfLifeDays: HALF_LIFE });
    const data = await seedConcept(env.client, { code: 'DATA', halfLifeDays: HALF_LIFE });
    await seedRule(env.client, { concept: cloud.id, points: 10, eventType: EventType.EmailClick });
    await seedRule(env.client, { concept: data.id, points: 6, eventType: EventType.WebVisit });
    const acme = await seedAccount(env.client, 'Acme');
    const ana = await seedContact(env.client, { name: 'Ana', accountId: acme });
    const ben = await seedContact(env.client, { name: 'Ben', accountId: acme });
    const eve = await seedContact(env.client, { name: 'Eve', accountId: acme });
    const primaryOf = async (set: string, id: string, column: string) =>
      (await env.client.retrieve(set, id, [lookupValue(column)]))?.[lookupValue(column)];

    await seedInteraction(env.client, {
      contactId: ana,
      eventType: EventType.EmailClick,
      occurredOn: daysBefore(2),
    });
    await env.drain();
    expect(await primaryOf(account.entitySetName, acme, account.columns.idr_primaryinterest)).toBe(cloud.id);

    // Two contacts keen on data outweigh one on cloud, though Ana's own interest stays cloud.
    await seedInteraction(env.client, {
      contactId: ben,
      eventType: EventType.WebVisit,
      occurredOn: daysBefore(1),
    });
    await seedInteraction(env.client, {
      contactId: eve,
      eventType: EventType.WebVisit,
      occurredOn: daysBefore(1),
    });
    await env.drain();
    expect(await primaryOf(account.entitySetName, acme, account.columns.idr_primaryinterest)).toBe(data.id);
    expect(await primaryOf(contact.entitySetName, ana, contact.columns.idr_primaryinterest)).toBe(cloud.id);
    expect(await primaryOf(contact.entitySetName, ben, contact.columns.idr_primaryinterest)).toBe(data.id);
  });
});
