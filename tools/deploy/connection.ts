/**
 * The DataverseClient the `deploy` and `ingest` commands talk through: the Node Web API client with
 * client-credential tokens for a real environment ("Use OAuth authentication with Microsoft
 * Dataverse": an application user), a fixed bearer token for an emulator started with `--token`, or
 * none for an emulator on this machine.
 */
import { createClientCredentialsTokenProvider } from '../../dataverse/adapters/msal';
import { createNodeClient, type RetryPolicy } from '../../dataverse/adapters/node-client';
import type { DataverseClient } from '../../dataverse/client';
import type { Logger } from '../../dataverse/logger';
import { HOST_ENVIRONMENT_VARIABLES } from '../../plugins/host/env';
import { DeployConnectionError, DeployOptionError } from './errors';

export interface ConnectionOptions {
  readonly url: string;
  readonly token?: string;
  readonly tenant?: string;
  readonly clientId?: string;
  readonly clientSecret?: string;
}

export interface ConnectionDeps {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly clock: () => Date;
  readonly logger: Logger;
  readonly retry?: Partial<RetryPolicy>;
  readonly sleep?: (ms: number) => Promise<void>;
}

function isLocal(url: URL): boolean {
  return ['127.0.0.1', 'localhost', '[::1]', '::1'].includes(url.hostname);
}

export function environmentUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new DeployOptionError(
      `--url '${text}' is not a URL; use the environment URL, e.g. https://contoso.crm4.dynamics.com.`,
    );
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLocal(url))) {
    throw new DeployOptionError(
      `--url '${text}' must be https (plain http only for an emulator on this machine).`,
    );
  }
  return url;
}

export function connect(options: ConnectionOptions, deps: ConnectionDeps): DataverseClient {
  const url = environmentUrl(options.url);
  const common = { url: url.origin, logger: deps.logger, retry: deps.retry, sleep: deps.sleep };
  const token = options.token?.trim();
  if (token) return createNodeClient({ ...common, getToken: () => Promise.resolve(token) });
  const names = HOST_ENVIRONMENT_VARIABLES;
  const tenantId = options.tenant?.trim() || deps.env[names.tenantId]?.trim();
  const clientId = options.clientId?.trim() || deps.env[names.clientId]?.trim();
  const clientSecret = options.clientSecret?.trim() || deps.env[names.clientSecret]?.trim();
  if (tenantId && clientId && clientSecret) {
    const getToken = createClientCredentialsTokenProvider({
      tenantId,
      clientId,
      clientSecret,
      url: url.origin,
      clock: deps.clock,
    });
    return createNodeClient({ ...common, getToken });
  }
  if (!isLocal(url)) {
    const missing = [
      tenantId ? '' : `--tenant (or ${names.tenantId})`,
      clientId ? '' : `--client-id (or ${names.clientId})`,
      clientSecret ? '' : `--client-secret (or ${names.clientSecret})`,
    ].filter(Boolean);
    throw new DeployConnectionError(
      `${url.origin} needs an application user's credentials: give ${missing.join(', ')}.`,
    );
  }
  // An emulator started without --token accepts any bearer token.
  return createNodeClient({ ...common, getToken: () => Promise.resolve('emulator') });
}
