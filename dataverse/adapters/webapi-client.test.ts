import type { DataverseClient } from '../client';
import { ConcurrencyError, DuplicateRecordError, NotFoundError, ThrottledError } from '../errors';
import { account, activityparty, contact, email, list, systemuser } from '../generated';
import {
  InvalidFunctionParameterError,
  InvalidRecordKeyError,
  UnknownEntitySetError,
  UnsupportedOperationError,
} from './errors';
import { createPcfClient } from './pcf-client';
import {
  nextFetchXmlPage,
  tableNamesFrom,
  type ExecuteResponseLike,
  type RecordWebApi,
} from './webapi-client';
import { createXrmClient } from './xrm-client';

/** A failure as Xrm.WebApi reports it: the documented hex code as a positive decimal, and a message. */
const xrmError = (hex: string, message: string) =>
  Object.assign(new Error(message), { errorCode: Number.parseInt(hex, 16) });
const NOT_FOUND = '80040217';

type Row = Record<string, unknown>;

/**
 * An in-memory stand-in for Xrm.WebApi / context.webAPI with the behaviour the adapter relies on:
 * ids, etags, a unique account number (an alternate key), `{errorCode, message}` failures, paging.
 */
class FakeRecordApi implements RecordWebApi {
  readonly calls: string[] = [];
  readonly rows = new Map<string, Map<string, Row>>();
  pages: { entities: Row[]; nextLink?: string; fetchXmlPagingCookie?: string }[] = [];
  failNext: Error | null = null;
  private nextId = 1;

  private table(name: string): Map<string, Row> {
    let t = this.rows.get(name);
    if (!t) this.rows.set(name, (t = new Map<string, Row>()));
    return t;
  }

  private find(name: string, key: string): [string, Row] | undefined {
    const t = this.table(name);
    const alt = /^(\w+)='(.*)'$/.exec(key);
    if (!alt) return t.has(key) ? [key, t.get(key)!] : undefined;
    const value = decodeURIComponent(alt[2]).replace(/''/g, "'");
    return [...t.entries()].find(([, row]) => row[alt[1]] === value);
  }

