/**
 * The emulator over HTTP, driven by dynamics-web-api exactly as Ideario's Node tools drive real
 * Dataverse: if the library can talk to it, so can integrators' scripts.
 */
import { DynamicsWebApi } from 'dynamics-web-api';
import { createNodeClient } from '../../dataverse/adapters/node-client';
import { DuplicateRecordError, ThrottledError } from '../../dataverse/errors';
import { Engine } from './engine/engine';
import { startWebApiServer, type WebApiServer, type WebApiServerOptions } from './http/server';
import { testClock } from './testing/clock';
import { testMetadata } from './testing/metadata';

interface Running {
  engine: Engine;
  server: WebApiServer;
  api: DynamicsWebApi;
}

const running: Running[] = [];

async function start(options: Partial<WebApiServerOptions> = {}): Promise<Running> {
  const clock = testClock();
  const engine = new Engine({ metadata: testMetadata(), path: ':memory:', clock: clock.now });
  const server = await startWebApiServer({ engine, port: 0, ...options });
  const api = new DynamicsWebApi({
    serverUrl: server.url,
    dataApi: { version: '9.2' },
    onTokenRefresh: () => Promise.resolve('token'),
    propagateErrors: true,
  });
  const run = { engine, server, api };
  running.push(run);
  return run;
}

afterEach(async () => {
  for (const run of running.splice(0)) {
    await run.server.close();
    run.engine.close();
  }
});

/** What dynamics-web-api rejects with for an HTTP error. */
interface HttpError {
  status: number;
  code?: string;
  message: string;
  headers?: Record<string, string>;
}

async function failure(promise: Promise<unknown>): Promise<HttpError> {
  try {
    await promise;
  } catch (error) {
    return error as HttpError;
  }
  throw new Error('expected the request to fail');
}

it('creates a record (OData-EntityId → id) and retrieves it with formatted values', async () => {
  const { api } = await start();
  const id = await api.create<Record<string, unknown>, string>({
    collection: 'emu_concepts',
    data: { emu_name: 'Cloud', emu_code: 'CLOUD', emu_kind: 105200000, emu_threshold: 12.5 },
  });
  expect(id).toMatch(/^[0-9a-f-]{36}$/);
  const record = await api.retrieve<Record<string, unknown>>({
    collection: 'emu_concepts',
    key: id,
    select: ['emu_name', 'emu_kind', 'emu_threshold'],
    includeAnnotations: 'OData.Community.Display.V1.FormattedValue',
  });
  expect(record).toMatchObject({
    emu_name: 'Cloud',
    emu_kind: 105200000,
    emu_kind_Formatted: 'Sector',
    emu_threshold: 12.5,
    emu_threshold_Formatted: '12.50',
  });
  expect(record['@odata.etag']).toMatch(/^W\/"\d+"$/);
});

it('returns the created record with Prefer: return=representation (201)', async () => {
  const { api } = await start();
  const created = await api.create<Record<string, unknown>, Record<string, unknown>>({
    collection: 'contacts',
    data: { fullname: 'Ana' },
    returnRepresentation: true,
    select: ['fullname'],
  });
  expect(created).toMatchObject({ fullname: 'Ana' });
  expect(created.contactid).toMatch(/^[0-9a-f-]{36}$/);
});

it('answers errors in the Web API error shape', async () => {
  const { api, server } = await start();
  const unknown = await failure(api.retrieveMultiple({ collection: 'emu_nothings' }));
  expect(unknown).toMatchObject({
    status: 404,
    message: "Resource not found for the segment 'emu_nothings'.",
  });
  const badType = await failure(api.create({ collection: 'emu_concepts', data: { emu_halflifedays: 'x' } }));
  expect(badType).toMatchObject({ status: 400, code: '0x80048d19' });
  const skip = await fetch(`${server.serviceRoot}contacts?$skip=10`);
  expect(skip.status).toBe(400);
  expect(await skip.json()).toEqual({
    error: { code: '0x80060888', message: 'The query parameter $skip is not supported' },
  });
});

