/**
 * DataverseClient for Node over the Dataverse Web API, through dynamics-web-api v2. Adds what the library
 * leaves to the caller: bounded retries ("Service protection API limits": honour Retry-After on 429),
 * exponential back-off on 5xx, the error classes of dataverse/errors.ts, and records in the plain Web API
 * JSON shape of client.ts.
 *
 * Retrying a write that may already have happened would duplicate it, so only idempotent requests (GET,
 * PATCH, DELETE) are retried on every 5xx; POSTs (create, actions, $batch) only on 429 and 503, which
 * mean the request was not processed. A refused connection, an unknown host or a refused certificate is
 * never retried (waiting does not fix it), and all the waiting for one request stays within `budgetMs`.
 */
import { DynamicsWebApi, type Config } from 'dynamics-web-api';
import type {
  BatchOperation,
  BatchResult,
  DataverseClient,
  EntityRecord,
  NewRecord,
  QueryOptions,
  RecordKey,
  UpsertOptions,
  WriteOptions,
} from '../client';
import {
  ConcurrencyError,
  DataverseError,
  DuplicateRecordError,
  NotFoundError,
  ThrottledError,
} from '../errors';
import { silentLogger, type Logger } from '../logger';
import { DataverseUnreachableError, InvalidBatchError, UnsupportedOperationError } from './errors';
import { functionLiterals } from './function-parameters';
import { describeRecord, formatKey, isGuid, normalizeGuid } from './keys';
import { toEntityRecord, toPlainJson } from './records';

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  maxAttempts: number;
  /** Longest Retry-After waited for; a longer one is handed to the caller as a ThrottledError at once. */
  maxRetryAfterSeconds: number;
  /** First back-off for 5xx and unreachable; doubles per attempt. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** Longest time one request may spend between its first attempt and its last retry; none by default. */
  budgetMs?: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 5,
  maxRetryAfterSeconds: 60,
  baseDelayMs: 1000,
  maxDelayMs: 30_000,
};

export interface NodeClientOptions {
  /** Environment URL, e.g. `https://contoso.crm4.dynamics.com` (or the emulator's). */
  url: string;
  /** Bearer token for each request (see msal.ts). */
  getToken: () => Promise<string>;
  /** Waits between attempts; tests pass one that records instead of waiting. */
  sleep?: (ms: number) => Promise<void>;
  /** Jitter source in [0, 1). */
  random?: () => number;
  /** Milliseconds clock for the retry budget; Date.now by default. */
  now?: () => number;
  retry?: Partial<RetryPolicy>;
  logger?: Logger;
  /** Per-request timeout; default none (Dataverse itself stops a request after 2 minutes). */
  timeoutMs?: number;
  apiVersion?: string;
}

/** The Web API answered success without what the contract promises (an id, a page). Not retryable. */
export class UnexpectedResponseError extends DataverseError {
  constructor(message: string) {
    super(message, 200);
    this.name = 'UnexpectedResponseError';
  }
}

/** Largest $batch Dataverse accepts ("Execute batch operations using the Web API"). */
export const MAX_BATCH_OPERATIONS = 1000;

/** Dataverse error codes that mean "already exists" / "changed since read", whatever the status. */
const DUPLICATE_CODES = new Set(['0x80060892', '0x80040237']);
const CONCURRENCY_CODE = '0x80060882';

interface Operation {
  description: string;
  idempotent: boolean;
  /** An etag (not `*`) was sent in If-Match: a 412 means a concurrent change. */
  etag?: string;
}

/** The error shapes dynamics-web-api rejects with: HTTP errors carry `status`, batch parts nest `error`. */
interface HttpFailure {
  status: number;
  code?: unknown;
  message?: unknown;
  error?: { code?: unknown; message?: unknown };
  headers?: Record<string, unknown>;
}

function isHttpFailure(value: unknown): value is HttpFailure {
  return (
    typeof value === 'object' && value !== null && typeof (value as { status?: unknown }).status === 'number'
  );
}

/**
 * Node's socket and TLS errors (ECONNREFUSED, ENOTFOUND, CERT_HAS_EXPIRED, ERR_TLS_CERT_ALTNAME_INVALID…);
 * duck-typed because they may come from another realm.
 */