  private settle<T>(what: string, produce: () => T): Promise<T> {
    this.calls.push(what);
    if (this.failNext) {
      const failure = this.failNext;
      this.failNext = null;
      return Promise.reject(failure);
    }
    try {
      return Promise.resolve(produce());
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }

  createRecord(name: string, record: Row) {
    return this.settle(`create ${name}`, () => {
      const idColumn = `${name}id`;
      const number = record[account.columns.accountnumber];
      if (
        number !== undefined &&
        [...this.table(name).values()].some((r) => r[account.columns.accountnumber] === number)
      ) {
        throw xrmError('80060892', 'A record with matching key values already exists.');
      }
      const id =
        (record[idColumn] as string | undefined) ??
        `00000000-0000-0000-0000-${String(this.nextId++).padStart(12, '0')}`;
      if (this.table(name).has(id)) throw xrmError('80040237', 'Cannot insert duplicate key.');
      this.table(name).set(id, { ...record, [idColumn]: id, '@odata.etag': 'W/"1"' });
      return { id, entityType: name };
    });
  }

  retrieveRecord(name: string, key: string, options?: string) {
    return this.settle(`retrieve ${name}(${key})${options ?? ''}`, () => {
      const found = this.find(name, key);
      if (!found) throw xrmError(NOT_FOUND, `${name} With Id = ${key} Does Not Exist`);
      return { ...found[1] };
    });
  }

  retrieveMultipleRecords(name: string, options?: string, maxPageSize?: number) {
    return this.settle(
      `query ${name} ${options ?? ''} ${maxPageSize ?? ''}`.trim(),
      () => this.pages.shift() ?? { entities: [] },
    );
  }

  updateRecord(name: string, key: string, data: Row) {
    return this.settle(`update ${name}(${key})`, () => {
      const found = this.find(name, key);
      if (!found) throw xrmError(NOT_FOUND, 'Does Not Exist');
      const version = Number(/\d+/.exec(String(found[1]['@odata.etag']))?.[0] ?? 0) + 1;
      this.table(name).set(found[0], { ...found[1], ...data, '@odata.etag': `W/"${version}"` });
      return { id: found[0], entityType: name };
    });
  }

  deleteRecord(name: string, key: string) {
    return this.settle(`delete ${name}(${key})`, () => {
      const found = this.find(name, key);
      if (!found) throw xrmError(NOT_FOUND, 'Does Not Exist');
      this.table(name).delete(found[0]);
      return { id: found[0], entityType: name };
    });
  }
}

const tables = tableNamesFrom([account, contact, email, list, systemuser]);
const answer = (status: number, body?: unknown): ExecuteResponseLike => ({
  ok: status < 400,
  status,
  json: () => Promise.resolve(body),
});

describe('createXrmClient', () => {
  let api: FakeRecordApi;
  let executed: unknown[];
  let client: DataverseClient;

  beforeEach(() => {
    api = new FakeRecordApi();
    executed = [];
    client = createXrmClient(
      Object.assign(api, {
        online: {
          execute: (request: unknown) => {
            executed.push(request);
            return Promise.resolve(answer(200, { Result: 'ok' }));
          },
          executeMultiple: (requests: unknown[]) => {
            executed.push(requests);
            return Promise.resolve([answer(204), answer(204)]);
          },
        },
      }),
      { tables },
    );
  });

  it('addresses tables by logical name and returns the new id', async () => {
    const id = await client.create(account.entitySetName, { [account.columns.name]: 'Contoso' });
    expect(api.calls).toEqual(['create account']);
    expect(await client.retrieve(account.entitySetName, id, [account.columns.name])).toMatchObject({
      [account.columns.name]: 'Contoso',
    });
    expect(api.calls[1]).toBe(`retrieve account(${id})?$select=name`);
  });

  it('returns null for a missing record and names unknown entity sets', async () => {
    expect(await client.retrieve(account.entitySetName, '7d577253-3ef0-4a0a-bb7f-8335c2596e70')).toBeNull();
    await expect(
      client.retrieve('unknownsets', '7d577253-3ef0-4a0a-bb7f-8335c2596e70'),
    ).rejects.toBeInstanceOf(UnknownEntitySetError);
  });

  it('checks an etag before updating, since Xrm.WebApi cannot send If-Match', async () => {
    const id = await client.create(account.entitySetName, { [account.columns.name]: 'A' });
    await client.update(account.entitySetName, id, { [account.columns.name]: 'B' }, { ifMatch: 'W/"1"' });
    await expect(
      client.update(account.entitySetName, id, { [account.columns.name]: 'C' }, { ifMatch: 'W/"1"' }),
    ).rejects.toBeInstanceOf(ConcurrencyError);
    expect((await client.retrieve(account.entitySetName, id))?.[account.columns.name]).toBe('B');
  });

  it('upserts by alternate key: creates the first time, updates the next', async () => {
    const key = { [account.columns.accountnumber]: "O'Neil-7" };
    const first = await client.upsert(account.entitySetName, key, { [account.columns.name]: 'One' });
    const second = await client.upsert(account.entitySetName, key, { [account.columns.name]: 'Two' });
    expect(first.created).toBe(true);
    expect(second).toEqual({ id: first.id, created: false });
    expect((await client.retrieve(account.entitySetName, key))?.[account.columns.name]).toBe('Two');
    await expect(client.upsert(account.entitySetName, key, {}, { createOnly: true })).rejects.toBeInstanceOf(
      DuplicateRecordError,
    );
    await expect(
      client.upsert(
        account.entitySetName,
        { [account.columns.accountnumber]: 'nope' },
        {},
        { updateOnly: true },
      ),
    ).rejects.toBeInstanceOf(NotFoundError);
  });

  it('follows nextLink by passing its query part unchanged', async () => {
    api.pages = [
      {
        entities: [{ n: 1 }, { n: 2 }],
        nextLink:
          'https://org.crm.dynamics.com/api/data/v9.0/contacts?$select=fullname&$skiptoken=%3Ccookie%3E',
      },
      { entities: [{ n: 3 }] },
    ];
    const rows = await client.retrieveMultiple(contact.entitySetName, {
      select: [contact.columns.fullname],
      filter: 'statecode eq 0',
      pageSize: 2,
    });
    expect(rows).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
    expect(api.calls).toEqual([
      'query contact ?$select=fullname&$filter=statecode eq 0 2',
      'query contact ?$select=fullname&$skiptoken=%3Ccookie%3E 2',
    ]);
  });

  it('pages FetchXML with the fetchXmlPagingCookie', async () => {
    const inner = '<cookie page="1"><accountid last="{A}" first="{B}" /></cookie>';
    api.pages = [
      {
        entities: [{ n: 1 }],
        fetchXmlPagingCookie: `<cookie pagenumber="2" pagingcookie="${encodeURIComponent(encodeURIComponent(inner))}" istracking="False" />`,
      },
      { entities: [{ n: 2 }] },
    ];
    const fetch = `<fetch count="1"><entity name="${account.logicalName}" /></fetch>`;
    expect(await client.fetchXml(account.entitySetName, fetch)).toEqual([{ n: 1 }, { n: 2 }]);
    const second = decodeURIComponent(api.calls[1].replace(/^query account \?fetchXml=/, ''));
    expect(second).toBe(
      `<fetch count="1" page="2" paging-cookie="&lt;cookie page=&quot;1&quot;&gt;&lt;accountid last=&quot;{A}&quot; first=&quot;{B}&quot; /&gt;&lt;/cookie&gt;"><entity name="${account.logicalName}" /></fetch>`,
    );
  });

  it('calls actions through online.execute with metadata inferred from the body', async () => {
    const id = 'a3f0e9d8-91d4-ef11-a72e-6045bd8c0a11';
    expect(
      await client.executeAction(
        'SendEmail',
        { IssueSend: true, TrackingToken: 'T' },
        { entitySet: email.entitySetName, id },
      ),
    ).toEqual({
      Result: 'ok',
    });
    const request = executed[0] as { entity: unknown; IssueSend: boolean; getMetadata(): unknown };
    expect(request.entity).toEqual({ entityType: email.logicalName, id });
    expect(request.getMetadata()).toEqual({
      boundParameter: 'entity',
      operationType: 0,
      operationName: 'SendEmail',
      parameterTypes: {
        IssueSend: { typeName: 'Edm.Boolean', structuralProperty: 1 },
        TrackingToken: { typeName: 'Edm.String', structuralProperty: 1 },
        entity: { typeName: 'mscrm.email', structuralProperty: 5 },
      },
    });
  });

  it('calls functions through online.execute as operation type 1, lists typed as collections', async () => {
    expect(await client.executeFunction('RetrieveTotalRecordCount', { EntityNames: ['contact'] })).toEqual({
      Result: 'ok',
    });
    const request = executed[0] as { EntityNames: string[]; getMetadata(): unknown };
    expect(request.EntityNames).toEqual(['contact']);
    expect(request.getMetadata()).toEqual({
      boundParameter: null,
      operationType: 1,
      operationName: 'RetrieveTotalRecordCount',
      parameterTypes: { EntityNames: { typeName: 'Collection(Edm.String)', structuralProperty: 4 } },
    });
  });

  it('calls a bound function with a record parameter as {"@odata.id"} ("Use Web API functions")', async () => {
    const userId = '0b7c9a10-1111-4c1e-9a51-3e2f8d7c6b01';
    const accountId = 'A3F0E9D8-91D4-EF11-A72E-6045BD8C0A11';
    await client.executeFunction(
      'RetrievePrincipalAccess',
      { Target: { entitySet: account.entitySetName, id: accountId } },
      { entitySet: systemuser.entitySetName, id: userId },
    );
    const request = executed[0] as { entity: unknown; Target: unknown; getMetadata(): unknown };
    expect(request.entity).toEqual({ entityType: systemuser.logicalName, id: userId });
    expect(request.Target).toEqual({ '@odata.id': `${account.entitySetName}(${accountId.toLowerCase()})` });
    expect(request.getMetadata()).toEqual({
      boundParameter: 'entity',
      operationType: 1,
      operationName: 'RetrievePrincipalAccess',
      parameterTypes: {
        Target: { typeName: 'mscrm.crmbaseentity', structuralProperty: 5 },
        entity: { typeName: 'mscrm.systemuser', structuralProperty: 5 },
      },
    });
  });

  it('refuses a record parameter whose id is not a GUID before sending anything', async () => {
    await expect(
      client.executeFunction('RetrievePrincipalAccess', {
        Target: { entitySet: account.entitySetName, id: 'Contoso' },
      }),
    ).rejects.toThrow(InvalidRecordKeyError);
    expect(executed).toEqual([]);
  });

  it('sends a Date, a GUID and a complex value typed for online.execute; refuses an enum value unsent', async () => {
    const id = '0B7C9A10-1111-4C1E-9A51-3E2F8D7C6B01';
    await client.executeFunction('new_ChangesSince', {
      Since: new Date(Date.UTC(2024, 0, 15, 10)),
      Id: id,
      PagingInfo: { complexType: 'PagingInfo', value: { PageNumber: 1, Count: 50 } },
    });
    const request = executed[0] as Record<string, unknown> & { getMetadata(): { parameterTypes: unknown } };
    expect(request).toMatchObject({
      Since: '2024-01-15T10:00:00.000Z',
      Id: id.toLowerCase(),
      PagingInfo: { '@odata.type': 'Microsoft.Dynamics.CRM.PagingInfo', PageNumber: 1, Count: 50 },
    });
    expect(request.getMetadata().parameterTypes).toEqual({
      Since: { typeName: 'Edm.DateTimeOffset', structuralProperty: 1 },
      Id: { typeName: 'Edm.Guid', structuralProperty: 1 },
      PagingInfo: { typeName: 'mscrm.PagingInfo', structuralProperty: 2 },
    });
    await expect(
      client.executeFunction('RetrieveCurrentOrganization', {
        AccessType: { enumType: 'EndpointAccessType', members: ['Default'] },
      }),
    ).rejects.toThrow(InvalidFunctionParameterError);
    expect(executed).toHaveLength(1);
  });

  it('sends a batch action bound to its record, in a changeset and one by one', async () => {
    const listId = '11111111-2222-3333-4444-555555555555';
    const contactId = '7d577253-3ef0-4a0a-bb7f-8335c2596e70';
    const add = {
      kind: 'action' as const,
      name: 'AddMemberList',
      body: { EntityId: contactId },
      bound: { entitySet: list.entitySetName, id: listId },
    };
    await client.executeBatch([add], { atomic: true });
    await client.executeBatch([add]);
    const [[[inChangeset]], single] = executed as [unknown[][], unknown];
    for (const request of [inChangeset, single]) {
      const sent = request as { entity: unknown; EntityId: string; getMetadata(): unknown };
      expect(sent.entity).toEqual({ entityType: list.logicalName, id: listId });
      expect(sent.EntityId).toBe(contactId);
      expect(sent.getMetadata()).toMatchObject({
        boundParameter: 'entity',
        operationName: 'AddMemberList',
        parameterTypes: { entity: { typeName: 'mscrm.list', structuralProperty: 5 } },
      });
    }
  });

  it('passes a deep insert of activity parties through to createRecord', async () => {
    const contactId = '7d577253-3ef0-4a0a-bb7f-8335c2596e70';
    const parties = [
      {
        [`${activityparty.columns.partyid}_${contact.logicalName}@odata.bind`]: `/${contact.entitySetName}(${contactId})`,
        [activityparty.columns.participationtypemask]:
          activityparty.choices.participationtypemask.ToRecipient,
      },
    ];
    const id = await client.create(email.entitySetName, {
      [email.columns.subject]: 'Welcome',
      [`${email.logicalName}_activity_parties`]: parties,
    });
    expect(api.rows.get(email.logicalName)?.get(id)).toMatchObject({
      [`${email.logicalName}_activity_parties`]: parties,
    });
  });

  it('maps service protection codes to ThrottledError', async () => {
    api.failNext = xrmError('80072322', 'Number of requests exceeded the limit.');
    await expect(client.create(account.entitySetName, {})).rejects.toBeInstanceOf(ThrottledError);
  });

  it('runs a non-atomic batch operation by operation; the first failure stops the rest', async () => {
    const id = await client.create(account.entitySetName, {});
    const missing = '7d577253-3ef0-4a0a-bb7f-8335c2596e70';
    const ops = [
      {
        kind: 'update' as const,
        entitySet: account.entitySetName,
        key: id,
        record: { [account.columns.name]: 'X' },
      },
      { kind: 'delete' as const, entitySet: account.entitySetName, key: missing },
      { kind: 'create' as const, entitySet: account.entitySetName, record: {} },
    ];
    const stopped = await client.executeBatch(ops);
    expect(stopped.map((r) => r.status)).toEqual([204, 404, 424]);
    expect(stopped[1]?.body).toMatchObject({ error: { code: '0x80040217' } });
    const continued = await client.executeBatch(ops, { continueOnError: true });
    expect(continued.map((r) => r.status)).toEqual([204, 404, 204]);
  });

  it('sends an atomic batch as one changeset through executeMultiple, and refuses upserts in it', async () => {
    const id = '7d577253-3ef0-4a0a-bb7f-8335c2596e70';
    const results = await client.executeBatch(
      [
        { kind: 'create', entitySet: account.entitySetName, record: { [account.columns.name]: 'A' } },
        { kind: 'delete', entitySet: contact.entitySetName, key: id },
      ],
      { atomic: true },
    );
    expect(results).toEqual([{ status: 204 }, { status: 204 }]);
    const [changeset] = executed[0] as unknown[][];
    expect(changeset).toHaveLength(2);
    const [create, remove] = changeset as {
      getMetadata(): { operationName: string; operationType: number };
    }[];
    expect(create).toMatchObject({ etn: account.logicalName, payload: { [account.columns.name]: 'A' } });
    expect(create.getMetadata()).toMatchObject({ operationType: 2, operationName: 'Create' });
    expect(remove).toMatchObject({ entityReference: { entityType: contact.logicalName, id } });
    await expect(
      client.executeBatch([{ kind: 'upsert', entitySet: account.entitySetName, key: id, record: {} }], {
        atomic: true,
      }),
    ).rejects.toThrow(/no upsert request for an atomic batch/);
  });
});

describe('createPcfClient', () => {
  it('does records like the Xrm client, and says plainly what context.webAPI cannot do', async () => {
    const api = new FakeRecordApi();
    const client = createPcfClient(api, { tables });
    const id = await client.create(contact.entitySetName, { [contact.columns.fullname]: 'Ana Ruiz' });
    expect(await client.retrieve(contact.entitySetName, id)).toMatchObject({
      [contact.columns.fullname]: 'Ana Ruiz',
    });
    await expect(client.executeAction('WhoAmI', {})).rejects.toThrow(UnsupportedOperationError);
    await expect(client.executeAction('WhoAmI', {})).rejects.toThrow(/PCF webAPI cannot call actions/);
    await expect(client.executeFunction('WhoAmI')).rejects.toThrow(/PCF webAPI cannot call functions/);
    await expect(
      client.executeBatch([{ kind: 'create', entitySet: contact.entitySetName, record: {} }], {
        atomic: true,
      }),
    ).rejects.toThrow(/PCF webAPI has no transactional batch/);
  });
});

describe('nextFetchXmlPage', () => {
  it('replaces an existing page attribute instead of adding a second one', () => {
    const cookie =
      '<cookie pagenumber="3" pagingcookie="%253ccookie%2520page%253d%25222%2522%253e%253c%252fcookie%253e" />';
    expect(nextFetchXmlPage(`<fetch page='2' count="5"><entity name="x"/></fetch>`, cookie, 2)).toBe(
      '<fetch count="5" page="3" paging-cookie="&lt;cookie page=&quot;2&quot;&gt;&lt;/cookie&gt;"><entity name="x"/></fetch>',
    );
  });
});
