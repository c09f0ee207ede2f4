/**
 * The emulator's failures, one class per kind, each carrying the HTTP status and Dataverse error
 * code the real Web API answers with, so the HTTP layer only serialises them
 * (`{"error":{"code":"0x…","message":"…"}}`, "Compose HTTP requests and handle errors") and the
 * in-process client can throw them as they are: they extend the shared `dataverse/errors.ts` classes.
 */
import {
  ConcurrencyError,
  DataverseError,
  DuplicateRecordError,
  NotFoundError,
  ThrottledError,
} from '../../../dataverse/errors';

/** Dataverse error codes the emulator answers with (hex, as the Web API writes them). */
export const ErrorCodes = {
  /** OData URL/query problems: unknown segment, unknown property, unsupported option. */
  ODataParse: '0x80060888',
  /** "… With Id = … Does Not Exist" */
  DoesNotExist: '0x80040217',
  /** If-Match etag differs from the record's version. */
  ConcurrencyVersionMismatch: '0x80060882',
  /** Duplicate alternate key, or If-None-Match: * on an existing record. */
  DuplicateKey: '0x80060892',
  /** Create with a primary key that is already used. */
  DuplicatePrimaryKey: '0x80040237',
  /** Length, range and choice validation. */
  Validation: '0x80044331',
  /** The JSON payload does not match the column types. */
  InvalidPayload: '0x80048d19',
  InvalidArgument: '0x80040203',
  /** A synchronous step cancelled the operation. */
  PluginAborted: '0x80040265',
  /** Depth above 8: a handler keeps triggering itself. */
  InfiniteLoop: '0x80044182',
  CannotDeleteDueToAssociation: '0x80040227',
  Unexpected: '0x80040216',
  /** Service protection: number of requests. */
  ThrottledRequests: '0x80072322',
  /** Service protection: concurrent requests. */
  ThrottledConcurrency: '0x80072326',
  /** More than 500 conditions (and link-entities) in one query: TooManyConditionsInQuery. */
  TooManyConditions: '0x8004430C',
  /** More than 15 link-entities in one query: TooManyLinkEntitiesInQuery. */
  TooManyLinkEntities: '0x8004430D',
  /** The caller lacks a privilege its security roles would need (prvWrite…): PrivilegeDenied. */
  PrivilegeDenied: '0x80040220',
  /** The request body is larger than the server accepts. */
  RequestTooLarge: '0x80048d19',
} as const;

/**
 * Dataverse's structural query limits, from "Join tables using FetchXml" (at most 15 link-entity
 * elements) and "Filter rows using FetchXml" / "Filter rows" for the Web API (at most 500 condition
 * and link-entity elements): the emulator refuses the same queries before running them, which also
 * keeps one pathological query from holding the (synchronous) SQLite connection.
 */
export const QUERY_LIMITS = { linkEntities: 15, conditions: 500 } as const;

/** A query over Dataverse's limits on link-entities or conditions. */
export class QueryLimitError extends DataverseError {
  constructor(
    readonly limit: 'linkEntities' | 'conditions',
    readonly found: number,
  ) {
    super(
      limit === 'linkEntities'
        ? `Number of link entities in query exceeded maximum limit. (${found} found; at most ${QUERY_LIMITS.linkEntities}.)`
        : `Number of conditions in query exceeded maximum limit. (${found} found; at most ${QUERY_LIMITS.conditions}: ` +
            'use the In operator or Microsoft.Dynamics.CRM.In for long lists of values.)',
      400,
      limit === 'linkEntities' ? ErrorCodes.TooManyLinkEntities : ErrorCodes.TooManyConditions,
    );
    this.name = 'QueryLimitError';
  }
}

/** A table name (logical or entity set) the metadata does not know. */
export class UnknownTableError extends NotFoundError {
  constructor(readonly segment: string) {
    super(`Resource not found for the segment '${segment}'.`, ErrorCodes.ODataParse);
    this.name = 'UnknownTableError';
  }
}

/** A property the table does not have (in a payload, $select, $filter, $orderby or a key). */
export class UnknownColumnError extends DataverseError {
  constructor(
    readonly table: string,
    readonly property: string,
    hint?: string,
  ) {
    super(
      `Could not find a property named '${property}' on type 'Microsoft.Dynamics.CRM.${table}'.${hint ? ` ${hint}` : ''}`,
      400,
      ErrorCodes.ODataParse,
    );
    this.name = 'UnknownColumnError';
  }
}

