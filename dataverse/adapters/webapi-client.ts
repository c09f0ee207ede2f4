/**
 * DataverseClient over the browser record APIs: Xrm.WebApi (form scripts) and PCF `context.webAPI`.
 * Both address tables by logical name, take the key in the id position, return plain Web API JSON and
 * fail with `{ errorCode, message }` ("Xrm.WebApi (Client API reference)"; errorCode is the documented
 * hex code as a positive decimal). What they cannot do is emulated and says so:
 * - no If-Match: `update` with an etag re-reads the record and compares first (a narrow race remains);
 * - no upsert: create with the key columns set, then update when Dataverse reports a duplicate;
 * - no $batch: see executeBatch below.
 */
import type {
  BatchOperation,
  BatchResult,
  DataverseClient,
  EntityRecord,
  NewRecord,
  QueryOptions,
  RecordKey,
  UpsertOptions,
} from '../client';
import {
  ConcurrencyError,
  DataverseError,
  DuplicateRecordError,
  NotFoundError,
  ThrottledError,
} from '../errors';
import { InvalidBatchError, UnknownEntitySetError, UnsupportedOperationError } from './errors';
import { xrmFunctionParameter, type XrmParameterType } from './function-parameters';
import { describeRecord, formatKey, normalizeGuid } from './keys';
import { toEntityRecord } from './records';

/** The thenable both runtimes return (Xrm's own PromiseLike is not the standard one). */
export interface Thenable<T> {
  then(onFulfilled: (value: T) => void, onRejected: (error: unknown) => void): unknown;
}

/** The methods Xrm.WebApi and ComponentFramework.WebApi share. */
export interface RecordWebApi {
  createRecord(entityLogicalName: string, record: Record<string, unknown>): Thenable<{ id: string }>;
  retrieveRecord(entityLogicalName: string, id: string, options?: string): Thenable<Record<string, unknown>>;
  retrieveMultipleRecords(
    entityLogicalName: string,
    options?: string,
    maxPageSize?: number,
  ): Thenable<{ entities: Record<string, unknown>[]; nextLink?: string; fetchXmlPagingCookie?: string }>;
  updateRecord(entityLogicalName: string, id: string, data: Record<string, unknown>): Thenable<unknown>;
  deleteRecord(entityLogicalName: string, id: string): Thenable<unknown>;
}

/** A Response-like answer of Xrm.WebApi.online.execute. */
export interface ExecuteResponseLike {
  ok: boolean;
  status: number;
  headers?: { get(name: string): string | null };
  json(): Promise<unknown>;
}

/** Xrm.WebApi.online: actions and (in a changeset) CRUD requests. Absent offline and in PCF. */
export interface OnlineExecutor {
  execute(request: unknown): Thenable<ExecuteResponseLike>;
  executeMultiple?(requests: unknown[]): Thenable<ExecuteResponseLike[]>;
}

export interface TableNames {
  logicalName: string;
  primaryIdAttribute: string;
}

export interface WebApiClientOptions {
  /**
   * Entity set -> table names, for the tables the caller reads or writes (`tableNamesFrom([contact])`).
   * No default of every generated table: a form script would then ship all their metadata.
   */
  tables: Readonly<Record<string, TableNames>>;
}

/** Entity set -> names, from objects shaped like the constants of dataverse/generated. */
export function tableNamesFrom(tables: Iterable<unknown>): Record<string, TableNames> {
  const map: Record<string, TableNames> = {};
  for (const table of tables) {
    if (typeof table !== 'object' || table === null) continue;
    const t = table as Partial<Record<'logicalName' | 'entitySetName' | 'primaryIdAttribute', unknown>>;
    if (
      typeof t.logicalName === 'string' &&
      typeof t.entitySetName === 'string' &&
      typeof t.primaryIdAttribute === 'string'
    ) {
      map[t.entitySetName] = { logicalName: t.logicalName, primaryIdAttribute: t.primaryIdAttribute };
    }
  }
  return map;
}

const DUPLICATE_CODES = new Set(['0x80060892', '0x80040237']);
const NOT_FOUND_CODE = '0x80040217';
const CONCURRENCY_CODE = '0x80060882';
/** "Service protection API limits": requests, execution time, concurrent requests. */
const THROTTLING_CODES = new Set(['0x80072322', '0x80072321', '0x80072326']);

function hexCode(errorCode: unknown): string | undefined {
  if (typeof errorCode !== 'number' || !Number.isFinite(errorCode)) return undefined;
  return `0x${(errorCode >>> 0).toString(16).padStart(8, '0')}`;
}

