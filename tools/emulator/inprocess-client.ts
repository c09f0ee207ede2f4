/**
 * A DataverseClient straight over the engine, no HTTP: the harness for plugin and job tests. It throws
 * the same error classes the HTTP adapters do (`dataverse/errors.ts`), follows paging like them, and
 * runs `executeBatch` with the Web API's batch semantics (changeset all-or-nothing, stop at the first
 * failure unless `continueOnError`).
 */
import type {
  BatchOperation,
  BatchResult,
  DataverseClient,
  EntityRecord,
  FunctionParameter,
  NewRecord,
  QueryOptions,
  RecordKey,
  UpsertOptions,
  WriteOptions,
} from '../../dataverse/client';
import { functionLiterals } from '../../dataverse/adapters/function-parameters';
import { DataverseError } from '../../dataverse/errors';
import type { CallContext, Engine } from './engine/engine';
import { BadRequestError, RecordNotFoundError } from './engine/errors';
import { annotationFilter, type JsonRecord } from './engine/records';
import { parseFunctionLiteral } from './http/url';

function toEntityRecord(record: JsonRecord): EntityRecord {
  const out: EntityRecord = {};
  for (const [key, value] of Object.entries(record)) {
    if (
      value === null ||
      typeof value === 'string' ||
      typeof value === 'number' ||
      typeof value === 'boolean'
    )
      out[key] = value;
  }
  return out;
}

function failure(error: unknown): BatchResult {
  if (error instanceof DataverseError)
    return { status: error.status, body: { error: { code: error.code, message: error.message } } };
  throw error;
}

export class InProcessClient implements DataverseClient {
  constructor(
    readonly engine: Engine,
    /** Who the calls run as (default: the organisation's default user) and at what depth. */
    private readonly context: CallContext = {},
  ) {}

  /** The same client acting as another user (MSCRMCallerID). */
  as(userId: string): InProcessClient {
    return new InProcessClient(this.engine, { ...this.context, userId });
  }

  create(entitySet: string, record: NewRecord): Promise<string> {
    return this.engine.create(entitySet, record, { context: this.context });
  }

  async retrieve(
    entitySet: string,
    key: RecordKey,
    select?: readonly string[],
  ): Promise<EntityRecord | null> {
    try {
      return toEntityRecord(await this.engine.retrieve(entitySet, key, { select, context: this.context }));
    } catch (error) {
      if (error instanceof RecordNotFoundError) return null;
      throw error;
    }
  }

  update(entitySet: string, key: RecordKey, record: NewRecord, options?: WriteOptions): Promise<void> {
    return this.engine.update(entitySet, key, record, { ifMatch: options?.ifMatch, context: this.context });
  }

  upsert(
    entitySet: string,
    key: RecordKey,
    record: EntityRecord,
    options?: UpsertOptions,
  ): Promise<{ id: string; created: boolean }> {
    if (options?.createOnly && options.updateOnly) {
      return Promise.reject(new BadRequestError('Upsert: createOnly and updateOnly exclude each other.'));
    }
    return this.engine.upsert(entitySet, key, record, {
      ifMatch: options?.updateOnly ? '*' : undefined,
      ifNoneMatch: options?.createOnly ? '*' : undefined,
      context: this.context,
    });
  }

  delete(entitySet: string, key: RecordKey): Promise<void> {
    return this.engine.delete(entitySet, key, { context: this.context });
  }

  async retrieveMultiple(entitySet: string, query: QueryOptions = {}): Promise<EntityRecord[]> {
    const annotations = query.formattedValues
      ? annotationFilter(['OData.Community.Display.V1.FormattedValue'])
      : undefined;
    const records: EntityRecord[] = [];
    let skipToken: string | undefined;
    do {
      const page = await this.engine.query(
        entitySet,
        {
          select: query.select,
          filter: query.filter,
          orderBy: query.orderBy,
          top: query.top,
          pageSize: query.pageSize,
          skipToken,
          annotations,
        },
        { context: this.context },
      );
      records.push(...page.records.map(toEntityRecord));
      skipToken = page.skipToken;
    } while (skipToken);
    return records;
  }

  async fetchXml(entitySet: string, fetchXml: string): Promise<EntityRecord[]> {
    const records: EntityRecord[] = [];
    for (let page = 1; ; page++) {
      const xml = page === 1 ? fetchXml : withPage(fetchXml, page);
      const result = await this.engine.fetchXml(entitySet, xml, { context: this.context });
      records.push(...result.records.map(toEntityRecord));
      if (!result.moreRecords) return records;
    }
  }