it('pages a query with odata.maxpagesize and @odata.nextLink', async () => {
  const { api } = await start();
  for (let i = 0; i < 25; i++)
    await api.create({
      collection: 'emu_interactions',
      data: { emu_name: `i${String(i).padStart(2, '0')}`, emu_count: i },
    });
  const first = await api.retrieveMultiple({
    collection: 'emu_interactions',
    select: ['emu_name'],
    filter: 'emu_count ge 3',
    orderBy: ['emu_name desc'],
    maxPageSize: 10,
  });
  expect(first.value).toHaveLength(10);
  expect(first.oDataNextLink).toContain('$skiptoken=');
  const second = await api.retrieveMultiple(
    { collection: 'emu_interactions', maxPageSize: 10 },
    first.oDataNextLink,
  );
  expect(second.value.map((r: Record<string, unknown>) => r.emu_name)[0]).toBe('i14');
  const all = await api.retrieveAll({
    collection: 'emu_interactions',
    select: ['emu_name'],
    filter: 'emu_count ge 3',
    orderBy: ['emu_name desc'],
    maxPageSize: 10,
  });
  expect(all.value.map((r: Record<string, unknown>) => r.emu_name)).toEqual(
    Array.from({ length: 22 }, (_, i) => `i${String(24 - i).padStart(2, '0')}`),
  );
  expect(await api.count({ collection: 'emu_interactions', filter: 'emu_count lt 5' })).toBe(5);
});

it('upserts by alternate key, and refuses an update when If-None-Match: * asks for create only', async () => {
  const { api } = await start();
  const created = await api.upsert<Record<string, unknown>, Record<string, unknown>>({
    collection: 'emu_interactions',
    key: "emu_source='web',emu_externalid='e-1'",
    data: { emu_count: 1 },
    returnRepresentation: true,
  });
  const updated = await api.upsert<Record<string, unknown>, Record<string, unknown>>({
    collection: 'emu_interactions',
    key: "emu_source='web',emu_externalid='e-1'",
    data: { emu_count: 2 },
    returnRepresentation: true,
  });
  expect(updated.emu_interactionid).toBe(created.emu_interactionid);
  expect(updated).toMatchObject({ emu_source: 'web', emu_externalid: 'e-1', emu_count: 2 });
  const duplicate = await failure(
    api.upsert({
      collection: 'emu_interactions',
      key: "emu_source='web',emu_externalid='e-1'",
      data: { emu_count: 3 },
      ifnonematch: '*',
    }),
  );
  expect(duplicate).toMatchObject({ status: 412, code: '0x80060892' });
  const missing = await failure(
    api.update({
      collection: 'emu_interactions',
      key: "emu_source='web',emu_externalid='nope'",
      data: { emu_count: 3 },
    }),
  );
  expect(missing.status).toBe(404);
});

it('refuses an update with a stale etag (412, 0x80060882) and accepts the current one', async () => {
  const { api } = await start();
  const id = await api.create<Record<string, unknown>, string>({
    collection: 'contacts',
    data: { fullname: 'Ana' },
  });
  const read = await api.retrieve<Record<string, string>>({
    collection: 'contacts',
    key: id,
    select: ['fullname'],
  });
  await api.update({
    collection: 'contacts',
    key: id,
    data: { fullname: 'Ana B' },
    ifmatch: read['@odata.etag'],
  });
  const stale = await failure(
    api.update({
      collection: 'contacts',
      key: id,
      data: { fullname: 'Ana C' },
      ifmatch: read['@odata.etag'],
    }),
  );
  expect(stale).toMatchObject({ status: 412, code: '0x80060882' });
  expect(
    (await api.retrieve<Record<string, string>>({ collection: 'contacts', key: id, select: ['fullname'] }))
      .fullname,
  ).toBe('Ana B');
});

it('runs a batch: a changeset with Content-ID references commits, GETs see it', async () => {
  const { api } = await start();
  api.startBatch();
  void api.create({ collection: 'contacts', data: { fullname: 'Batch contact' }, contentId: '1' });
  void api.create({
    collection: 'emu_interactions',
    data: { emu_name: 'linked', 'emu_contact@odata.bind': '$1' },
    contentId: '2',
  });
  void api.retrieveMultiple({ collection: 'emu_interactions', select: ['emu_name', '_emu_contact_value'] });
  const [contact, interaction, query] = (await api.executeBatch()) as [
    string,
    string,
    { value: Record<string, unknown>[] },
  ];
  expect(contact).toMatch(/^[0-9a-f-]{36}$/);
  expect(interaction).toMatch(/^[0-9a-f-]{36}$/);
  expect(query.value).toEqual([expect.objectContaining({ emu_name: 'linked', _emu_contact_value: contact })]);
});

