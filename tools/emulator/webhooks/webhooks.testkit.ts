/**
 * For the webhook and job tests: Ideario's real tables (from `solution/`) with the test's own steps in
 * place of the solutions' steps, an in-memory engine, the in-process transport behind a recorder, and
 * the in-process client for handlers, running their calls at the depth and correlation handed over.
 */
import { createServer } from 'node:net';
import path from 'node:path';
import { memoryLogger } from '../../../dataverse/logger';
import { createRegistry, SOLUTION_NAMES, type HandlerDefinition } from '../../../plugins/registry';
import { loadMetadata } from '../../solution/loader';
import type { MetadataModel, ServiceEndpointModel, SolutionModel, StepModel } from '../../solution/model';
import type { Engine } from '../engine/engine';
import { InProcessClient } from '../inprocess-client';
import { SystemJobs } from '../jobs/system-jobs';
import { testEngine } from '../testing/engine';
import type { TestClock } from '../testing/clock';
import { AUTH_TYPE } from './config';
import { WebhookDispatcher } from './dispatcher';
import {
  inProcessTransport,
  type CallbackContext,
  type OutgoingWebhook,
  type WebhookTransport,
} from './transport';

let base: MetadataModel | undefined;

/** Every table of Ideario's solutions and the platform, loaded once per test file. */
export function idearioMetadata(): MetadataModel {
  base ??= loadMetadata(path.join(__dirname, '..', '..', '..', 'solution'));
  return base;
}

export const TEST_ENDPOINT: ServiceEndpointModel = {
  id: '5d0c2a51-3f4e-4b8a-9c1d-7e2f3a4b5c6d',
  name: 'Emulator test webhook',
  contract: 8,
  messageFormat: 2,
  authType: AUTH_TYPE.WebhookKey,
  file: 'test',
};

/** The routing name the host knows, so requests reach the handlers under test. */
export const TEST_SOLUTION = SOLUTION_NAMES[0];

let stepCount = 0;

export function step(
  partial: Pick<StepModel, 'message' | 'entity' | 'stage' | 'mode'> & Partial<StepModel>,
): StepModel {
  stepCount += 1;
  return {
    id: `00000000-0000-4000-8000-${String(stepCount).padStart(12, '0')}`,
    name: `Test step ${stepCount}: ${partial.message} of ${partial.entity}`,
    rank: 1,
    filteringAttributes: [],
    serviceEndpointId: TEST_ENDPOINT.id,
    images: [],
    file: 'test',
    ...partial,
  };
}

export function withSteps(
  metadata: MetadataModel,
  steps: readonly StepModel[],
  endpoint: ServiceEndpointModel = TEST_ENDPOINT,
): MetadataModel {
  const solution: SolutionModel = {
    uniqueName: TEST_SOLUTION,
    version: '1.0.0.0',
    displayName: {},
    publisher: { uniqueName: 'ideario', prefix: 'idr', optionValuePrefix: 10520 },
    dir: 'test',
    tables: {},
    optionSets: {},
    relationships: [],
    steps: [...steps],
    serviceEndpoints: [endpoint],
    webResources: [],
    controls: [],
    roles: [],
    environmentVariables: [],
  };
  return { ...metadata, solutions: [solution] };
}

/** The client a handler gets in process: its calls run in the callback context the transport hands over. */
export function handlerClient(
  engine: Engine,
  { depth, correlationId, userId }: CallbackContext,
): InProcessClient {
  return new InProcessClient(engine, { depth, correlationId, userId });
}

export interface TestOrg {
  readonly engine: Engine;
  readonly clock: TestClock;
  readonly jobs: SystemJobs;
  readonly dispatcher: WebhookDispatcher;
  /** Every request the emulator sent, in order. */
  readonly sent: OutgoingWebhook[];
  readonly logger: ReturnType<typeof memoryLogger>;
  close(): void;
}

export const TEST_KEY = 'test-webhook-key';

export function startOrg(steps: readonly StepModel[], handlers: readonly HandlerDefinition[]): TestOrg {
  const { engine, clock } = testEngine({ metadata: withSteps(idearioMetadata(), steps) });
  const logger = memoryLogger();
  const inner = inProcessTransport({
    handlers: createRegistry(handlers),
    clientFor: (callback) => handlerClient(engine, callback),
    clock: clock.now,
    logger,
    secrets: { type: 'WebhookKey', key: TEST_KEY },
  });
  const sent: OutgoingWebhook[] = [];
  const transport: WebhookTransport = {
    send(request, callback) {
      sent.push(request);
      return inner.send(request, callback);
    },
  };
  const jobs = new SystemJobs({ engine, clock: clock.now, logger });
  const dispatcher = new WebhookDispatcher({
    engine,
    jobs,
    transport,
    settings: { url: 'http://127.0.0.1:7071', key: TEST_KEY },
    logger,
    organizationName: 'contoso',
  }).attach();
  return { engine, clock, jobs, dispatcher, sent, logger, close: () => engine.close() };
}

/** A port nothing listens on (yet): bound, read, released. */
export async function unusedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (typeof address !== 'object' || address === null) throw new Error('no port');
  return address.port;
}
