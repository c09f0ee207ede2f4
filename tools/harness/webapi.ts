/**
 * Xrm.WebApi over a DataverseClient, so a form script under test reads and writes the same data a
 * plugin test or the emulator sees. Shapes follow "Xrm.WebApi (Client API reference)":
 * https://learn.microsoft.com/power-apps/developer/model-driven-apps/clientapi/reference/xrm-webapi
 */
import type { DataverseClient, EntityRecord, QueryOptions } from '../../dataverse/client';
import { DataverseError, NotFoundError } from '../../dataverse/errors';
import { NoWebApiError, UnknownEntitySetError, UnsupportedQueryError } from './errors';

export interface EntitySetSource {
  readonly logicalName: string;
  readonly entitySetName: string;
}

/** What a Web API failure looks like to a form script: an Error with the numeric `errorCode`. */
export interface XrmErrorResponse extends Error {
  errorCode: number;
}

/** One call a form script made through the harness's Xrm.WebApi. */
export interface WebApiCall {
  operation: 'createRecord' | 'retrieveRecord' | 'retrieveMultipleRecords' | 'updateRecord' | 'deleteRecord';
  entityLogicalName: string;
  id?: string;
  options?: string;
}

type XrmPromise<T> = Xrm.Async.PromiseLike<T>;

/** Native promises plus the `fail`/`always` members Xrm's promise type declares. */
export function toXrmPromise<T>(promise: Promise<T>): XrmPromise<T> {
  const extras = {
    fail: (onRejected: (reason: Xrm.ErrorResponse) => unknown) => toXrmPromise(promise.catch(onRejected)),
    always: (callback: () => unknown) => toXrmPromise(promise.then(callback, callback)),
  };
  return Object.assign(promise, extras) as unknown as XrmPromise<T>;
}

// Dataverse error codes are 32-bit hex strings ("0x80040217"); Xrm.WebApi reports them as numbers.
function toXrmError(error: unknown): XrmErrorResponse {
  if (error instanceof DataverseError) {
    const parsed = error.code ? Number.parseInt(error.code, 16) : Number.NaN;
    return Object.assign(new Error(error.message), {
      errorCode: Number.isNaN(parsed) ? error.status : parsed,
    });
  }
  if (error instanceof Error) return Object.assign(error, { errorCode: 0 });
  return Object.assign(new Error(String(error)), { errorCode: 0 });
}

/** Splits `?$select=a,b&$filter=x eq 'a&b'` on the `&` that separate options, not those inside quotes. */
export function parseODataOptions(options: string | undefined): Map<string, string> {
  const result = new Map<string, string>();
  if (!options) return result;
  const text = options.startsWith('?') ? options.slice(1) : options;
  const parts: string[] = [];
  let current = '';
  let inQuote = false;
  for (const ch of text) {
    if (ch === "'") inQuote = !inQuote;
    if (ch === '&' && !inQuote) {
      parts.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  parts.push(current);
  for (const part of parts) {
    if (!part) continue;
    const eq = part.indexOf('=');
    if (eq < 0) throw new UnsupportedQueryError(options, `'${part}' is not name=value`);
    const raw = part.slice(eq + 1);
    let value = raw;
    try {
      value = decodeURIComponent(raw);
    } catch {
      // Xrm.WebApi accepts unencoded text too: keep it as written.
    }
    result.set(part.slice(0, eq), value);
  }
  return result;
}

/** Translates retrieveMultipleRecords options into the DataverseClient's QueryOptions. */
export function toQueryOptions(options: string | undefined, maxPageSize?: number): QueryOptions {
  const parsed = parseODataOptions(options);
  const query: QueryOptions = {};
  for (const [name, value] of parsed) {
    switch (name) {
      case '$select':
        query.select = value
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean);
        break;
      case '$filter':
        query.filter = value;
        break;
      case '$orderby':
        query.orderBy = value
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean);
        break;
      case '$top': {
        const top = Number(value);
        if (!Number.isInteger(top) || top < 0)
          throw new UnsupportedQueryError(options ?? '', `$top=${value} is not a whole number`);
        query.top = top;
        break;
      }
      default:
        throw new UnsupportedQueryError(
          options ?? '',
          `${name} is not supported (use $select, $filter, $orderby, $top or fetchXml)`,
        );
    }
  }
  if (maxPageSize !== undefined) query.pageSize = maxPageSize;
  return query;
}

export interface HarnessWebApi extends Xrm.WebApi {
  /** Every call the form script made, in order. */
  readonly calls: WebApiCall[];
}