it('rolls a whole changeset back when one of its requests fails', async () => {
  const { api, engine } = await start();
  api.startBatch();
  void api.create({ collection: 'contacts', data: { fullname: 'kept only if all succeed' } });
  void api.create({ collection: 'emu_concepts', data: { emu_code: 'A' } });
  void api.create({ collection: 'emu_concepts', data: { emu_halflifedays: 'not a number' } });
  const error = await failure(api.executeBatch());
  // The library rejects with the parsed parts; a failed part nests the Web API error body.
  const parts = error as unknown as (HttpError & { error?: { code: string } })[];
  expect(Array.isArray(parts)).toBe(true);
  expect(parts.find((p) => p.status >= 400)).toMatchObject({ status: 400, error: { code: '0x80048d19' } });
  expect((await engine.query('contacts', {})).records).toHaveLength(0);
  expect((await engine.query('emu_concepts', {})).records).toHaveLength(0);
});

it('keeps going after a failed request with Prefer: odata.continue-on-error', async () => {
  const { api, engine } = await start();
  api.startBatch();
  void api.create({ collection: 'emu_concepts', data: { emu_halflifedays: 'x' }, inChangeSet: false });
  void api.create({ collection: 'emu_concepts', data: { emu_code: 'B' }, inChangeSet: false });
  const results = await api.executeBatch({ continueOnError: true });
  expect(results).toHaveLength(2);
  expect(results[0]).toMatchObject({ status: 400 });
  expect(
    (await engine.query('emu_concepts', { select: ['emu_code'] })).records.map((r) => r.emu_code),
  ).toEqual(['B']);
});

it('answers 429 with Retry-After once a user exceeds the request limit', async () => {
  let now = 1_000_000;
  const { api, server } = await start({ limit: { requests: 3, windowSeconds: 300 }, now: () => now });
  for (let i = 0; i < 3; i++) await api.retrieveMultiple({ collection: 'contacts' });
  const throttled = await failure(api.retrieveMultiple({ collection: 'contacts' }));
  expect(throttled).toMatchObject({ status: 429, code: '0x80072322' });
  expect(throttled.message).toBe(
    'Number of requests exceeded the limit of 3 over time window of 300 seconds.',
  );
  expect(throttled.headers?.['retry-after']).toBe('300');
  // Another user (token) has its own window.
  const other = await fetch(`${server.serviceRoot}contacts`, {
    headers: { Authorization: 'Bearer someone-else' },
  });
  expect(other.status).toBe(200);
  now += 301_000;
  await expect(api.retrieveMultiple({ collection: 'contacts' })).resolves.toBeDefined();
});

it('answers 429 (0x80072326) past the concurrency limit', async () => {
  let release: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => (release = resolve));
  let inside: () => void = () => undefined;
  const entered = new Promise<void>((resolve) => (inside = resolve));
  const { engine, server } = await start({ concurrency: 1 });
  engine.pipeline.subscribe({
    afterOperation: () => {
      inside();
      return gate;
    },
  });
  const slow = fetch(`${server.serviceRoot}contacts`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: '{"fullname":"slow"}',
  });
  // The first request holds its slot from here until released: no guess at how long it takes to arrive.
  await entered;
  const second = await fetch(`${server.serviceRoot}contacts`);
  expect(second.status).toBe(429);
  expect(second.headers.get('retry-after')).toBe('1');
  expect(((await second.json()) as { error: { code: string } }).error.code).toBe('0x80072326');
  release();
  expect((await slow).status).toBe(204);
});

it('requires the bearer token when started with one, and injects faults when asked', async () => {
  const guarded = await start({ token: 'secret' });
  expect((await fetch(`${guarded.server.serviceRoot}contacts`)).status).toBe(401);
  expect(
    (await fetch(`${guarded.server.serviceRoot}contacts`, { headers: { Authorization: 'Bearer secret' } }))
      .status,
  ).toBe(200);
  const faulty = await start({ faults: [{ status: 503, probability: 0.5 }], random: () => 0.25 });
  const answer = await fetch(`${faulty.server.serviceRoot}contacts`);
  expect(answer.status).toBe(503);
  expect(((await answer.json()) as { error: { message: string } }).error.message).toContain('--faults');
});

