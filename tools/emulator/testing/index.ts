/**
 * `createTestOrg()`: a throw-away organisation for plugin, job and integration tests — the engine over
 * `:memory:` with the real `solution/` metadata, an in-process DataverseClient, and a clock the test
 * moves. Pass `dispatch` to connect pipeline events to handlers (the webhook dispatcher's in-process mode).
 */
import path from 'node:path';
import type { DataverseClient } from '../../../dataverse/client';
import type { Logger } from '../../../dataverse/logger';
import { loadMetadata } from '../../solution/loader';
import type { MetadataModel } from '../../solution/model';
import { Engine } from '../engine/engine';
import { InProcessClient } from '../inprocess-client';
import { attachInProcessWebhooks, type Webhooks } from '../webhooks/index';
import { registerSolutionImport } from '../import/actions';
import type { HandlerDefinition, HandlerRegistry } from '../../../plugins/registry';
import { silentLogger } from '../../../dataverse/logger';
import type { TestClock } from './clock';
import { testClock } from './clock';

export type { TestClock } from './clock';
export { testClock } from './clock';
export { testMetadata } from './metadata';

export interface TestOrgParts {
  readonly engine: Engine;
  readonly client: DataverseClient;
  readonly clock: TestClock;
}

export interface TestOrgOptions {
  /** Where the clock starts; default 2025-01-15T10:00:00Z. */
  readonly start?: Date;
  /** Metadata to use instead of `solution/` (e.g. `testMetadata()`). */
  readonly metadata?: MetadataModel;
  /** Folder of the unpacked solutions; default the repository's `solution/`. */
  readonly solutionRoot?: string;
  readonly newId?: () => string;
  readonly logger?: Logger;
  /** Wires pipeline events to handlers once the org exists; may return a function that unwires them. */
  readonly dispatch?: (org: TestOrgParts) => void | (() => void);
  /**
   * Runs the metadata's webhook steps in process against these handlers (as `ideario host` would run
   * them), queues asynchronous steps as system jobs for `drainJobs()`, and registers ImportSolutionAsync.
   */
  readonly handlers?: HandlerRegistry | readonly HandlerDefinition[];
}

export interface TestOrg extends TestOrgParts {
  readonly client: InProcessClient;
  /** Waits for async (mode 1) deliveries queued so far. */
  settle(): Promise<void>;
  /** Runs every queued system job (asynchronous steps, imports) and what they queue, to completion. */
  drainJobs(): Promise<void>;
  close(): void;
}

const REPOSITORY_SOLUTION = path.resolve(__dirname, '..', '..', '..', 'solution');
const loaded = new Map<string, MetadataModel>();

/** Parsing solution/ takes a while; tests share one read-only model per folder. */
function solutionMetadata(root: string): MetadataModel {
  let model = loaded.get(root);
  if (!model) {
    model = loadMetadata(root);
    loaded.set(root, model);
  }
  return model;
}

export function createTestOrg(options: TestOrgOptions = {}): TestOrg {
  const clock = testClock(options.start);
  const metadata = options.metadata ?? solutionMetadata(options.solutionRoot ?? REPOSITORY_SOLUTION);
  const engine = new Engine({
    metadata,
    path: ':memory:',
    clock: clock.now,
    newId: options.newId,
    logger: options.logger,
  });
  const client = new InProcessClient(engine);
  const unwire = options.dispatch?.({ engine, client, clock });
  let webhooks: Webhooks | undefined;
  if (options.handlers) {
    const logger = options.logger ?? silentLogger;
    webhooks = attachInProcessWebhooks(engine, {
      handlers: options.handlers,
      // A handler's calls run one level deeper under the step's correlation id, as on Dataverse.
      clientFor: ({ depth, correlationId, userId }) =>
        new InProcessClient(engine, { depth, correlationId, userId }),
      clock: clock.now,
      logger,
      newId: options.newId,
    });
    registerSolutionImport(engine, webhooks.jobs, { logger, newId: options.newId });
  }
  return {
    engine,
    client,
    clock,
    settle: () => engine.whenIdle(),
    drainJobs: async () => {
      if (webhooks) await webhooks.drainJobs();
      else await engine.whenIdle();
    },
    close: () => {
      if (typeof unwire === 'function') unwire();
      void webhooks?.close();
      engine.close();
    },
  };
}
