import { randomUUID } from 'node:crypto';
import type { DataverseClient, EntityRecord, NewRecord } from '../../dataverse/client';
import { NotFoundError } from '../../dataverse/errors';
import { parseSimpleFilter } from '../harness/memory-client';
import {
  environmentvariabledefinition as DEF,
  environmentvariablevalue as VAL,
  serviceendpoint as SE,
} from '../../dataverse/generated';
import { InvalidEnvironmentVariableValueError } from './errors';
import {
  checkEnvironmentVariableValue,
  configureServiceEndpoint,
  DEFINITION_NAVIGATION,
  setEnvironmentVariable,
  webhookEndpointUrl,
} from './settings';

const PRIMARY: Record<string, string> = {
  [DEF.entitySetName]: DEF.primaryIdAttribute,
  [VAL.entitySetName]: VAL.primaryIdAttribute,
  [SE.entitySetName]: SE.primaryIdAttribute,
};

/** Rows per entity set, answering as the Web API does: an unknown set is a 404, a bind becomes `_<nav>_value`. */
function dataverse(tables: Record<string, EntityRecord[]>) {
  const writes: { op: string; entitySet: string; record: NewRecord }[] = [];
  const table = (set: string): EntityRecord[] => {
    const rows = tables[set];
    if (!rows) throw new NotFoundError(`Resource not found for the segment '${set}'.`);
    return rows;
  };
  const refuse = () => Promise.reject(new Error('not used'));
  const client: DataverseClient = {
    retrieveMultiple: (set, query) =>
      new Promise((resolve) => {
        const conditions = query?.filter ? parseSimpleFilter(query.filter) : [];
        resolve(
          table(set).filter((r) =>
            conditions.every((c) => String(r[c.column]).toLowerCase() === String(c.value).toLowerCase()),
          ),
        );
      }),
    create: (set, record) =>
      new Promise((resolve) => {
        const row: EntityRecord = { [PRIMARY[set] ?? 'id']: randomUUID() };
        for (const [key, value] of Object.entries(record)) {
          const bound = /^(.*)@odata\.bind$/.exec(key);
          if (Array.isArray(value)) continue;
          if (bound?.[1] && typeof value === 'string')
            row[`_${bound[1].toLowerCase()}_value`] = /\(([^)]+)\)$/.exec(value)?.[1];
          else row[key] = value as EntityRecord[string];
        }
        table(set).push(row);
        writes.push({ op: 'create', entitySet: set, record });
        resolve(String(row[PRIMARY[set] ?? 'id']));
      }),
    update: (set, key, record) =>
      new Promise((resolve) => {
        const row = table(set).find((r) => r[PRIMARY[set] ?? 'id'] === key);
        if (!row) throw new NotFoundError(`${set}(${typeof key === 'string' ? key : JSON.stringify(key)})`);
        Object.assign(row, record);
        writes.push({ op: 'update', entitySet: set, record });
        resolve();
      }),
    retrieve: refuse,
    upsert: refuse,
    delete: refuse,
    fetchXml: refuse,
    executeAction: refuse,
    executeFunction: refuse,
    executeBatch: refuse,
  };
  return { client, tables, writes };
}

const DEF_ID = '0a6b0f5e-4d37-4c0a-8a2c-6e1f2b7c9d01';
const ENDPOINT_ID = 'c2cc5541-15da-4179-82c7-b10415318291';

