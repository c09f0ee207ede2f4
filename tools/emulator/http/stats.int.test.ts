import { createNodeClient } from '../../../dataverse/adapters/node-client';
import { contact } from '../../../dataverse/generated';
import { Engine } from '../engine/engine';
import { testClock } from '../testing/clock';
import { testMetadata } from '../testing/metadata';
import { startWebApiServer, type WebApiServer } from './server';
import type { RequestCounts } from './stats';

const TOKEN = 'stats-token';
let engine: Engine;
let server: WebApiServer;

beforeEach(async () => {
  engine = new Engine({ metadata: testMetadata(), path: ':memory:', clock: testClock().now });
  server = await startWebApiServer({ engine, port: 0, token: TOKEN });
});

afterEach(async () => {
  await server.close();
  engine.close();
});

function client() {
  return createNodeClient({ url: server.url, getToken: () => Promise.resolve(TOKEN) });
}

async function statsOverHttp(method = 'GET', path = '/api/ideario/stats', token = TOKEN) {
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers: { Authorization: `Bearer ${token}` },
  });
  return { status: response.status, body: (await response.json()) as RequestCounts };
}

it('counts each Web API request once, a $batch included, and the operations inside batches apart', async () => {
  const dataverse = client();
  await dataverse.create(contact.entitySetName, { [contact.columns.lastname]: 'Uno' });
  await dataverse.retrieveMultiple(contact.entitySetName, { select: [contact.columns.lastname] });
  await dataverse.executeBatch(
    ['Dos', 'Tres', 'Cuatro'].map((lastname) => ({
      kind: 'create' as const,
      entitySet: contact.entitySetName,
      record: { [contact.columns.lastname]: lastname },
    })),
    { atomic: true },
  );

  const counts = server.stats.snapshot();
  expect(counts).toMatchObject({ requests: 3, batches: 1, batchOperations: 3 });
  expect(counts.byMethod).toEqual({ POST: 2, GET: 1 });
  // Reading the counts over HTTP is not itself a Web API request.
  const read = await statsOverHttp();
  expect(read.status).toBe(200);
  expect(read.body).toMatchObject({ requests: 3, batches: 1, batchOperations: 3 });
  expect(server.stats.snapshot().requests).toBe(3);
});

it('asks for the same token as the Web API and resets on DELETE or POST …/reset', async () => {
  await client().retrieveMultiple(contact.entitySetName, { top: 1 });
  expect((await statsOverHttp('GET', '/api/ideario/stats', 'wrong')).status).toBe(401);

  const cleared = await statsOverHttp('DELETE');
  expect(cleared.body.requests).toBe(1);
  expect(server.stats.snapshot().requests).toBe(0);

  await client().retrieveMultiple(contact.entitySetName, { top: 1 });
  const viaPost = await statsOverHttp('POST', '/api/ideario/stats/reset');
  expect(viaPost.body.requests).toBe(1);
  expect((await statsOverHttp()).body.requests).toBe(0);
  expect((await statsOverHttp('PATCH')).status).toBe(405);
});
