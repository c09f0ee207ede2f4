import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { DataverseClient, NewRecord } from '../../dataverse/client';
import { DataverseError, NotFoundError, ThrottledError } from '../../dataverse/errors';
import { opportunity } from '../../dataverse/generated';
import { memoryLogger } from '../../dataverse/logger';
import { createRegistry, defineHandler, type HandlerDefinition } from '../registry';
import { RetryLater, ValidationRefusal } from './errors';
import { handleWebhook, type WebhookDeps, type WebhookRequest } from './handle';
import { getMoney, parseExecutionContext, targetEntity, type ExecutionContext } from './parse';

const fixture = (name: string) => readFileSync(path.join(__dirname, '__fixtures__', name));
const KEY = 'k3y-For-The-Interests-Endpoint';
const UPDATE = fixture('opportunity-update-async.json');
const CREATE_SYNC = fixture('concept-create-prevalidation-sync.json');
/** The table of the pre-validation fixture, read from it rather than typed here. */
const CONCEPT_TABLE = parseExecutionContext(CREATE_SYNC.toString('utf8')).primaryEntityName;

function unexpected(name: string) {
  return () => Promise.reject(new Error(`unexpected client call: ${name}`));
}

function fakeClient(overrides: Partial<DataverseClient> = {}): DataverseClient {
  return {
    create: unexpected('create'),
    retrieve: unexpected('retrieve'),
    update: unexpected('update'),
    upsert: unexpected('upsert'),
    delete: unexpected('delete'),
    retrieveMultiple: unexpected('retrieveMultiple'),
    fetchXml: unexpected('fetchXml'),
    executeAction: unexpected('executeAction'),
    executeFunction: unexpected('executeFunction'),
    executeBatch: unexpected('executeBatch'),
    ...overrides,
  };
}

function setup(handlers: HandlerDefinition[], overrides: Partial<WebhookDeps> = {}) {
  const logger = memoryLogger();
  const deps: WebhookDeps = {
    client: fakeClient(),
    clock: () => new Date('2026-01-07T14:00:02Z'),
    logger,
    secrets: { type: 'WebhookKey', key: KEY },
    handlers: createRegistry(handlers),
    ...overrides,
  };
  return { deps, logger };
}

function post(
  body: Buffer,
  url = `/api/webhook?code=${KEY}`,
  headers: Record<string, string> = {},
): WebhookRequest {
  return { method: 'POST', url, headers: { 'content-type': 'application/json', ...headers }, body };
}

function json(body: string): { ok: boolean; error?: string; handled?: string[]; note?: string } {
  return JSON.parse(body) as { ok: boolean; error?: string; handled?: string[]; note?: string };
}

const updateOpportunity = (
  handle: HandlerDefinition['handle'],
  solution: HandlerDefinition['solution'] = 'IdearioGroupQuotes',
) =>
  defineHandler({ message: 'Update', entity: opportunity.logicalName, stage: 40, mode: 1, solution, handle });