function toPromise<T>(thenable: Thenable<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    thenable.then(resolve, reject);
  });
}

/**
 * Xrm reports no HTTP status, only the Dataverse code; an error that carries neither is passed through
 * unchanged (it is not a Dataverse answer). Status 0 marks "unknown" on the generic DataverseError.
 */
export function convertWebApiError(raw: unknown, what: string): unknown {
  if (typeof raw !== 'object' || raw === null || !('message' in raw)) return raw;
  const error = raw as { errorCode?: unknown; message?: unknown; status?: unknown };
  const code = hexCode(error.errorCode);
  const status = typeof error.status === 'number' ? error.status : undefined;
  if (code === undefined && status === undefined) return raw;
  const detail = typeof error.message === 'string' ? error.message : 'no message';
  if ((code && THROTTLING_CODES.has(code)) || status === 429) {
    return new ThrottledError(`${what}: Dataverse service protection limits reached. (${detail})`, 0, code);
  }
  if (code === CONCURRENCY_CODE)
    return new ConcurrencyError(`${what}: the record changed since it was read. (${detail})`, code);
  if ((code && DUPLICATE_CODES.has(code)) || status === 412) {
    return new DuplicateRecordError(`${what}: the record already exists. (${detail})`, code);
  }
  if (code === NOT_FOUND_CODE || status === 404)
    return new NotFoundError(`${what}: not found. (${detail})`, code);
  return new DataverseError(`${what} failed: ${detail}`, status ?? 0, code);
}

/** `$select`, `$filter`… as the options string the record APIs take (unencoded, as in their docs). */
export function queryString(query: QueryOptions): string {
  // An empty list or filter is left out, as an absent one; one table of options keeps form scripts small.
  const parts = Object.entries({
    $select: query.select?.join(','),
    $filter: query.filter,
    $orderby: query.orderBy?.join(','),
    $top: query.top,
  })
    .filter(([, value]) => value !== undefined && value !== '')
    .map(([option, value]) => `${option}=${value}`);
  return parts.length ? `?${parts.join('&')}` : '';
}

function xmlAttribute(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/**
 * The next page of a FetchXML query from the `fetchXmlPagingCookie` the record APIs return
 * (`<cookie pagenumber="2" pagingcookie="%253ccookie…">`): the inner cookie is URL-encoded twice.
 */
export function nextFetchXmlPage(fetchXml: string, pagingCookie: string, currentPage: number): string {
  const page = Number(/pagenumber="(\d+)"/.exec(pagingCookie)?.[1] ?? currentPage + 1);
  const inner = /pagingcookie="([^"]*)"/.exec(pagingCookie)?.[1];
  const cookie = inner === undefined ? undefined : decodeURIComponent(decodeURIComponent(inner));
  const bare = fetchXml.trim().replace(/^<fetch\b([^>]*)>/, (_all, attributes: string) => {
    const kept = attributes.replace(/\s(page|paging-cookie)=("[^"]*"|'[^']*')/g, '');
    const paging = ` page="${page}"${cookie === undefined ? '' : ` paging-cookie="${xmlAttribute(cookie)}"`}`;
    return `<fetch${kept}${paging}>`;
  });
  return bare;
}