describe('setEnvironmentVariable', () => {
  it('creates the value row bound to its definition, then updates that row rather than adding another', async () => {
    const org = dataverse({
      [DEF.entitySetName]: [{ [DEF.primaryIdAttribute]: DEF_ID, [DEF.columns.schemaname]: 'idr_WebhookUrl' }],
      [VAL.entitySetName]: [],
    });
    expect(await setEnvironmentVariable(org.client, 'idr_WebhookUrl', 'https://host.example')).toMatchObject({
      kind: 'set',
      detail: 'set to https://host.example',
    });
    expect(org.writes[0]?.record).toEqual({
      [VAL.columns.schemaname]: 'idr_WebhookUrl',
      [VAL.columns.value]: 'https://host.example',
      [`${DEFINITION_NAVIGATION}@odata.bind`]: `/${DEF.entitySetName}(${DEF_ID})`,
    });
    expect(await setEnvironmentVariable(org.client, 'idr_WebhookUrl', 'https://host.example')).toMatchObject({
      kind: 'unchanged',
    });
    expect(await setEnvironmentVariable(org.client, 'idr_WebhookUrl', 'https://other.example')).toMatchObject(
      { kind: 'set', detail: 'updated to https://other.example' },
    );
    expect(org.tables[VAL.entitySetName]).toHaveLength(1);
    expect(org.tables[VAL.entitySetName]?.[0]?.[VAL.columns.value]).toBe('https://other.example');
  });

  it('warns instead of failing when the definition or the table is missing', async () => {
    const org = dataverse({ [DEF.entitySetName]: [], [VAL.entitySetName]: [] });
    expect(await setEnvironmentVariable(org.client, 'idr_WebhookUrl', 'x')).toMatchObject({
      kind: 'warning',
      detail: expect.stringContaining('no definition') as unknown,
    });
    const emulator = dataverse({});
    expect(await setEnvironmentVariable(emulator.client, 'idr_WebhookUrl', 'x')).toMatchObject({
      kind: 'warning',
      detail: expect.stringContaining(`no ${DEF.entitySetName} table`) as unknown,
    });
  });
});

describe('configureServiceEndpoint', () => {
  const endpoint = { id: ENDPOINT_ID, name: 'IdearioInterestsWebhook' };

  it('points the endpoint at the host with WebhookKey auth, and never reports the key', async () => {
    const org = dataverse({
      [SE.entitySetName]: [{ [SE.primaryIdAttribute]: ENDPOINT_ID, [SE.columns.name]: endpoint.name }],
    });
    const outcome = await configureServiceEndpoint(org.client, endpoint, {
      url: 'https://host.example/api/webhook/IdearioInterests',
      key: 's3cret-key',
    });
    expect(org.tables[SE.entitySetName]?.[0]).toMatchObject({
      [SE.columns.url]: 'https://host.example/api/webhook/IdearioInterests',
      [SE.columns.authtype]: SE.choices.authtype.WebhookKey,
      [SE.columns.authvalue]: 's3cret-key',
    });
    expect(outcome).toEqual({
      kind: 'set',
      what: `webhook endpoint ${endpoint.name}`,
      detail: 'URL https://host.example/api/webhook/IdearioInterests; webhook key set (not shown)',
    });
    expect(JSON.stringify(outcome)).not.toContain('s3cret-key');
  });

  it('finds an endpoint registered by hand by its name, and warns when there is none', async () => {
    const other = '5b0f0a9c-1111-4c0a-8a2c-6e1f2b7c9d01';
    const org = dataverse({
      [SE.entitySetName]: [{ [SE.primaryIdAttribute]: other, [SE.columns.name]: endpoint.name }],
    });
    await configureServiceEndpoint(org.client, endpoint, { key: 'k2' });
    expect(org.tables[SE.entitySetName]?.[0]).toMatchObject({ [SE.columns.authvalue]: 'k2' });
    expect(org.tables[SE.entitySetName]?.[0]?.[SE.columns.url]).toBeUndefined();
    expect(
      await configureServiceEndpoint(dataverse({ [SE.entitySetName]: [] }).client, endpoint, { key: 'k' }),
    ).toMatchObject({ kind: 'warning' });
  });
});

describe('values and URLs', () => {
  it.each([
    ['https://host.example', 'https://host.example/api/webhook/IdearioInterests'],
    ['https://host.example/', 'https://host.example/api/webhook/IdearioInterests'],
    ['https://host.example/func/api/webhook', 'https://host.example/func/api/webhook/IdearioInterests'],
  ])('%s → %s', (base, url) => {
    expect(webhookEndpointUrl(base, 'IdearioInterests')).toBe(url);
  });

  it('refuses a webhook URL carrying the key, and values that do not fit the type', () => {
    expect(() => webhookEndpointUrl('https://host.example?code=abc', 'IdearioInterests')).toThrow(
      'the key goes in --webhook-key',
    );
    expect(() => webhookEndpointUrl('host.example', 'IdearioInterests')).toThrow('is not an absolute URL');
    expect(() =>
      checkEnvironmentVariableValue('idr_MaxActiveConcepts', DEF.choices.type.Number, 'thirty'),
    ).toThrow(InvalidEnvironmentVariableValueError);
    expect(() =>
      checkEnvironmentVariableValue('idr_MaxActiveConcepts', DEF.choices.type.Number, '25'),
    ).not.toThrow();
  });
});