it('runs FetchXML with paging cookies, functions and bound actions', async () => {
  const { api } = await start();
  for (let i = 0; i < 7; i++)
    await api.create({ collection: 'emu_concepts', data: { emu_code: `C${i}`, emu_halflifedays: 10 + i } });
  const fetchXml = `<fetch count="3"><entity name="emu_concept"><attribute name="emu_code" /><filter><condition attribute="emu_halflifedays" operator="ge" value="11" /></filter><order attribute="emu_code" descending="true" /></entity></fetch>`;
  const all = await api.fetchAll({ collection: 'emu_concepts', fetchXml });
  expect(all.value.map((r: Record<string, unknown>) => r.emu_code)).toEqual([
    'C6',
    'C5',
    'C4',
    'C3',
    'C2',
    'C1',
  ]);
  const me = await api.callFunction<Record<string, string>>({ functionName: 'WhoAmI' });
  expect(me.UserId).toMatch(/^[0-9a-f-]{36}$/);
  const email = await api.create<Record<string, unknown>, string>({
    collection: 'emails',
    data: {
      subject: 'Hi',
      email_activity_parties: [{ participationtypemask: 2, addressused: 'a@b.example' }],
    },
  });
  const sent = await api.callAction<Record<string, unknown>>({
    collection: 'emails',
    key: email,
    actionName: 'Microsoft.Dynamics.CRM.SendEmail',
    action: { IssueSend: true },
  });
  expect(sent.Subject).toBe('Hi');
});

it('serves AddMemberList bound to a list, in a changeset too, and answers its unbound form with 404', async () => {
  const { api, engine, server } = await start();
  const list = await api.create<Record<string, unknown>, string>({
    collection: 'lists',
    data: { listname: 'Cloud', createdfromcode: 2 },
  });
  const ana = await api.create<Record<string, unknown>, string>({
    collection: 'contacts',
    data: { fullname: 'Ana' },
  });
  const bea = await api.create<Record<string, unknown>, string>({
    collection: 'contacts',
    data: { fullname: 'Bea' },
  });
  const members = async () =>
    (await engine.query('listmembers', { select: ['_entityid_value'] })).records.map(
      (r) => r._entityid_value,
    );

  // "AddMemberList Action": POST lists(<id>)/Microsoft.Dynamics.CRM.AddMemberList {"EntityId"} → {Id}.
  const added = await api.callAction<Record<string, unknown>>({
    collection: 'lists',
    key: list,
    actionName: 'Microsoft.Dynamics.CRM.AddMemberList',
    action: { EntityId: ana },
  });
  const [row] = (await engine.query('listmembers', {})).records;
  expect(added.Id).toBe(row?.listmemberid);
  expect(await members()).toEqual([ana]);

  const unbound = await fetch(`${server.serviceRoot}AddMemberList`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ ListId: list, EntityId: bea }),
  });
  expect(unbound.status).toBe(404);
  expect(await unbound.json()).toEqual({
    error: { code: '0x80060888', message: "Resource not found for the segment 'AddMemberList'." },
  });

  // In a changeset, the bound call is rolled back with the request that fails after it.
  api.startBatch();
  void api.callAction({
    collection: 'lists',
    key: list,
    actionName: 'Microsoft.Dynamics.CRM.AddMemberList',
    action: { EntityId: bea },
  });
  void api.create({ collection: 'emu_concepts', data: { emu_halflifedays: 'not a number' } });
  const parts = (await failure(api.executeBatch())) as unknown as { status: number }[];
  expect(parts.map((p) => p.status)).toEqual([400]);
  expect(await members()).toEqual([ana]);

  api.startBatch();
  void api.callAction({
    collection: 'lists',
    key: list,
    actionName: 'Microsoft.Dynamics.CRM.AddMemberList',
    action: { EntityId: bea },
  });
  void api.create({ collection: 'emu_concepts', data: { emu_code: 'KEPT' } });
  const [member] = (await api.executeBatch()) as [Record<string, unknown>, string];
  expect(member.Id).toMatch(/^[0-9a-f-]{36}$/);
  expect((await members()).sort()).toEqual([ana, bea].sort());
});

