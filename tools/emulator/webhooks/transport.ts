/**
 * How a webhook request leaves the emulator: over HTTP (`fetch`, as Dataverse posts to a real host) or
 * in process (straight into `handleWebhook`, the same verify → parse → dispatch the host runs), which
 * is what plugin tests use so they need no port and no network.
 */
import type { DataverseClient } from '../../../dataverse/client';
import type { Logger } from '../../../dataverse/logger';
import { handleWebhook } from '../../../plugins/host/handle';
import type { WebhookAuthConfig } from '../../../plugins/host/verify';
import type { HandlerRegistry } from '../../../plugins/registry';
import { WebhookUnreachableError } from './errors';

export interface OutgoingWebhook {
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  /** The secret the request carries, as the receiving host is configured to verify it. */
  readonly auth?: WebhookAuthConfig;
}

export interface WebhookReply {
  readonly status: number;
  readonly body: string;
}

/** Who the handler's own calls back into the emulator run as: the next depth of the same correlation. */
export interface CallbackContext {
  readonly depth: number;
  readonly correlationId: string;
  readonly userId: string;
  /** True for a synchronous step: its callbacks join the open transaction. */
  readonly synchronous: boolean;
}

export interface WebhookTransport {
  /** Answers the endpoint's reply; throws WebhookUnreachableError when nothing answered. */
  send(request: OutgoingWebhook, callback: CallbackContext): Promise<WebhookReply>;
}

/** Dataverse gives a webhook 60 seconds ("Use webhooks…", Troubleshooting). */
export const WEBHOOK_TIMEOUT_MS = 60_000;

export function httpTransport(options: { fetch?: typeof fetch; timeoutMs?: number } = {}): WebhookTransport {
  const send = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? WEBHOOK_TIMEOUT_MS;
  return {
    async send(request) {
      let response: Response;
      try {
        response = await send(request.url, {
          method: 'POST',
          headers: request.headers,
          body: request.body,
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch (error) {
        const reason =
          error instanceof Error
            ? error.name === 'TimeoutError'
              ? `no answer within ${timeoutMs / 1000} s`
              : causeOf(error)
            : String(error);
        throw new WebhookUnreachableError(request.url, reason);
      }
      return { status: response.status, body: await response.text() };
    },
  };
}

function causeOf(error: Error): string {
  const cause = (error as { cause?: unknown }).cause;
  return cause instanceof Error ? `${error.message} (${cause.message})` : error.message;
}

export interface InProcessOptions {
  readonly handlers: HandlerRegistry;
  /** The client a handler gets: bound to the callback context so its calls carry depth and correlation. */
  clientFor(callback: CallbackContext): DataverseClient;
  readonly clock: () => Date;
  readonly logger: Logger;
  /**
   * What the host verifies when the request names no secret of its own. Requests normally carry the
   * endpoint's configured secret, which is then checked exactly as the real host checks it.
   */
  readonly secrets: WebhookAuthConfig;
}

export function inProcessTransport(options: InProcessOptions): WebhookTransport {
  return {
    async send(request, callback) {
      const url = new URL(request.url);
      const reply = await handleWebhook(
        {
          method: 'POST',
          url: `${url.pathname}${url.search}`,
          headers: { ...request.headers },
          body: Buffer.from(request.body, 'utf8'),
        },
        {
          client: options.clientFor(callback),
          clock: options.clock,
          logger: options.logger,
          secrets: request.auth ?? options.secrets,
          handlers: options.handlers,
        },
      );
      return { status: reply.status, body: reply.body };
    },
  };
}
