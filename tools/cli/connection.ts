/**
 * One connection for every command that talks to an environment (deploy, ingest, sweep, rescore,
 * doctor), as `pac auth` gives one to every `pac` command: `--url` if given, else the environment selected
 * in `.ideario/auth.json` (recorded by `ideario start` / `ideario emulator`, or `ideario auth create`),
 * else IDEARIO_DATAVERSE_URL. Real environments sign in with an application user's client secret or
 * certificate, or a person's device code ("Use OAuth authentication with Microsoft Dataverse"); secrets
 * come only from environment variables or files, and are never printed.
 */
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { isLoopback } from '../../dataverse/adapters/environment';
import {
  createClientCredentialsTokenProvider,
  createDeviceCodeTokenProvider,
  DATAVERSE_PUBLIC_CLIENT_ID,
} from '../../dataverse/adapters/msal';
import { createNodeClient, type RetryPolicy } from '../../dataverse/adapters/node-client';
import type { DataverseClient } from '../../dataverse/client';
import { DataverseError } from '../../dataverse/errors';
import type { Logger } from '../../dataverse/logger';
import { HOST_ENVIRONMENT_VARIABLES } from '../../plugins/host/env';
import { UserFacingError } from './command';
import { DEFAULT_AUTH_DIR, ProfileStore, type EnvironmentProfile, type SignIn } from './profiles';

/** Environment variables the connection reads besides the host's (IDEARIO_TENANT_ID…). */
export const CONNECTION_ENVIRONMENT_VARIABLES = {
  /** The emulator's bearer token when it was started with `--token` and not recorded. */
  token: 'IDEARIO_TOKEN',
  /** PEM file with the application's certificate and private key. */
  certificatePath: 'IDEARIO_CERTIFICATE_PATH',
} as const;

/** The connection flags every command takes (see `addConnectionOptions`). */
export interface ConnectionFlags {
  url?: string;
  tenant?: string;
  clientId?: string;
  certificate?: string;
  deviceCode?: boolean;
  /** Seconds (or `90s`, `5m`) one request may keep retrying 429, 5xx and timeouts. */
  retryBudget?: string;
}

export interface ConnectionDeps {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly logger: Logger;
  readonly clock: () => Date;
  /** Where auth.json lives; `.ideario` in the working folder by default. */
  readonly authDir?: string;
  /** Shows the device-code sign-in instruction; the logger by default. */
  readonly show?: (message: string) => void;
  readonly sleep?: (ms: number) => Promise<void>;
  /** The command's own retry settings (ingest waits longer on 429); the budget comes from the flag. */
  readonly retry?: Partial<RetryPolicy>;
}

/** No environment to talk to: nothing given and nothing recorded. */
export class NoEnvironmentError extends UserFacingError {
  constructor() {
    super(
      'No environment selected: start the local one with `npm start` (it is then used by default), ' +
        'or pass --url https://<org>.crm.dynamics.com, or record one with `ideario auth create --url …`.',
    );
    this.name = 'NoEnvironmentError';
  }
}

/** A connection flag holds a value that cannot be used. */
export class ConnectionOptionError extends UserFacingError {
  constructor(message: string) {
    super(message);
    this.name = 'ConnectionOptionError';
  }
}

/** The chosen way of signing in lacks a value; the message names each and where it comes from. */
export class MissingCredentialsError extends UserFacingError {
  constructor(
    readonly environment: EnvironmentProfile,
    readonly missing: readonly string[],
  ) {
    super(
      `${describeEnvironment(environment)} signs in with ${environment.signIn}, which needs ${missing.join(', ')}. ` +
        'Secrets are read only from environment variables, never from the command line.',
    );
    this.name = 'MissingCredentialsError';
  }
}

/** The certificate file cannot be used to sign in. */
export class CertificateError extends UserFacingError {
  constructor(
    readonly file: string,
    reason: string,
  ) {
    super(
      `The certificate ${file} cannot be used: ${reason}. Give one PEM file holding the certificate and its unencrypted private key.`,
    );
    this.name = 'CertificateError';
  }
}

/** HTTP 401 from the environment: which one, and how to sign in to it. */
export class SignInRefusedError extends UserFacingError {
  readonly status = 401;
  constructor(
    readonly environment: EnvironmentProfile,
    detail: string,
  ) {
    super(
      `${describeEnvironment(environment)} refused the sign-in (HTTP 401: ${detail}). ${howToSignIn(environment)}`,
    );
    this.name = 'SignInRefusedError';
  }
}

export function describeEnvironment(environment: EnvironmentProfile): string {
  return `Environment '${environment.name}' (${environment.url})`;
}

