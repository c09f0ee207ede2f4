/**
 * Access tokens for a Dataverse application user: OAuth client credentials with MSAL ("Use OAuth
 * authentication with Microsoft Dataverse": scope `<environment URL>/.default`). The token is kept until
 * shortly before it expires, and concurrent callers share one acquisition.
 */
import {
  ConfidentialClientApplication,
  type AuthenticationResult,
  type ClientCredentialRequest,
} from '@azure/msal-node';

/** The one MSAL call used; tests pass a fake with the same shape. */
export interface ClientCredentialApp {
  acquireTokenByClientCredential(request: ClientCredentialRequest): Promise<AuthenticationResult | null>;
}

export interface ClientCredentialsOptions {
  tenantId: string;
  clientId: string;
  clientSecret: string;
  /** Environment URL, e.g. `https://contoso.crm4.dynamics.com`. */
  url: string;
  clock: () => Date;
  /** Renew this long before expiry, so a request never leaves with a token about to lapse. Default 5 min. */
  refreshMarginMs?: number;
  /** Defaults to a ConfidentialClientApplication for the tenant. */
  app?: ClientCredentialApp;
}

/** The identity platform refused or returned no token: wrong tenant, client id, secret, or no app user. */
export class TokenAcquisitionError extends Error {
  constructor(
    readonly tenantId: string,
    readonly clientId: string,
    reason: string,
  ) {
    super(
      `Could not get a Dataverse token for client ${clientId} in tenant ${tenantId}: ${reason}. ` +
        'Check IDEARIO_TENANT_ID, IDEARIO_CLIENT_ID, IDEARIO_CLIENT_SECRET and that the app is an application user in the environment.',
    );
    this.name = 'TokenAcquisitionError';
  }
}

export function dataverseScope(url: string): string {
  return `${new URL(url).origin}/.default`;
}

export function createClientCredentialsTokenProvider(
  options: ClientCredentialsOptions,
): () => Promise<string> {
  const margin = options.refreshMarginMs ?? 5 * 60 * 1000;
  const scopes = [dataverseScope(options.url)];
  const app =
    options.app ??
    new ConfidentialClientApplication({
      auth: {
        clientId: options.clientId,
        clientSecret: options.clientSecret,
        authority: `https://login.microsoftonline.com/${options.tenantId}`,
      },
    });

  let cached: { token: string; expiresAt: number } | undefined;
  let pending: Promise<string> | undefined;

  const acquire = async (): Promise<string> => {
    let result: AuthenticationResult | null;
    try {
      result = await app.acquireTokenByClientCredential({ scopes });
    } catch (error) {
      throw new TokenAcquisitionError(
        options.tenantId,
        options.clientId,
        error instanceof Error ? error.message : String(error),
      );
    }
    if (!result?.accessToken)
      throw new TokenAcquisitionError(options.tenantId, options.clientId, 'no token returned');
    // Without an expiry, assume the platform's shortest lifetime (an hour) rather than forever.
    const expiresAt = result.expiresOn?.getTime() ?? options.clock().getTime() + 60 * 60 * 1000;
    cached = { token: result.accessToken, expiresAt };
    return result.accessToken;
  };

  return () => {
    if (cached && options.clock().getTime() < cached.expiresAt - margin) return Promise.resolve(cached.token);
    pending ??= acquire().finally(() => {
      pending = undefined;
    });
    return pending;
  };
}