function buildWebApi(
  calls: WebApiCall[],
  run: <T>(call: WebApiCall, work: () => Promise<T>) => XrmPromise<T>,
  impl: {
    create(logicalName: string, record: EntityRecord): Promise<string>;
    retrieve(logicalName: string, id: string, options?: string): Promise<EntityRecord>;
    retrieveMultiple(logicalName: string, options?: string, maxPageSize?: number): Promise<EntityRecord[]>;
    update(logicalName: string, id: string, record: EntityRecord): Promise<void>;
    delete(logicalName: string, id: string): Promise<void>;
  },
): HarnessWebApi {
  const api: Xrm.WebApiOffline = {
    createRecord: (entityLogicalName: string, record: EntityRecord) =>
      run({ operation: 'createRecord', entityLogicalName }, async () => ({
        entityType: entityLogicalName,
        id: await impl.create(entityLogicalName, record),
      })),
    retrieveRecord: <T>(entityLogicalName: string, id: string, options?: string) =>
      run(
        { operation: 'retrieveRecord', entityLogicalName, id, options },
        async () => (await impl.retrieve(entityLogicalName, id, options)) as T,
      ),
    retrieveMultipleRecords: <T>(entityLogicalName: string, options?: string, maxPageSize?: number) =>
      run({ operation: 'retrieveMultipleRecords', entityLogicalName, options }, async () => {
        // The DataverseClient follows every nextLink, so the whole result comes back as one page.
        const entities = (await impl.retrieveMultiple(entityLogicalName, options, maxPageSize)) as T[];
        return { entities } as Xrm.RetrieveMultipleResult<T>;
      }),
    updateRecord: (entityLogicalName: string, id: string, data: EntityRecord) =>
      run({ operation: 'updateRecord', entityLogicalName, id }, async () => {
        await impl.update(entityLogicalName, id, data);
        return { entityType: entityLogicalName, id };
      }),
    deleteRecord: (entityLogicalName: string, id: string) =>
      run({ operation: 'deleteRecord', entityLogicalName, id }, async () => {
        await impl.delete(entityLogicalName, id);
        return id;
      }),
    isAvailableOffline: () => false,
  };
  const online: Xrm.WebApiOnline = {
    ...api,
    execute: () =>
      toXrmPromise(
        Promise.reject(new UnsupportedQueryError('execute', 'Xrm.WebApi.online.execute is not emulated')),
      ),
    executeMultiple: () =>
      toXrmPromise(
        Promise.reject(
          new UnsupportedQueryError('executeMultiple', 'Xrm.WebApi.online.executeMultiple is not emulated'),
        ),
      ),
  };
  return { ...api, online, offline: api, calls };
}

function recorder(calls: WebApiCall[]) {
  return <T>(call: WebApiCall, work: () => Promise<T>): XrmPromise<T> => {
    calls.push(call);
    return toXrmPromise(work().catch((error: unknown) => Promise.reject(toXrmError(error))));
  };
}

/**
 * Xrm.WebApi backed by a DataverseClient. `tables` maps logical names (what Xrm.WebApi takes) to
 * entity sets (what the DataverseClient takes): pass the generated table constants.
 */
export function xrmWebApiFromClient(
  client: DataverseClient,
  tables: readonly EntitySetSource[],
): HarnessWebApi {
  const sets = new Map(tables.map((t) => [t.logicalName, t.entitySetName]));
  const setOf = (logicalName: string): string => {
    const set = sets.get(logicalName);
    if (!set) throw new UnknownEntitySetError(logicalName);
    return set;
  };
  const calls: WebApiCall[] = [];
  return buildWebApi(calls, recorder(calls), {
    create: async (logicalName, record) => client.create(setOf(logicalName), record),
    retrieve: async (logicalName, id, options) => {
      const select = toQueryOptions(options).select;
      const record = await client.retrieve(setOf(logicalName), id, select);
      // Same text and code (0x80040217, object does not exist) as the Web API gives for a missing row.
      if (!record) throw new NotFoundError(`${logicalName} With Id = ${id} Does Not Exist`, '0x80040217');
      return record;
    },
    retrieveMultiple: async (logicalName, options, maxPageSize) => {
      const parsed = parseODataOptions(options);
      const fetchXml = parsed.get('fetchXml');
      if (fetchXml !== undefined) return client.fetchXml(setOf(logicalName), fetchXml);
      return client.retrieveMultiple(setOf(logicalName), toQueryOptions(options, maxPageSize));
    },
    update: async (logicalName, id, record) => client.update(setOf(logicalName), id, record),
    delete: async (logicalName, id) => client.delete(setOf(logicalName), id),
  });
}

/** The Xrm.WebApi a form gets when the test gave none: every call fails, saying how to give one. */
export function missingWebApi(): HarnessWebApi {
  const calls: WebApiCall[] = [];
  const fail = (operation: string, logicalName: string): Promise<never> =>
    Promise.reject(new NoWebApiError(operation, logicalName));
  return buildWebApi(calls, recorder(calls), {
    create: (logicalName) => fail('createRecord', logicalName),
    retrieve: (logicalName) => fail('retrieveRecord', logicalName),
    retrieveMultiple: (logicalName) => fail('retrieveMultipleRecords', logicalName),
    update: (logicalName) => fail('updateRecord', logicalName),
    delete: (logicalName) => fail('deleteRecord', logicalName),
  });
}

export function isXrmWebApi(value: DataverseClient | Xrm.WebApi): value is Xrm.WebApi {
  return typeof (value as Partial<Xrm.WebApi>).retrieveMultipleRecords === 'function';
}
