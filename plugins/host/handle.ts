/**
 * The webhook host without a runtime: verify -> parse -> dispatch -> answer. The Node server, the Azure
 * Functions app and the emulator's in-process harness all call `handleWebhook`.
 *
 * Status codes follow "Use webhooks to create external handlers for server events" (Troubleshoot):
 * Dataverse reads only the status; non-2xx fails a synchronous save or the asynchronous System Job, and
 * it tries once more only on 502, 503 and 504. So:
 * - 200 when the work is done, or when no handler is registered (nothing to do is not a failure);
 * - 503 when a retry can succeed (throttling or a 5xx from Dataverse, or a handler's RetryLater);
 * - 422 for a ValidationRefusal: the record breaks a business rule, the body is the sentence for the user
 *   (a synchronous step fails the save and Dataverse shows its generic webhook error with the response);
 *   422 rather than 400 keeps "the payload was malformed" (400, an integration bug) apart in the logs;
 * - 500 for any other handler failure, with the handler's message, which is what a person acts on;
 * - 401/405/413/415/400 for requests that are not authentic or not a RemoteExecutionContext.
 */
import type { DataverseClient } from '../../dataverse/client';
import { isRetryable } from '../../dataverse/errors';
import type { Logger } from '../../dataverse/logger';
import { SOLUTION_NAMES, type HandlerRegistry } from '../registry';
import { describeContext, dispatch, withLogContext } from './dispatch';
import {
  AttributeTypeError,
  BadWebhookPathError,
  HandlerFailure,
  MethodNotAllowedError,
  RetryLater,
  ValidationRefusal,
  WebhookRequestError,
} from './errors';
import { MAX_BODY_BYTES, parseWebhookRequest, type ExecutionContext } from './parse';
import { verifyRequest, type WebhookAuthConfig } from './verify';

export interface WebhookRequest {
  method: string;
  /** Path and query as received, e.g. `/api/webhook/IdearioInterests?code=…`. */
  url: string;
  headers: Record<string, string | undefined>;
  body: Buffer;
}

export interface WebhookResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface WebhookDeps {
  client: DataverseClient;
  clock: () => Date;
  logger: Logger;
  secrets: WebhookAuthConfig;
  handlers: HandlerRegistry;
  /** Largest body accepted; 1 MiB unless a test needs otherwise. */
  maxBodyBytes?: number;
}

const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8' };

function answer(status: number, body: Record<string, unknown>): WebhookResponse {
  return { status, headers: { ...JSON_HEADERS }, body: JSON.stringify(body) };
}

/** Node delivers lower-case header names; other callers may not. */
function lowerCaseHeaders(headers: Record<string, string | undefined>): Record<string, string | undefined> {
  const result: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(headers)) result[name.toLowerCase()] = value;
  return result;
}

/**
 * `/api/webhook/IdearioGroupQuotes` routes to that solution's handlers only: each solution ships its own
 * service endpoint, and both register `Create.opportunity`, so the URL tells them apart.
 */
export function solutionFromUrl(url: string): { solution?: string } | { unknown: string } {
  const segments = new URL(url, 'http://webhook.invalid').pathname.split('/').filter(Boolean);
  const at = segments.lastIndexOf('webhook');
  const candidate = at >= 0 ? segments[at + 1] : undefined;
  if (candidate === undefined) return {};
  let decoded: string;
  try {
    decoded = decodeURIComponent(candidate);
  } catch {
    throw new BadWebhookPathError(candidate);
  }
  const solution = SOLUTION_NAMES.find((s) => s.toLowerCase() === decoded.toLowerCase());
  return solution ? { solution } : { unknown: candidate };
}

export async function handleWebhook(request: WebhookRequest, deps: WebhookDeps): Promise<WebhookResponse> {
  const started = deps.clock().getTime();
  const headers = lowerCaseHeaders(request.headers);
  let logger = withLogContext(deps.logger, {
    requestId: headers['x-request-id'],
    correlationId: headers['x-ms-correlation-request-id'],
  });
  let ctx: ExecutionContext | undefined;
  try {
    if (request.method.toUpperCase() !== 'POST') throw new MethodNotAllowedError(request.method);
    verifyRequest({ url: request.url, headers }, deps.secrets);
    const route = solutionFromUrl(request.url);
    if ('unknown' in route) {
      return answer(404, {
        ok: false,
        error: `Unknown solution '${route.unknown}' in the webhook URL; use one of ${SOLUTION_NAMES.join(', ')} or none.`,
      });
    }
    ctx = parseWebhookRequest({ headers, body: request.body }, deps.maxBodyBytes ?? MAX_BODY_BYTES);
    logger = withLogContext(logger, { step: describeContext(ctx), primaryEntityId: ctx.primaryEntityId });
    if (ctx.sizeExceeded)
      logger.warn('Dataverse trimmed the payload (over 256 KB): handlers re-read the record.');
    const outcome = await dispatch(
      ctx,
      deps.handlers,
      { client: deps.client, clock: deps.clock, logger },
      route.solution,
    );
    const durationMs = deps.clock().getTime() - started;
    if (outcome.kind === 'unhandled')
      return answer(200, { ok: true, handled: [], note: outcome.description });
    logger.info('Webhook handled.', { handled: outcome.keys, durationMs });
    return answer(200, { ok: true, handled: outcome.keys });
  } catch (error) {
    return failure(error, logger);
  }
}

function failure(error: unknown, logger: Logger): WebhookResponse {
  if (error instanceof WebhookRequestError) {
    const line = `Webhook request refused: ${error.message}`;
    if (error.status >= 500) logger.error(line, { status: error.status });
    else logger.warn(line, { status: error.status });
    return answer(error.status, { ok: false, error: error.message });
  }
  const cause = error instanceof HandlerFailure ? error.cause : error;
  const message = error instanceof Error ? error.message : String(error);
  if (cause instanceof AttributeTypeError) {
    // The context carries a column value of another type than the column has: a malformed request.
    logger.warn('Webhook payload holds a value of the wrong type.', { error: message });
    return answer(400, { ok: false, error: message });
  }
  if (cause instanceof ValidationRefusal) {
    logger.warn('Handler refused the record.', { error: cause.message, column: cause.column });
    return answer(422, { ok: false, error: cause.message });
  }
  if (cause instanceof RetryLater || isRetryable(cause)) {
    logger.warn('Handler hit a temporary failure; answering 503 so Dataverse retries once.', {
      error: message,
    });
    return answer(503, { ok: false, error: message, retryable: true });
  }
  logger.error('Handler failed.', {
    error: message,
    stack: cause instanceof Error ? cause.stack : undefined,
  });
  return answer(500, { ok: false, error: message });
}