/** Parameter metadata for Xrm.WebApi.online.execute, inferred from the values (1 primitive, 4 collection, 5 entity). */
function parameterTypes(body: Record<string, unknown>): Record<string, XrmParameterType> {
  const types: Record<string, XrmParameterType> = {};
  for (const [name, value] of Object.entries(body)) {
    if (typeof value === 'string') types[name] = { typeName: 'Edm.String', structuralProperty: 1 };
    else if (typeof value === 'boolean') types[name] = { typeName: 'Edm.Boolean', structuralProperty: 1 };
    else if (typeof value === 'number') {
      types[name] = {
        typeName: Number.isInteger(value) ? 'Edm.Int32' : 'Edm.Decimal',
        structuralProperty: 1,
      };
    } else if (Array.isArray(value)) {
      types[name] = { typeName: 'Collection(mscrm.crmbaseentity)', structuralProperty: 4 };
    } else if (typeof value === 'object' && value !== null) {
      const odataType = (value as Record<string, unknown>)['@odata.type'];
      const entity =
        typeof odataType === 'string'
          ? odataType.replace(/^#?Microsoft\.Dynamics\.CRM\./, 'mscrm.')
          : 'mscrm.crmbaseentity';
      types[name] = { typeName: entity, structuralProperty: 5 };
    }
  }
  return types;
}

export interface WebApiClientParts {
  records: RecordWebApi;
  online?: OnlineExecutor;
  /** Named in messages: `Xrm.WebApi` or `PCF webAPI`. */
  runtime: string;
}

/** The reads of a DataverseClient: all a form script that only looks records up needs to ship. */
export type DataverseReader = Pick<DataverseClient, 'retrieve' | 'retrieveMultiple'>;

function tableOf(tables: WebApiClientOptions['tables'], entitySet: string): TableNames {
  const names = tables[entitySet];
  if (!names) throw new UnknownEntitySetError(entitySet);
  return names;
}

async function callApi<T>(what: string, send: () => Thenable<T>): Promise<T> {
  try {
    return await toPromise(send());
  } catch (error) {
    throw convertWebApiError(error, what);
  }
}

/**
 * `retrieve` and `retrieveMultiple` over a record API alone. `createWebApiClient` uses the same two;
 * a form script that only reads builds this one, and its bundle carries none of the writes.
 */
export function createWebApiReader(api: RecordWebApi, options: WebApiClientOptions): DataverseReader {
  const { tables } = options;
  return {
    async retrieve(entitySet, key, select) {
      const query = select?.length ? `?$select=${select.join(',')}` : undefined;
      try {
        const raw = await callApi(`Retrieve ${describeRecord(entitySet, key)}`, () =>
          api.retrieveRecord(tableOf(tables, entitySet).logicalName, formatKey(entitySet, key), query),
        );
        return toEntityRecord(raw);
      } catch (error) {
        if (error instanceof NotFoundError) return null;
        throw error;
      }
    },

    async retrieveMultiple(entitySet, query: QueryOptions = {}) {
      const { logicalName } = tableOf(tables, entitySet);
      const result: EntityRecord[] = [];
      let next = queryString(query);
      for (;;) {
        const current = next;
        const page = await callApi(`Query ${entitySet}`, () =>
          api.retrieveMultipleRecords(logicalName, current, query.pageSize),
        );
        result.push(...page.entities.map(toEntityRecord));
        if (!page.nextLink || (query.top !== undefined && result.length >= query.top)) break;
        // "retrieveMultipleRecords": pass the query part of nextLink unchanged as the next options.
        next = page.nextLink.slice(page.nextLink.indexOf('?'));
      }
      return query.top === undefined ? result : result.slice(0, query.top);
    },
  };
}

export function createWebApiClient(parts: WebApiClientParts, options: WebApiClientOptions): DataverseClient {
  const { records: api, online, runtime } = parts;
  const { tables } = options;

  const table = (entitySet: string): TableNames => tableOf(tables, entitySet);
  const call = callApi;
  const reader = createWebApiReader(api, options);

  /** The columns that identify the record, so a create lands on that key. */
  function keyColumns(entitySet: string, key: RecordKey): Record<string, unknown> {
    if (typeof key === 'string') return { [table(entitySet).primaryIdAttribute]: normalizeGuid(key) ?? key };
    return { ...key };
  }

  async function createWithKey(entitySet: string, key: RecordKey, record: EntityRecord): Promise<string> {
    const where = describeRecord(entitySet, key);
    const created = await call(`Create ${where}`, () =>
      api.createRecord(table(entitySet).logicalName, { ...record, ...keyColumns(entitySet, key) }),
    );
    return created.id;
  }

  async function updateByKey(entitySet: string, key: RecordKey, record: NewRecord): Promise<string> {
    const where = describeRecord(entitySet, key);
    const result = await call(`Update ${where}`, () =>
      api.updateRecord(table(entitySet).logicalName, formatKey(entitySet, key), record),
    );
    const id = (result as { id?: unknown } | undefined)?.id;
    return typeof id === 'string' ? id : typeof key === 'string' ? (normalizeGuid(key) ?? key) : '';
  }

  const client: DataverseClient = {
    async create(entitySet, record) {
      const created = await call(`Create in ${entitySet}`, () =>
        api.createRecord(table(entitySet).logicalName, { ...record }),
      );
      return created.id;
    },

    retrieve: reader.retrieve,

    async update(entitySet, key, record, writeOptions) {
      const where = describeRecord(entitySet, key);
      const etag = writeOptions?.ifMatch;
      if (etag !== undefined && etag !== '*') {
        const { primaryIdAttribute } = table(entitySet);
        const current = await client.retrieve(entitySet, key, [primaryIdAttribute]);
        if (current === null) throw new NotFoundError(`Update ${where}: not found.`);
        if (current['@odata.etag'] !== etag) {
          throw new ConcurrencyError(
            `Update ${where}: the record changed since it was read (etag ${String(current['@odata.etag'])}, expected ${etag}); read it again and retry.`,
          );
        }
      }
      await updateByKey(entitySet, key, record);
    },

    async upsert(entitySet, key, record, upsertOptions?: UpsertOptions) {
      if (upsertOptions?.createOnly && upsertOptions.updateOnly) {
        throw new UnsupportedOperationError(
          `Upsert ${describeRecord(entitySet, key)}: createOnly and updateOnly exclude each other.`,
        );
      }
      if (!upsertOptions?.updateOnly) {
        try {
          return { id: await createWithKey(entitySet, key, record), created: true };
        } catch (error) {
          if (upsertOptions?.createOnly || !(error instanceof DuplicateRecordError)) throw error;
        }
      }
      const id = await updateByKey(entitySet, key, record);
      if (id) return { id, created: false };
      const read = await client.retrieve(entitySet, key, [table(entitySet).primaryIdAttribute]);
      return { id: String(read?.[table(entitySet).primaryIdAttribute] ?? ''), created: false };
    },

    async delete(entitySet, key) {
      await call(`Delete ${describeRecord(entitySet, key)}`, () =>
        api.deleteRecord(table(entitySet).logicalName, formatKey(entitySet, key)),
      );
    },

    retrieveMultiple: reader.retrieveMultiple,

    async fetchXml(entitySet, fetchXml) {
      const { logicalName } = table(entitySet);
      const result: EntityRecord[] = [];
      let xml = fetchXml.trim();
      for (let page = 1; ; page++) {
        const current = xml;
        const answer = await call(`FetchXML on ${entitySet}`, () =>
          api.retrieveMultipleRecords(logicalName, `?fetchXml=${encodeURIComponent(current)}`),
        );
        result.push(...answer.entities.map(toEntityRecord));
        if (!answer.fetchXmlPagingCookie || answer.entities.length === 0) return result;
        xml = nextFetchXmlPage(fetchXml, answer.fetchXmlPagingCookie, page);
      }
    },

    async executeAction(name, body, bound) {
      if (!online) {
        throw new UnsupportedOperationError(
          `${runtime} cannot call actions (no execute); call ${name} from a form script or the server.`,
        );
      }
      const request = actionRequest(name, body, bound);
      const response = await call(`Action ${name}`, () => online.execute(request));
      if (response.status === 204) return undefined;
      return response.json();
    },

    async executeFunction(name, parameters = {}, bound) {
      if (!online) {
        throw new UnsupportedOperationError(
          `${runtime} cannot call functions (no execute); call ${name} from a form script or the server.`,
        );
      }
      const body: Record<string, unknown> = {};
      const types: Record<string, XrmParameterType> = {};
      for (const [key, value] of Object.entries(parameters)) {
        if (value === undefined) continue;
        const parameter = xrmFunctionParameter(name, key, value);
        body[key] = parameter.value;
        types[key] = parameter.type;
      }
      const request = actionRequest(name, body, bound, 1, types);
      const response = await call(`Function ${name}`, () => online.execute(request));
      if (response.status === 204) return undefined;
      return response.json();
    },

    async executeBatch(operations, batchOptions = {}) {
      if (batchOptions.atomic) return atomicBatch(operations);
      return sequentialBatch(operations, batchOptions.continueOnError === true);
    },
  };

  /**
   * An action request for Xrm.WebApi.online.execute/executeMultiple ("Xrm.WebApi.online.execute": a bound
   * action names its record in the `entity` parameter, `boundParameter: 'entity'`).
   */
  function actionRequest(
    name: string,
    body: Record<string, unknown>,
    bound?: { entitySet: string; id: string },
    operationType: 0 | 1 = 0,
    types: Record<string, XrmParameterType> = parameterTypes(body),
  ): Record<string, unknown> {
    const entity = bound
      ? { entityType: table(bound.entitySet).logicalName, id: normalizeGuid(bound.id) ?? bound.id }
      : undefined;
    return {
      ...body,
      ...(entity ? { entity } : {}),
      getMetadata: () => ({
        boundParameter: entity ? 'entity' : null,
        operationType,
        operationName: name,
        parameterTypes: entity
          ? { ...types, entity: { typeName: `mscrm.${entity.entityType}`, structuralProperty: 5 } }
          : types,
      }),
    };
  }

  /**
   * Non-atomic batches run one operation after another: the outcome per operation is the same as a
   * $batch without a changeset, only slower. Without continueOnError the first failure stops the rest.
   */
  async function sequentialBatch(
    operations: readonly BatchOperation[],
    continueOnError: boolean,
  ): Promise<BatchResult[]> {
    const results: BatchResult[] = [];
    for (const operation of operations) {
      if (!continueOnError && results.some((r) => r.status >= 400)) {
        results.push({
          status: 424,
          body: { error: { message: 'Not run: an earlier operation in the batch failed.' } },
        });
        continue;
      }
      try {
        results.push(await runOne(operation));
      } catch (error) {
        if (!(error instanceof DataverseError)) throw error;
        results.push({
          status: error.status || 400,
          body: { error: { code: error.code, message: error.message } },
        });
      }
    }
    return results;
  }

  async function runOne(operation: BatchOperation): Promise<BatchResult> {
    switch (operation.kind) {
      case 'create':
        return { status: 204, id: await client.create(operation.entitySet, operation.record) };
      case 'update':
        await client.update(operation.entitySet, operation.key, operation.record, {
          ifMatch: operation.ifMatch,
        });
        return { status: 204 };
      case 'upsert': {
        const updateOnly = operation.ifMatch === '*';
        const { id } = await client.upsert(operation.entitySet, operation.key, operation.record, {
          updateOnly,
        });
        return { status: 204, id };
      }
      case 'delete':
        await client.delete(operation.entitySet, operation.key);
        return { status: 204 };
      case 'action': {
        const body = await client.executeAction(operation.name, operation.body, operation.bound);
        return body === undefined ? { status: 204 } : { status: 200, body };
      }
    }
  }

  /**
   * All-or-nothing needs a changeset, which only Xrm.WebApi.online.executeMultiple offers, and only for
   * create, update (without If-Match), delete and actions ("Xrm.WebApi.online.executeMultiple": a nested
   * array is a changeset). Anything else is refused rather than run without the guarantee.
   */
  async function atomicBatch(operations: readonly BatchOperation[]): Promise<BatchResult[]> {
    if (operations.length === 0) return [];
    const executeMultiple = online?.executeMultiple?.bind(online);
    if (!executeMultiple) {
      throw new UnsupportedOperationError(
        `${runtime} has no transactional batch; send an atomic batch from the server.`,
      );
    }
    const requests = operations.map(crudRequest);
    const responses = await call(`Atomic batch of ${operations.length} operation(s)`, () =>
      executeMultiple([requests]),
    );
    return Promise.all(
      operations.map(async (operation, i): Promise<BatchResult> => {
        const response = responses[i];
        if (!response) return { status: 204 };
        const entityId = response.headers?.get('OData-EntityId') ?? null;
        const id = entityId ? (/\(([0-9a-f-]{36})\)\s*$/i.exec(entityId)?.[1] ?? undefined) : undefined;
        if (operation.kind === 'action' && response.status !== 204)
          return { status: response.status, body: await response.json() };
        return id ? { status: response.status, id } : { status: response.status };
      }),
    );
  }

  /** "Perform CRUD operations using Xrm.WebApi.online.execute": etn/payload, etn/id/payload, entityReference. */
  function crudRequest(operation: BatchOperation): unknown {
    const metadata = (operationName: string) => () => ({
      boundParameter: undefined,
      parameterTypes: {},
      operationType: 2,
      operationName,
    });
    switch (operation.kind) {
      case 'create':
        return {
          etn: table(operation.entitySet).logicalName,
          payload: operation.record,
          getMetadata: metadata('Create'),
        };
      case 'update':
        if (operation.ifMatch !== undefined && operation.ifMatch !== '*') {
          throw new InvalidBatchError(
            `${runtime} cannot send If-Match in an atomic batch (${describeRecord(operation.entitySet, operation.key)}).`,
          );
        }
        return {
          etn: table(operation.entitySet).logicalName,
          id: formatKey(operation.entitySet, operation.key),
          payload: operation.record,
          getMetadata: metadata('Update'),
        };
      case 'delete':
        return {
          entityReference: {
            entityType: table(operation.entitySet).logicalName,
            id: formatKey(operation.entitySet, operation.key),
          },
          getMetadata: metadata('Delete'),
        };
      case 'action':
        return actionRequest(operation.name, operation.body, operation.bound);
      case 'upsert':
        throw new InvalidBatchError(
          `${runtime} has no upsert request for an atomic batch (${describeRecord(operation.entitySet, operation.key)}); send it from the server.`,
        );
    }
  }

  return client;
}