  executeAction(
    name: string,
    body: Record<string, unknown>,
    bound?: { entitySet: string; id: string },
  ): Promise<unknown> {
    return this.engine.execute(name, body, {
      bound: bound ? { entitySet: bound.entitySet, key: bound.id } : undefined,
      context: this.context,
    });
  }

  async executeFunction(
    name: string,
    parameters: Readonly<Record<string, FunctionParameter>> = {},
    bound?: { entitySet: string; id: string },
  ): Promise<unknown> {
    const where = bound ? { entitySet: bound.entitySet, key: bound.id } : undefined;
    // Over HTTP an action answers a GET with 405; here the caller learns which call it needs.
    if (this.engine.hasAction(name, where)?.isFunction === false)
      throw new BadRequestError(`${name} is an action, not a function: call it with executeAction.`);
    // The same literals the Node client puts in the URL, read by the same parser the HTTP layer uses.
    const body = Object.fromEntries(
      functionLiterals(name, parameters).map(([key, literal]) => [
        key,
        parseFunctionLiteral(key, decodeURIComponent(literal)),
      ]),
    );
    return this.executeAction(name, body, bound);
  }

  async executeBatch(
    operations: readonly BatchOperation[],
    options: { atomic?: boolean; continueOnError?: boolean } = {},
  ): Promise<BatchResult[]> {
    const references = new Map<string, { entitySet: string; id: string }>();
    if (options.atomic) {
      return this.engine.transaction(async () => {
        const results: BatchResult[] = [];
        for (const operation of operations) results.push(await this.run(operation, references));
        return results;
      }, this.context);
    }
    const results: BatchResult[] = [];
    for (const operation of operations) {
      try {
        results.push(await this.run(operation, references));
      } catch (error) {
        results.push(failure(error));
        if (!options.continueOnError) break;
      }
    }
    return results;
  }

  /** One batch operation; `$n` in binds and keys refers to the record created by Content-ID n. */
  private async run(
    operation: BatchOperation,
    references: Map<string, { entitySet: string; id: string }>,
  ): Promise<BatchResult> {
    const resolveRecord = (record: NewRecord): NewRecord => {
      const out: NewRecord = {};
      for (const [key, value] of Object.entries(record)) {
        const ref =
          typeof value === 'string' && key.endsWith('@odata.bind') && value.startsWith('$')
            ? references.get(value.slice(1))
            : undefined;
        if (typeof value === 'string' && key.endsWith('@odata.bind') && value.startsWith('$') && !ref) {
          throw new BadRequestError(`Content-ID Reference: '${value}' does not exist in the batch context.`);
        }
        out[key] = ref ? `/${ref.entitySet}(${ref.id})` : value;
      }
      return out;
    };
    const resolveKey = (key: RecordKey): RecordKey => {
      if (typeof key !== 'string' || !key.startsWith('$')) return key;
      const ref = references.get(key.slice(1));
      if (!ref)
        throw new BadRequestError(`Content-ID Reference: '${key}' does not exist in the batch context.`);
      return ref.id;
    };
    const remember = (entitySet: string, id: string) => {
      if (operation.contentId !== undefined) references.set(operation.contentId, { entitySet, id });
    };
    switch (operation.kind) {
      case 'create': {
        const id = await this.engine.create(operation.entitySet, resolveRecord(operation.record), {
          context: this.context,
        });
        remember(operation.entitySet, id);
        return { status: 204, id };
      }
      case 'update':
        await this.engine.update(
          operation.entitySet,
          resolveKey(operation.key),
          resolveRecord(operation.record),
          { ifMatch: operation.ifMatch, context: this.context },
        );
        return { status: 204 };
      case 'upsert': {
        const result = await this.engine.upsert(
          operation.entitySet,
          resolveKey(operation.key),
          resolveRecord(operation.record),
          { ifMatch: operation.ifMatch, context: this.context },
        );
        remember(operation.entitySet, result.id);
        return { status: 204, id: result.id };
      }
      case 'delete':
        await this.engine.delete(operation.entitySet, resolveKey(operation.key), { context: this.context });
        return { status: 204 };
      case 'action': {
        const { bound } = operation;
        const body = await this.engine.execute(operation.name, operation.body, {
          bound: bound ? { entitySet: bound.entitySet, key: resolveKey(bound.id) } : undefined,
          context: this.context,
        });
        return body === undefined ? { status: 204 } : { status: 200, body };
      }
    }
  }
}

/** Sets `page="n"` on the `<fetch>` element (FetchXML paging without a cookie). */
function withPage(fetchXml: string, page: number): string {
  return fetchXml.replace(
    /<fetch\b([^>]*)>/,
    (_all, attributes: string) => `<fetch${attributes.replace(/\s+page="[^"]*"/, '')} page="${page}">`,
  );
}
