/**
 * Checks the secret of a webhook service endpoint. The three authentication types are those of
 * "Register a webhook" (Authentication options): WebhookKey sends `?code=<key>`, HttpHeader sends the
 * configured headers, HttpQueryString the configured query parameters. Dataverse itself never checks
 * them: rejecting a request without them is the receiver's job.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { WebhookAuthError, WebhookConfigError } from './errors';

export type WebhookAuthConfig =
  | { type: 'WebhookKey'; key: string }
  | { type: 'HttpHeader'; headers: Readonly<Record<string, string>> }
  | { type: 'HttpQueryString'; query: Readonly<Record<string, string>> };

export interface VerifyInput {
  url: string;
  /** Header names in lower case, as Node delivers them. */
  headers: Record<string, string | undefined>;
}

/** Equal-length digests make the comparison take the same time whatever the lengths and contents. */
export function secretsEqual(actual: string, expected: string): boolean {
  const a = createHash('sha256').update(actual, 'utf8').digest();
  const b = createHash('sha256').update(expected, 'utf8').digest();
  return timingSafeEqual(a, b);
}

/** Refuses a configuration that would let every request in (an empty secret), before the host starts. */
export function assertAuthConfig(config: WebhookAuthConfig): void {
  const pairs =
    config.type === 'WebhookKey'
      ? [['code', config.key]]
      : Object.entries(config.type === 'HttpHeader' ? config.headers : config.query);
  if (pairs.length === 0) {
    throw new WebhookConfigError(`${config.type} authentication has no values configured.`);
  }
  for (const [name, value] of pairs) {
    if (!name || !value) throw new WebhookConfigError(`the ${config.type} secret '${name}' is empty.`);
  }
}

function queryOf(url: string): URLSearchParams {
  return new URL(url, 'http://webhook.invalid').searchParams;
}

/** Throws WebhookAuthError (401) unless every configured value is present and equal. */
export function verifyRequest(input: VerifyInput, config: WebhookAuthConfig): void {
  assertAuthConfig(config);
  switch (config.type) {
    case 'WebhookKey': {
      const code = queryOf(input.url).get('code');
      if (code === null)
        throw new WebhookAuthError('The webhook key is missing: expected a `code` query parameter.');
      if (!secretsEqual(code, config.key))
        throw new WebhookAuthError('The webhook key (`code`) is not valid.');
      return;
    }
    case 'HttpHeader': {
      // Check every configured header even after a failure, so timing does not tell which one was wrong.
      const bad = Object.entries(config.headers).filter(
        ([name, value]) =>
          !secretsEqual(input.headers[name.toLowerCase()] ?? '', value) || !input.headers[name.toLowerCase()],
      );
      if (bad.length > 0) {
        throw new WebhookAuthError(
          `Webhook authentication failed: header ${names(bad)} missing or not valid.`,
        );
      }
      return;
    }
    case 'HttpQueryString': {
      const query = queryOf(input.url);
      const bad = Object.entries(config.query).filter(
        ([name, value]) => !secretsEqual(query.get(name) ?? '', value) || query.get(name) === null,
      );
      if (bad.length > 0) {
        throw new WebhookAuthError(
          `Webhook authentication failed: query parameter ${names(bad)} missing or not valid.`,
        );
      }
      return;
    }
  }
}

function names(pairs: [string, string][]): string {
  return pairs.map(([name]) => `'${name}'`).join(', ');
}