describe('handleWebhook: a registered step', () => {
  it('runs the handler with the parsed context and the deps, and answers 200 once it is done', async () => {
    const seen: ExecutionContext[] = [];
    const written: NewRecord[] = [];
    const client = fakeClient({
      update: (_set, _key, record) => {
        written.push(record);
        return Promise.resolve();
      },
    });
    const handler = updateOpportunity(async (ctx, deps) => {
      seen.push(ctx);
      const total = getMoney(targetEntity(ctx)!, opportunity.columns.estimatedvalue);
      await deps.client.update(opportunity.entitySetName, ctx.primaryEntityId!, {
        [opportunity.columns.description]: `total ${total}`,
      });
    });
    const { deps } = setup([handler], { client });

    const response = await handleWebhook(post(UPDATE), deps);

    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(json(response.body)).toEqual({ ok: true, handled: ['IdearioGroupQuotes:Update.opportunity'] });
    expect(seen[0]?.primaryEntityName).toBe(opportunity.logicalName);
    expect(written).toEqual([{ [opportunity.columns.description]: 'total 12500.5' }]);
  });

  it('answers 200 and logs the step when nothing is registered for it (not a failure for Dataverse)', async () => {
    const { deps, logger } = setup([]);
    const response = await handleWebhook(post(UPDATE), deps);
    expect(response.status).toBe(200);
    expect(json(response.body).note).toMatch(
      /No handler is registered for Update\.opportunity \(stage 40, async\)/,
    );
    expect(logger.lines.join('\n')).toMatch(/warn No handler is registered for Update\.opportunity/);
  });

  it('does not run a handler registered for another stage or mode', async () => {
    const handler = defineHandler({
      message: 'Update',
      entity: opportunity.logicalName,
      stage: 20,
      mode: 0,
      solution: 'IdearioGroupQuotes',
      handle: () => Promise.reject(new Error('must not run')),
    });
    const { deps } = setup([handler]);
    expect((await handleWebhook(post(UPDATE), deps)).status).toBe(200);
  });

  it('lets a handler re-read the record when Dataverse trimmed the payload', async () => {
    const reads: string[] = [];
    const client = fakeClient({
      retrieve: (set, key) => {
        reads.push(`${set}(${typeof key === 'string' ? key : JSON.stringify(key)})`);
        return Promise.resolve({ [opportunity.columns.name]: 'from Dataverse' });
      },
    });
    const handler = updateOpportunity(async (ctx, deps) => {
      if (ctx.sizeExceeded) await deps.client.retrieve(opportunity.entitySetName, ctx.primaryEntityId!);
    });
    const { deps, logger } = setup([handler], { client });
    const response = await handleWebhook(
      post(fixture('opportunity-update-trimmed.json'), undefined, { 'x-ms-dynamics-msg-size-exceeded': '' }),
      deps,
    );
    expect(response.status).toBe(200);
    expect(reads).toEqual([`${opportunity.entitySetName}(c4e8a1f2-7a3b-ef11-9f89-000d3a4b2c10)`]);
    expect(logger.lines.join('\n')).toMatch(/trimmed the payload/);
  });
});

describe('handleWebhook: failures, as Dataverse must see them', () => {
  it('answers 422 with the user-facing sentence when a synchronous step refuses the record', async () => {
    const sentence = 'The exit threshold (35) must not be above the enter threshold (20).';
    const refuse = defineHandler({
      message: 'Create',
      entity: CONCEPT_TABLE,
      stage: 10,
      mode: 0,
      solution: 'IdearioInterests',
      handle: () => Promise.reject(new ValidationRefusal(sentence)),
    });
    const { deps } = setup([refuse]);
    const response = await handleWebhook(post(CREATE_SYNC), deps);
    expect(response.status).toBe(422);
    expect(json(response.body)).toEqual({ ok: false, error: sentence });
  });

  it.each([
    ['Dataverse throttled the handler', new ThrottledError('limits reached', 30)],
    ['Dataverse answered 5xx', new DataverseError('Generic SQL error', 500, '0x80044150')],
    ['the handler asked for a retry', new RetryLater('The ERP is in maintenance until 02:00.')],
  ])('answers 503 (Dataverse retries once) when %s', async (_case, error) => {
    const { deps } = setup([updateOpportunity(() => Promise.reject(error))]);
    const response = await handleWebhook(post(UPDATE), deps);
    expect(response.status).toBe(503);
    expect(json(response.body).error).toContain(error.message);
  });

  it('answers 500 with the handler and its message for anything else, and logs the stack', async () => {
    const { deps, logger } = setup([
      updateOpportunity(() => Promise.reject(new NotFoundError('Retrieve contacts(8d3f6b2a-…): not found.'))),
    ]);
    const response = await handleWebhook(post(UPDATE), deps);
    expect(response.status).toBe(500);
    expect(json(response.body).error).toBe(
      'IdearioGroupQuotes handler Update.opportunity failed: Retrieve contacts(8d3f6b2a-…): not found.',
    );
    expect(logger.lines.join('\n')).toMatch(/error Handler failed\..*"stack"/);
  });

  it('answers 500 for a thrown non-Error without crashing', async () => {
    // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- the host must survive exactly this
    const { deps } = setup([updateOpportunity(() => Promise.reject('plain string'))]);
    const response = await handleWebhook(post(UPDATE), deps);
    expect(response.status).toBe(500);
    expect(json(response.body).error).toMatch(/plain string/);
  });
});

