/**
 * createTestOrg against the real solution/ metadata: what plugin and job tests get. Names come from
 * dataverse/generated, as in business code.
 */
import {
  account,
  contact,
  email,
  EventType,
  idr_interaction,
  idr_interactionrule,
  idr_marketingconcept,
  list,
  listmember,
  ProcessingStatus,
} from '../../../dataverse/generated';
import { ConcurrencyError, DuplicateRecordError } from '../../../dataverse/errors';
import type { OperationEvent } from '../engine/pipeline';
import { createTestOrg, type TestOrg } from './index';

const I = idr_interaction.columns;
const C = idr_marketingconcept.columns;
const bind = (entitySet: string, id: string) => `/${entitySet}(${id})`;

let org: TestOrg;
beforeEach(() => {
  org = createTestOrg({ start: new Date('2025-03-01T08:00:00Z') });
});
afterEach(() => org.close());

async function concept(code: string): Promise<string> {
  return org.client.create(idr_marketingconcept.entitySetName, {
    [C.idr_name]: code,
    [C.idr_code]: code,
    [C.idr_enterthreshold]: 10,
    [C.idr_exitthreshold]: 5,
  });
}

it("registers interactions idempotently by their alternate key and reads them back with the clock's time", async () => {
  const ana = await org.client.create(contact.entitySetName, { [contact.columns.fullname]: 'Ana' });
  const key = { [I.idr_source]: 'web', [I.idr_externalid]: 'evt-1' };
  const record = {
    [I.idr_name]: 'click',
    [I.idr_eventtype]: EventType.EmailClick,
    [I.idr_occurredon]: '2025-02-28T12:00:00Z',
    [`${I.idr_contact}@odata.bind`]: bind(contact.entitySetName, ana),
  };
  const first = await org.client.upsert(idr_interaction.entitySetName, key, record, { createOnly: true });
  await expect(
    org.client.upsert(idr_interaction.entitySetName, key, record, { createOnly: true }),
  ).rejects.toThrow(DuplicateRecordError);
  const pending = await org.client.retrieveMultiple(idr_interaction.entitySetName, {
    filter: `${I.idr_processingstatus} eq ${ProcessingStatus.Pending} and _${I.idr_contact}_value eq ${ana}`,
    select: [I.idr_name, I.idr_processingstatus, 'createdon'],
  });
  expect(pending).toEqual([
    expect.objectContaining({
      [idr_interaction.primaryIdAttribute]: first.id,
      [I.idr_name]: 'click',
      createdon: '2025-03-01T08:00:00Z',
    }),
  ]);
});

it("follows the solution's relationships: interactions go with their contact, rules keep their concept", async () => {
  const ana = await org.client.create(contact.entitySetName, { [contact.columns.fullname]: 'Ana' });
  const cloud = await concept('CLOUD');
  await org.client.create(idr_interaction.entitySetName, {
    [I.idr_eventtype]: EventType.WebVisit,
    [`${I.idr_contact}@odata.bind`]: bind(contact.entitySetName, ana),
    [I.idr_source]: 's',
    [I.idr_externalid]: '1',
  });
  await org.client.create(idr_interactionrule.entitySetName, {
    [idr_interactionrule.columns.idr_eventtype]: EventType.WebVisit,
    [`${idr_interactionrule.columns.idr_concept}@odata.bind`]: bind(
      idr_marketingconcept.entitySetName,
      cloud,
    ),
  });
  await expect(org.client.delete(idr_marketingconcept.entitySetName, cloud)).rejects.toMatchObject({
    code: '0x80040227',
  });
  await org.client.delete(contact.entitySetName, ana);
  expect(await org.client.retrieveMultiple(idr_interaction.entitySetName)).toEqual([]);
});

