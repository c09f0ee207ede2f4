import { readFileSync } from 'node:fs';
import path from 'node:path';
import { HttpRequest, InvocationContext, type Timer } from '@azure/functions';
import type { DataverseClient } from '../../../dataverse/client';
import { opportunity } from '../../../dataverse/generated';
import { silentLogger } from '../../../dataverse/logger';
import { createRegistry, defineHandler } from '../../registry';
import type { WebhookDeps } from '../handle';
import type { ScheduledJob } from '../jobs';
import {
  createHealthFunction,
  createTimerFunction,
  createWebhookFunction,
  memoizeDeps,
  registerFunctions,
  type FunctionsApp,
} from './functions';

const KEY = 'azure-key';
const UPDATE = readFileSync(path.join(__dirname, '..', '__fixtures__', 'opportunity-update-async.json'));
const timer: Timer = {
  isPastDue: false,
  schedule: { adjustForDST: false },
  scheduleStatus: { last: '', next: '', lastUpdated: '' },
};

function context(lines: string[]): InvocationContext {
  return new InvocationContext({
    functionName: 'webhook',
    invocationId: 'test-invocation',
    logHandler: (level, ...args) => lines.push(`${level} ${args.map(String).join(' ')}`),
  });
}

function deps(handled: string[]): WebhookDeps {
  return {
    client: {} as DataverseClient,
    clock: () => new Date('2026-01-07T14:00:02Z'),
    logger: silentLogger,
    secrets: { type: 'WebhookKey', key: KEY },
    handlers: createRegistry([
      defineHandler({
        message: 'Update',
        entity: opportunity.logicalName,
        stage: 40,
        mode: 1,
        solution: 'IdearioGroupQuotes',
        handle: (ctx) => Promise.resolve(void handled.push(ctx.messageName)),
      }),
    ]),
  };
}

describe('Azure Functions webhook function', () => {
  it('runs the same core: a valid POST is handled and answered 200, with logs on the invocation', async () => {
    const handled: string[] = [];
    const lines: string[] = [];
    const fn = createWebhookFunction(() => Promise.resolve(deps(handled)));
    const request = new HttpRequest({
      method: 'POST',
      url: `https://ideario-host.azurewebsites.net/api/webhook/IdearioGroupQuotes?code=${KEY}`,
      headers: { 'content-type': 'application/json; charset=utf-8', 'x-request-id': 'req-1' },
      body: { bytes: UPDATE },
    });
    const response = await fn(request, context(lines));
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body as string)).toEqual({
      ok: true,
      handled: ['IdearioGroupQuotes:Update.opportunity'],
    });
    expect(handled).toEqual(['Update']);
    expect(lines.join('\n')).toMatch(/information Webhook handled\. .*"requestId":"req-1"/);
  });

  it('answers 401 without the key and 415 for a non-JSON body', async () => {
    const fn = createWebhookFunction(() => Promise.resolve(deps([])));
    const noKey = new HttpRequest({
      method: 'POST',
      url: 'https://ideario-host.azurewebsites.net/api/webhook',
      headers: { 'content-type': 'application/json' },
      body: { bytes: UPDATE },
    });
    expect((await fn(noKey, context([]))).status).toBe(401);
    const text = new HttpRequest({
      method: 'POST',
      url: `https://ideario-host.azurewebsites.net/api/webhook?code=${KEY}`,
      headers: { 'content-type': 'text/plain' },
      body: { string: 'hello' },
    });
    expect((await fn(text, context([]))).status).toBe(415);
  });

  it('has a health function', async () => {
    const fn = createHealthFunction(() => Promise.resolve(deps([])));
    const response = await fn(new HttpRequest({ method: 'GET', url: 'https://h/api/health' }), context([]));
    expect(response).toEqual({ status: 200, jsonBody: { status: 'ok', handlers: 1 } });
  });
});

describe('Azure Functions timer functions', () => {
  const job = (run: ScheduledJob['run']): ScheduledJob => ({
    name: 'followUpSweep',
    everyMs: 15 * 60_000,
    run,
  });

  it('runs the job with the invocation logger', async () => {
    const lines: string[] = [];
    let ran = 0;
    const fn = createTimerFunction(
      job(() => Promise.resolve(void ran++)),
      () => Promise.resolve(deps([])),
    );
    await fn(timer, context(lines));
    expect(ran).toBe(1);
    expect(lines.join('\n')).toMatch(/information Job finished\./);
  });

  it('fails the invocation when the job fails, so Azure records it', async () => {
    const fn = createTimerFunction(
      job(() => Promise.reject(new Error('no default policy'))),
      () => Promise.resolve(deps([])),
    );
    await expect(fn(timer, context([]))).rejects.toThrow('no default policy');
  });
});

describe('registerFunctions', () => {
  it('registers the webhook route, health and one timer per job with its NCRONTAB schedule', () => {
    const http: { name: string; route?: string; methods?: string[]; authLevel?: string }[] = [];
    const timers: { name: string; schedule: string }[] = [];
    const app: FunctionsApp = {
      http: (name, options) =>
        void http.push({
          name,
          route: options.route,
          methods: options.methods,
          authLevel: options.authLevel,
        }),
      timer: (name, options) => void timers.push({ name, schedule: options.schedule }),
    };
    const jobs: ScheduledJob[] = [
      { name: 'followUpSweep', everyMs: 15 * 60_000, run: () => Promise.resolve() },
      { name: 'segmentRecheck', everyMs: 7 * 60_000, schedule: '0 0 3 * * *', run: () => Promise.resolve() },
    ];
    registerFunctions(app, jobs, () => Promise.resolve(deps([])));
    expect(http).toEqual([
      { name: 'webhook', route: 'webhook/{solution?}', methods: ['POST'], authLevel: 'anonymous' },
      { name: 'health', route: 'health', methods: ['GET'], authLevel: 'anonymous' },
    ]);
    expect(timers).toEqual([
      { name: 'followUpSweep', schedule: '0 */15 * * * *' },
      { name: 'segmentRecheck', schedule: '0 0 3 * * *' },
    ]);
  });
});

describe('memoizeDeps', () => {
  it('builds the deps once, and again after a failed build', async () => {
    let builds = 0;
    const getDeps = memoizeDeps(() => {
      builds++;
      if (builds === 1) throw new Error('IDEARIO_DATAVERSE_URL is not set.');
      return deps([]);
    });
    await expect(getDeps()).rejects.toThrow('IDEARIO_DATAVERSE_URL is not set.');
    await getDeps();
    await getDeps();
    expect(builds).toBe(2);
  });
});
