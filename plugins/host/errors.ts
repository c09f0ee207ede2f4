/**
 * Failures of the webhook host itself (the request) and of handlers (the work). Each carries the HTTP
 * status the host answers with, so the mapping lives next to the reason.
 */

/** The request cannot be processed as sent; `status` is the answer Dataverse (or the caller) receives. */
export class WebhookRequestError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = 'WebhookRequestError';
  }
}

/** 401: the webhook secret is missing or wrong. The message names what was expected, never the value. */
export class WebhookAuthError extends WebhookRequestError {
  constructor(message: string) {
    super(message, 401);
    this.name = 'WebhookAuthError';
  }
}

/** 500: the host's own secret configuration is unusable (for example an empty key); fixed by the admin. */
export class WebhookConfigError extends WebhookRequestError {
  constructor(message: string) {
    super(`The webhook host is misconfigured: ${message}`, 500);
    this.name = 'WebhookConfigError';
  }
}

/** 400: the body is not a RemoteExecutionContext the host can use. */
export class MalformedPayloadError extends WebhookRequestError {
  constructor(message: string) {
    super(message, 400);
    this.name = 'MalformedPayloadError';
  }
}

/** 400: the URL's solution segment is not valid percent-encoding (`/api/webhook/%ZZ`). */
export class BadWebhookPathError extends WebhookRequestError {
  constructor(readonly segment: string) {
    super(
      `The webhook URL segment '${segment}' is not valid percent-encoding; use /api/webhook/<SolutionName>.`,
      400,
    );
    this.name = 'BadWebhookPathError';
  }
}

/** 413: the body is over the host's limit. */
export class PayloadTooLargeError extends WebhookRequestError {
  constructor(
    readonly sizeBytes: number,
    readonly limitBytes: number,
  ) {
    super(
      `The request body is ${sizeBytes} bytes; the webhook host accepts at most ${limitBytes} bytes.`,
      413,
    );
    this.name = 'PayloadTooLargeError';
  }
}

/** 415: the body is not declared as JSON. */
export class UnsupportedMediaTypeError extends WebhookRequestError {
  constructor(readonly contentType: string | undefined) {
    super(
      `Content-Type must be application/json (a charset parameter is allowed); got ${contentType ? `'${contentType}'` : 'none'}.`,
      415,
    );
    this.name = 'UnsupportedMediaTypeError';
  }
}

/** 405: the webhook route only accepts POST. */
export class MethodNotAllowedError extends WebhookRequestError {
  constructor(readonly method: string) {
    super(`The webhook accepts POST only; got ${method}.`, 405);
    this.name = 'MethodNotAllowedError';
  }
}

/** Base of the errors a handler throws on purpose to choose how Dataverse sees the failure. */
export class HandlerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HandlerError';
  }
}

/**
 * The record breaks a business rule: for a synchronous step this fails the save, and the message is what
 * the user is told. Answered with 422 (not retried: Dataverse retries only 502/503/504).
 */
export class ValidationRefusal extends HandlerError {
  constructor(
    message: string,
    /** The column at fault, when there is one: logged with the refusal. */
    readonly column?: string,
  ) {
    super(message);
    this.name = 'ValidationRefusal';
  }
}

/** A dependency outside Dataverse is briefly unavailable: answered with 503 so Dataverse tries once more. */
export class RetryLater extends HandlerError {
  constructor(message: string) {
    super(message);
    this.name = 'RetryLater';
  }
}

/** A handler asked for a value the payload does not hold in the expected type. */
export class AttributeTypeError extends HandlerError {
  constructor(
    readonly entity: string,
    readonly attribute: string,
    readonly expected: string,
    readonly actual: string,
  ) {
    super(`Column '${attribute}' of ${entity} holds ${actual}, not ${expected}.`);
    this.name = 'AttributeTypeError';
  }
}

/** A handler threw: carries which one, so the answer and the log name the code at fault. */
export class HandlerFailure extends Error {
  constructor(
    readonly handlerKey: string,
    readonly solution: string,
    cause: unknown,
  ) {
    super(
      `${solution} handler ${handlerKey} failed: ${cause instanceof Error ? cause.message : String(cause)}`,
      {
        cause,
      },
    );
    this.name = 'HandlerFailure';
  }
}