it("follows the standard relationships of solution/platform: an account's contacts go with it (contact_customer_accounts)", async () => {
  const acme = await org.client.create(account.entitySetName, { [account.columns.name]: 'Acme' });
  const other = await org.client.create(account.entitySetName, { [account.columns.name]: 'Other' });
  const customerOf = (id: string) => ({
    [`${contact.columns.parentcustomerid}_${account.logicalName}@odata.bind`]: bind(
      account.entitySetName,
      id,
    ),
  });
  await org.client.create(contact.entitySetName, { [contact.columns.fullname]: 'Ana', ...customerOf(acme) });
  const bea = await org.client.create(contact.entitySetName, {
    [contact.columns.fullname]: 'Bea',
    ...customerOf(other),
  });
  await org.client.delete(account.entitySetName, acme);
  const left = await org.client.retrieveMultiple(contact.entitySetName, {
    select: [contact.columns.contactid],
  });
  expect(left.map((r) => r[contact.columns.contactid])).toEqual([bea]);
});

it('pages through retrieveMultiple and FetchXML, and checks etags', async () => {
  for (let i = 0; i < 12; i++) await concept(`C${String(i).padStart(2, '0')}`);
  const all = await org.client.retrieveMultiple(idr_marketingconcept.entitySetName, {
    select: [C.idr_code],
    orderBy: [`${C.idr_code} desc`],
    pageSize: 5,
  });
  expect(all.map((r) => r[C.idr_code])).toEqual(
    Array.from({ length: 12 }, (_, i) => `C${String(11 - i).padStart(2, '0')}`),
  );
  const fetched = await org.client.fetchXml(
    idr_marketingconcept.entitySetName,
    `<fetch count="5"><entity name="${idr_marketingconcept.logicalName}"><attribute name="${C.idr_code}" /><order attribute="${C.idr_code}" /></entity></fetch>`,
  );
  expect(fetched).toHaveLength(12);
  const one = await org.client.retrieve(idr_marketingconcept.entitySetName, { [C.idr_code]: 'C03' });
  const etag = String(one?.['@odata.etag']);
  await org.client.update(
    idr_marketingconcept.entitySetName,
    { [C.idr_code]: 'C03' },
    { [C.idr_name]: 'renamed' },
    { ifMatch: etag },
  );
  await expect(
    org.client.update(
      idr_marketingconcept.entitySetName,
      { [C.idr_code]: 'C03' },
      { [C.idr_name]: 'again' },
      { ifMatch: etag },
    ),
  ).rejects.toThrow(ConcurrencyError);
  expect(
    await org.client.retrieve(idr_marketingconcept.entitySetName, '00000000-0000-0000-0000-000000000000'),
  ).toBeNull();
});

it('runs an atomic batch all or nothing, with Content-ID references', async () => {
  await expect(
    org.client.executeBatch(
      [
        {
          kind: 'create',
          entitySet: contact.entitySetName,
          record: { [contact.columns.fullname]: 'Batch' },
          contentId: '1',
        },
        {
          kind: 'create',
          entitySet: idr_interaction.entitySetName,
          record: { [`${I.idr_contact}@odata.bind`]: '$1', [I.idr_eventtype]: 'not a number' },
        },
      ],
      { atomic: true },
    ),
  ).rejects.toThrow('Edm.Int32');
  expect(await org.client.retrieveMultiple(contact.entitySetName)).toEqual([]);
  const results = await org.client.executeBatch(
    [
      {
        kind: 'create',
        entitySet: contact.entitySetName,
        record: { [contact.columns.fullname]: 'Batch' },
        contentId: '1',
      },
      {
        kind: 'create',
        entitySet: idr_interaction.entitySetName,
        record: { [`${I.idr_contact}@odata.bind`]: '$1', [I.idr_eventtype]: EventType.EmailOpen },
      },
    ],
    { atomic: true },
  );
  expect(results.map((r) => r.status)).toEqual([204, 204]);
  const [made] = await org.client.retrieveMultiple(idr_interaction.entitySetName, {
    select: [`_${I.idr_contact}_value`],
  });
  expect(made?.[`_${I.idr_contact}_value`]).toBe(results[0]?.id);
});

