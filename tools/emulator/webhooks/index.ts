/**
 * Plugging webhooks and system jobs into an engine: in process for plugin tests (`createTestOrg`), over
 * HTTP for the running emulator. Both return the dispatcher and the job worker; tests call
 * `drainJobs()`, the HTTP emulator lets the worker run continuously.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { DataverseClient } from '../../../dataverse/client';
import type { Logger } from '../../../dataverse/logger';
import { createRegistry, type HandlerDefinition, type HandlerRegistry } from '../../../plugins/registry';
import type { Engine } from '../engine/engine';
import { SystemJobs } from '../jobs/system-jobs';
import type { WebhookSettings } from './config';
import { WebhookDispatcher } from './dispatcher';
import { httpTransport, inProcessTransport, type CallbackContext, type WebhookTransport } from './transport';

export { WebhookDispatcher, HEADERS as WEBHOOK_HEADERS } from './dispatcher';
export { SystemJobs } from '../jobs/system-jobs';
export { mergeWebhookSettings, webhookSettingsFromEnv, type WebhookSettings } from './config';
export type { CallbackContext, WebhookTransport } from './transport';

export interface Webhooks {
  readonly dispatcher: WebhookDispatcher;
  readonly jobs: SystemJobs;
  /** Runs every queued system job (and what they queue) to completion. */
  drainJobs(): Promise<void>;
  /** Waits until the continuous worker has no job due or running (`SystemJobs.whenIdle`). */
  whenIdle(options?: { readonly timeoutMs?: number }): Promise<void>;
  /** Detaches from the pipeline and stops the worker. */
  close(): Promise<void>;
}

interface Common {
  readonly clock: () => Date;
  readonly logger: Logger;
  readonly organizationName?: string;
  readonly newId?: () => string;
  /** Delay before a job's one retry in the continuous worker; default 5 s. */
  readonly retryDelayMs?: number;
  /** Most system jobs the continuous worker runs at once; default 8. */
  readonly asyncConcurrency?: number;
}

function assemble(
  engine: Engine,
  transport: WebhookTransport,
  settings: WebhookSettings,
  common: Common,
  continuous: boolean,
): Webhooks {
  const jobs = new SystemJobs({
    engine,
    clock: common.clock,
    logger: common.logger,
    retryDelayMs: common.retryDelayMs,
    concurrency: common.asyncConcurrency,
  });
  const dispatcher = new WebhookDispatcher({
    engine,
    jobs,
    transport,
    settings,
    logger: common.logger,
    organizationName: common.organizationName,
    newId: common.newId,
  }).attach();
  if (continuous) jobs.start();
  return {
    dispatcher,
    jobs,
    drainJobs: () => jobs.drain(),
    whenIdle: (options) => jobs.whenIdle(options),
    async close() {
      dispatcher.detach();
      await jobs.stop();
    },
  };
}

export interface InProcessWebhookOptions extends Common {
  /** The handlers to run, as the host would (`plugins/host/catalog.ts` in production). */
  readonly handlers: HandlerRegistry | readonly HandlerDefinition[];
  /** The client a handler gets, bound to the call context (depth + 1, same correlation). */
  clientFor(callback: CallbackContext): DataverseClient;
  /** Run the worker continuously instead of only on `drainJobs()`. */
  readonly continuous?: boolean;
}

function isRegistry(value: HandlerRegistry | readonly HandlerDefinition[]): value is HandlerRegistry {
  return !Array.isArray(value);
}

/** Webhook steps go straight into `handleWebhook` with a per-org secret, verified as the host does. */
export function attachInProcessWebhooks(engine: Engine, options: InProcessWebhookOptions): Webhooks {
  // name=value works for every auth type: the whole text is the `code` of a WebhookKey endpoint.
  const key = `x-ideario-key=${randomBytes(16).toString('hex')}`;
  const handlers: HandlerRegistry = isRegistry(options.handlers)
    ? options.handlers
    : createRegistry(options.handlers);
  const transport = inProcessTransport({
    handlers,
    clientFor: (callback) => options.clientFor(callback),
    clock: options.clock,
    logger: options.logger,
    secrets: { type: 'WebhookKey', key },
  });
  return assemble(
    engine,
    transport,
    { url: 'http://in-process.invalid', key },
    options,
    options.continuous ?? false,
  );
}

export interface HttpWebhookOptions extends Common {
  readonly settings: WebhookSettings;
  readonly fetch?: typeof fetch;
  /** Start the background worker now (default); false to call `jobs.start()` later. */
  readonly startWorker?: boolean;
}

/** Webhook steps are posted to the configured host; the job worker runs in the background. */
export function attachHttpWebhooks(engine: Engine, options: HttpWebhookOptions): Webhooks {
  return assemble(
    engine,
    httpTransport({ fetch: options.fetch }),
    options.settings,
    { ...options, newId: options.newId ?? randomUUID },
    options.startWorker ?? true,
  );
}
