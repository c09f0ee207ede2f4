/**
 * The Node client for an environment URL, as the CLI commands connect: a bearer token given as is, an
 * application user's client credentials ("Use OAuth authentication with Microsoft Dataverse"), or, for
 * an emulator on this machine, none at all. Each command words its own error from `missing`.
 */
import type { DataverseClient } from '../client';
import type { Logger } from '../logger';
import { createClientCredentialsTokenProvider } from './msal';
import { createNodeClient, type RetryPolicy } from './node-client';

export interface EnvironmentCredentials {
  readonly token?: string;
  readonly tenantId?: string;
  readonly clientId?: string;
  readonly clientSecret?: string;
}

export type CredentialName = 'tenantId' | 'clientId' | 'clientSecret';

export interface EnvironmentClientDeps {
  readonly logger: Logger;
  readonly clock: () => Date;
  readonly retry?: Partial<RetryPolicy>;
  readonly sleep?: (ms: number) => Promise<void>;
}

export function isLoopback(url: URL): boolean {
  return ['127.0.0.1', 'localhost', '[::1]', '::1'].includes(url.hostname);
}

/** The client, or which credentials a remote environment still needs. */
export function connectEnvironment(
  url: URL,
  credentials: EnvironmentCredentials,
  deps: EnvironmentClientDeps,
): DataverseClient | { readonly missing: readonly CredentialName[] } {
  const common = { url: url.origin, logger: deps.logger, retry: deps.retry, sleep: deps.sleep };
  const token = credentials.token?.trim();
  if (token) return createNodeClient({ ...common, getToken: () => Promise.resolve(token) });
  const tenantId = credentials.tenantId?.trim();
  const clientId = credentials.clientId?.trim();
  const clientSecret = credentials.clientSecret?.trim();
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
  if (!isLoopback(url)) {
    const given: Record<CredentialName, string | undefined> = { tenantId, clientId, clientSecret };
    return { missing: (Object.keys(given) as CredentialName[]).filter((name) => !given[name]) };
  }
  // An emulator started without --token accepts any bearer token.
  return createNodeClient({ ...common, getToken: () => Promise.resolve('emulator') });
}