it('runs a bound action in an atomic batch, on a record made earlier in it, and rolls it back with it', async () => {
  const ana = await org.client.create(contact.entitySetName, { [contact.columns.fullname]: 'Ana' });
  const operations = (eventType: number | string) => [
    {
      kind: 'create' as const,
      entitySet: list.entitySetName,
      record: {
        [list.columns.listname]: 'Cloud',
        [list.columns.createdfromcode]: list.choices.createdfromcode.Contact,
      },
      contentId: '1',
    },
    {
      kind: 'action' as const,
      name: 'AddMemberList',
      body: { EntityId: ana },
      bound: { entitySet: list.entitySetName, id: '$1' },
    },
    {
      kind: 'create' as const,
      entitySet: idr_interaction.entitySetName,
      record: {
        [`${I.idr_contact}@odata.bind`]: bind(contact.entitySetName, ana),
        [I.idr_eventtype]: eventType,
      },
    },
  ];
  await expect(org.client.executeBatch(operations('not a number'), { atomic: true })).rejects.toThrow(
    'Edm.Int32',
  );
  expect(await org.client.retrieveMultiple(listmember.entitySetName)).toEqual([]);
  const results = await org.client.executeBatch(operations(EventType.EmailOpen), { atomic: true });
  const [member] = await org.client.retrieveMultiple(listmember.entitySetName, {
    select: [`_${listmember.columns.listid}_value`],
  });
  expect(member?.[`_${listmember.columns.listid}_value`]).toBe(results[0]?.id);
  expect(results[1]).toEqual({ status: 200, body: { Id: member?.[listmember.primaryIdAttribute] } });
});

it('adds segment members and sends emails through the real platform tables', async () => {
  const segment = await org.client.create(list.entitySetName, {
    [list.columns.listname]: 'Cloud',
    [list.columns.createdfromcode]: list.choices.createdfromcode.Contact,
  });
  const ana = await org.client.create(contact.entitySetName, {
    [contact.columns.fullname]: 'Ana',
    [contact.columns.emailaddress1]: 'ana@example.com',
  });
  const added = await org.client.executeAction(
    'AddMemberList',
    { EntityId: ana },
    { entitySet: list.entitySetName, id: segment },
  );
  const members = await org.client.retrieveMultiple(listmember.entitySetName, {
    filter: `_${listmember.columns.listid}_value eq ${segment}`,
  });
  expect(members).toHaveLength(1);
  expect(added).toEqual({ Id: members[0]?.[listmember.primaryIdAttribute] });
  // Activity parties travel as a deep insert, through the client like any record.
  const mail = await org.client.create(email.entitySetName, {
    [email.columns.subject]: 'Welcome',
    email_activity_parties: [
      {
        participationtypemask: 2,
        [`partyid_${contact.logicalName}@odata.bind`]: bind(contact.entitySetName, ana),
      },
    ],
  });
  await org.client.executeAction(
    'SendEmail',
    { IssueSend: true },
    { entitySet: email.entitySetName, id: mail },
  );
  expect(org.engine.outbox()).toEqual([
    expect.objectContaining({ to: 'ana@example.com', subject: 'Welcome' }),
  ]);
  expect(await org.client.retrieve(email.entitySetName, mail, [email.columns.statuscode])).toMatchObject({
    [email.columns.statuscode]: email.choices.statuscode.Sent,
  });
});

it("hands pipeline events to the dispatch hook, with the org's client for handlers to call back", async () => {
  const seen: string[] = [];
  const wired = createTestOrg({
    dispatch: ({ engine, client }) =>
      engine.pipeline.subscribe({
        afterOperation: async (event: OperationEvent) => {
          seen.push(`${event.message}.${event.entityName}@${event.depth}`);
          if (event.entityName === idr_interaction.logicalName && event.message === 'Create') {
            await client.update(idr_interaction.entitySetName, event.id, {
              [I.idr_processingstatus]: ProcessingStatus.Scored,
            });
          }
        },
      }),
  });
  const id = await wired.client.create(idr_interaction.entitySetName, {
    [I.idr_eventtype]: EventType.Complaint,
  });
  expect(seen).toEqual([
    `Create.${idr_interaction.logicalName}@1`,
    `Update.${idr_interaction.logicalName}@2`,
  ]);
  expect((await wired.client.retrieve(idr_interaction.entitySetName, id))?.[I.idr_processingstatus]).toBe(
    ProcessingStatus.Scored,
  );
  wired.close();
});
