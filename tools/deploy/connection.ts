/**
 * The DataverseClient the `deploy` and `ingest` commands talk through: the Node Web API client with
 * client-credential tokens for a real environment ("Use OAuth authentication with Microsoft
 * Dataverse": an application user), a fixed bearer token for an emulator started with `--token`, or
 * none for an emulator on this machine.
 */
import { connectEnvironment, isLoopback, type CredentialName } from '../../dataverse/adapters/environment';
import type { RetryPolicy } from '../../dataverse/adapters/node-client';
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

export function environmentUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new DeployOptionError(
      `--url '${text}' is not a URL; use the environment URL, e.g. https://contoso.crm4.dynamics.com.`,
    );
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopback(url))) {
    throw new DeployOptionError(
      `--url '${text}' must be https (plain http only for an emulator on this machine).`,
    );
  }
  return url;
}

export function connect(options: ConnectionOptions, deps: ConnectionDeps): DataverseClient {
  const url = environmentUrl(options.url);
  const names = HOST_ENVIRONMENT_VARIABLES;
  const connected = connectEnvironment(
    url,
    {
      token: options.token,
      tenantId: options.tenant?.trim() || deps.env[names.tenantId],
      clientId: options.clientId?.trim() || deps.env[names.clientId],
      clientSecret: options.clientSecret?.trim() || deps.env[names.clientSecret],
    },
    deps,
  );
  if (!('missing' in connected)) return connected;
  const how: Record<CredentialName, string> = {
    tenantId: `--tenant (or ${names.tenantId})`,
    clientId: `--client-id (or ${names.clientId})`,
    clientSecret: `--client-secret (or ${names.clientSecret})`,
  };
  throw new DeployConnectionError(
    `${url.origin} needs an application user's credentials: give ${connected.missing.map((n) => how[n]).join(', ')}.`,
  );
}
