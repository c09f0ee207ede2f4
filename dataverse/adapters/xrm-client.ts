/**
 * DataverseClient for form scripts, over the `Xrm.WebApi` object the caller hands in (from the form's
 * execution context or the test harness: never the global). Record operations go through the shared
 * record-API client; actions and atomic batches use `Xrm.WebApi.online`, which exists only online.
 * Non-atomic batches run operation by operation, because Xrm.WebApi has no $batch with upsert or If-Match.
 */
import type { DataverseClient, EntityRecord, RecordKey } from '../client';
import { DataverseError } from '../errors';
import { UnknownEntitySetError } from './errors';
import {
  createWebApiClient,
  type DataverseReader,
  type OnlineExecutor,
  queryString,
  type RecordWebApi,
  type TableNames,
  type Thenable,
  type WebApiClientOptions,
} from './webapi-client';

/** The parts of `Xrm.WebApi` used; the real object satisfies it. */
export interface XrmWebApiLike extends RecordWebApi {
  online?: OnlineExecutor;
}

/** The real `Xrm.WebApi`, through a constraint: tsc fails here if the adapter ever needs more than it offers. */
type Fits<T extends XrmWebApiLike> = T;
export type XrmWebApi = Fits<Xrm.WebApi>;

export function createXrmClient(webApi: XrmWebApiLike, options: WebApiClientOptions): DataverseClient {
  return createWebApiClient({ records: webApi, online: webApi.online, runtime: 'Xrm.WebApi' }, options);
}

/** "Record does not exist" (0x80040217) as Xrm.WebApi reports it: the hex code as a positive decimal. */
const NOT_FOUND_CODE = 0x80040217;

/** A key as Xrm.WebApi takes it in the id position: a GUID without braces, or `col='text',col2=5`. */
function keyText(key: RecordKey): string {
  if (typeof key === 'string') return key.replace(/[{}]/g, '');
  return Object.entries(key)
    .map(([c, v]) => `${c}=${typeof v === 'number' ? v : `'${encodeURIComponent(v.replace(/'/g, "''"))}'`}`)
    .join(',');
}

/**
 * Xrm's `{ errorCode, message }` as a DataverseError naming the request; anything else unchanged. A missing
 * record never gets here: `retrieve` answers null for it, so no NotFoundError ships in a form script.
 */
function readerError(raw: unknown, what: string): unknown {
  const error = raw as { errorCode?: unknown; message?: unknown } | null;
  if (typeof error?.errorCode !== 'number') return raw;
  return new DataverseError(
    `${what} failed: ${String(error.message)}`,
    0,
    `0x${(error.errorCode >>> 0).toString(16)}`,
  );
}

/** Web API JSON as the DataverseClient contract has it: columns and annotations with plain values. */
function plainRecord(raw: Record<string, unknown>): EntityRecord {
  const record: EntityRecord = {};
  for (const [key, value] of Object.entries(raw)) {
    // JSON holds no undefined, function or bigint: what is not an object is a string, number or boolean.
    if (value === null || typeof value !== 'object') record[key] = value as EntityRecord[string];
  }
  return record;
}

/** What the reader needs of each table: Xrm.WebApi addresses tables by logical name. */
export interface XrmReaderOptions {
  /** Entity set -> `{ logicalName }` (or the TableNames of `tableNamesFrom`) for the tables the form reads. */
  tables: Readonly<Record<string, Pick<TableNames, 'logicalName'>>>;
}

/**
 * Reads only, over `Xrm.WebApi`: for a form script that looks records up and writes none. Kept apart
 * from createWebApiReader so a form bundle stays small: failures come back as DataverseError without
 * the write path's finer error kinds, and a record that does not exist as null.
 */
export function createXrmReader(webApi: XrmWebApiLike, options: XrmReaderOptions): DataverseReader {
  /** One request on the table behind `entitySet`; Xrm's failures come back as DataverseError. */
  const call = async <T>(
    what: string,
    entitySet: string,
    send: (table: string) => Thenable<T>,
    missing?: T,
  ): Promise<T> => {
    const names = options.tables[entitySet];
    if (!names) throw new UnknownEntitySetError(entitySet);
    try {
      // `await` adopts a thenable as it is (Xrm.WebApi's promise may come from another frame).
      return await send(names.logicalName);
    } catch (error) {
      if (missing !== undefined && (error as { errorCode?: unknown } | null)?.errorCode === NOT_FOUND_CODE)
        return missing;
      throw readerError(error, what);
    }
  };
  return {
    async retrieve(entitySet, key, select) {
      const id = keyText(key);
      const options = queryString({ select }) || undefined;
      const row = await call(
        `Retrieve ${entitySet}(${id})`,
        entitySet,
        (table) => webApi.retrieveRecord(table, id, options),
        null,
      );
      return row && plainRecord(row);
    },

    async retrieveMultiple(entitySet, query = {}) {
      const result: EntityRecord[] = [];
      let next: string | undefined = queryString(query);
      do {
        const current = next;
        const page: Awaited<ReturnType<RecordWebApi['retrieveMultipleRecords']>> = await call(
          `Query ${entitySet}`,
          entitySet,
          (table) => webApi.retrieveMultipleRecords(table, current, query.pageSize),
        );
        result.push(...page.entities.map(plainRecord));
        // "retrieveMultipleRecords": pass the query part of nextLink unchanged as the next options.
        next = page.nextLink?.slice(page.nextLink.indexOf('?'));
      } while (next !== undefined && result.length < (query.top ?? Infinity));
      return result.slice(0, query.top);
    },
  };
}
