import { asyncoperation, contact } from '../../../dataverse/generated';
import { memoryLogger } from '../../../dataverse/logger';
import { startHost, type RunningHost } from '../../../plugins/host/node-server';
import { createRegistry, defineHandler, type ExecutionContext } from '../../../plugins/registry';
import type { CallContext, Engine } from '../engine/engine';
import { InProcessClient } from '../inprocess-client';
import { testEngine } from '../testing/engine';
import { WebhookStepFailedError } from './errors';
import { attachHttpWebhooks, type Webhooks } from './index';
import { idearioMetadata, step, TEST_SOLUTION, unusedPort, withSteps } from './webhooks.testkit';

const JOB = asyncoperation.columns;
const KEY = 'int-test-key';

let host: RunningHost | undefined;
let webhooks: Webhooks | undefined;
let engine: Engine | undefined;

afterEach(async () => {
  await webhooks?.close();
  await host?.close();
  engine?.close();
  host = webhooks = engine = undefined;
});

it('posts an asynchronous step to a running webhook host over HTTP and records the outcome', async () => {
  const s = step({ message: 'Create', entity: contact.logicalName, stage: 40, mode: 1 });
  const t = testEngine({ metadata: withSteps(idearioMetadata(), [s]) });
  engine = t.engine;
  const seen: { ctx: ExecutionContext; callback: CallContext | undefined }[] = [];
  const handler = defineHandler({
    message: 'Create',
    entity: contact.logicalName,
    stage: 40,
    mode: 1,
    solution: TEST_SOLUTION,
    handle(ctx) {
      // What the emulator's Web API does with the x-ms-correlation-request-id a handler sends back.
      seen.push({ ctx, callback: webhooks?.dispatcher.callContextFor(ctx.correlationId ?? undefined) });
      return Promise.resolve();
    },
  });
  const logger = memoryLogger();
  host = await startHost({
    port: 0,
    deps: {
      client: new InProcessClient(t.engine),
      clock: t.clock.now,
      logger,
      secrets: { type: 'WebhookKey', key: KEY },
      handlers: createRegistry([handler]),
    },
  });
  webhooks = attachHttpWebhooks(t.engine, {
    settings: { url: host.url, key: KEY },
    clock: t.clock.now,
    logger,
  });

  const id = await t.engine.create(contact.entitySetName, { [contact.columns.lastname]: 'Vidal' });
  await webhooks.drainJobs();

  expect(seen).toHaveLength(1);
  expect(seen[0]?.ctx).toMatchObject({
    primaryEntityId: id,
    primaryEntityName: contact.logicalName,
    depth: 1,
  });
  expect(seen[0]?.callback).toEqual({ depth: 2, correlationId: seen[0]?.ctx.correlationId });
  const page = await t.engine.query(asyncoperation.entitySetName, {
    filter: `_${JOB.regardingobjectid}_value eq ${id}`,
  });
  expect(page.records[0]).toMatchObject({ [JOB.statuscode]: asyncoperation.choices.statuscode.Succeeded });
});

it('fails the job when the host refuses the webhook key', async () => {
  const s = step({ message: 'Create', entity: contact.logicalName, stage: 40, mode: 1 });
  const t = testEngine({ metadata: withSteps(idearioMetadata(), [s]) });
  engine = t.engine;
  const logger = memoryLogger();
  host = await startHost({
    port: 0,
    deps: {
      client: new InProcessClient(t.engine),
      clock: t.clock.now,
      logger,
      secrets: { type: 'WebhookKey', key: KEY },
      handlers: createRegistry([]),
    },
  });
  webhooks = attachHttpWebhooks(t.engine, {
    settings: { url: host.url, key: 'not-the-key' },
    clock: t.clock.now,
    logger,
  });
  await t.engine.create(contact.entitySetName, { [contact.columns.lastname]: 'Vidal' });
  await webhooks.drainJobs();
  const [job] = (await t.engine.query(asyncoperation.entitySetName, {})).records;
  expect(job).toMatchObject({
    [JOB.statuscode]: asyncoperation.choices.statuscode.Failed,
    [JOB.retrycount]: 0,
  });
  expect(job?.[JOB.message]).toContain('HTTP 401');
  expect(job?.[JOB.message]).not.toContain('not-the-key');
});

it('fails a synchronous step, and the save, when nothing answers at the webhook URL', async () => {
  const s = step({ message: 'Create', entity: contact.logicalName, stage: 20, mode: 0 });
  const t = testEngine({ metadata: withSteps(idearioMetadata(), [s]) });
  engine = t.engine;
  webhooks = attachHttpWebhooks(t.engine, {
    settings: { url: `http://127.0.0.1:${await unusedPort()}`, key: KEY },
    clock: t.clock.now,
    logger: memoryLogger(),
  });
  const error = await t.engine
    .create(contact.entitySetName, { [contact.columns.lastname]: 'Vidal' })
    .catch((e: unknown) => e);
  expect(error).toBeInstanceOf(WebhookStepFailedError);
  expect((error as Error).message).toContain('no answer');
  expect((error as Error).message).not.toContain(KEY);
  expect((await t.engine.query(contact.entitySetName, {})).records).toHaveLength(0);
});