export function howToSignIn(environment: EnvironmentProfile): string {
  const names = HOST_ENVIRONMENT_VARIABLES;
  switch (environment.signIn) {
    case 'local':
      return (
        `Its emulator wants another token: restart it with \`npm start\` or \`ideario emulator\` (each records its token), ` +
        `or set ${CONNECTION_ENVIRONMENT_VARIABLES.token} to the --token it was started with.`
      );
    case 'client-secret':
      return `Check ${names.tenantId}, ${names.clientId} and ${names.clientSecret}, and that the app is an application user with a security role in that environment (Power Platform admin center > Environments > Settings > Application users).`;
    case 'certificate':
      return `Check ${names.tenantId}, ${names.clientId}, that the certificate is uploaded to that app registration, and that the app is an application user with a security role in that environment.`;
    case 'device-code':
      return 'Sign in again (--device-code) with an account that is a user with a security role in that environment.';
  }
}

/** `120`, `120s`, `5m` → milliseconds. */
export function parseRetryBudget(text: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*(s|m)?$/.exec(text.trim());
  const value = match ? Number(match[1]) * (match[2] === 'm' ? 60_000 : 1000) : NaN;
  if (!match || value <= 0)
    throw new ConnectionOptionError(
      `--retry-budget '${text}' must be a duration such as 90 (seconds), 90s or 5m.`,
    );
  return value;
}

function parseUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ConnectionOptionError(
      `--url '${text}' is not a URL; use the environment URL, e.g. https://contoso.crm4.dynamics.com.`,
    );
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopback(url)))
    throw new ConnectionOptionError(
      `--url '${text}' must be https (plain http only for an emulator on this machine).`,
    );
  return url;
}

function signInFor(url: URL, flags: ConnectionFlags, env: ConnectionDeps['env']): SignIn {
  if (flags.deviceCode) return 'device-code';
  if (flags.certificate) return 'certificate';
  if (isLoopback(url)) return 'local';
  return env[CONNECTION_ENVIRONMENT_VARIABLES.certificatePath]?.trim() ? 'certificate' : 'client-secret';
}

/** The environment a command talks to, with the flags laid over what is recorded for it. */
export function resolveEnvironment(flags: ConnectionFlags, deps: ConnectionDeps): EnvironmentProfile {
  const store = new ProfileStore(deps.authDir ?? DEFAULT_AUTH_DIR);
  const urlText = flags.url?.trim();
  let base: EnvironmentProfile | undefined;
  if (urlText) {
    const url = parseUrl(urlText);
    const recorded = store.find(url.origin);
    const signIn = flags.deviceCode || flags.certificate ? signInFor(url, flags, deps.env) : undefined;
    base = recorded
      ? { ...recorded, ...(signIn ? { signIn } : {}) }
      : { name: url.host, url: url.origin, signIn: signInFor(url, flags, deps.env) };
  } else {
    base = store.selected();
    if (!base) {
      const fromEnv = deps.env[HOST_ENVIRONMENT_VARIABLES.dataverseUrl]?.trim();
      if (!fromEnv) throw new NoEnvironmentError();
      const url = parseUrl(fromEnv);
      base = { name: url.host, url: url.origin, signIn: signInFor(url, flags, deps.env) };
    }
  }
  return {
    ...base,
    ...(flags.tenant?.trim() ? { tenantId: flags.tenant.trim() } : {}),
    ...(flags.clientId?.trim() ? { clientId: flags.clientId.trim() } : {}),
    ...(flags.certificate?.trim() ? { certificatePath: flags.certificate.trim() } : {}),
  };
}

function readCertificate(file: string): { thumbprintSha256: string; privateKey: string } {
  let pem: string;
  try {
    pem = readFileSync(file, 'utf8');
  } catch (error) {
    throw new CertificateError(file, error instanceof Error ? error.message : String(error));
  }
  try {
    const certificate = new X509Certificate(pem);
    const key = createPrivateKey(pem);
    return {
      thumbprintSha256: certificate.fingerprint256.replace(/:/g, ''),
      privateKey: key.export({ format: 'pem', type: 'pkcs8' }).toString(),
    };
  } catch (error) {
    throw new CertificateError(file, error instanceof Error ? error.message : String(error));
  }
}