describe('handleWebhook: requests that are not authentic or not a webhook payload', () => {
  const { deps } = setup([updateOpportunity(() => Promise.resolve())]);

  it.each([
    ['no code', '/api/webhook', /code/],
    ['a wrong code', '/api/webhook?code=guess', /not valid/],
    ['a longer wrong code', `/api/webhook?code=${KEY}${KEY}`, /not valid/],
  ])('answers 401 for %s, without echoing any secret', async (_case, url, message) => {
    const response = await handleWebhook(post(UPDATE, url), deps);
    expect(response.status).toBe(401);
    expect(json(response.body).error).toMatch(message);
    expect(response.body).not.toContain(KEY);
    expect(response.body).not.toContain('guess');
  });

  it('checks the secret before anything else in the body', async () => {
    const response = await handleWebhook(post(Buffer.from('not json'), '/api/webhook'), deps);
    expect(response.status).toBe(401);
  });

  it('accepts HttpHeader and HttpQueryString secrets', async () => {
    const header = setup([updateOpportunity(() => Promise.resolve())], {
      secrets: { type: 'HttpHeader', headers: { 'X-Ideario-Secret': 's3cret' } },
    }).deps;
    expect(
      (await handleWebhook(post(UPDATE, '/api/webhook', { 'x-ideario-secret': 's3cret' }), header)).status,
    ).toBe(200);
    const refused = await handleWebhook(post(UPDATE, '/api/webhook', { 'x-ideario-secret': 'nope' }), header);
    expect(refused.status).toBe(401);
    expect(json(refused.body).error).toMatch(/header 'X-Ideario-Secret'/);

    const query = setup([updateOpportunity(() => Promise.resolve())], {
      secrets: { type: 'HttpQueryString', query: { tenant: 'hotels', token: 't0k' } },
    }).deps;
    expect((await handleWebhook(post(UPDATE, '/api/webhook?tenant=hotels&token=t0k'), query)).status).toBe(
      200,
    );
    const partial = await handleWebhook(post(UPDATE, '/api/webhook?tenant=hotels'), query);
    expect(partial.status).toBe(401);
    expect(json(partial.body).error).toMatch(/query parameter 'token'/);
  });

  it('answers 500 (host misconfigured) rather than letting requests in with an empty secret', async () => {
    const open = setup([], { secrets: { type: 'WebhookKey', key: '' } }).deps;
    const response = await handleWebhook(post(UPDATE, '/api/webhook?code='), open);
    expect(response.status).toBe(500);
    expect(json(response.body).error).toMatch(/misconfigured/);
  });

  it('answers 405 for anything but POST', async () => {
    const response = await handleWebhook({ ...post(UPDATE), method: 'GET' }, deps);
    expect(response.status).toBe(405);
  });

  it('answers 413, 415 and 400 for oversized, non-JSON and malformed bodies', async () => {
    expect((await handleWebhook(post(Buffer.alloc(1024 * 1024 + 1, 'x')), deps)).status).toBe(413);
    expect(
      (await handleWebhook(post(UPDATE, undefined, { 'content-type': 'text/plain' }), deps)).status,
    ).toBe(415);
    const malformed = await handleWebhook(post(UPDATE.subarray(0, 200)), deps);
    expect(malformed.status).toBe(400);
    expect(json(malformed.body).error).toMatch(/not valid JSON/);
  });

  it('answers 400, not 500, for a body nested 10,000 arrays deep', async () => {
    const deep = Buffer.from(`{"InputParameters":${'['.repeat(10000)}${']'.repeat(10000)}}`);
    const response = await handleWebhook(post(deep), deps);
    expect(response.status).toBe(400);
    expect(json(response.body).error).toMatch(/nests arrays or objects more than 32 levels deep/);
  });

  it('answers 400 for a body that is not UTF-8', async () => {
    const latin1 = Buffer.from(UPDATE.toString('utf8').replace('"Update"', '"Updat\u00e9"'), 'latin1');
    const bad = Buffer.concat([latin1.subarray(0, 20), Buffer.from([0xe9]), latin1.subarray(20)]);
    const response = await handleWebhook(post(bad), deps);
    expect(response.status).toBe(400);
    expect(json(response.body).error).toMatch(/not valid UTF-8/);
  });

  it('answers 400 for a malformed percent-escape in the solution segment', async () => {
    const response = await handleWebhook(post(UPDATE, `/api/webhook/%ZZ?code=${KEY}`), deps);
    expect(response.status).toBe(400);
    expect(json(response.body).error).toMatch(/'%ZZ' is not valid percent-encoding/);
  });

  it('answers 400 when a Target column holds a value of the wrong type, naming the column', async () => {
    const wrong = Buffer.from(
      UPDATE.toString('utf8').replace(/"Value": ?12500\.5/, '"Value":"twelve thousand"'),
    );
    const { deps: typed } = setup([
      updateOpportunity((ctx) => Promise.resolve(void getMoney(targetEntity(ctx)!, 'estimatedvalue'))),
    ]);
    const response = await handleWebhook(post(wrong), typed);
    expect(response.status).toBe(400);
    expect(json(response.body).error).toMatch(/estimatedvalue/);
  });

  it('reads header names in any case', async () => {
    const response = await handleWebhook(
      {
        method: 'post',
        url: `/api/webhook?code=${KEY}`,
        headers: { 'Content-Type': 'application/json' },
        body: UPDATE,
      },
      deps,
    );
    expect(response.status).toBe(200);
  });
});

