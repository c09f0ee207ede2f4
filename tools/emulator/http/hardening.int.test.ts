/**
 * Malformed and hostile requests against the emulator's HTTP front: each is refused with a 4xx in
 * Dataverse's error shape, nothing is stored, and the server keeps answering.
 */
import http from 'node:http';
import { contact } from '../../../dataverse/generated';
import { Engine } from '../engine/engine';
import { servePage } from '../pages/extension';
import { testClock } from '../testing/clock';
import { testMetadata } from '../testing/metadata';
import { startWebApiServer, type WebApiServer } from './server';

let engine: Engine;
let server: WebApiServer;

beforeEach(async () => {
  engine = new Engine({ metadata: testMetadata(), path: ':memory:', clock: testClock().now });
  server = await startWebApiServer({
    engine,
    port: 0,
    maxBodyBytes: 1024 * 1024,
    fallback: (request, response) => servePage(engine, request, response),
  });
});

afterEach(async () => {
  await server.close();
  engine.close();
});

interface Answer {
  status: number;
  headers: Headers;
  error?: { code: string; message: string };
  text: string;
}

async function call(path: string, init: RequestInit = {}): Promise<Answer> {
  const response = await fetch(`${server.url}${path}`, init);
  const text = await response.text();
  let error: Answer['error'];
  try {
    error = (JSON.parse(text) as { error?: Answer['error'] }).error;
  } catch {
    error = undefined;
  }
  return { status: response.status, headers: response.headers, error, text };
}

const api = `/api/data/v9.2/`;
const post = (body: string | Uint8Array, type = 'application/json'): RequestInit => ({
  method: 'POST',
  headers: { 'Content-Type': type },
  body: typeof body === 'string' ? body : new Blob([new Uint8Array(body)]),
});

async function contactCount(): Promise<number> {
  return (await engine.query(contact.entitySetName, { count: true, top: 0 })).count ?? 0;
}

function expectDataverseError(answer: Answer, status: number, code: RegExp | string, message: RegExp): void {
  expect(answer.status).toBe(status);
  expect(answer.error?.code).toEqual(typeof code === 'string' ? code : expect.stringMatching(code));
  expect(answer.error?.message).toMatch(message);
}

describe('request bodies', () => {
  it('answers 413 from Content-Length before the body is read', async () => {
    // Only the first 64 KiB of a declared 150 MB body is ever sent: the answer must come anyway.
    const status = await new Promise<number>((resolve, reject) => {
      const request = http.request(`${server.serviceRoot}${contact.entitySetName}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'Content-Length': String(150 * 1024 * 1024) },
      });
      request.on('response', (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
        request.destroy();
      });
      request.on('error', reject);
      request.write(Buffer.alloc(64 * 1024, 0x20));
    });
    expect(status).toBe(413);
    expect(await contactCount()).toBe(0);
  });

  it('answers 413 to a client that asks first (Expect: 100-continue) without it sending anything', async () => {
    const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const request = http.request(`${server.serviceRoot}${contact.entitySetName}`, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          'Content-Length': String(150 * 1024 * 1024),
          Expect: '100-continue',
        },
      });
      request.on('continue', () => reject(new Error('the server asked for the body')));
      request.on('response', (response) => {
        let body = '';
        response.on('data', (chunk: Buffer) => (body += chunk.toString()));
        response.on('end', () => {
          resolve({ status: response.statusCode ?? 0, body });
          request.destroy();
        });
      });
      request.on('error', reject);
      request.flushHeaders();
    });
    expect(answer.status).toBe(413);
    expect(answer.body).toMatch(/larger than 1048576 bytes/);
  });

  it('stops reading a chunked body once it passes the limit', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const request = http.request(`${server.serviceRoot}${contact.entitySetName}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' },
      });
      request.on('response', (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
        request.destroy();
      });
      request.on('error', reject);
      // 2 MiB in 64 KiB chunks against a 1 MiB limit; the rest is never written.
      for (let i = 0; i < 32; i++) request.write(Buffer.alloc(64 * 1024, 0x20));
    });
    expect(status).toBe(413);
    expect(await contactCount()).toBe(0);
    expect((await call(`${api}${contact.entitySetName}?$top=1`)).status).toBe(200);
  });

  it('refuses JSON that is not UTF-8 instead of storing U+FFFD', async () => {
    const body = Buffer.concat([
      Buffer.from(`{"${contact.columns.firstname}":"Jos`),
      Buffer.from([0xe9]), // "é" in Latin-1
      Buffer.from('"}'),
    ]);
    const answer = await call(`${api}${contact.entitySetName}`, post(body));
    expectDataverseError(answer, 400, '0x80048d19', /not valid UTF-8/);
    expect(await contactCount()).toBe(0);
  });

  it('refuses a body nested 10,000 arrays deep with 400, not a crash', async () => {
    const deep = `{"${contact.columns.firstname}":${'['.repeat(10000)}${']'.repeat(10000)}}`;
    const answer = await call(`${api}${contact.entitySetName}`, post(deep));
    expectDataverseError(answer, 400, '0x80048d19', /nests arrays or objects more than 64 levels deep/);
    expect(await contactCount()).toBe(0);
  });

  it('refuses a column value of the wrong type with 400', async () => {
    const answer = await call(
      `${api}${contact.entitySetName}`,
      post(JSON.stringify({ [contact.columns.firstname]: { nested: 1 } })),
    );
    expectDataverseError(answer, 400, '0x80048d19', /Cannot convert the literal/);
    expect(await contactCount()).toBe(0);
  });
});