function isSystemError(value: unknown): value is { code: string; message: string } {
  if (typeof value !== 'object' || value === null) return false;
  const { code, message } = value as { code?: unknown; message?: unknown };
  return typeof code === 'string' && /^[A-Z][A-Z0-9_]+$/.test(code) && typeof message === 'string';
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function headerValue(headers: Record<string, unknown> | undefined, name: string): string | undefined {
  if (!headers) return undefined;
  const found = Object.entries(headers).find(([key]) => key.toLowerCase() === name);
  const value: unknown = found?.[1];
  return Array.isArray(value) ? text(value[0]) : text(value);
}

/** Retry-After is seconds in Dataverse ("Service protection API limits"); an HTTP-date is also allowed. */
function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  if (value === undefined) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - now) / 1000));
}

export function createNodeClient(options: NodeClientOptions): DataverseClient {
  const policy: RetryPolicy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const random = options.random ?? Math.random;
  const now = options.now ?? Date.now;
  const logger = options.logger ?? silentLogger;
  const origin = new URL(options.url).origin;
  const config: Config = {
    serverUrl: origin,
    onTokenRefresh: options.getToken,
    // Without it the library swallows 412/404 on update, upsert and delete instead of rejecting.
    propagateErrors: true,
    timeout: options.timeoutMs ?? null,
    dataApi: { version: options.apiVersion ?? '9.2' },
  };
  const api = new DynamicsWebApi(config);

  function convert(raw: unknown, op: Operation): unknown {
    if (Array.isArray(raw) || raw instanceof DataverseError) return raw;
    if (isHttpFailure(raw)) {
      const code = text(raw.code) ?? text(raw.error?.code);
      const detail = text(raw.message) ?? text(raw.error?.message) ?? `HTTP ${raw.status}`;
      if (raw.status === 429) {
        const after = parseRetryAfter(headerValue(raw.headers, 'retry-after'), Date.now()) ?? 0;
        return new ThrottledError(
          `${op.description}: Dataverse service protection limits reached; retry after ${after} s. (${detail})`,
          after,
          code,
        );
      }
      if ((raw.status === 412 && op.etag !== undefined) || code === CONCURRENCY_CODE) {
        return new ConcurrencyError(
          `${op.description}: the record changed since it was read (If-Match ${op.etag ?? ''} no longer matches); read it again and retry. (${detail})`,
          code,
        );
      }
      if (raw.status === 412 || (code !== undefined && DUPLICATE_CODES.has(code))) {
        return new DuplicateRecordError(`${op.description}: the record already exists. (${detail})`, code);
      }
      if (raw.status === 404) return new NotFoundError(`${op.description}: not found. (${detail})`, code);
      return new DataverseError(
        `${op.description} failed with HTTP ${raw.status}: ${detail}`,
        raw.status,
        code,
      );
    }
    if (isSystemError(raw)) {
      const errno = raw.code;
      const reason = raw.message.includes(errno) ? raw.message : `${errno} ${raw.message}`;
      return new DataverseUnreachableError(origin, `${op.description}: ${reason}`, errno);
    }
    return raw;
  }

  function backoff(attempt: number): number {
    const exponential = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
    return Math.round(exponential * (0.5 + random() / 2));
  }

  function retryDelay(error: unknown, op: Operation, attempt: number): number | null {
    if (attempt >= policy.maxAttempts) return null;
    if (error instanceof ThrottledError) {
      if (error.retryAfterSeconds > policy.maxRetryAfterSeconds) return null;
      return error.retryAfterSeconds > 0 ? error.retryAfterSeconds * 1000 : backoff(attempt);
    }
    if (error instanceof DataverseUnreachableError) {
      // A timeout may have reached Dataverse: only a request that can run twice is sent again.
      return !error.failFast && op.idempotent ? backoff(attempt) : null;
    }
    if (error instanceof DataverseError && error.status >= 500) {
      return op.idempotent || error.status === 503 ? backoff(attempt) : null;
    }
    return null;
  }

  async function withRetry<T>(op: Operation, send: () => Promise<T>): Promise<T> {
    const started = now();
    for (let attempt = 1; ; attempt++) {
      try {
        return await send();
      } catch (raw) {
        const error = convert(raw, op);
        const delay = retryDelay(error, op, attempt);
        if (delay === null) throw error;
        if (policy.budgetMs !== undefined && now() - started + delay > policy.budgetMs) {
          throw error instanceof DataverseError
            ? Object.assign(error, {
                message: `${error.message} (gave up after ${attempt} attempt(s): the retry budget of ${Math.round(policy.budgetMs / 1000)} s is spent)`,
              })
            : error;
        }
        logger.warn('Dataverse request failed; retrying.', {
          operation: op.description,
          attempt,
          delayMs: delay,
          error: error instanceof Error ? error.message : String(error),
        });
        await sleep(delay);
      }
    }
  }

  /** The primary key of a `return=representation` body: the one GUID column that was not selected. */
  function idFromResult(result: unknown, key: RecordKey, selected: readonly string[], what: string): string {
    if (typeof key === 'string') return normalizeGuid(key) ?? key;
    if (typeof result === 'string' && isGuid(result)) return result;
    if (typeof result === 'object' && result !== null) {
      const id = Object.entries(result as Record<string, unknown>).find(
        ([column, value]) =>
          !column.includes('@') && !selected.includes(column) && typeof value === 'string' && isGuid(value),
      );
      if (id) return id[1] as string;
    }
    throw new UnexpectedResponseError(`${what}: Dataverse did not return the record's id.`);
  }

  function selectableKeyColumn(column: string, value: string | number): string {
    return typeof value === 'string' && isGuid(value) ? `_${column}_value` : column;
  }

  function upsertRequest(entitySet: string, key: RecordKey) {
    const alternate = typeof key !== 'string';
    // The OData-EntityId of an alternate-key upsert repeats the key, not the GUID ("Use Upsert to Create
    // or Update a record"), so ask for the row back, selecting a key column: the primary key comes with it.
    // A lookup in the key (a GUID value) is selected as `_<col>_value`: `$select` refuses the bare name.
    const select = alternate
      ? Object.entries(key)
          .slice(0, 1)
          .map(([c, v]) => selectableKeyColumn(c, v))
      : [];
    return {
      collection: entitySet,
      key: formatKey(entitySet, key),
      returnRepresentation: alternate || undefined,
      select: alternate ? select : undefined,
      selected: select,
    };
  }

  async function upsertOnce(
    entitySet: string,
    key: RecordKey,
    record: EntityRecord,
    mode: 'create-only' | 'update-only' | 'either',
  ): Promise<string> {
    const where = describeRecord(entitySet, key);
    const op: Operation = { description: `Upsert ${where}`, idempotent: true };
    const { selected, ...request } = upsertRequest(entitySet, key);
    const result = await withRetry(op, () =>
      api.upsert<EntityRecord, unknown>({
        ...request,
        data: record,
        ifnonematch: mode === 'create-only' ? '*' : undefined,
        ifmatch: mode === 'update-only' ? '*' : undefined,
      }),
    );
    return idFromResult(result, key, selected, op.description);
  }

  const client: DataverseClient = {
    async create(entitySet, record) {
      const op: Operation = { description: `Create in ${entitySet}`, idempotent: false };
      const id = await withRetry(op, () =>
        api.create<NewRecord, unknown>({ collection: entitySet, data: record }),
      );
      if (typeof id !== 'string' || !isGuid(id)) {
        throw new UnexpectedResponseError(`${op.description}: Dataverse did not return the new record's id.`);
      }
      return id;
    },

    async retrieve(entitySet, key, select) {
      const op: Operation = { description: `Retrieve ${describeRecord(entitySet, key)}`, idempotent: true };
      const formatted = formatKey(entitySet, key);
      try {
        const raw = await withRetry(op, () =>
          api.retrieve<unknown>({
            collection: entitySet,
            key: formatted,
            select: select ? [...select] : undefined,
          }),
        );
        return toEntityRecord(raw);
      } catch (error) {
        if (error instanceof NotFoundError) return null;
        throw error;
      }
    },

    async update(entitySet, key, record, writeOptions?: WriteOptions) {
      const etag =
        writeOptions?.ifMatch !== undefined && writeOptions.ifMatch !== '*'
          ? writeOptions.ifMatch
          : undefined;
      const op: Operation = {
        description: `Update ${describeRecord(entitySet, key)}`,
        idempotent: true,
        etag,
      };
      const formatted = formatKey(entitySet, key);
      // If-Match: * makes the PATCH an update only: a missing record is a 404, never a new row.
      await withRetry(op, () =>
        api.update({
          collection: entitySet,
          key: formatted,
          data: record,
          ifmatch: writeOptions?.ifMatch ?? '*',
        }),
      );
    },

    async upsert(entitySet, key, record, upsertOptions?: UpsertOptions) {
      if (upsertOptions?.createOnly && upsertOptions.updateOnly) {
        throw new UnsupportedOperationError(
          `Upsert ${describeRecord(entitySet, key)}: createOnly and updateOnly exclude each other.`,
        );
      }
      if (upsertOptions?.createOnly)
        return { id: await upsertOnce(entitySet, key, record, 'create-only'), created: true };
      if (upsertOptions?.updateOnly)
        return { id: await upsertOnce(entitySet, key, record, 'update-only'), created: false };
      // A plain PATCH answers 204 for both outcomes, so try create-only, then update-only: two requests
      // when the record exists, but `created` is exact. A delete in between sends us round once more.
      for (let round = 0; ; round++) {
        try {
          return { id: await upsertOnce(entitySet, key, record, 'create-only'), created: true };
        } catch (error) {
          if (!(error instanceof DuplicateRecordError)) throw error;
        }
        try {
          return { id: await upsertOnce(entitySet, key, record, 'update-only'), created: false };
        } catch (error) {
          if (!(error instanceof NotFoundError) || round > 0) throw error;
        }
      }
    },

    async delete(entitySet, key) {
      const op: Operation = { description: `Delete ${describeRecord(entitySet, key)}`, idempotent: true };
      const formatted = formatKey(entitySet, key);
      await withRetry(op, () => api.deleteRecord({ collection: entitySet, key: formatted }));
    },

    async retrieveMultiple(entitySet, query: QueryOptions = {}) {
      const op: Operation = { description: `Query ${entitySet}`, idempotent: true };
      const request = {
        collection: entitySet,
        select: query.select ? [...query.select] : undefined,
        filter: query.filter,
        // The library joins $orderby unencoded and, past 2,000 characters of URL, sends the GET inside a
        // $batch whose request line a raw space ends early: encode it here, as any URL must.
        orderBy: query.orderBy ? query.orderBy.map((o) => o.replace(/ /g, '%20')) : undefined,
        top: query.top,
        maxPageSize: query.pageSize,
        includeAnnotations: query.formattedValues ? 'OData.Community.Display.V1.FormattedValue' : undefined,
      };
      const records: EntityRecord[] = [];
      let next: string | undefined;
      do {
        const link = next;
        const page = await withRetry(op, () => api.retrieveMultiple<unknown>({ ...request }, link));
        if (!Array.isArray(page?.value))
          throw new UnexpectedResponseError(`${op.description}: the answer has no value array.`);
        records.push(...page.value.map(toEntityRecord));
        next = page.oDataNextLink;
      } while (next && (query.top === undefined || records.length < query.top));
      return query.top === undefined ? records : records.slice(0, query.top);
    },

    async fetchXml(entitySet, fetchXml) {
      const op: Operation = { description: `FetchXML on ${entitySet}`, idempotent: true };
      // The library adds page and paging-cookie attributes to a query that starts with `<fetch`.
      const xml = fetchXml.trim();
      const records: EntityRecord[] = [];
      let pageNumber = 1;
      let pagingCookie: string | undefined;
      for (;;) {
        const page = pageNumber;
        const cookie = pagingCookie;
        const result = await withRetry(op, () =>
          api.fetch<unknown>({
            collection: entitySet,
            fetchXml: xml,
            pageNumber: page,
            pagingCookie: cookie,
            // "Page results using FetchXml": the paging cookie and morerecords come as annotations.
            includeAnnotations: 'Microsoft.Dynamics.CRM.*',
          }),
        );
        if (!Array.isArray(result?.value))
          throw new UnexpectedResponseError(`${op.description}: the answer has no value array.`);
        records.push(...result.value.map(toEntityRecord));
        const more =
          (result as unknown as Record<string, unknown>)['@Microsoft.Dynamics.CRM.morerecords'] === true;
        if (!more || result.value.length === 0) return records;
        pageNumber = result.PagingInfo?.nextPage ?? page + 1;
        pagingCookie = result.PagingInfo?.cookie;
      }
    },

    async executeAction(name, body, bound) {
      const op: Operation = {
        description: describeOperation({ kind: 'action', name, body, bound }),
        idempotent: false,
      };
      const result = await withRetry(op, () => api.callAction<unknown>(actionRequest(name, body, bound)));
      return toPlainJson(result);
    },

    async executeFunction(name, parameters = {}, bound) {
      const op: Operation = { description: `Function ${name}`, idempotent: true };
      // dynamics-web-api quotes a string itself unless it starts with "Microsoft.Dynamics.CRM" or holds a
      // GUID anywhere, and writes objects as raw JSON; any other value goes into `@pN=` by its toString().
      // So each value goes in as a function whose toString() is the finished, percent-encoded literal.
      const encoded = Object.fromEntries(
        functionLiterals(name, parameters).map(([key, literal]) => [
          key,
          Object.assign(() => literal, { toString: () => literal }),
        ]),
      );
      const request = {
        functionName: bound && !name.includes('.') ? `Microsoft.Dynamics.CRM.${name}` : name,
        parameters: Object.keys(encoded).length > 0 ? encoded : undefined,
        ...(bound ? { collection: bound.entitySet, key: formatKey(bound.entitySet, bound.id) } : {}),
      };
      const result = await withRetry(op, () => api.callFunction<unknown>(request));
      return toPlainJson(result);
    },

    async executeBatch(operations, batchOptions = {}) {
      if (operations.length === 0) return [];
      const atomic = batchOptions.atomic === true;
      if (atomic && operations.length > MAX_BATCH_OPERATIONS) {
        throw new InvalidBatchError(
          `An atomic batch holds at most ${MAX_BATCH_OPERATIONS} operations; got ${operations.length}. Split it, or send it non-atomic.`,
        );
      }
      const results: BatchResult[] = [];
      for (let start = 0; start < operations.length; start += MAX_BATCH_OPERATIONS) {
        const chunk = operations.slice(start, start + MAX_BATCH_OPERATIONS);
        const chunkResults = await sendBatch(
          chunk,
          atomic,
          batchOptions.continueOnError === true,
          batchOptions.bypassCustomAsync === true,
        );
        results.push(...chunkResults);
        const stopped = !batchOptions.continueOnError && chunkResults.some((r) => r.status >= 400);
        if (stopped) {
          results.push(...Array.from({ length: operations.length - start - chunk.length }, notRun));
          break;
        }
      }
      return results;
    },
  };

  /** dynamics-web-api's callAction request: with `collection` and `key`, the action is bound to that record. */
  function actionRequest(
    name: string,
    body: Record<string, unknown>,
    bound?: { entitySet: string; id: string },
  ) {
    if (!bound) return { actionName: name, action: body };
    return {
      collection: bound.entitySet,
      key: formatKey(bound.entitySet, bound.id),
      // Bound actions are addressed with their namespace ("Use Web API actions").
      actionName: name.includes('.') ? name : `Microsoft.Dynamics.CRM.${name}`,
      action: body,
    };
  }

  function queue(batch: DynamicsWebApi, operation: BatchOperation, inChangeSet: boolean): Promise<unknown> {
    const common = { contentId: operation.contentId, inChangeSet };
    switch (operation.kind) {
      case 'create':
        return batch.create({ ...common, collection: operation.entitySet, data: operation.record });
      case 'update':
        return batch.update({
          ...common,
          collection: operation.entitySet,
          key: formatKey(operation.entitySet, operation.key),
          data: operation.record,
          ifmatch: operation.ifMatch ?? '*',
        });
      case 'upsert': {
        const { selected: _selected, ...request } = upsertRequest(operation.entitySet, operation.key);
        return batch.upsert({ ...common, ...request, data: operation.record, ifmatch: operation.ifMatch });
      }
      case 'delete':
        return batch.deleteRecord({
          ...common,
          collection: operation.entitySet,
          key: formatKey(operation.entitySet, operation.key),
        });
      case 'action':
        return batch.callAction({
          ...common,
          ...actionRequest(operation.name, operation.body, operation.bound),
        });
    }
  }

  function describeOperation(operation: BatchOperation): string {
    if (operation.kind === 'action') {
      const { bound } = operation;
      return bound
        ? `Action ${operation.name} on ${describeRecord(bound.entitySet, bound.id)}`
        : `Action ${operation.name}`;
    }
    if (operation.kind === 'create') return `Create in ${operation.entitySet}`;
    const verb = { update: 'Update', upsert: 'Upsert', delete: 'Delete' }[operation.kind];
    return `${verb} ${describeRecord(operation.entitySet, operation.key)}`;
  }

  function success(operation: BatchOperation, part: unknown): BatchResult {
    if (operation.kind === 'action') {
      return part === undefined ? { status: 204 } : { status: 200, body: toPlainJson(part) };
    }
    if (operation.kind === 'create' && typeof part === 'string') return { status: 204, id: part };
    if (operation.kind === 'upsert') {
      const selected =
        typeof operation.key === 'string'
          ? []
          : Object.entries(operation.key)
              .slice(0, 1)
              .map(([c, v]) => selectableKeyColumn(c, v));
      try {
        return { status: 204, id: idFromResult(part, operation.key, selected, describeOperation(operation)) };
      } catch {
        return { status: 204 };
      }
    }
    return { status: 204 };
  }

  function failure(part: HttpFailure): BatchResult {
    const code = text(part.code) ?? text(part.error?.code);
    const message = text(part.message) ?? text(part.error?.message) ?? `HTTP ${part.status}`;
    return { status: part.status, body: { error: { code, message } } };
  }

  function notRun(): BatchResult {
    return {
      status: 424,
      body: { error: { message: 'Not run: an earlier operation in the batch failed.' } },
    };
  }

  async function sendBatch(
    chunk: readonly BatchOperation[],
    atomic: boolean,
    continueOnError: boolean,
    bypassCustomAsync = false,
  ) {
    const op: Operation = {
      description: `Batch of ${chunk.length} operation(s)${atomic ? ' in one changeset' : ''}`,
      idempotent: false,
    };
    let parts: unknown[];
    try {
      parts = await withRetry(op, async () => {
        // A fresh instance per attempt: startBatch() puts the whole instance in batch mode.
        const batch = new DynamicsWebApi(config);
        batch.startBatch();
        const queued = chunk.map((operation) => queue(batch, operation, atomic));
        await Promise.all(queued);
        return batch.executeBatch({
          continueOnError: continueOnError && !atomic,
          inChangeSet: atomic,
          ...(bypassCustomAsync ? { headers: { 'MSCRM.BypassBusinessLogicExecution': 'CustomAsync' } } : {}),
        });
      });
    } catch (error) {
      // The library rejects with the parsed parts when Dataverse answers the $batch with an error status.
      if (!Array.isArray(error)) throw error;
      parts = error as unknown[];
    }
    const firstFailure = parts.findIndex((p) => isHttpFailure(p) && p.status >= 400);
    if (atomic && firstFailure >= 0) {
      const known = parts.length === chunk.length ? chunk[firstFailure] : undefined;
      const description = known
        ? `${describeOperation(known)} (in an atomic batch, rolled back)`
        : `${op.description}, rolled back`;
      throw convert(parts[firstFailure], { description, idempotent: false, etag: etagOf(known) });
    }
    return chunk.map((operation, i): BatchResult => {
      if (i >= parts.length) return notRun();
      const part = parts[i];
      return isHttpFailure(part) && part.status >= 400 ? failure(part) : success(operation, part);
    });
  }

  function etagOf(operation: BatchOperation | undefined): string | undefined {
    if (
      !operation ||
      !('ifMatch' in operation) ||
      operation.ifMatch === undefined ||
      operation.ifMatch === '*'
    ) {
      return undefined;
    }
    return operation.ifMatch;
  }

  return client;
}