/** A value of the wrong JSON type for its column. */
export class InvalidValueError extends DataverseError {
  constructor(
    readonly table: string,
    readonly column: string,
    readonly expectedType: string,
    readonly value: unknown,
  ) {
    super(
      `Error identified in Payload provided by the user for Entity :'${table}'. ` +
        `Cannot convert the literal '${literal(value)}' to the expected type '${expectedType}' for the property '${column}'.`,
      400,
      ErrorCodes.InvalidPayload,
    );
    this.name = 'InvalidValueError';
  }
}

/** A value of the right type outside what the column allows (length, range, choice). */
export class ValidationError extends DataverseError {
  constructor(
    message: string,
    readonly table: string,
    readonly column: string,
  ) {
    super(`A validation error occurred. ${message}`, 400, ErrorCodes.Validation);
    this.name = 'ValidationError';
  }
}

/** The record (by id or alternate key) does not exist. */
export class RecordNotFoundError extends NotFoundError {
  constructor(
    readonly table: string,
    readonly key: string,
    byAlternateKey = false,
  ) {
    super(
      byAlternateKey
        ? `A record with the specified key values does not exist in ${table} entity (${key}).`
        : `${table} With Id = ${key} Does Not Exist`,
      ErrorCodes.DoesNotExist,
    );
    this.name = 'RecordNotFoundError';
  }
}

/** `If-Match: <etag>` no longer matches: someone changed the record since it was read. */
export class EtagMismatchError extends ConcurrencyError {
  constructor(
    readonly table: string,
    readonly id: string,
    readonly expected: string,
    readonly actual: string,
  ) {
    super(
      `The version of the existing record doesn't match the RowVersion property provided. ` +
        `(${table} ${id}: If-Match ${expected}, current ${actual}; read the record again and retry.)`,
      ErrorCodes.ConcurrencyVersionMismatch,
    );
    this.name = 'EtagMismatchError';
  }
}

/** A record with the same alternate key values, or the same id, already exists. */
export class DuplicateKeyError extends DuplicateRecordError {
  constructor(
    readonly table: string,
    readonly keyName: string,
    readonly values: string,
    code: string = ErrorCodes.DuplicateKey,
  ) {
    super(`A record with matching key values already exists. (${table}, key ${keyName}: ${values})`, code);
    this.name = 'DuplicateKeyError';
  }
}

/** Delete refused by a Restrict relationship: children must be removed or re-parented first. */
export class RestrictDeleteError extends DataverseError {
  constructor(
    readonly table: string,
    readonly id: string,
    readonly relationship: string,
    readonly childTable: string,
    readonly childCount: number,
  ) {
    super(
      `The object you tried to delete is associated with another object and cannot be deleted. ` +
        `(${table} ${id} is referenced by ${childCount} ${childTable} record(s) through ${relationship}, whose delete behaviour is Restrict.)`,
      400,
      ErrorCodes.CannotDeleteDueToAssociation,
    );
    this.name = 'RestrictDeleteError';
  }
}

/** A query the emulator (or Dataverse) cannot run: bad $filter, $skip, bad $orderby, bad paging token. */
export class QueryError extends DataverseError {
  constructor(message: string, code: string = ErrorCodes.ODataParse) {
    super(message, 400, code);
    this.name = 'QueryError';
  }
}

/** A request whose shape is wrong (bad key, bad bind, missing action parameter). */
export class BadRequestError extends DataverseError {
  constructor(message: string, code: string = ErrorCodes.InvalidArgument) {
    super(message, 400, code);
    this.name = 'BadRequestError';
  }
}

/**
 * A function's record parameter is no reference to a record of a known table. "Use Web API functions"
 * passes one as a JSON object in a parameter alias: `Target=@t?@t={"@odata.id":"accounts(<id>)"}`.
 */
export class InvalidEntityReferenceError extends BadRequestError {
  constructor(
    readonly parameter: string,
    readonly value: unknown,
    reason: string,
  ) {
    super(
      `The function parameter '${parameter}' must reference a record as {"@odata.id":"<entityset>(<id>)"}` +
        ` (e.g. {"@odata.id":"accounts(00000000-0000-0000-0000-000000000001)"}): ${reason}. Got ${JSON.stringify(value)}.`,
    );
    this.name = 'InvalidEntityReferenceError';
  }
}

