/** Failures the adapters detect themselves, before or instead of an HTTP answer. */
import { DataverseError } from '../errors';

/** A RecordKey that cannot become a Web API key segment (not a GUID, an empty alternate key…). */
export class InvalidRecordKeyError extends Error {
  constructor(
    readonly entitySet: string,
    message: string,
  ) {
    super(`Invalid key for ${entitySet}: ${message}`);
    this.name = 'InvalidRecordKeyError';
  }
}

/**
 * No HTTP answer at all (connection refused, DNS failure, TLS failure, timeout). Carries status 503 because,
 * for a caller, it means what 503 means: Dataverse was not available, so `isRetryable` holds. `failFast`
 * marks the failures waiting cannot fix (nothing listening, no such host, a certificate refused): a
 * command stops at once on those instead of retrying for minutes.
 */
export class DataverseUnreachableError extends DataverseError {
  readonly failFast: boolean;
  constructor(
    readonly url: string,
    readonly reason: string,
    /** Node's error code, e.g. ECONNREFUSED, ENOTFOUND, CERT_HAS_EXPIRED, ETIMEDOUT. */
    readonly errno?: string,
  ) {
    super(`Dataverse at ${url} could not be reached: ${reason}`, 503);
    this.name = 'DataverseUnreachableError';
    this.failFast = errno !== undefined && !TRANSIENT_NETWORK_CODES.has(errno);
  }
}

/** Network failures that may pass by themselves: a timeout or a connection dropped mid-way. */
export const TRANSIENT_NETWORK_CODES: ReadonlySet<string> = new Set([
  'ETIMEDOUT',
  'ESOCKETTIMEDOUT',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_SOCKET',
]);

/** The runtime's API cannot do what was asked (PCF has no action support, Xrm has no $batch upsert…). */
export class UnsupportedOperationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnsupportedOperationError';
  }
}

/**
 * Xrm.WebApi and PCF webAPI address tables by logical name; the entity set given has no known mapping.
 * The fix: add the table to the adapter's `tables` option (`tableNamesFrom([...])` over dataverse/generated).
 * The message stays short because every form script ships it.
 */
export class UnknownEntitySetError extends Error {
  constructor(readonly entitySet: string) {
    super(`No table is known for entity set '${entitySet}': add it to the adapter's 'tables' option.`);
    this.name = 'UnknownEntitySetError';
  }
}

/** A batch that cannot be sent as asked (too many operations for one changeset, an empty operation…). */
export class InvalidBatchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidBatchError';
  }
}

/**
 * A function parameter that cannot be written as a Web API literal ("Use Web API functions"): NaN, an
 * invalid Date, a list of mixed types, a value inside a complex type that JSON cannot carry… Thrown
 * before anything is sent; the message names the function, the parameter, and what is wrong with it.
 */
export class InvalidFunctionParameterError extends Error {
  constructor(
    readonly functionName: string,
    readonly parameter: string,
    readonly reason: string,
  ) {
    super(`Cannot send parameter '${parameter}' of ${functionName}: ${reason}.`);
    this.name = 'InvalidFunctionParameterError';
  }
}