describe('$batch', () => {
  const batch = (...lines: (string | Buffer)[]) =>
    Buffer.concat(lines.map((l) => (typeof l === 'string' ? Buffer.from(`${l}\r\n`) : l)));

  it('refuses a batch with a byte that is not UTF-8, writing nothing', async () => {
    const body = batch(
      '--b',
      'Content-Type: application/http',
      'Content-Transfer-Encoding: binary',
      '',
      `POST ${contact.entitySetName} HTTP/1.1`,
      'Content-Type: application/json',
      '',
      Buffer.concat([
        Buffer.from(`{"${contact.columns.firstname}":"`),
        Buffer.from([0xe6, 0xff]),
        Buffer.from('"}\r\n'),
      ]),
      '--b--',
    );
    const answer = await call(`${api}$batch`, post(body, 'multipart/mixed;boundary=b'));
    expectDataverseError(answer, 400, '0x80048d19', /not valid UTF-8/);
    expect(await contactCount()).toBe(0);
  });

  it('answers a $filter of 2,000 or terms inside a batch with 400 TooManyConditionsInQuery', async () => {
    const filter = Array.from({ length: 2000 }, (_, i) => `${contact.columns.firstname} eq 'n${i}'`).join(
      ' or ',
    );
    const body = batch(
      '--b',
      'Content-Type: application/http',
      'Content-Transfer-Encoding: binary',
      '',
      `GET ${contact.entitySetName}?$filter=${encodeURIComponent(filter)} HTTP/1.1`,
      '',
      '--b--',
    );
    const answer = await call(`${api}$batch`, post(body, 'multipart/mixed;boundary=b'));
    expect(answer.status).toBe(400);
    expect(answer.text).toContain('HTTP/1.1 400 Bad Request');
    expect(answer.text).toContain('0x8004430C');
    expect(answer.text).toContain('Number of conditions in query exceeded maximum limit.');
  });
});

