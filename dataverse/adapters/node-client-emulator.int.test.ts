/**
 * The Node client against the local emulator with the real solution metadata: the paths the
 * webhook host takes in production, over HTTP.
 */
import {
  activityparty,
  contact,
  email,
  idr_interestprofile,
  idr_marketingconcept,
  list,
  listmember,
} from '../generated';
import { startEmulator, type RunningEmulator } from '../../tools/emulator/start';
import { createNodeClient } from './node-client';

let emulator: RunningEmulator;

beforeAll(async () => {
  emulator = await startEmulator({ memory: true, port: 0, demo: false });
});
afterAll(async () => {
  await emulator.close();
});

it('upserts by an alternate key made of lookups and learns the GUID of the row', async () => {
  const client = createNodeClient({ url: emulator.url, getToken: () => Promise.resolve('token') });
  const contactId = await client.create(contact.entitySetName, { [contact.columns.lastname]: 'Vidal' });
  const conceptId = await client.create(idr_marketingconcept.entitySetName, {
    [idr_marketingconcept.columns.idr_name]: 'Cloud',
    [idr_marketingconcept.columns.idr_code]: 'CLOUD',
    [idr_marketingconcept.columns.idr_enterthreshold]: 10,
    [idr_marketingconcept.columns.idr_exitthreshold]: 5,
  });
  const key = {
    [idr_interestprofile.columns.idr_contact]: contactId,
    [idr_interestprofile.columns.idr_concept]: conceptId,
  };
  const record = {
    [`${idr_interestprofile.columns.idr_contact}@odata.bind`]: `/${contact.entitySetName}(${contactId})`,
    [`${idr_interestprofile.columns.idr_concept}@odata.bind`]: `/${idr_marketingconcept.entitySetName}(${conceptId})`,
    [idr_interestprofile.columns.idr_score]: 12.5,
  };

  const first = await client.upsert(idr_interestprofile.entitySetName, key, record);
  const second = await client.upsert(idr_interestprofile.entitySetName, key, {
    ...record,
    [idr_interestprofile.columns.idr_score]: 20,
  });

  expect(first.created).toBe(true);
  expect(second).toEqual({ id: first.id, created: false });
  const stored = await client.retrieve(idr_interestprofile.entitySetName, first.id, [
    idr_interestprofile.columns.idr_score,
  ]);
  expect(stored?.[idr_interestprofile.columns.idr_score]).toBe(20);
});

it('adds a list member with AddMemberList bound to the list, inside an atomic batch', async () => {
  const client = createNodeClient({ url: emulator.url, getToken: () => Promise.resolve('token') });
  const listId = await client.create(list.entitySetName, {
    [list.columns.listname]: 'Cloud',
    [list.columns.createdfromcode]: list.choices.createdfromcode.Contact,
  });
  const contactId = await client.create(contact.entitySetName, { [contact.columns.lastname]: 'Vidal' });

  const results = await client.executeBatch(
    [
      {
        kind: 'update',
        entitySet: contact.entitySetName,
        key: contactId,
        record: { [contact.columns.firstname]: 'Ana' },
      },
      {
        kind: 'action',
        name: 'AddMemberList',
        body: { EntityId: contactId },
        bound: { entitySet: list.entitySetName, id: listId },
      },
    ],
    { atomic: true },
  );

  const members = await client.retrieveMultiple(listmember.entitySetName, {
    filter: `_${listmember.columns.listid}_value eq ${listId}`,
    select: [`_${listmember.columns.entityid}_value`],
  });
  expect(members).toEqual([
    expect.objectContaining({ [`_${listmember.columns.entityid}_value`]: contactId }),
  ]);
  expect(results[1]).toMatchObject({
    status: 200,
    body: { Id: members[0]?.[listmember.primaryIdAttribute] },
  });
});

it('creates an email with its activity parties in one deep insert', async () => {
  const client = createNodeClient({ url: emulator.url, getToken: () => Promise.resolve('token') });
  const contactId = await client.create(contact.entitySetName, { [contact.columns.lastname]: 'Vidal' });
  const emailId = await client.create(email.entitySetName, {
    [email.columns.subject]: 'Welcome',
    [`${email.logicalName}_activity_parties`]: [
      {
        [`${activityparty.columns.partyid}_${contact.logicalName}@odata.bind`]: `/${contact.entitySetName}(${contactId})`,
        [activityparty.columns.participationtypemask]:
          activityparty.choices.participationtypemask.ToRecipient,
      },
    ],
  });
  const parties = await client.retrieveMultiple(activityparty.entitySetName, {
    filter: `_${activityparty.columns.activityid}_value eq ${emailId}`,
    select: [`_${activityparty.columns.partyid}_value`, activityparty.columns.participationtypemask],
  });
  expect(parties).toEqual([
    expect.objectContaining({
      [`_${activityparty.columns.partyid}_value`]: contactId,
      [activityparty.columns.participationtypemask]: activityparty.choices.participationtypemask.ToRecipient,
    }),
  ]);
});

it('answers a query whose URL is too long for a GET (sent inside a $batch) with its order', async () => {
  const client = createNodeClient({ url: emulator.url, getToken: () => Promise.resolve('token') });
  const ids: string[] = [];
  for (const name of ['Zubiri', 'Arana', 'Mendi'])
    ids.push(await client.create(contact.entitySetName, { [contact.columns.lastname]: name }));
  // 60 ids make a filter of about 3,600 characters: the library moves such a GET into a $batch.
  const filter = [...ids, ...Array.from({ length: 57 }, () => crypto.randomUUID())]
    .map((id) => `${contact.columns.contactid} eq ${id}`)
    .join(' or ');
  const rows = await client.retrieveMultiple(contact.entitySetName, {
    select: [contact.columns.lastname],
    filter,
    orderBy: [`${contact.columns.lastname} asc`],
  });
  expect(rows.map((r) => r[contact.columns.lastname])).toEqual(['Arana', 'Mendi', 'Zubiri']);
});