describe('handleWebhook: one URL per solution', () => {
  const calls: string[] = [];
  const both = [
    updateOpportunity(() => Promise.resolve(void calls.push('quotes')), 'IdearioGroupQuotes'),
    updateOpportunity(() => Promise.resolve(void calls.push('interests')), 'IdearioInterests'),
  ];
  beforeEach(() => calls.splice(0));

  it('runs only the named solution’s handler when the URL names one', async () => {
    const { deps } = setup(both);
    const response = await handleWebhook(post(UPDATE, `/api/webhook/IdearioGroupQuotes?code=${KEY}`), deps);
    expect(response.status).toBe(200);
    expect(calls).toEqual(['quotes']);
  });

  it('runs every matching handler, in order, when the URL names none', async () => {
    const { deps } = setup(both);
    expect(json((await handleWebhook(post(UPDATE), deps)).body).handled).toEqual([
      'IdearioGroupQuotes:Update.opportunity',
      'IdearioInterests:Update.opportunity',
    ]);
    expect(calls).toEqual(['quotes', 'interests']);
  });

  it('answers 404 for a solution it does not know, naming the ones it does', async () => {
    const { deps } = setup(both);
    const response = await handleWebhook(post(UPDATE, `/api/webhook/IdearioInterest?code=${KEY}`), deps);
    expect(response.status).toBe(404);
    expect(json(response.body).error).toMatch(
      /Unknown solution 'IdearioInterest'.*IdearioInterests, IdearioGroupQuotes/,
    );
    expect(calls).toEqual([]);
  });

  it('stops at the first failing handler so Dataverse records the failure', async () => {
    const failing = [
      updateOpportunity(() => Promise.reject(new Error('first fails')), 'IdearioGroupQuotes'),
      updateOpportunity(() => Promise.resolve(void calls.push('interests')), 'IdearioInterests'),
    ];
    const { deps } = setup(failing);
    expect((await handleWebhook(post(UPDATE), deps)).status).toBe(500);
    expect(calls).toEqual([]);
  });
});