describe('queries', () => {
  const fetchXml = (xml: string) => `${api}${contact.entitySetName}?fetchXml=${encodeURIComponent(xml)}`;

  it('refuses FetchXML with a DOCTYPE (no entity expansion)', async () => {
    const answer = await call(
      fetchXml(
        `<!DOCTYPE fetch [<!ENTITY a "aaaaaaaaaa">]><fetch><entity name="${contact.logicalName}"/></fetch>`,
      ),
    );
    expectDataverseError(answer, 400, '0x80040203', /DOCTYPE/);
  });

  it('refuses more than 15 link-entities, as Dataverse does, and keeps answering other requests', async () => {
    const links = (n: number) =>
      `${`<link-entity name="${contact.logicalName}" from="${contact.primaryIdAttribute}" to="${contact.primaryIdAttribute}">`.repeat(n)}${'</link-entity>'.repeat(n)}`;
    const sixty = await call(
      fetchXml(`<fetch><entity name="${contact.logicalName}">${links(60)}</entity></fetch>`),
    );
    expectDataverseError(sixty, 400, '0x8004430D', /Number of link entities in query exceeded maximum limit/);
    const sixteen = await call(
      fetchXml(`<fetch><entity name="${contact.logicalName}">${links(16)}</entity></fetch>`),
    );
    expect(sixteen.error?.code).toBe('0x8004430D');
    const fifteen = await call(
      fetchXml(`<fetch><entity name="${contact.logicalName}">${links(15)}</entity></fetch>`),
    );
    expect(fifteen.status).toBe(200);
  });

  it('refuses FetchXML with more than 500 conditions', async () => {
    const conditions = Array.from(
      { length: 501 },
      (_, i) => `<condition attribute="${contact.columns.firstname}" operator="eq" value="n${i}"/>`,
    ).join('');
    const answer = await call(
      `${api}$batch`,
      post(
        [
          '--b',
          'Content-Type: application/http',
          '',
          `GET ${fetchXml(`<fetch><entity name="${contact.logicalName}"><filter type="or">${conditions}</filter></entity></fetch>`).slice(api.length)} HTTP/1.1`,
          '',
          '--b--',
          '',
        ].join('\r\n'),
        'multipart/mixed;boundary=b',
      ),
    );
    expect(answer.text).toContain('0x8004430C');
  });

  it('stops a query that joins without bound at the time limit and keeps serving', async () => {
    const slow = new Engine({
      metadata: testMetadata(),
      path: ':memory:',
      clock: testClock().now,
      queryTimeLimitMs: 200,
    });
    const slowServer = await startWebApiServer({ engine: slow, port: 0 });
    try {
      for (let i = 0; i < 300; i++)
        await slow.create(contact.entitySetName, {
          [contact.columns.firstname]: `n${i}`,
          [contact.columns.lastname]: 'Same',
        });
      // Four self-joins on a column every row shares: 300^5 rows to count.
      const link = `<link-entity name="${contact.logicalName}" from="${contact.columns.lastname}" to="${contact.columns.lastname}"/>`;
      const xml = `<fetch aggregate="true"><entity name="${contact.logicalName}"><attribute name="${contact.primaryIdAttribute}" alias="n" aggregate="count"/>${link.repeat(4)}</entity></fetch>`;
      const response = await fetch(
        `${slowServer.serviceRoot}${contact.entitySetName}?fetchXml=${encodeURIComponent(xml)}`,
      );
      const body = (await response.json()) as { error?: { code: string; message: string } };
      expect(response.status).toBe(400);
      expect(body.error?.code).toBe('0x80044151');
      expect(body.error?.message).toMatch(/SQL timeout expired/);
      const plain = await fetch(`${slowServer.serviceRoot}${contact.entitySetName}?$top=1`);
      expect(plain.status).toBe(200);
    } finally {
      await slowServer.close();
      slow.close();
    }
  });

  it('refuses a malformed percent-escape in a page path with 400', async () => {
    const answer = await call('/views/%ZZ/x');
    expectDataverseError(answer, 400, '0x80040203', /invalid percent-encoding/);
    const page = await call('/views/%ZZ/x', { headers: { Accept: 'text/html' } });
    expect(page.status).toBe(400);
    expect(page.text).toContain('invalid percent-encoding');
  });
});

describe('who may call', () => {
  it('listens on 127.0.0.1 unless told otherwise', () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(server.server.address()).toMatchObject({ address: '127.0.0.1' });
  });

  it('refuses requests from another web origin, so a page in the browser cannot read or write', async () => {
    const write = await call(`${api}${contact.entitySetName}`, {
      ...post(JSON.stringify({ [contact.columns.firstname]: 'x' }), 'text/plain'),
      headers: { 'Content-Type': 'text/plain', Origin: 'https://evil.example' },
    });
    expect(write.status).toBe(403);
    expect(write.headers.get('access-control-allow-origin')).toBeNull();
    expect(await contactCount()).toBe(0);
    const preflight = await call(`${api}${contact.entitySetName}`, {
      method: 'OPTIONS',
      headers: { Origin: 'https://evil.example', 'Access-Control-Request-Method': 'PATCH' },
    });
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('allows its own pages and never answers with a wildcard origin', async () => {
    const own = await call(`${api}${contact.entitySetName}?$top=1`, { headers: { Origin: server.url } });
    expect(own.status).toBe(200);
    expect(own.headers.get('access-control-allow-origin')).toBe(server.url);
    const noOrigin = await call(`${api}${contact.entitySetName}?$top=1`);
    expect(noOrigin.headers.get('access-control-allow-origin')).toBeNull();
  });
});
