/** One error type per failure kind a caller can act on differently. */

export class DataverseError extends Error {
  constructor(
    message: string,
    /** HTTP status the Web API answered. */
    readonly status: number,
    /** Dataverse error code (hex string like `0x80040217`) when the service gave one. */
    readonly code?: string,
  ) {
    super(message);
    this.name = 'DataverseError';
  }
}

/** 412 on `If-Match: <etag>`: somebody changed the record since it was read. Re-read and retry. */
export class ConcurrencyError extends DataverseError {
  constructor(message: string, code?: string) {
    super(message, 412, code);
    this.name = 'ConcurrencyError';
  }
}

/** 412 on `If-None-Match: *` or a duplicate alternate key: the record already exists. */
export class DuplicateRecordError extends DataverseError {
  constructor(message: string, code?: string) {
    super(message, 412, code);
    this.name = 'DuplicateRecordError';
  }
}

export class NotFoundError extends DataverseError {
  constructor(message: string, code?: string) {
    super(message, 404, code);
    this.name = 'NotFoundError';
  }
}

/** 429: service protection limits. `retryAfterSeconds` comes from the `Retry-After` header. */
export class ThrottledError extends DataverseError {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
    code?: string,
  ) {
    super(message, 429, code);
    this.name = 'ThrottledError';
  }
}

/** True for failures worth retrying later: throttling and 5xx from Dataverse. */
export function isRetryable(error: unknown): boolean {
  return error instanceof DataverseError && (error.status === 429 || error.status >= 500);
}
