/**
 * Where the emulator posts, and with which secret. A solution never carries a service endpoint's URL or
 * key ("Register a WebHook": they are set in the target environment), so the emulator takes them from
 * `--webhook-url` / `--webhook-key` or `IDEARIO_WEBHOOK_URL` / `IDEARIO_WEBHOOK_KEY`.
 *
 * The URL is the webhook host's base (`http://127.0.0.1:7071`); each solution's endpoint posts to
 * `<base>/api/webhook/<SolutionUniqueName>`, the route Ideario's host uses to tell two solutions'
 * handlers for the same message apart. A URL that already names a path under `/api/webhook` is used as is.
 *
 * The key is sent the way the endpoint's AuthType says ("Register a WebHook", Authentication options):
 * 4 WebhookKey → `?code=<key>`; 5 HttpHeader → headers and 6 HttpQueryString → query parameters, both
 * written `name=value&name2=value2`.
 */
import type { ServiceEndpointModel } from '../../solution/model';
import type { WebhookAuthConfig } from '../../../plugins/host/verify';
import { WEBHOOK_PATH } from '../../../plugins/host/node-server';
import { WebhookConfigurationError } from './errors';

export const AUTH_TYPE = { WebhookKey: 4, HttpHeader: 5, HttpQueryString: 6 } as const;

export interface WebhookSettings {
  /** Base URL of the webhook host; without it, webhook steps are not dispatched (and a warning says so). */
  readonly url?: string;
  readonly key?: string;
  /** Per endpoint (by endpoint name or solution unique name), when solutions post to different hosts. */
  readonly endpoints?: Readonly<Record<string, { readonly url?: string; readonly key?: string }>>;
}

export function webhookSettingsFromEnv(env: Readonly<Record<string, string | undefined>>): WebhookSettings {
  const url = env.IDEARIO_WEBHOOK_URL?.trim();
  const key = env.IDEARIO_WEBHOOK_KEY?.trim();
  return { ...(url ? { url } : {}), ...(key ? { key } : {}) };
}

/** CLI options win over the environment, value by value. */
export function mergeWebhookSettings(
  options: { webhookUrl?: string; webhookKey?: string },
  env: WebhookSettings,
): WebhookSettings {
  const url = options.webhookUrl ?? env.url;
  const key = options.webhookKey ?? env.key;
  return { ...env, ...(url ? { url } : {}), ...(key ? { key } : {}) };
}

export interface EndpointTarget {
  /** Full URL, secret included when the auth type puts it in the query. */
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  /** The same secret as the host must verify it (the in-process transport hands it to `handleWebhook`). */
  readonly auth?: WebhookAuthConfig;
}

function pairs(key: string, endpoint: ServiceEndpointModel): Record<string, string> {
  const params = new URLSearchParams(key);
  const out: Record<string, string> = {};
  for (const [name, value] of params) if (name && value) out[name] = value;
  if (Object.keys(out).length === 0) {
    throw new WebhookConfigurationError(
      `Service endpoint '${endpoint.name}' authenticates with ${endpoint.authType === AUTH_TYPE.HttpHeader ? 'HTTP headers' : 'query parameters'}; ` +
        `give the webhook key as name=value pairs (e.g. x-api-key=secret), not a bare value.`,
    );
  }
  return out;
}

export function authFor(
  endpoint: ServiceEndpointModel,
  key: string | undefined,
): WebhookAuthConfig | undefined {
  if (!key) return undefined;
  switch (endpoint.authType) {
    case AUTH_TYPE.HttpHeader:
      return { type: 'HttpHeader', headers: pairs(key, endpoint) };
    case AUTH_TYPE.HttpQueryString:
      return { type: 'HttpQueryString', query: pairs(key, endpoint) };
    default:
      return { type: 'WebhookKey', key };
  }
}

function endpointUrl(base: string, solution: string): string {
  let url: URL;
  try {
    url = new URL(base);
  } catch {
    throw new WebhookConfigurationError(
      `The webhook URL '${base}' is not an absolute http(s) URL; pass e.g. --webhook-url http://127.0.0.1:7071.`,
    );
  }
  const path = url.pathname.replace(/\/+$/, '');
  if (path.endsWith(WEBHOOK_PATH)) url.pathname = `${path}/${encodeURIComponent(solution)}`;
  else if (!path.includes(`${WEBHOOK_PATH}/`))
    url.pathname = `${path}${WEBHOOK_PATH}/${encodeURIComponent(solution)}`;
  return url.toString();
}

/** The URL and headers one endpoint posts with; undefined when no URL is configured for it. */
export function resolveEndpoint(
  settings: WebhookSettings,
  endpoint: ServiceEndpointModel,
  solution: string,
): EndpointTarget | undefined {
  const specific = settings.endpoints?.[endpoint.name] ?? settings.endpoints?.[solution];
  const base = specific?.url ?? settings.url;
  if (!base) return undefined;
  const auth = authFor(endpoint, specific?.key ?? settings.key);
  const url = new URL(endpointUrl(base, solution));
  const headers: Record<string, string> = {};
  if (auth?.type === 'WebhookKey') url.searchParams.set('code', auth.key);
  if (auth?.type === 'HttpQueryString')
    for (const [name, value] of Object.entries(auth.query)) url.searchParams.set(name, value);
  if (auth?.type === 'HttpHeader') Object.assign(headers, auth.headers);
  return { url: url.toString(), headers, ...(auth ? { auth } : {}) };
}
