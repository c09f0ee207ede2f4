/**
 * A bound function end to end: DataverseClient.executeFunction with `bound` and a record parameter
 * reaches the emulator's RetrievePrincipalAccess over HTTP (dynamics-web-api, as against Dataverse)
 * and in process, and answers what the user's security roles grant on the record's table.
 */
import path from 'node:path';
import { createNodeClient } from '../../../dataverse/adapters/node-client';
import type { DataverseClient } from '../../../dataverse/client';
import { idr_marketingconcept, systemuser } from '../../../dataverse/generated';
import { InvalidEntityReferenceError } from '../engine/errors';
import { InProcessClient } from '../inprocess-client';
import { startEmulator, type RunningEmulator } from '../start';
import { ANALYST, MANAGER, addRoleUsers } from './roles.testkit';

const SOLUTION_ROOT = path.join(__dirname, '..', '..', '..', 'solution');
const MISSING = '0b7c9a10-3333-4c1e-9a51-3e2f8d7c6b03';
const C = idr_marketingconcept.columns;

let emulator: RunningEmulator;
let conceptId: string;
let clients: Record<'over HTTP' | 'in process', DataverseClient>;

beforeAll(async () => {
  emulator = await startEmulator({ memory: true, port: 0, solutionRoot: SOLUTION_ROOT });
  const e = emulator.engine;
  await addRoleUsers(e);
  conceptId = await e.create(idr_marketingconcept.entitySetName, {
    [C.idr_name]: 'Cloud',
    [C.idr_code]: 'CLOUD',
    [C.idr_enterthreshold]: 20,
    [C.idr_exitthreshold]: 10,
  });
  clients = {
    'over HTTP': createNodeClient({
      url: emulator.url,
      getToken: () => Promise.resolve('token'),
      retry: { maxAttempts: 1 },
    }),
    'in process': new InProcessClient(e),
  };
});

afterAll(async () => {
  await emulator.close();
});

const accessOf = (client: DataverseClient, userId: string, target: { entitySet: string; id: string }) =>
  client.executeFunction(
    'RetrievePrincipalAccess',
    { Target: target },
    { entitySet: systemuser.entitySetName, id: userId },
  );

describe.each(['over HTTP', 'in process'] as const)('RetrievePrincipalAccess bound to a user, %s', (way) => {
  const client = () => clients[way];
  const concept = () => ({ entitySet: idr_marketingconcept.entitySetName, id: conceptId });

  it("answers the rights each user's roles grant on the record: an analyst reads, a manager does everything", async () => {
    expect(await accessOf(client(), ANALYST, concept())).toMatchObject({ AccessRights: 'ReadAccess' });
    expect(await accessOf(client(), MANAGER, concept())).toMatchObject({
      AccessRights:
        'ReadAccess, WriteAccess, AppendAccess, AppendToAccess, CreateAccess, DeleteAccess, ShareAccess, AssignAccess',
    });
    const admin = (await client().executeFunction('WhoAmI')) as { UserId: string };
    expect(await accessOf(client(), admin.UserId, concept())).toMatchObject({
      AccessRights: expect.stringContaining('DeleteAccess') as unknown,
    });
  });

  it('refuses a record that does not exist and a user that does not exist with 404', async () => {
    await expect(
      accessOf(client(), ANALYST, { entitySet: idr_marketingconcept.entitySetName, id: MISSING }),
    ).rejects.toMatchObject({ status: 404 });
    await expect(accessOf(client(), MISSING, concept())).rejects.toMatchObject({ status: 404 });
  });

  it('refuses a reference to an entity set no table has with 400, naming the parameter', async () => {
    const error = (await accessOf(client(), ANALYST, { entitySet: 'nosuchthings', id: conceptId }).catch(
      (e: unknown) => e,
    )) as { status: number; message: string };
    expect(error.status).toBe(400);
    expect(error.message).toContain("'Target' must reference a record");
    expect(error.message).toContain("no table has the entity set 'nosuchthings'");
  });
});

it('takes the reference as the doc writes it: single quotes and a full or relative URI', async () => {
  for (const address of [
    `${idr_marketingconcept.entitySetName}(${conceptId})`,
    `${emulator.serviceRoot}${idr_marketingconcept.entitySetName}(${conceptId})`,
  ]) {
    const response = await fetch(
      `${emulator.serviceRoot}systemusers(${ANALYST})/Microsoft.Dynamics.CRM.RetrievePrincipalAccess(Target=@tid)?@tid={'@odata.id':'${address}'}`,
    );
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      '@odata.context': expect.stringContaining('RetrievePrincipalAccessResponse') as unknown,
      AccessRights: 'ReadAccess',
    });
  }
});

it('refuses a malformed reference over HTTP with 400 and in process with InvalidEntityReferenceError', async () => {
  const response = await fetch(
    `${emulator.serviceRoot}systemusers(${ANALYST})/Microsoft.Dynamics.CRM.RetrievePrincipalAccess(Target=@t)?@t=${encodeURIComponent('{"@odata.id":"idr_marketingconcepts"}')}`,
  );
  expect(response.status).toBe(400);
  expect(await response.text()).toContain("'idr_marketingconcepts' is not a record address");
  await expect(
    new InProcessClient(emulator.engine).executeAction(
      'RetrievePrincipalAccess',
      { Target: { '@odata.id': 'idr_marketingconcepts' } },
      { entitySet: systemuser.entitySetName, id: ANALYST },
    ),
  ).rejects.toThrow(InvalidEntityReferenceError);
});