it('calls Web API functions with GET, parameters inline or as aliases ("Use Web API functions")', async () => {
  const { server } = await start();
  const client = createNodeClient({
    url: server.url,
    getToken: () => Promise.resolve('token'),
    retry: { maxAttempts: 1 },
  });
  await client.create('contacts', { fullname: 'Ana' });
  await client.create('contacts', { fullname: 'Bea' });
  await client.create('emu_concepts', { emu_code: 'ONE' });
  const me = (await client.executeFunction('WhoAmI')) as Record<string, string>;
  expect(me.UserId).toMatch(/^[0-9a-f-]{36}$/);
  expect(me.OrganizationId).toMatch(/^[0-9a-f-]{36}$/);
  const counts = (await client.executeFunction('RetrieveTotalRecordCount', {
    EntityNames: ['contact', 'emu_concept'],
  })) as { EntityRecordCountCollection: { Keys: string[]; Values: number[] } };
  expect(counts.EntityRecordCountCollection).toMatchObject({
    Keys: ['contact', 'emu_concept'],
    Values: [2, 1],
  });

  const get = async (path: string) => {
    const response = await fetch(`${server.url}/api/data/v9.2/${path}`, {
      headers: { authorization: 'Bearer token', accept: 'application/json' },
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  const inline = await get(`RetrieveTotalRecordCount(EntityNames=${encodeURIComponent('["contact"]')})`);
  expect(inline.status).toBe(200);
  expect(inline.body.EntityRecordCountCollection).toMatchObject({ Values: [2] });
  // An alias the query string does not give, and a table that does not exist, are the caller's mistakes.
  expect((await get('RetrieveTotalRecordCount(EntityNames=@p1)')).status).toBe(400);
  const unknown = await get(
    `RetrieveTotalRecordCount(EntityNames=@p1)?@p1=${encodeURIComponent('["nosuch"]')}`,
  );
  expect(unknown.status).toBe(400);
  expect(JSON.stringify(unknown.body)).toContain("'nosuch' is not the logical name of a table");
  // An action is not a function: GET is refused, as Dataverse refuses it.
  expect((await get('CreateMultiple()')).status).toBe(405);
});

it("works with the project's own Node adapter (dataverse/adapters/node-client)", async () => {
  const { server } = await start({ limit: { requests: 20, windowSeconds: 300 } });
  const client = createNodeClient({
    url: server.url,
    getToken: () => Promise.resolve('token'),
    retry: { maxAttempts: 1 },
  });
  const id = await client.create('contacts', { fullname: 'Ana' });
  expect(await client.retrieve('contacts', id, ['fullname'])).toMatchObject({ fullname: 'Ana' });
  const first = await client.upsert('emu_concepts', { emu_code: 'NODE' }, { emu_name: 'first' });
  const second = await client.upsert('emu_concepts', { emu_code: 'NODE' }, { emu_name: 'second' });
  expect(first.created).toBe(true);
  expect(second).toEqual({ id: first.id, created: false });
  await expect(
    client.executeBatch(
      [
        { kind: 'create', entitySet: 'contacts', record: { fullname: 'rolled back' } },
        { kind: 'create', entitySet: 'emu_concepts', record: { emu_code: 'NODE' } },
      ],
      { atomic: true },
    ),
  ).rejects.toThrow(DuplicateRecordError);
  expect(await client.retrieveMultiple('contacts', { select: ['fullname'] })).toEqual([
    expect.objectContaining({ fullname: 'Ana' }),
  ]);
  const rows = await client.fetchXml(
    'emu_concepts',
    '<fetch><entity name="emu_concept"><attribute name="emu_name" /></entity></fetch>',
  );
  expect(rows).toEqual([expect.objectContaining({ emu_name: 'second' })]);
  let throttled: unknown;
  for (let i = 0; i < 25 && !throttled; i++)
    await client.retrieveMultiple('contacts').catch((e: unknown) => (throttled = e));
  expect(throttled).toBeInstanceOf(ThrottledError);
  expect((throttled as ThrottledError).retryAfterSeconds).toBeGreaterThan(0);
});
