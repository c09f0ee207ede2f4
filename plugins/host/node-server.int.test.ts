import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import path from 'node:path';
import type { DataverseClient } from '../../dataverse/client';
import { opportunity } from '../../dataverse/generated';
import { memoryLogger } from '../../dataverse/logger';
import { createRegistry, defineHandler } from '../registry';
import type { WebhookDeps } from './handle';
import type { IntervalTimers } from './jobs';
import { startHost, type RunningHost } from './node-server';

const KEY = 'node-server-key';
const UPDATE = readFileSync(path.join(__dirname, '__fixtures__', 'opportunity-update-async.json'));

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function send(
  url: string,
  method: string,
  body?: Buffer,
  headers: Record<string, string> = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method, headers: { ...(body ? { 'content-type': 'application/json' } : {}), ...headers } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
      },
    );
    // The server may close an oversized upload before it is fully sent; the answer still arrives.
    req.on('error', (error: NodeJS.ErrnoException) =>
      error.code === 'EPIPE' || error.code === 'ECONNRESET' ? undefined : reject(error),
    );
    if (body) req.write(body);
    req.end();
  });
}

describe('startHost (Node runtime)', () => {
  let host: RunningHost;
  const handled: string[] = [];
  const logger = memoryLogger();
  const intervals: number[] = [];
  const cleared: unknown[] = [];
  const timers: IntervalTimers = {
    setInterval: (_cb, ms) => intervals.push(ms),
    clearInterval: (handle) => cleared.push(handle),
  };

  beforeAll(async () => {
    const deps: WebhookDeps = {
      client: {} as DataverseClient,
      clock: () => new Date('2026-01-07T14:00:02Z'),
      logger,
      secrets: { type: 'WebhookKey', key: KEY },
      maxBodyBytes: 64 * 1024,
      handlers: createRegistry([
        defineHandler({
          message: 'Update',
          entity: opportunity.logicalName,
          stage: 40,
          mode: 1,
          solution: 'IdearioGroupQuotes',
          handle: (ctx) => Promise.resolve(void handled.push(ctx.primaryEntityId ?? '')),
        }),
      ]),
    };
    const jobs = [{ name: 'sweep', everyMs: 300_000, run: () => Promise.resolve() }];
    host = await startHost({ port: 0, host: '127.0.0.1', deps, jobs, timers });
  });

  afterAll(async () => {
    await host.close();
    expect(cleared).toHaveLength(1);
  });

  it('listens on the port it was given (0: any free one) and reports its URL', () => {
    expect(host.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('answers GET /health without a secret', async () => {
    const answer = await send(`${host.url}/health`, 'GET');
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toEqual({ status: 'ok', handlers: 1 });
  });

  it('runs the handler for POST /api/webhook with the key, and answers 200', async () => {
    const answer = await send(`${host.url}/api/webhook/IdearioGroupQuotes?code=${KEY}`, 'POST', UPDATE);
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toEqual({ ok: true, handled: ['IdearioGroupQuotes:Update.opportunity'] });
    expect(handled).toContain('c4e8a1f2-7a3b-ef11-9f89-000d3a4b2c10');
  });

  it('answers 401 without the key and 404 elsewhere', async () => {
    expect((await send(`${host.url}/api/webhook`, 'POST', UPDATE)).status).toBe(401);
    const elsewhere = await send(`${host.url}/api/hook`, 'POST', UPDATE);
    expect(elsewhere.status).toBe(404);
    expect(JSON.parse(elsewhere.body)).toMatchObject({
      error: 'Nothing at /api/hook; the webhook is POST /api/webhook.',
    });
  });

  it('answers 400 for a malformed percent-escape in the path, and keeps serving', async () => {
    const answer = await send(`${host.url}/api/webhook/%ZZ?code=${KEY}`, 'POST', UPDATE);
    expect(answer.status).toBe(400);
    const body = JSON.parse(answer.body) as { ok: boolean; error: string };
    expect(body.ok).toBe(false);
    expect(body.error).toMatch(/percent-encoding/);
    expect((await send(`${host.url}/health`, 'GET')).status).toBe(200);
  });

  it('answers 413 for a body over the limit without reading all of it', async () => {
    const answer = await send(`${host.url}/api/webhook?code=${KEY}`, 'POST', Buffer.alloc(256 * 1024, 'x'));
    expect(answer.status).toBe(413);
    expect(answer.headers.connection).toBe('close');
  });

  it('starts the scheduled jobs on their intervals', () => {
    expect(intervals).toEqual([300_000]);
  });
});
