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
}

export interface TestOrg extends TestOrgParts {
  readonly client: InProcessClient;
  /** Waits for async (mode 1) deliveries queued so far. */
  settle(): Promise<void>;
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
  return {
    engine,
    client,
    clock,
    settle: () => engine.whenIdle(),
    close: () => {
      if (typeof unwire === 'function') unwire();
      engine.close();
    },
  };
}
