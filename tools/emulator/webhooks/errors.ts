/**
 * Failures of webhook delivery, one class per kind. A synchronous step's failure is a
 * `PluginExecutionError` (400, 0x80040265, "ISV code aborted the operation"), which is what the Web
 * API answers when a synchronous step fails the save; the pipeline passes it to the caller unchanged,
 * with the status of the webhook's answer but not its body, as Dataverse does.
 */
import { PluginExecutionError } from '../engine/errors';

/** What the endpoint answered, kept for the error message and the system job. */
export interface WebhookReplySummary {
  readonly status: number;
  /** The endpoint's own explanation: `error` of a JSON body, else the body's first 500 characters. */
  readonly detail: string;
}

/** Reads the reason a webhook host gave: Ideario's host answers `{"ok":false,"error":"…"}`. */
export function replyDetail(body: string): string {
  try {
    const parsed = JSON.parse(body) as unknown;
    if (
      typeof parsed === 'object' &&
      parsed !== null &&
      'error' in parsed &&
      typeof parsed.error === 'string'
    )
      return parsed.error;
  } catch {
    // Not JSON: the raw text is the best explanation there is.
  }
  return body.trim().slice(0, 500);
}

/**
 * A synchronous webhook step answered non-2xx (or could not be reached): the operation is rolled back.
 * The caller gets the status only, never the body: "The system cannot parse any data returned with the
 * body of the response, it will only look at the response StatusCode" ("Use webhooks to create external
 * handlers for server events", Troubleshoot). The body stays on `reply` for the emulator's log.
 */
export class WebhookStepFailedError extends PluginExecutionError {
  constructor(
    readonly stepName: string,
    readonly url: string,
    readonly reply: WebhookReplySummary,
  ) {
    super(
      `The webhook step '${stepName}' failed: ${describeStatus(reply)} from ${redactUrl(url)}. ` +
        `The operation was cancelled and rolled back, as Dataverse does when a synchronous webhook fails.`,
      reply,
    );
    this.name = 'WebhookStepFailedError';
  }
}

const STATUS_TEXT: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  422: 'Unprocessable Entity',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

/** What Dataverse can tell from an answer: its status; with no answer, why the connection failed. */
export function describeStatus(reply: WebhookReplySummary): string {
  if (reply.status === 0) return reply.detail ? `no answer (${reply.detail})` : 'no answer';
  const text = STATUS_TEXT[reply.status];
  return text ? `HTTP ${reply.status} (${text})` : `HTTP ${reply.status}`;
}

/** The endpoint could not be reached at all (connection refused, DNS, timeout). */
export class WebhookUnreachableError extends Error {
  constructor(
    readonly url: string,
    readonly reason: string,
  ) {
    super(
      `Could not reach the webhook at ${redactUrl(url)}: ${reason}. Is the webhook host running (ideario host), and is --webhook-url right?`,
    );
    this.name = 'WebhookUnreachableError';
  }
}

/** A step points at a service endpoint the metadata does not have, or one the emulator cannot post to. */
export class WebhookConfigurationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WebhookConfigurationError';
  }
}

export function describeReply(reply: WebhookReplySummary): string {
  const status = reply.status === 0 ? 'no answer' : `HTTP ${reply.status}`;
  return reply.detail ? `${status} (${reply.detail})` : status;
}

/** Secrets travel in the query string (`?code=`): never print them. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    for (const name of [...parsed.searchParams.keys()]) parsed.searchParams.set(name, '***');
    return parsed.toString();
  } catch {
    return url.replace(/\?.*$/, '');
  }
}
