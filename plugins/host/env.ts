/**
 * Production wiring shared by `ideario host` and the Azure Functions app: settings from the environment
 * (app settings on Azure), then the Dataverse client and the handler registry built from them.
 */
import { createClientCredentialsTokenProvider } from '../../dataverse/adapters/msal';
import { createNodeClient } from '../../dataverse/adapters/node-client';
import type { Logger } from '../../dataverse/logger';
import { createRegistry, type HandlerDefinition } from '../registry';
import type { WebhookDeps } from './handle';
import { assertAuthConfig } from './verify';

export const HOST_ENVIRONMENT_VARIABLES = {
  port: 'IDEARIO_HOST_PORT',
  webhookKey: 'IDEARIO_WEBHOOK_KEY',
  dataverseUrl: 'IDEARIO_DATAVERSE_URL',
  tenantId: 'IDEARIO_TENANT_ID',
  clientId: 'IDEARIO_CLIENT_ID',
  clientSecret: 'IDEARIO_CLIENT_SECRET',
} as const;

export const DEFAULT_HOST_PORT = 7071;

export interface HostEnvironment {
  port: number;
  webhookKey: string;
  dataverseUrl: string;
  tenantId: string;
  clientId: string;
  clientSecret: string;
}

/** Settings are missing or invalid; the message lists every one, so one fix round is enough. */
export class HostConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`The webhook host cannot start:\n${problems.map((p) => `- ${p}`).join('\n')}`);
    this.name = 'HostConfigError';
  }
}

export function parsePort(value: string, source: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value.trim()) || port > 65535) {
    throw new HostConfigError([`${source} is '${value}'; use a port number from 0 to 65535.`]);
  }
  return port;
}

export function readHostEnvironment(
  env: Readonly<Record<string, string | undefined>>,
  overrides: { port?: number } = {},
): HostEnvironment {
  const names = HOST_ENVIRONMENT_VARIABLES;
  const problems: string[] = [];
  const required = (name: string): string => {
    const value = env[name]?.trim();
    if (!value) problems.push(`${name} is not set.`);
    return value ?? '';
  };
  const webhookKey = required(names.webhookKey);
  const dataverseUrl = required(names.dataverseUrl);
  const tenantId = required(names.tenantId);
  const clientId = required(names.clientId);
  const clientSecret = required(names.clientSecret);
  if (dataverseUrl && !/^https?:\/\/[^/]+/i.test(dataverseUrl)) {
    problems.push(
      `${names.dataverseUrl} is '${dataverseUrl}'; use the environment URL, e.g. https://contoso.crm4.dynamics.com.`,
    );
  }
  let port = overrides.port ?? DEFAULT_HOST_PORT;
  const rawPort = env[names.port]?.trim();
  if (overrides.port === undefined && rawPort) {
    try {
      port = parsePort(rawPort, names.port);
    } catch (error) {
      problems.push(...(error as HostConfigError).problems);
    }
  }
  if (problems.length > 0) throw new HostConfigError(problems);
  return { port, webhookKey, dataverseUrl, tenantId, clientId, clientSecret };
}

export interface HostDepsInput {
  clock: () => Date;
  logger: Logger;
  handlers: readonly HandlerDefinition[];
}

/** The deps of handleWebhook for a real environment: MSAL client credentials + the Web API client. */
export function createHostDeps(config: HostEnvironment, input: HostDepsInput): WebhookDeps {
  const secrets = { type: 'WebhookKey', key: config.webhookKey } as const;
  assertAuthConfig(secrets);
  const getToken = createClientCredentialsTokenProvider({
    tenantId: config.tenantId,
    clientId: config.clientId,
    clientSecret: config.clientSecret,
    url: config.dataverseUrl,
    clock: input.clock,
  });
  const client = createNodeClient({
    url: config.dataverseUrl,
    getToken,
    logger: input.logger,
    // Dataverse waits 60 s for a webhook: past ~20 s of waiting, answering 503 (Dataverse retries) beats timing out.
    retry: { maxAttempts: 3, maxRetryAfterSeconds: 20, maxDelayMs: 8000 },
  });
  return {
    client,
    clock: input.clock,
    logger: input.logger,
    secrets,
    handlers: createRegistry(input.handlers),
  };
}
