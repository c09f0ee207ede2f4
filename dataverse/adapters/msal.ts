/**
 * Access tokens for a Dataverse application user: OAuth client credentials with MSAL ("Use OAuth
 * authentication with Microsoft Dataverse": scope `<environment URL>/.default`). The token is kept until
 * shortly before it expires, and concurrent callers share one acquisition.
 */
import {
  ConfidentialClientApplication,
  PublicClientApplication,
  type AuthenticationResult,
  type ClientCredentialRequest,
  type DeviceCodeRequest,
} from '@azure/msal-node';

/** The one MSAL call used; tests pass a fake with the same shape. */
export interface ClientCredentialApp {
  acquireTokenByClientCredential(request: ClientCredentialRequest): Promise<AuthenticationResult | null>;
}

export interface ClientCredentialsOptions {
  tenantId: string;
  clientId: string;
  /** The application's secret, or else its certificate (SHA-256 thumbprint and PEM private key). */
  clientSecret?: string;
  certificate?: { thumbprintSha256: string; privateKey: string };
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
        'Check IDEARIO_TENANT_ID, IDEARIO_CLIENT_ID, IDEARIO_CLIENT_SECRET (or the certificate) and that the app is an application user in the environment.',
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
  const scopes = [dataverseScope(options.url)];
  const app =
    options.app ??
    new ConfidentialClientApplication({
      auth: {
        clientId: options.clientId,
        ...(options.certificate
          ? { clientCertificate: options.certificate }
          : { clientSecret: options.clientSecret }),
        authority: `https://login.microsoftonline.com/${options.tenantId}`,
      },
    });
  return cachedTokenProvider(options, () => app.acquireTokenByClientCredential({ scopes }));
}

/** The one MSAL call device-code sign-in uses; tests pass a fake with the same shape. */
export interface DeviceCodeApp {
  acquireTokenByDeviceCode(request: DeviceCodeRequest): Promise<AuthenticationResult | null>;
}

/**
 * Microsoft's public client id for Dataverse samples and tools, usable by any tenant without an app
 * registration ("Use OAuth authentication with Microsoft Dataverse", the sample's clientId).
 */
export const DATAVERSE_PUBLIC_CLIENT_ID = '51f81489-12ee-4a9e-aaae-a2591f45987d';

export interface DeviceCodeOptions {
  /** A tenant id, or `organizations` for any work account. */
  tenantId: string;
  clientId: string;
  url: string;
  clock: () => Date;
  /** Shows the sign-in instruction (go to https://microsoft.com/devicelogin, enter the code). */
  show: (message: string) => void;
  app?: DeviceCodeApp;
}

/** A person signs in in a browser with a code; the token is then kept, in memory only, until it expires. */
export function createDeviceCodeTokenProvider(options: DeviceCodeOptions): () => Promise<string> {
  const app =
    options.app ??
    new PublicClientApplication({
      auth: {
        clientId: options.clientId,
        authority: `https://login.microsoftonline.com/${options.tenantId}`,
      },
    });
  const scopes = [dataverseScope(options.url)];
  return cachedTokenProvider({ ...options, refreshMarginMs: 60_000 }, () =>
    app.acquireTokenByDeviceCode({ scopes, deviceCodeCallback: (r) => options.show(r.message) }),
  );
}

function cachedTokenProvider(
  options: { tenantId: string; clientId: string; clock: () => Date; refreshMarginMs?: number },
  request: () => Promise<AuthenticationResult | null>,
): () => Promise<string> {
  const margin = options.refreshMarginMs ?? 5 * 60 * 1000;
  let cached: { token: string; expiresAt: number } | undefined;
  let pending: Promise<string> | undefined;

  const acquire = async (): Promise<string> => {
    let result: AuthenticationResult | null;
    try {
      result = await request();
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
