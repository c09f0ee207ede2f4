/**
 * 10,000 seeded, generated bad webhook requests against the Node host with the real handlers: every one
 * is answered 4xx (never 2xx, never 5xx), no handler ever runs, and the host keeps serving.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { DataverseClient } from '../../dataverse/client';
import { silentLogger } from '../../dataverse/logger';
import { Draw, seededRandom } from '../../domain/random';
import { createRegistry } from '../registry';
import { handlers } from './catalog';
import { startHost, type RunningHost } from './node-server';

const REQUESTS = 10_000;
const SEED = 20261205;
const KEY = 'fuzz-key';
const LIMIT = 64 * 1024;
const fixtures = [
  'interaction-create-async.json',
  'opportunity-update-async.json',
  'concept-create-prevalidation-sync.json',
  'rule-delete-async.json',
].map((name) => readFileSync(path.join(__dirname, '__fixtures__', name), 'utf8').trim());

interface Generated {
  readonly defect: string;
  readonly method: string;
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body?: Buffer;
}

type Payload = Record<string, unknown>;

/** One request with one known defect; the rest of it is a real Dataverse payload. */
function generate(draw: Draw): Generated {
  const text = draw.pick(fixtures);
  const good = {
    method: 'POST',
    path: `/api/webhook?code=${KEY}`,
    headers: { 'content-type': 'application/json' },
  };
  const json = (value: unknown) => Buffer.from(JSON.stringify(value));
  const payload = () => JSON.parse(text) as Payload;
  switch (draw.int(0, 11)) {
    case 0:
      return {
        ...good,
        defect: 'wrong or missing key',
        path: draw.chance(0.5)
          ? '/api/webhook'
          : `/api/webhook?code=${KEY.slice(0, draw.int(0, KEY.length - 1))}x`,
        body: Buffer.from(text),
      };
    case 1:
      return {
        ...good,
        defect: 'method',
        method: draw.pick(['GET', 'PUT', 'DELETE', 'PATCH']),
        body: Buffer.from(text),
      };
    case 2:
      return {
        ...good,
        defect: 'content type',
        headers: {
          'content-type': draw.pick(['text/plain', 'application/xml', 'multipart/form-data; boundary=x']),
        },
        body: Buffer.from(text),
      };
    case 3:
      return { ...good, defect: 'truncated', body: Buffer.from(text.slice(0, draw.int(0, text.length - 1))) };
    case 4: {
      const bytes = Buffer.from(text);
      const at = draw.int(0, bytes.length);
      const bad = Buffer.from([draw.pick([0xff, 0xfe, 0xc0, 0x80, 0xe6])]);
      return {
        ...good,
        defect: 'not UTF-8',
        body: Buffer.concat([bytes.subarray(0, at), bad, bytes.subarray(at)]),
      };
    }
    case 5: {
      const depth = draw.int(40, 20_000);
      const open = draw.pick(['[', '{"a":']);
      const close = open === '[' ? ']' : '}';
      return {
        ...good,
        defect: 'deep nesting',
        body: Buffer.from(`{"InputParameters":${open.repeat(depth)}1${close.repeat(depth)}}`),
      };
    }
    case 6:
      return {
        ...good,
        defect: 'bad path',
        path: `/api/webhook/${draw.pick(['%ZZ', '%', '%E0%A4%A', 'IdearioNothing', '%C0%AF', 'x%00y'])}?code=${KEY}`,
        body: Buffer.from(text),
      };
    case 7:
      return {
        ...good,
        defect: 'not an object',
        body: json(draw.pick<unknown>([42, [payload()], 'context', null, true, []])),
      };
    case 8: {
      const p = payload();
      delete p[draw.pick(['MessageName', 'PrimaryEntityName', 'InputParameters'])];
      return { ...good, defect: 'required field missing', body: json(p) };
    }
    case 9: {
      const p = payload();
      const field = draw.pick(['MessageName', 'PrimaryEntityName', 'Depth', 'Stage', 'InputParameters']);
      p[field] =
        field === 'Depth' || field === 'Stage'
          ? draw.pick<unknown>(['deep', {}, [1]])
          : draw.pick<unknown>([7, {}, [1, 2]]);
      return { ...good, defect: `${field} of the wrong type`, body: json(p) };
    }
    case 10:
      return {
        ...good,
        defect: 'too large',
        body: Buffer.concat([Buffer.from(text), Buffer.alloc(LIMIT + draw.int(1, 4096), 0x20)]),
      };
    default:
      return { ...good, defect: 'empty', body: Buffer.alloc(draw.int(0, 3), 0x20) };
  }
}

let host: RunningHost;
const handlerCalls: string[] = [];

beforeAll(async () => {
  // Any call here means a bad request reached a handler.
  const client = new Proxy({} as DataverseClient, {
    get: (_target, name) => () => {
      handlerCalls.push(String(name));
      return Promise.reject(new Error('a bad request reached a handler'));
    },
  });
  host = await startHost({
    port: 0,
    host: '127.0.0.1',
    deps: {
      client,
      clock: () => new Date('2026-03-01T10:00:00Z'),
      logger: silentLogger,
      secrets: { type: 'WebhookKey', key: KEY },
      handlers: createRegistry(handlers),
      maxBodyBytes: LIMIT,
    },
  });
});

afterAll(async () => {
  await host.close();
});

it(`answers ${REQUESTS} generated bad requests with 4xx, runs no handler, and keeps serving`, async () => {
  const draw = new Draw(seededRandom(SEED));
  const wrong: string[] = [];
  const byDefect = new Map<string, number>();
  for (let sent = 0; sent < REQUESTS; sent += 20) {
    const requests = Array.from({ length: Math.min(20, REQUESTS - sent) }, () => generate(draw));
    const statuses = await Promise.all(
      requests.map(async (r) => {
        const response = await fetch(`${host.url}${r.path}`, {
          method: r.method,
          headers: r.headers,
          body: r.method === 'GET' ? undefined : r.body ? new Uint8Array(r.body) : undefined,
          signal: AbortSignal.timeout(30_000),
        });
        await response.arrayBuffer();
        return response.status;
      }),
    );
    statuses.forEach((status, i) => {
      const r = requests[i];
      byDefect.set(r.defect, (byDefect.get(r.defect) ?? 0) + 1);
      if (status < 400 || status >= 500) wrong.push(`${status} for ${r.defect}: ${r.method} ${r.path}`);
    });
  }
  expect(wrong.slice(0, 20)).toEqual([]);
  expect(handlerCalls).toEqual([]);
  // Every kind of defect was tried, many times.
  expect(byDefect.size).toBeGreaterThanOrEqual(12);
  for (const count of byDefect.values()) expect(count).toBeGreaterThan(100);
  expect((await fetch(`${host.url}/health`)).status).toBe(200);
});
