/**
 * The Node client against the local emulator with the real solution metadata: the paths the
 * webhook host takes in production, over HTTP.
 */
import { contact, idr_interestprofile, idr_marketingconcept } from '../generated';
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
