/**
 * Test support: the real webhook host and the emulator wired over HTTP, as `npm start` runs them. The
 * host starts first (the emulator needs its URL); its client reaches the emulator once that listens.
 */
import path from 'node:path';
import { createNodeClient } from '../../dataverse/adapters/node-client';
import type { DataverseClient } from '../../dataverse/client';
import type { Logger } from '../../dataverse/logger';
import { startHost, type RunningHost } from '../../plugins/host/node-server';
import { createRegistry, type HandlerDefinition } from '../../plugins/registry';
import { startEmulator, type RunningEmulator } from './start';
import { webhooksExtension } from './webhooks/extension';

const SOLUTION_ROOT = path.join(__dirname, '..', '..', 'solution');

export interface WiredEnvironment {
  readonly host: RunningHost;
  readonly emulator: RunningEmulator;
  /** A Web API client of the emulator, as a user's own calls reach it. */
  readonly client: DataverseClient;
}

export async function startWiredEnvironment(options: {
  readonly handlers: readonly HandlerDefinition[];
  readonly logger: Logger;
  readonly token: string;
  readonly key: string;
}): Promise<WiredEnvironment> {
  const connect = (url: string) => createNodeClient({ url, getToken: () => Promise.resolve(options.token) });
  const target: { real?: DataverseClient } = {};
  const forwarding = new Proxy({} as DataverseClient, {
    get: (_target, property: keyof DataverseClient) => {
      return (...args: unknown[]) => {
        const { real } = target;
        if (!real) throw new Error('The emulator is not listening yet.');
        return (real[property] as (...a: unknown[]) => unknown).apply(real, args);
      };
    },
  });
  const host = await startHost({
    port: 0,
    host: '127.0.0.1',
    deps: {
      client: forwarding,
      clock: () => new Date(),
      logger: options.logger,
      secrets: { type: 'WebhookKey', key: options.key },
      handlers: createRegistry(options.handlers),
    },
  });
  const emulator = await startEmulator({
    memory: true,
    port: 0,
    solutionRoot: SOLUTION_ROOT,
    token: options.token,
    webhookUrl: host.url,
    webhookKey: options.key,
    extensions: [webhooksExtension({})],
  });
  target.real = connect(emulator.url);
  return {
    host,
    emulator,
    client: connect(emulator.url),
  };
}