function tokenProvider(environment: EnvironmentProfile, deps: ConnectionDeps): () => Promise<string> {
  const env = deps.env;
  const names = HOST_ENVIRONMENT_VARIABLES;
  const tenantId = environment.tenantId ?? env[names.tenantId]?.trim();
  const clientId = environment.clientId ?? env[names.clientId]?.trim();
  switch (environment.signIn) {
    case 'local': {
      // An emulator started without --token takes any bearer token.
      const token = environment.token ?? (env[CONNECTION_ENVIRONMENT_VARIABLES.token]?.trim() || 'emulator');
      return () => Promise.resolve(token);
    }
    case 'client-secret': {
      const clientSecret = env[names.clientSecret]?.trim();
      const missing = [
        tenantId ? undefined : `--tenant or ${names.tenantId}`,
        clientId ? undefined : `--client-id or ${names.clientId}`,
        clientSecret ? undefined : names.clientSecret,
      ].filter((m): m is string => m !== undefined);
      if (!tenantId || !clientId || !clientSecret) throw new MissingCredentialsError(environment, missing);
      return createClientCredentialsTokenProvider({
        tenantId,
        clientId,
        clientSecret,
        url: environment.url,
        clock: deps.clock,
      });
    }
    case 'certificate': {
      const file =
        environment.certificatePath ?? env[CONNECTION_ENVIRONMENT_VARIABLES.certificatePath]?.trim();
      const missing = [
        tenantId ? undefined : `--tenant or ${names.tenantId}`,
        clientId ? undefined : `--client-id or ${names.clientId}`,
        file ? undefined : `--certificate or ${CONNECTION_ENVIRONMENT_VARIABLES.certificatePath}`,
      ].filter((m): m is string => m !== undefined);
      if (!tenantId || !clientId || !file) throw new MissingCredentialsError(environment, missing);
      return createClientCredentialsTokenProvider({
        tenantId,
        clientId,
        certificate: readCertificate(file),
        url: environment.url,
        clock: deps.clock,
      });
    }
    case 'device-code':
      return createDeviceCodeTokenProvider({
        tenantId: tenantId ?? 'organizations',
        clientId: clientId ?? DATAVERSE_PUBLIC_CLIENT_ID,
        url: environment.url,
        clock: deps.clock,
        show: deps.show ?? ((message) => deps.logger.info(message)),
      });
  }
}

/** Every call of `client`, with a 401 turned into a SignInRefusedError naming the environment. */
function explainingSignIn(client: DataverseClient, environment: EnvironmentProfile): DataverseClient {
  const explain = async <T>(call: () => Promise<T>): Promise<T> => {
    try {
      return await call();
    } catch (error) {
      if (error instanceof DataverseError && error.status === 401)
        throw new SignInRefusedError(environment, error.message);
      throw error;
    }
  };
  return {
    create: (...args) => explain(() => client.create(...args)),
    retrieve: (...args) => explain(() => client.retrieve(...args)),
    update: (...args) => explain(() => client.update(...args)),
    upsert: (...args) => explain(() => client.upsert(...args)),
    delete: (...args) => explain(() => client.delete(...args)),
    retrieveMultiple: (...args) => explain(() => client.retrieveMultiple(...args)),
    fetchXml: (...args) => explain(() => client.fetchXml(...args)),
    executeAction: (...args) => explain(() => client.executeAction(...args)),
    executeFunction: (...args) => explain(() => client.executeFunction(...args)),
    executeBatch: (...args) => explain(() => client.executeBatch(...args)),
  };
}

export interface Connection {
  readonly client: DataverseClient;
  readonly environment: EnvironmentProfile;
}

/** The client for the environment the flags (or the recorded selection) name. */
/** What a command needs to reach Dataverse; tests pass an in-process `client`. */
export interface CommandConnectionDeps extends Pick<ConnectionDeps, 'env' | 'logger' | 'clock' | 'authDir'> {
  readonly client?: DataverseClient;
}

/** What a command that talks to Dataverse is given: the connection's deps and where it prints. */
export interface CommandDeps extends CommandConnectionDeps {
  readonly print: (line: string) => void;
}

/** The client a command uses: the one a test passed, else the selected environment's (or `--url`'s). */
export function commandClient(flags: ConnectionFlags, deps: CommandConnectionDeps): DataverseClient {
  return (
    deps.client ??
    openConnection(flags, { env: deps.env, logger: deps.logger, clock: deps.clock, authDir: deps.authDir })
      .client
  );
}

export function openConnection(flags: ConnectionFlags, deps: ConnectionDeps): Connection {
  const environment = resolveEnvironment(flags, deps);
  const budgetMs = flags.retryBudget !== undefined ? parseRetryBudget(flags.retryBudget) : undefined;
  const client = createNodeClient({
    url: environment.url,
    getToken: tokenProvider(environment, deps),
    logger: deps.logger,
    sleep: deps.sleep,
    retry: { ...deps.retry, ...(budgetMs !== undefined ? { budgetMs } : {}) },
  });
  return { client: explainingSignIn(client, environment), environment };
}

/** The connection flags, the same on every command. */
export function addConnectionOptions(command: Command): Command {
  const names = HOST_ENVIRONMENT_VARIABLES;
  return command
    .option(
      '--url <url>',
      'environment URL (default: the environment selected with `ideario auth`, recorded by `npm start`)',
    )
    .option('--tenant <id>', `Entra tenant id (default: ${names.tenantId})`)
    .option('--client-id <id>', `application (client) id (default: ${names.clientId})`)
    .option(
      '--certificate <pem>',
      `sign in with this certificate + private key PEM file (default: ${CONNECTION_ENVIRONMENT_VARIABLES.certificatePath})`,
    )
    .option('--device-code', 'sign in as a person, in a browser, with a device code')
    .option(
      '--retry-budget <duration>',
      'longest time one request keeps retrying 429, 5xx and timeouts, e.g. 90s or 5m',
    );
}