/** A synchronous pipeline handler refused the operation; the transaction was rolled back. */
export class PluginExecutionError extends DataverseError {
  constructor(
    message: string,
    readonly handlerError: unknown,
  ) {
    super(message, 400, ErrorCodes.PluginAborted);
    this.name = 'PluginExecutionError';
  }
}

/** Nested operations went deeper than Dataverse allows (8): a handler keeps triggering itself. */
export class InfiniteLoopError extends DataverseError {
  constructor(
    readonly depth: number,
    readonly operation: string,
  ) {
    super(
      `This workflow job was canceled because the workflow that started it included an infinite loop. ` +
        `(${operation} reached depth ${depth}; the maximum is 8. A handler probably updates the record that triggers it.)`,
      400,
      ErrorCodes.InfiniteLoop,
    );
    this.name = 'InfiniteLoopError';
  }
}

/** An action name nobody registered. */
export class UnknownActionError extends NotFoundError {
  constructor(readonly action: string) {
    super(`Resource not found for the segment '${action}'.`, ErrorCodes.ODataParse);
    this.name = 'UnknownActionError';
  }
}

/** A write waited too long for the write lock (typically a synchronous webhook calling back over HTTP to write). */
export class LockTimeoutError extends DataverseError {
  constructor(readonly waitedMs: number) {
    super(
      `The operation waited ${waitedMs} ms for another write to finish and gave up. ` +
        `A synchronous step that writes back through the Web API while its own operation is open would deadlock on real Dataverse too.`,
      503,
      ErrorCodes.Unexpected,
    );
    this.name = 'LockTimeoutError';
  }
}

/** Service protection limit reached (HTTP 429 with Retry-After). */
export class ServiceProtectionError extends ThrottledError {
  constructor(message: string, retryAfterSeconds: number, code: string) {
    super(message, retryAfterSeconds, code);
    this.name = 'ServiceProtectionError';
  }
}

function literal(value: unknown): string {
  if (typeof value === 'string') return value;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/** The emulator was given a time zone (`IDEARIO_TIME_ZONE`, `timeZone` option) the runtime does not know. */
export class UnknownTimeZoneError extends DataverseError {
  constructor(readonly zone: string) {
    super(
      `The time zone '${zone}' is not an IANA time zone name; use one such as 'Europe/Madrid' or 'UTC' (IDEARIO_TIME_ZONE).`,
      400,
      ErrorCodes.InvalidArgument,
    );
    this.name = 'UnknownTimeZoneError';
  }
}

/** The emulator was given a base currency (`IDEARIO_CURRENCY`, `--currency`) that is not an ISO 4217 code. */
export class UnknownCurrencyError extends DataverseError {
  constructor(readonly currency: string) {
    super(
      `The currency '${currency}' is not an ISO 4217 currency code; use one such as 'EUR' or 'USD' (IDEARIO_CURRENCY).`,
      400,
      ErrorCodes.InvalidArgument,
    );
    this.name = 'UnknownCurrencyError';
  }
}

/** A user's usersettings.timezonecode is a Windows time zone index the emulator has no IANA zone for. */
export class UnsupportedTimeZoneCodeError extends DataverseError {
  constructor(
    readonly timeZoneCode: number,
    known: readonly number[],
  ) {
    super(
      `The user's time zone code ${timeZoneCode} (usersettings.timezonecode) is not one the emulator knows; use one of ${known.join(', ')} (e.g. 105 Romance Standard Time, Madrid) or add it to tools/emulator/engine/timezones.ts.`,
      400,
      ErrorCodes.InvalidArgument,
    );
    this.name = 'UnsupportedTimeZoneCodeError';
  }
}

/** A user's usersettings.localeid is a region the emulator has no date and number formats for. */
export class UnsupportedLocaleError extends DataverseError {
  constructor(
    readonly localeId: number,
    known: readonly number[],
  ) {
    super(
      `The user's locale ${localeId} (usersettings.localeid) is not one of the ${known.length} Windows locale ids the emulator knows (e.g. 1033 English (United States), 3082 Spanish (Spain), 1036 French (France), 2057 English (United Kingdom)), or add its BCP 47 tag to LOCALE_TAGS in tools/emulator/engine/formats.ts.`,
      400,
      ErrorCodes.InvalidArgument,
    );
    this.name = 'UnsupportedLocaleError';
  }
}
