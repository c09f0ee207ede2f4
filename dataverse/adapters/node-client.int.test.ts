import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DataverseClient } from '../client';
import {
  ConcurrencyError,
  DataverseError,
  DuplicateRecordError,
  NotFoundError,
  ThrottledError,
} from '../errors';
import { account, contact, email, list } from '../generated';
import { DataverseUnreachableError } from './errors';
import { createNodeClient, type NodeClientOptions } from './node-client';

interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}
interface Reply {
  status: number;
  headers?: Record<string, string>;
  body?: string;
}
type Responder = (request: Seen) => Reply;

const ACCOUNT_ID = '7d577253-3ef0-4a0a-bb7f-8335c2596e70';
const CONTACT_ID = '41c2d3e4-91d4-ef11-a72e-6045bd8c0a11';
const EMAIL_ID = 'a3f0e9d8-91d4-ef11-a72e-6045bd8c0a11';
const LIST_ID = '11111111-2222-3333-4444-555555555555';

/** A stand-in for the Web API that records each request and answers from a queue. */
class FakeDataverse {
  readonly seen: Seen[] = [];
  private readonly queue: Responder[] = [];
  private server!: Server;
  url = '';

  get base(): string {
    return `${this.url}/api/data/v9.2/`;
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const seen = {
          method: req.method ?? '',
          url: req.url ?? '',
          headers: req.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        };
        this.seen.push(seen);
        const responder = this.queue.shift();
        const reply = responder ? responder(seen) : { status: 599, body: 'no reply queued' };
        res.writeHead(reply.status, { 'OData-Version': '4.0', ...reply.headers });
        res.end(reply.body ?? '');
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  reply(...responders: Responder[]): void {
    this.queue.push(...responders);
  }

  reset(): void {
    this.seen.splice(0);
    this.queue.splice(0);
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

const json =
  (status: number, body: unknown, headers: Record<string, string> = {}): Responder =>
  () => ({
    status,
    headers: { 'Content-Type': 'application/json; odata.metadata=minimal', ...headers },
    body: JSON.stringify(body),
  });
const empty =
  (status: number, headers: Record<string, string> = {}): Responder =>
  () => ({ status, headers });
const failure = (
  status: number,
  code: string,
  message: string,
  headers: Record<string, string> = {},
): Responder => json(status, { error: { code, message } }, headers);

describe('createNodeClient against a Web API stand-in', () => {
  const dataverse = new FakeDataverse();
  let sleeps: number[];
  let tokens: number;
  let client: DataverseClient;

  function makeClient(options: Partial<NodeClientOptions> = {}): DataverseClient {
    return createNodeClient({
      url: dataverse.url,
      getToken: () => Promise.resolve(`tok-${++tokens}`),
      sleep: (ms) => Promise.resolve(void sleeps.push(ms)),
      random: () => 1,
      ...options,
    });
  }

  beforeAll(() => dataverse.start());
  afterAll(() => dataverse.stop());
  beforeEach(() => {
    dataverse.reset();
    sleeps = [];
    tokens = 0;
    client = makeClient();
  });

  describe('records', () => {
    it('creates with POST and returns the id from OData-EntityId, with a bearer token', async () => {
      dataverse.reply(empty(204, { 'OData-EntityId': `${dataverse.base}accounts(${ACCOUNT_ID})` }));
      const id = await client.create(account.entitySetName, {
        [account.columns.name]: 'Contoso',
        'primarycontactid@odata.bind': `/contacts(${CONTACT_ID})`,
      });
      expect(id).toBe(ACCOUNT_ID);
      const [request] = dataverse.seen;
      expect(request).toMatchObject({ method: 'POST', url: '/api/data/v9.2/accounts' });
      expect(request.headers).toMatchObject({
        authorization: 'Bearer tok-1',
        'odata-version': '4.0',
        'content-type': 'application/json; charset=utf-8',
      });
      expect(JSON.parse(request.body)).toEqual({
        [account.columns.name]: 'Contoso',
        'primarycontactid@odata.bind': `/contacts(${CONTACT_ID})`,
      });
    });

    it('retrieves by id with $select and keeps dates as the Web API wrote them', async () => {
      dataverse.reply(
        json(200, {
          '@odata.context': `${dataverse.base}$metadata#accounts(name,modifiedon)/$entity`,
          '@odata.etag': 'W/"1048233"',
          [account.columns.name]: 'Contoso',
          [account.columns.modifiedon]: '2026-01-07T14:00:00Z',
          [account.columns.accountid]: ACCOUNT_ID,
          'revenue@OData.Community.Display.V1.FormattedValue': '€1,000.00',
        }),
      );
      const record = await client.retrieve(account.entitySetName, ACCOUNT_ID.toUpperCase(), [
        account.columns.name,
        account.columns.modifiedon,
      ]);
      expect(dataverse.seen[0]?.url).toBe(`/api/data/v9.2/accounts(${ACCOUNT_ID})?$select=name,modifiedon`);
      expect(record).toEqual({
        '@odata.context': `${dataverse.base}$metadata#accounts(name,modifiedon)/$entity`,
        '@odata.etag': 'W/"1048233"',
        [account.columns.name]: 'Contoso',
        [account.columns.modifiedon]: '2026-01-07T14:00:00Z',
        [account.columns.accountid]: ACCOUNT_ID,
        'revenue@OData.Community.Display.V1.FormattedValue': '€1,000.00',
      });
    });

    it('returns null when the record does not exist', async () => {
      dataverse.reply(failure(404, '0x80040217', 'account With Id = 7d57… Does Not Exist'));
      expect(await client.retrieve(account.entitySetName, ACCOUNT_ID)).toBeNull();
    });

    it('addresses alternate keys as quoted, encoded literals', async () => {
      dataverse.reply(json(200, { [account.columns.accountid]: ACCOUNT_ID }));
      await client.retrieve(account.entitySetName, { [account.columns.accountnumber]: "O'Brien, Ltd/7" });
      expect(dataverse.seen[0]?.url).toBe(`/api/data/v9.2/accounts(accountnumber='O''Brien%2C%20Ltd%2F7')`);
    });

    it('updates with If-Match: * so a missing record is a NotFoundError, never a new row', async () => {
      dataverse.reply(failure(404, '0x80040217', 'Does Not Exist'));
      await expect(
        client.update(account.entitySetName, ACCOUNT_ID, { [account.columns.name]: 'x' }),
      ).rejects.toThrow(NotFoundError);
      expect(dataverse.seen[0]).toMatchObject({
        method: 'PATCH',
        url: `/api/data/v9.2/accounts(${ACCOUNT_ID})`,
      });
      expect(dataverse.seen[0]?.headers['if-match']).toBe('*');
    });

    it('sends the etag and turns 412 into a ConcurrencyError', async () => {
      dataverse.reply(
        failure(
          412,
          '0x80060882',
          "The version of the existing record doesn't match the RowVersion property provided.",
        ),
      );
      const attempt = client.update(
        account.entitySetName,
        ACCOUNT_ID,
        { [account.columns.name]: 'x' },
        { ifMatch: 'W/"1048230"' },
      );
      await expect(attempt).rejects.toThrow(ConcurrencyError);
      await expect(attempt).rejects.toThrow(
        /accounts\(7d577253-.*\): the record changed since it was read \(If-Match W\/"1048230"/,
      );
      expect(dataverse.seen[0]?.headers['if-match']).toBe('W/"1048230"');
    });

    it('deletes with DELETE', async () => {
      dataverse.reply(empty(204));
      await client.delete(contact.entitySetName, CONTACT_ID);
      expect(dataverse.seen[0]).toMatchObject({
        method: 'DELETE',
        url: `/api/data/v9.2/contacts(${CONTACT_ID})`,
      });
    });
  });

  describe('upsert', () => {
    const key = { [account.columns.accountnumber]: 'A-100' };

    it('creates when the key is new: If-None-Match: *, and the id comes back in the representation', async () => {
      dataverse.reply(
        json(201, {
          '@odata.etag': 'W/"1"',
          [account.columns.accountnumber]: 'A-100',
          [account.columns.accountid]: ACCOUNT_ID,
        }),
      );
      expect(await client.upsert(account.entitySetName, key, { [account.columns.name]: 'Contoso' })).toEqual({
        id: ACCOUNT_ID,
        created: true,
      });
      const [request] = dataverse.seen;
      expect(request).toMatchObject({
        method: 'PATCH',
        url: `/api/data/v9.2/accounts(accountnumber='A-100')?$select=accountnumber`,
      });
      expect(request.headers).toMatchObject({ 'if-none-match': '*', prefer: 'return=representation' });
    });

    it('updates when the key exists (412 on create-only), and says it did not create', async () => {
      dataverse.reply(
        failure(412, '0x80060892', 'A record with matching key values already exists.'),
        json(200, { [account.columns.accountnumber]: 'A-100', [account.columns.accountid]: ACCOUNT_ID }),
      );
      expect(await client.upsert(account.entitySetName, key, { [account.columns.name]: 'Contoso' })).toEqual({
        id: ACCOUNT_ID,
        created: false,
      });
      expect(dataverse.seen.map((s) => [s.headers['if-none-match'], s.headers['if-match']])).toEqual([
        ['*', undefined],
        [undefined, '*'],
      ]);
    });

    it('createOnly turns an existing key into a DuplicateRecordError; updateOnly a missing one into NotFoundError', async () => {
      dataverse.reply(failure(412, '0x80060892', 'A record with matching key values already exists.'));
      await expect(client.upsert(account.entitySetName, key, {}, { createOnly: true })).rejects.toThrow(
        DuplicateRecordError,
      );
      dataverse.reply(failure(404, '0x80040217', 'Does Not Exist'));
      await expect(client.upsert(account.entitySetName, key, {}, { updateOnly: true })).rejects.toThrow(
        NotFoundError,
      );
      expect(dataverse.seen).toHaveLength(2);
    });

    it('upserts by GUID without asking for a representation', async () => {
      dataverse.reply(empty(204, { 'OData-EntityId': `${dataverse.base}accounts(${ACCOUNT_ID})` }));
      expect(await client.upsert(account.entitySetName, ACCOUNT_ID, {})).toEqual({
        id: ACCOUNT_ID,
        created: true,
      });
      expect(dataverse.seen[0]?.headers.prefer).toBeUndefined();
    });
  });

  describe('throttling and transient failures', () => {
    it('waits the Retry-After of a 429, then succeeds', async () => {
      dataverse.reply(
        failure(
          429,
          '0x80072322',
          'Number of requests exceeded the limit of 6000 over time window of 300 seconds.',
          { 'Retry-After': '7' },
        ),
        json(200, { [account.columns.accountid]: ACCOUNT_ID }),
      );
      expect(await client.retrieve(account.entitySetName, ACCOUNT_ID)).toEqual({
        [account.columns.accountid]: ACCOUNT_ID,
      });
      expect(sleeps).toEqual([7000]);
      expect(tokens).toBe(2);
    });

    it('hands a Retry-After longer than the cap to the caller at once, as ThrottledError', async () => {
      dataverse.reply(
        failure(429, '0x80072321', 'Combined execution time exceeded.', { 'Retry-After': '600' }),
      );
      const attempt = client.retrieve(account.entitySetName, ACCOUNT_ID);
      await expect(attempt).rejects.toBeInstanceOf(ThrottledError);
      await expect(attempt).rejects.toMatchObject({
        retryAfterSeconds: 600,
        status: 429,
        code: '0x80072321',
      });
      expect(sleeps).toEqual([]);
    });

    it('gives up after the attempts allowed', async () => {
      const throttled = failure(429, '0x80072322', 'Too many requests', { 'Retry-After': '2' });
      dataverse.reply(throttled, throttled, throttled);
      const limited = makeClient({ retry: { maxAttempts: 3 } });
      await expect(limited.retrieve(account.entitySetName, ACCOUNT_ID)).rejects.toMatchObject({
        retryAfterSeconds: 2,
      });
      expect(sleeps).toEqual([2000, 2000]);
      expect(dataverse.seen).toHaveLength(3);
    });

    it('backs off exponentially on 5xx for reads', async () => {
      dataverse.reply(
        failure(503, '', 'Service Unavailable'),
        failure(502, '', 'Bad Gateway'),
        json(200, { value: [] }),
      );
      expect(await client.retrieveMultiple(contact.entitySetName)).toEqual([]);
      expect(sleeps).toEqual([1000, 2000]);
    });

    it('does not retry a create after a 500 (it may have happened), but does after a 503', async () => {
      dataverse.reply(failure(500, '0x80040216', 'An unexpected error occurred.'));
      const failed = client.create(account.entitySetName, {});
      await expect(failed).rejects.toThrow(DataverseError);
      await expect(failed).rejects.toMatchObject({ status: 500, code: '0x80040216' });
      expect(dataverse.seen).toHaveLength(1);

      dataverse.reply(
        failure(503, '', 'Service Unavailable'),
        empty(204, { 'OData-EntityId': `${dataverse.base}accounts(${ACCOUNT_ID})` }),
      );
      expect(await client.create(account.entitySetName, {})).toBe(ACCOUNT_ID);
      expect(dataverse.seen).toHaveLength(3);
    });

    it('fails at once, without retrying, when nothing listens at the URL', async () => {
      const gone = new FakeDataverse();
      await gone.start();
      await gone.stop();
      const unreachable = createNodeClient({
        url: gone.url,
        getToken: () => Promise.resolve('tok'),
        sleep: (ms) => Promise.resolve(void sleeps.push(ms)),
        random: () => 1,
        retry: { maxAttempts: 5 },
      });
      const attempt = unreachable.retrieve(account.entitySetName, ACCOUNT_ID);
      await expect(attempt).rejects.toBeInstanceOf(DataverseUnreachableError);
      await expect(attempt).rejects.toMatchObject({ errno: 'ECONNREFUSED', failFast: true });
      expect(sleeps).toEqual([]);
    });

    it('stops retrying when the next wait would overrun the retry budget, and says so', async () => {
      let now = 0;
      const unavailable = failure(503, '', 'Service Unavailable');
      dataverse.reply(unavailable, unavailable, unavailable, unavailable);
      const budgeted = makeClient({
        retry: { maxAttempts: 10, budgetMs: 3500 },
        now: () => now,
        sleep: (ms) => {
          sleeps.push(ms);
          now += ms;
          return Promise.resolve();
        },
      });
      const attempt = budgeted.retrieveMultiple(contact.entitySetName);
      await expect(attempt).rejects.toMatchObject({ status: 503 });
      await expect(attempt).rejects.toThrow(/retry budget of 4 s is spent/);
      // 1 s + 2 s fit in 3.5 s; the next 4 s would not.
      expect(sleeps).toEqual([1000, 2000]);
      expect(dataverse.seen).toHaveLength(3);
    });
  });

  describe('queries', () => {
    it('follows @odata.nextLink with the same page size until the end', async () => {
      dataverse.reply(
        (req) => ({
          status: 200,
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({
            value: [{ [contact.columns.fullname]: 'A' }, { [contact.columns.fullname]: 'B' }],
            '@odata.nextLink': `${dataverse.base}contacts?$select=fullname&$skiptoken=page2&seen=${encodeURIComponent(req.url)}`,
          }),
        }),
        json(200, { value: [{ [contact.columns.fullname]: 'C' }] }),
      );
      const records = await client.retrieveMultiple(contact.entitySetName, {
        select: [contact.columns.fullname],
        filter: `statecode eq 0 and fullname ne 'x'`,
        orderBy: [`${contact.columns.fullname} asc`],
        pageSize: 2,
      });
      expect(records.map((r) => r[contact.columns.fullname])).toEqual(['A', 'B', 'C']);
      expect(dataverse.seen.map((s) => s.url)).toEqual([
        `/api/data/v9.2/contacts?$select=fullname&$filter=statecode%20eq%200%20and%20fullname%20ne%20%27x%27&$orderby=fullname%20asc`,
        expect.stringMatching(/^\/api\/data\/v9\.2\/contacts\?\$select=fullname&\$skiptoken=page2/),
      ]);
      expect(dataverse.seen.map((s) => s.headers.prefer)).toEqual([
        'odata.maxpagesize=2',
        'odata.maxpagesize=2',
      ]);
    });

    it('stops at $top without reading further pages', async () => {
      dataverse.reply(
        json(200, {
          value: [{ a: 1 }, { a: 2 }],
          '@odata.nextLink': `${dataverse.base}contacts?$skiptoken=2`,
        }),
      );
      expect(await client.retrieveMultiple(contact.entitySetName, { top: 2 })).toEqual([{ a: 1 }, { a: 2 }]);
      expect(dataverse.seen).toHaveLength(1);
      expect(dataverse.seen[0]?.url).toBe('/api/data/v9.2/contacts?$top=2');
    });

    it('pages FetchXML with the paging cookie until morerecords is false', async () => {
      const inner = `<cookie page="1"><accountid last="{${ACCOUNT_ID}}" first="{${ACCOUNT_ID}}" /></cookie>`;
      const cookie = `<cookie pagenumber="2" pagingcookie="${encodeURIComponent(encodeURIComponent(inner))}" istracking="False" />`;
      dataverse.reply(
        json(200, {
          value: [{ [account.columns.name]: 'A' }],
          '@Microsoft.Dynamics.CRM.fetchxmlpagingcookie': cookie,
          '@Microsoft.Dynamics.CRM.morerecords': true,
        }),
        json(200, { value: [{ [account.columns.name]: 'B' }], '@Microsoft.Dynamics.CRM.morerecords': false }),
      );
      const fetch = `<fetch count="1"><entity name="${account.logicalName}"><attribute name="${account.columns.name}"/></entity></fetch>`;
      const records = await client.fetchXml(account.entitySetName, `  ${fetch}`);
      expect(records).toEqual([{ [account.columns.name]: 'A' }, { [account.columns.name]: 'B' }]);
      const sent = dataverse.seen.map((s) =>
        decodeURIComponent(new URL(s.url, dataverse.url).searchParams.get('fetchXml') ?? ''),
      );
      expect(sent[0]).toMatch(/^<fetch page="1" count="1">/);
      expect(sent[1]).toMatch(
        /^<fetch page="2" paging-cookie="&lt;cookie page=&quot;1&quot;&gt;&lt;accountid last=/,
      );
      expect(dataverse.seen[0]?.headers.prefer).toBe('odata.include-annotations="Microsoft.Dynamics.CRM.*"');
    });
  });

  describe('actions', () => {
    it('calls an unbound action by name and a bound one with its namespace', async () => {
      const memberId = '99999999-8888-7777-6666-555555555555';
      dataverse.reply(
        empty(204),
        json(200, { Id: memberId }),
        json(200, { Subject: 'Quotation', '@odata.context': 'ctx' }),
      );
      expect(
        await client.executeAction('RemoveMemberList', { ListId: LIST_ID, EntityId: CONTACT_ID }),
      ).toBeUndefined();
      expect(
        await client.executeAction(
          'AddMemberList',
          { EntityId: CONTACT_ID },
          { entitySet: list.entitySetName, id: LIST_ID },
        ),
      ).toEqual({ Id: memberId });
      const sent = await client.executeAction(
        'SendEmail',
        { IssueSend: true },
        { entitySet: email.entitySetName, id: EMAIL_ID },
      );
      expect(sent).toEqual({ Subject: 'Quotation', '@odata.context': 'ctx' });
      expect(dataverse.seen.map((s) => `${s.method} ${s.url}`)).toEqual([
        'POST /api/data/v9.2/RemoveMemberList',
        `POST /api/data/v9.2/lists(${LIST_ID})/Microsoft.Dynamics.CRM.AddMemberList`,
        `POST /api/data/v9.2/emails(${EMAIL_ID})/Microsoft.Dynamics.CRM.SendEmail`,
      ]);
      expect(dataverse.seen.map((s) => JSON.parse(s.body) as unknown)).toEqual([
        { ListId: LIST_ID, EntityId: CONTACT_ID },
        { EntityId: CONTACT_ID },
        { IssueSend: true },
      ]);
    });
  });

  describe('$batch', () => {
    const CRLF = '\r\n';
    function batchResponse(parts: string[], changeset: boolean): Responder {
      return () => {
        const inner = changeset
          ? [
              `--batchresponse_1`,
              `Content-Type: multipart/mixed; boundary=changesetresponse_1`,
              '',
              ...parts.flatMap((p, i) => [
                `--changesetresponse_1`,
                'Content-Type: application/http',
                'Content-Transfer-Encoding: binary',
                `Content-ID: ${i + 1}`,
                '',
                p,
              ]),
              `--changesetresponse_1--`,
              `--batchresponse_1--`,
              '',
            ]
          : [
              ...parts.flatMap((p) => [
                `--batchresponse_1`,
                'Content-Type: application/http',
                'Content-Transfer-Encoding: binary',
                '',
                p,
              ]),
              `--batchresponse_1--`,
              '',
            ];
        return {
          status: 200,
          headers: { 'Content-Type': 'multipart/mixed; boundary=batchresponse_1' },
          body: inner.join(CRLF),
        };
      };
    }
    const created = (id: string) =>
      [
        'HTTP/1.1 204 No Content',
        'OData-Version: 4.0',
        `OData-EntityId: ${dataverse.base}accounts(${id})`,
        '',
        '',
      ].join(CRLF);
    const noContent = ['HTTP/1.1 204 No Content', 'OData-Version: 4.0', '', ''].join(CRLF);
    const errorPart = (status: string, code: string, message: string) =>
      [
        `HTTP/1.1 ${status}`,
        'Content-Type: application/json; odata.metadata=minimal',
        'OData-Version: 4.0',
        '',
        JSON.stringify({ error: { code, message } }),
        '',
      ].join(CRLF);

    it('sends an atomic batch as one changeset and returns the ids', async () => {
      dataverse.reply(batchResponse([created(ACCOUNT_ID), noContent], true));
      const results = await client.executeBatch(
        [
          { kind: 'create', entitySet: account.entitySetName, record: { [account.columns.name]: 'Contoso' } },
          {
            kind: 'update',
            entitySet: contact.entitySetName,
            key: CONTACT_ID,
            record: { [contact.columns.fullname]: 'x' },
          },
        ],
        { atomic: true },
      );
      expect(results).toEqual([{ status: 204, id: ACCOUNT_ID }, { status: 204 }]);
      const [request] = dataverse.seen;
      expect(request).toMatchObject({ method: 'POST', url: '/api/data/v9.2/$batch' });
      expect(request.headers['content-type']).toMatch(/^multipart\/mixed;boundary=dwa_batch_/);
      expect(request.body).toMatch(/Content-Type: multipart\/mixed;boundary=changeset_/);
      expect(request.body).toContain(`POST ${dataverse.base}accounts HTTP/1.1`);
      expect(request.body).toContain(`PATCH ${dataverse.base}contacts(${CONTACT_ID}) HTTP/1.1`);
      expect(request.body).toMatch(/If-Match: \*/);
    });

    it('sends a bound action in a changeset to its record, an unbound one by name', async () => {
      const memberId = '99999999-8888-7777-6666-555555555555';
      const answer = (body: unknown) =>
        [
          'HTTP/1.1 200 OK',
          'Content-Type: application/json; odata.metadata=minimal',
          'OData-Version: 4.0',
          '',
          JSON.stringify(body),
          '',
        ].join(CRLF);
      dataverse.reply(batchResponse([answer({ Id: memberId }), noContent], true));
      const results = await client.executeBatch(
        [
          {
            kind: 'action',
            name: 'AddMemberList',
            body: { EntityId: CONTACT_ID },
            bound: { entitySet: list.entitySetName, id: LIST_ID },
          },
          { kind: 'action', name: 'RemoveMemberList', body: { ListId: LIST_ID, EntityId: CONTACT_ID } },
        ],
        { atomic: true },
      );
      expect(results).toEqual([{ status: 200, body: { Id: memberId } }, { status: 204 }]);
      const [request] = dataverse.seen;
      expect(request.body).toContain(
        `POST ${dataverse.base}lists(${LIST_ID})/Microsoft.Dynamics.CRM.AddMemberList HTTP/1.1`,
      );
      expect(request.body).toContain(`{"EntityId":"${CONTACT_ID}"}`);
      expect(request.body).toContain(`POST ${dataverse.base}RemoveMemberList HTTP/1.1`);
    });

    it('throws the failing operation’s error when an atomic batch is rolled back', async () => {
      dataverse.reply(
        batchResponse(
          [
            errorPart(
              '412 Precondition Failed',
              '0x80060892',
              'A record with matching key values already exists.',
            ),
          ],
          true,
        ),
      );
      const attempt = client.executeBatch(
        [
          { kind: 'create', entitySet: account.entitySetName, record: {} },
          { kind: 'create', entitySet: account.entitySetName, record: {} },
        ],
        { atomic: true },
      );
      await expect(attempt).rejects.toBeInstanceOf(DuplicateRecordError);
      await expect(attempt).rejects.toThrow(
        /rolled back: the record already exists\. \(A record with matching key values already exists\.\)/,
      );
    });

    it('with continueOnError, reports every operation’s own outcome', async () => {
      dataverse.reply(
        batchResponse(
          [
            created(ACCOUNT_ID),
            errorPart('404 Not Found', '0x80040217', 'contact Does Not Exist'),
            noContent,
          ],
          false,
        ),
      );
      const results = await client.executeBatch(
        [
          { kind: 'create', entitySet: account.entitySetName, record: {} },
          { kind: 'delete', entitySet: contact.entitySetName, key: CONTACT_ID },
          { kind: 'delete', entitySet: contact.entitySetName, key: CONTACT_ID },
        ],
        { continueOnError: true },
      );
      expect(results).toEqual([
        { status: 204, id: ACCOUNT_ID },
        { status: 404, body: { error: { code: '0x80040217', message: 'contact Does Not Exist' } } },
        { status: 204 },
      ]);
      expect(dataverse.seen[0]?.headers.prefer).toBe('odata.continue-on-error');
      expect(dataverse.seen[0]?.body).not.toMatch(/changeset_/);
    });

    it('without continueOnError, marks what did not run after the first failure as 424', async () => {
      dataverse.reply(
        batchResponse(
          [noContent, errorPart('400 Bad Request', '0x80044331', 'A validation error occurred.')],
          false,
        ),
      );
      const results = await client.executeBatch([
        { kind: 'delete', entitySet: contact.entitySetName, key: CONTACT_ID },
        { kind: 'update', entitySet: contact.entitySetName, key: CONTACT_ID, record: {} },
        { kind: 'delete', entitySet: contact.entitySetName, key: CONTACT_ID },
      ]);
      expect(results.map((r) => r.status)).toEqual([204, 400, 424]);
    });

    it('refuses an atomic batch over 1,000 operations before sending anything', async () => {
      const many = Array.from({ length: 1001 }, () => ({
        kind: 'create' as const,
        entitySet: account.entitySetName,
        record: {},
      }));
      await expect(client.executeBatch(many, { atomic: true })).rejects.toThrow(
        /at most 1000 operations; got 1001/,
      );
      expect(dataverse.seen).toHaveLength(0);
    });
  });
});
