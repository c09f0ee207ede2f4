/**
 * The emulator's engine: a local Dataverse over SQLite, without HTTP. It owns the data (one SQL
 * table per Dataverse table), enforces types, keys, concurrency and relationship behaviour, runs the
 * event pipeline (`pipeline.ts`) and the actions (`actions.ts`). The HTTP layer and the in-process
 * client both drive it; every write runs in one SQLite transaction together with its synchronous
 * handlers and the operations they perform.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { RecordKey } from '../../../dataverse/client';
import { DataverseError } from '../../../dataverse/errors';
import type { Logger } from '../../../dataverse/logger';
import { silentLogger } from '../../../dataverse/logger';
import type { MetadataModel } from '../../solution/model';
import {
  BadRequestError,
  DuplicateKeyError,
  ErrorCodes,
  EtagMismatchError,
  InfiniteLoopError,
  InvalidValueError,
  LockTimeoutError,
  PluginExecutionError,
  QueryError,
  RecordNotFoundError,
  RestrictDeleteError,
  UnknownActionError,
  UnknownColumnError,
  ValidationError,
} from './errors';
import type { Sql } from './filter';
import { compileFilter } from './filter';
import { RoleCatalog, SYSTEM_ADMINISTRATOR, UnknownCallerError, type PrivilegeVerb } from './security';
import { formatKey, parseRecordAddress } from './keys';
import type { ColumnInfo, TableInfo } from './metadata';
import { MetadataIndex, defaultStatusFor, edmType, isLookup, lookupFromValueName } from './metadata';
import { computedNames } from './names';
import type {
  AttributeValue,
  EntityImage,
  EntityReference,
  OperationEvent,
  PipelineMessage,
  Stage,
} from './pipeline';
import { Pipeline } from './pipeline';
import type { QueryPage, QueryRequest } from './query';
import { MAX_PAGE_SIZE, afterSql, decodeSkipToken, encodeSkipToken, orderSql, parseOrderBy } from './query';
import type { AnnotationFilter, JsonRecord, ReadShape, RecordSource } from './records';
import { etagOf, toRecord, validateShape } from './records';
import { Storage, ident } from './storage';
import type { FormatOptions, LookupValue, StoredRecord, StoredValue } from './values';
import {
  convertInput,
  formatStoredDateTime,
  fromSqlRow,
  isLookupValue,
  normalizeGuid,
  targetColumn,
  toSqlValue,
} from './values';
import { registerBuiltInActions } from './actions';
import { runFetchXml, runSavedQuery, type FetchResult, type FetchSource } from '../fetchxml';

export interface EngineOptions {
  readonly metadata: MetadataModel;
  /** SQLite file; `:memory:` for tests. Default `.ideario/emulator.db`. */
  readonly path?: string;
  readonly clock?: () => Date;
  /** Id source for new records and operations (randomness is passed in). */
  readonly newId?: () => string;
  readonly logger?: Logger;
  /** Symbol in money formatted values; default `$` (an en-US organisation). */
  readonly currencySymbol?: string;
  /** How long a write waits for another write to finish. Default 30 s. */
  readonly lockTimeoutMs?: number;
  /** How long one FetchXML query may run before it is stopped (QueryTimeoutError). Default 10 s. */
  readonly queryTimeLimitMs?: number;
}

/** Who calls and why: set by the HTTP layer (caller id) and by async jobs (depth, correlation). */
export interface CallContext {
  readonly userId?: string;
  readonly depth?: number;
  readonly correlationId?: string;
  /** `MSCRM.BypassBusinessLogicExecution: CustomAsync` ("Bypass custom Dataverse logic"): no async steps queued. */
  readonly bypassCustomAsync?: boolean;
}

export interface WriteOptions {
  readonly context?: CallContext;
  /** `If-Match`: an etag (`W/"12"`) for optimistic concurrency, or `*` (update only). */
  readonly ifMatch?: string;
  /** `If-None-Match: *`: create only. */
  readonly ifNoneMatch?: string;
}

export interface ReadOptions extends ReadShape {
  readonly context?: CallContext;
}

export interface Identity {
  readonly UserId: string;
  readonly BusinessUnitId: string;
  readonly OrganizationId: string;
}

export interface OutboxMessage {
  readonly emailId: string;
  readonly sentOn: string;
  readonly from: string;
  readonly to: string;
  readonly cc: string;
  readonly bcc: string;
  readonly subject: string;
  readonly body: string;
}

/** One page of FetchXML results: records, `morerecords`, the paging cookie and the total count asked for. */
export type FetchXmlPage = FetchResult;

export interface ActionRequest {
  readonly engine: Engine;
  readonly name: string;
  readonly body: Record<string, unknown>;
  /** Bound actions: the table, and the record for record-bound ones (`/emails(<id>)/Microsoft.Dynamics.CRM.SendEmail`). */
  readonly bound?: { readonly table: TableInfo; readonly id?: string };
  readonly context: CallContext;
}

/** Where an action is called: a table (`<set>/Microsoft.Dynamics.CRM.X`) or, with `key`, one record. */
export interface ActionBinding {
  readonly entitySet: string;
  readonly key?: RecordKey;
}

/** Returns the response body (`undefined` → 204 No Content). */
export type ActionHandler = (request: ActionRequest) => unknown;

export interface ActionOptions {
  /** Run the handler in one transaction (default): all its writes succeed or none do. */
  readonly transactional?: boolean;
  /** A function (GET) rather than an action (POST), like WhoAmI. */
  readonly isFunction?: boolean;
  /**
   * The table (logical name) whose records the action is bound to, for actions the Web API offers only
   * bound ("Web API Action Reference": AddMemberList on list). Called unbound or on another table, it
   * does not exist there, and the emulator answers as for any unknown action.
   */
  readonly boundTo?: string;
}

export interface PartyInput {
  readonly mask: number;
  readonly party?: LookupValue;
  readonly address?: string;
}

interface ParsedInput {
  values: StoredRecord;
  id?: string;
  parties?: PartyInput[];
}

interface TxState {
  done: boolean;
  savepoints: number;
  readonly async: OperationEvent[];
  versionDirty: boolean;
}

interface Scope {
  readonly tx: TxState;
  readonly depth: number;
  readonly userId: string;
  readonly correlationId: string;
  readonly bypassCustomAsync: boolean;
  readonly parent?: OperationEvent;
}

const MAX_DEPTH = 8;
const STATE_COLUMNS = new Set(['statecode', 'statuscode']);

interface EventFields {
  message: PipelineMessage;
  table: string;
  id: string;
  stage: Stage;
  mode: 0 | 1;
  operationId: string;
  shared: Record<string, unknown>;
  target: EntityImage;
  changed: readonly string[];
  pre?: EntityImage;
  post?: EntityImage;
  relationship?: OperationEvent['relationship'];
}

/** An operation's event before its stage and mode are chosen. */
type EventBase = Omit<EventFields, 'stage' | 'mode'>;

/** Serialises writes; waiters give up after a timeout instead of hanging forever. */
class WriteLock {
  private locked = false;
  private readonly waiters: { grant: () => void }[] = [];

  acquire(timeoutMs: number): Promise<void> {
    if (!this.locked) {
      this.locked = true;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const waiter = {
        grant: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      const timer = setTimeout(() => {
        const index = this.waiters.indexOf(waiter);
        if (index >= 0) this.waiters.splice(index, 1);
        reject(new LockTimeoutError(timeoutMs));
      }, timeoutMs);
      timer.unref();
      this.waiters.push(waiter);
    });
  }

  release(): void {
    const next = this.waiters.shift();
    if (next) next.grant();
    else this.locked = false;
  }
}

export class Engine {
  readonly pipeline = new Pipeline();
  private readonly storage: Storage;
  private indexValue: MetadataIndex;
  private readonly clock: () => Date;
  private readonly newId: () => string;
  private readonly logger: Logger;
  private readonly format: FormatOptions;
  private readonly lockTimeoutMs: number;
  private readonly queryTimeLimitMs: number;
  private readonly lock = new WriteLock();
  private readonly als = new AsyncLocalStorage<Scope>();
  private readonly actions = new Map<string, { handler: ActionHandler; options: ActionOptions }>();
  private readonly pendingAsync = new Set<Promise<void>>();
  private version: number;
  private readonly identity: Identity;
  private closed = false;

  constructor(options: EngineOptions) {
    this.clock = options.clock ?? (() => new Date());
    this.newId = options.newId ?? randomUUID;
    this.logger = options.logger ?? silentLogger;
    this.format = { currencySymbol: options.currencySymbol ?? '$' };
    this.lockTimeoutMs = options.lockTimeoutMs ?? 30000;
    this.queryTimeLimitMs = options.queryTimeLimitMs ?? 10_000;
    this.storage = new Storage(options.path ?? '.ideario/emulator.db');
    this.indexValue = new MetadataIndex(options.metadata);
    this.storage.syncSchema(this.indexValue);
    this.version = Number(this.storage.getMeta('versionnumber') ?? '0');
    this.identity = this.loadIdentity();
    this.seedDefaultUser();
    registerBuiltInActions(this);
  }

  get metadata(): MetadataIndex {
    return this.indexValue;
  }

  /** Organisation, business unit and the default user (WhoAmI); the caller's id when impersonating. */
  whoAmI(context?: CallContext): Identity {
    return {
      ...this.identity,
      UserId: context?.userId ?? this.currentScope()?.userId ?? this.identity.UserId,
    };
  }

  /** Security roles of a user; the emulator's own user (the token's) is the System Administrator. */
  rolesOf(userId: string): string[] {
    const id = normalizeGuid(userId) ?? userId;
    if (id === this.identity.UserId) return [SYSTEM_ADMINISTRATOR];
    const stored = this.storage.getMeta(`roles:${id}`);
    return stored ? (JSON.parse(stored) as string[]) : [];
  }

  /** Gives a user the named roles (replacing what it had), as associating `systemuserroles_association` does. */
  assignRoles(userId: string, roles: readonly string[]): void {
    const catalog = new RoleCatalog(this.metadata.model);
    const unknown = roles.filter((role) => !catalog.has(role));
    if (unknown.length > 0)
      throw new BadRequestError(
        `No security role named ${unknown.join(', ')}; the solutions define ${catalog.names().join(', ')}.`,
      );
    this.storage.setMeta(`roles:${normalizeGuid(userId) ?? userId}`, JSON.stringify([...roles]));
  }

  /**
   * Refuses a Web API call the caller's roles do not allow: an impersonated user (MSCRMCallerID) must
   * exist and hold `prv<verb><table>`. Without a caller id the call runs as the token's user (admin).
   */
  authorize(context: CallContext | undefined, verb: PrivilegeVerb, entitySet: string): void {
    const userId = context?.userId;
    if (!userId || userId === this.identity.UserId) return;
    const users = this.metadata.byLogicalName('systemuser');
    if (users && !this.loadStored(users, userId)) throw new UnknownCallerError(userId);
    new RoleCatalog(this.metadata.model).check(
      userId,
      this.rolesOf(userId),
      verb,
      this.metadata.table(entitySet).logicalName,
    );
  }

  /** Grows the schema when metadata grows (a solution import): new tables, columns and keys. */
  applyMetadata(model: MetadataModel): void {
    const index = new MetadataIndex(model);
    this.storage.syncSchema(index);
    this.indexValue = index;
    this.seedDefaultUser();
  }

  /** Resolves once every queued async (mode 1) delivery has run: for tests and the plugin harness. */
  async whenIdle(): Promise<void> {
    while (this.pendingAsync.size > 0) await Promise.all([...this.pendingAsync]);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.storage.close();
  }

  // ── public operations ────────────────────────────────────────────────────────────────────────

  async create(
    entitySet: string,
    record: Record<string, unknown>,
    options: WriteOptions = {},
  ): Promise<string> {
    return this.write(options.context, (scope) =>
      this.createIn(scope, this.metadata.table(entitySet), record, {}),
    );
  }

  /**
   * Creates a row the platform itself writes (system jobs), from values in stored form: its lookups may
   * point at any table, as `asyncoperation.regardingobjectid` does on Dataverse, so no bind checks apply.
   */
  async createSystemRecord(
    entitySet: string,
    values: StoredRecord,
    options: { id?: string; context?: CallContext } = {},
  ): Promise<string> {
    return this.write(options.context, (scope) =>
      this.createIn(scope, this.metadata.table(entitySet), {}, { id: options.id, keyValues: values }),
    );
  }

  /** Reads one record; throws RecordNotFoundError when it does not exist. */
  retrieve(entitySet: string, key: RecordKey, options: ReadOptions = {}): Promise<JsonRecord> {
    return attempt(() => {
      const table = this.metadata.table(entitySet);
      validateShape(this.metadata, table, options);
      const id = this.requireId(table, key);
      const stored = this.loadStored(table, id);
      if (!stored) throw new RecordNotFoundError(table.logicalName, id);
      return toRecord(this.source, table, stored, options);
    });
  }

  /** The record's current etag (`W/"<versionnumber>"`), for conditional requests. */
  etag(entitySet: string, key: RecordKey): string {
    const table = this.metadata.table(entitySet);
    const id = this.requireId(table, key);
    const stored = this.loadStored(table, id);
    if (!stored) throw new RecordNotFoundError(table.logicalName, id);
    return etagOf(stored);
  }

  /** Updates an existing record (404 when missing). `ifMatch` etag → 412 on mismatch. */
  async update(
    entitySet: string,
    key: RecordKey,
    record: Record<string, unknown>,
    options: WriteOptions = {},
  ): Promise<void> {
    await this.write(options.context, async (scope) => {
      const table = this.metadata.table(entitySet);
      const id = this.requireId(table, key);
      await this.updateIn(scope, table, id, record, options.ifMatch);
    });
  }

  /**
   * PATCH semantics: update when the record exists, create otherwise. `ifMatch: '*'` → update only
   * (404), `ifNoneMatch: '*'` → create only (412), `ifMatch: <etag>` → update with concurrency check.
   */
  async upsert(
    entitySet: string,
    key: RecordKey,
    record: Record<string, unknown>,
    options: WriteOptions = {},
  ): Promise<{ id: string; created: boolean }> {
    return this.write(options.context, async (scope) => {
      const table = this.metadata.table(entitySet);
      const resolved = this.resolveKey(table, key);
      const existing = resolved.id
        ? this.loadStored(table, resolved.id)
          ? resolved.id
          : undefined
        : this.findByKey(table, resolved.values);
      if (existing) {
        if (options.ifNoneMatch === '*') {
          throw new DuplicateKeyError(table.logicalName, resolved.keyName, describeKey(key));
        }
        await this.updateIn(scope, table, existing, record, options.ifMatch);
        return { id: existing, created: false };
      }
      if (options.ifMatch) throw new RecordNotFoundError(table.logicalName, describeKey(key), !resolved.id);
      const id = await this.createIn(scope, table, record, { id: resolved.id, keyValues: resolved.values });
      return { id, created: true };
    });
  }

  async delete(entitySet: string, key: RecordKey, options: WriteOptions = {}): Promise<void> {
    await this.write(options.context, async (scope) => {
      const table = this.metadata.table(entitySet);
      const id = this.requireId(table, key);
      await this.deleteIn(scope, table, id, options.ifMatch);
    });
  }

  /** One page of a query; pass `skipToken` back for the next page. */
  query(
    entitySet: string,
    request: QueryRequest = {},
    options: { context?: CallContext } = {},
  ): Promise<QueryPage> {
    return attempt(() => this.querySync(entitySet, request, options.context));
  }

  private querySync(entitySet: string, request: QueryRequest, context: CallContext | undefined): QueryPage {
    const table = this.metadata.table(entitySet);
    validateShape(this.metadata, table, request);
    if (request.top !== undefined && (!Number.isInteger(request.top) || request.top < 0)) {
      throw new QueryError(`Invalid $top '${request.top}': expected a whole number ≥ 0.`);
    }
    const where: Sql[] = [];
    if (request.filter) {
      where.push(
        compileFilter(
          { index: this.metadata, table, alias: 't', now: this.clock(), userId: this.whoAmI(context).UserId },
          request.filter,
        ),
      );
    }
    const order = parseOrderBy(table, request.orderBy);
    const paged = request.top === undefined;
    const pageSize = paged
      ? Math.min(Math.max(1, Math.floor(request.pageSize ?? MAX_PAGE_SIZE)), MAX_PAGE_SIZE)
      : Math.min(request.top ?? 0, MAX_PAGE_SIZE);
    let page = 1;
    const filtered = [...where];
    if (request.skipToken && paged) {
      const token = decodeSkipToken(request.skipToken, order.length + 1);
      page = token.page;
      where.push(afterSql('t', table, order, token.values));
    }
    const whereSql = where.length > 0 ? ` WHERE ${where.map((w) => w.sql).join(' AND ')}` : '';
    const sql = `SELECT t.* FROM ${ident(table.logicalName)} t${whereSql} ORDER BY ${orderSql('t', table, order)} LIMIT ?`;
    const rows = this.storage
      .read(sql, this.inWrite())
      .all(...where.flatMap((w) => w.params), pageSize + (paged ? 1 : 0)) as Record<string, unknown>[];
    const more = paged && rows.length > pageSize;
    const pageRows = more ? rows.slice(0, pageSize) : rows;
    const shape: ReadShape = request;
    const records = pageRows.map((row) => toRecord(this.source, table, this.rowToStored(table, row), shape));
    let skipToken: string | undefined;
    const last = pageRows[pageRows.length - 1];
    if (more && last) {
      const values = [
        ...order.map((o) => sqlScalar(last[o.column.logicalName])),
        sqlScalar(last[table.primaryId]),
      ];
      skipToken = encodeSkipToken(page + 1, values);
    }
    let count: number | undefined;
    let countLimitExceeded: boolean | undefined;
    if (request.count) {
      const countSql = `SELECT COUNT(*) AS n FROM ${ident(table.logicalName)} t${filtered.length ? ` WHERE ${filtered.map((w) => w.sql).join(' AND ')}` : ''}`;
      const n = (
        this.storage.read(countSql, this.inWrite()).get(...filtered.flatMap((w) => w.params)) as { n: number }
      ).n;
      count = Math.min(n, MAX_PAGE_SIZE);
      countLimitExceeded = n > MAX_PAGE_SIZE;
    }
    return { records, count, countLimitExceeded, skipToken };
  }

  /**
   * Runs FetchXML (`GET <set>?fetchXml=`): one page per call, chosen by the fetch's `page` and `count`;
   * `pagingCookie` is what Dataverse returns in `@Microsoft.Dynamics.CRM.fetchxmlpagingcookie`.
   * The FetchXML itself lives in `tools/emulator/fetchxml/`.
   */
  fetchXml(
    entitySet: string,
    xml: string,
    options: { annotations?: AnnotationFilter; context?: CallContext } = {},
  ): Promise<FetchXmlPage> {
    return attempt(() =>
      runFetchXml(this.fetchSource(options.context), entitySet, xml, { annotations: options.annotations }),
    );
  }

  /** Runs one of the table's system views (`GET <set>?savedQuery=<id>`). */
  savedQuery(
    entitySet: string,
    id: string,
    options: { annotations?: AnnotationFilter; context?: CallContext } = {},
  ): Promise<FetchXmlPage> {
    return attempt(() =>
      runSavedQuery(this.fetchSource(options.context), entitySet, id, { annotations: options.annotations }),
    );
  }

  /** Read access for query languages compiled to SQL outside the engine (FetchXML): metadata, rows, caller. */
  fetchSource(context?: CallContext): FetchSource {
    const identity = this.whoAmI(context);
    return {
      index: this.metadata,
      records: this.source,
      rows: (sql, params) =>
        this.storage.timed(
          this.queryTimeLimitMs,
          () => this.storage.read(sql, this.inWrite()).all(...params) as Record<string, unknown>[],
        ),
      now: this.clock(),
      userId: identity.UserId,
      businessUnitId: identity.BusinessUnitId,
    };
  }

  /** Runs `fn` in one transaction: every engine call inside it commits together or not at all. */
  async transaction<T>(fn: () => Promise<T>, context?: CallContext): Promise<T> {
    return this.write(context, () => fn());
  }

  /** Adds an action or function (`ImportSolutionAsync`, `StageSolution`…), or replaces a built-in one. */
  registerAction(name: string, handler: ActionHandler, options: ActionOptions = {}): void {
    this.actions.set(name, { handler, options });
  }

  /** The action as addressed (unbound, or bound to `bound`), or `undefined` where it does not exist. */
  hasAction(name: string, bound?: ActionBinding): { isFunction: boolean } | undefined {
    const action = this.actions.get(name);
    if (!action || !this.bindingFits(action.options, bound)) return undefined;
    return { isFunction: action.options.isFunction === true };
  }

  private bindingFits(options: ActionOptions, bound: ActionBinding | undefined): boolean {
    if (options.boundTo === undefined) return true;
    if (!bound || bound.key === undefined) return false;
    return this.metadata.table(bound.entitySet).logicalName === options.boundTo;
  }

  /** Runs an action by name, bound to a table or record when `bound` is given. */
  async execute(
    name: string,
    body: Record<string, unknown> = {},
    options: { bound?: ActionBinding; context?: CallContext } = {},
  ): Promise<unknown> {
    const action = this.actions.get(name);
    if (!action || !this.bindingFits(action.options, options.bound)) throw new UnknownActionError(name);
    let bound: ActionRequest['bound'];
    if (options.bound) {
      const table = this.metadata.table(options.bound.entitySet);
      bound = {
        table,
        id: options.bound.key !== undefined ? this.requireId(table, options.bound.key) : undefined,
      };
    }
    const context = options.context ?? {};
    const run = () =>
      Promise.resolve(
        action.handler({
          engine: this,
          name,
          body,
          bound,
          context: { ...context, userId: this.whoAmI(context).UserId },
        }),
      );
    if (action.options.transactional === false) return run();
    return this.write(options.context, run);
  }

  /**
   * Raises Associate/Disassociate through the pipeline (stages 10, 20, 40 and async) for an
   * association an action made, e.g. AddMemberList.
   */
  async raiseRelationship(
    message: 'Associate' | 'Disassociate',
    target: EntityReference,
    relationship: string,
    related: readonly EntityReference[],
  ): Promise<void> {
    await this.write(undefined, async (scope) => {
      const operationId = this.newId();
      const shared: Record<string, unknown> = {};
      const make = (stage: Stage, mode: 0 | 1): OperationEvent =>
        this.event(scope, {
          message,
          table: target.logicalName,
          id: target.id,
          stage,
          mode,
          operationId,
          shared,
          target: { logicalName: target.logicalName, id: target.id, attributes: {} },
          changed: [],
          relationship: { name: relationship, relatedEntities: related },
        });
      this.checkDepth(scope, `${message} ${target.logicalName}`);
      await this.raise(scope, make(10, 0));
      await this.raise(scope, make(20, 0));
      await this.raise(scope, make(40, 0));
      this.queueAsync(scope, make(40, 1));
    });
  }

  /** Appends a sent email to the local outbox (`emulator_outbox`). */
  appendToOutbox(message: OutboxMessage): void {
    this.storage
      .write(
        'INSERT INTO emulator_outbox (emailid, senton, sender, torecipients, cc, bcc, subject, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      )
      .run(
        message.emailId,
        message.sentOn,
        message.from,
        message.to,
        message.cc,
        message.bcc,
        message.subject,
        message.body,
      );
  }

  /** Emails "sent" through SendEmail with IssueSend, oldest first. */
  outbox(): OutboxMessage[] {
    const rows = this.storage
      .read('SELECT * FROM emulator_outbox ORDER BY id', this.inWrite())
      .all() as Record<string, string | null>[];
    return rows.map((row) => ({
      emailId: row.emailid ?? '',
      sentOn: row.senton ?? '',
      from: row.sender ?? '',
      to: row.torecipients ?? '',
      cc: row.cc ?? '',
      bcc: row.bcc ?? '',
      subject: row.subject ?? '',
      body: row.body ?? '',
    }));
  }

  /** The activity parties of an activity (stored values), for SendEmail and `$expand`. */
  partiesOf(table: TableInfo, id: string): StoredRecord[] {
    const parties = this.metadata.byLogicalName('activityparty');
    if (!parties || !table.isActivity) return [];
    const rows = this.storage
      .read(
        `SELECT * FROM ${ident(parties.logicalName)} WHERE ${ident('activityid')} = ? ORDER BY ${ident('participationtypemask')}, rowid`,
        this.inWrite(),
      )
      .all(id) as Record<string, unknown>[];
    return rows.map((row) => this.rowToStored(parties, row));
  }

  /** Current time from the clock passed in. */
  now(): Date {
    return this.clock();
  }

  // ── transactions and scopes ──────────────────────────────────────────────────────────────────

  private currentScope(): Scope | undefined {
    const scope = this.als.getStore();
    return scope && !scope.tx.done ? scope : undefined;
  }

  private inWrite(): boolean {
    return this.currentScope() !== undefined;
  }

  private async write<T>(context: CallContext | undefined, fn: (scope: Scope) => Promise<T>): Promise<T> {
    const db = this.storage.db;
    const current = this.currentScope();
    if (current) {
      const scope: Scope = context?.userId ? { ...current, userId: context.userId } : current;
      const savepoint = `sp${++current.tx.savepoints}`;
      db.exec(`SAVEPOINT ${savepoint}`);
      try {
        const result = await this.als.run(scope, () => fn(scope));
        db.exec(`RELEASE ${savepoint}`);
        return result;
      } catch (error) {
        db.exec(`ROLLBACK TO ${savepoint}`);
        db.exec(`RELEASE ${savepoint}`);
        throw error;
      }
    }
    const stale = this.als.getStore();
    await this.lock.acquire(this.lockTimeoutMs);
    const tx: TxState = { done: false, savepoints: 0, async: [], versionDirty: false };
    const scope: Scope = {
      tx,
      depth: context?.depth ?? stale?.depth ?? 1,
      userId: context?.userId ?? stale?.userId ?? this.identity.UserId,
      correlationId: context?.correlationId ?? stale?.correlationId ?? this.newId(),
      bypassCustomAsync: context?.bypassCustomAsync ?? stale?.bypassCustomAsync ?? false,
      parent: stale?.parent,
    };
    let result: T;
    try {
      db.exec('BEGIN IMMEDIATE');
      try {
        result = await this.als.run(scope, () => fn(scope));
        if (tx.versionDirty) this.storage.setMeta('versionnumber', String(this.version));
        db.exec('COMMIT');
      } catch (error) {
        if (db.inTransaction) db.exec('ROLLBACK');
        throw error;
      }
    } finally {
      tx.done = true;
      this.lock.release();
    }
    this.deliverAsync(tx.async);
    return result;
  }

  private deliverAsync(events: readonly OperationEvent[]): void {
    if (events.length === 0) return;
    const delivery = this.als.exit(async () => {
      for (const event of events) {
        await this.pipeline.runAsync(event, (error) =>
          this.logger.error('async pipeline handler failed', {
            message: event.message,
            entity: event.entityName,
            id: event.id,
            error: error instanceof Error ? error.message : String(error),
          }),
        );
      }
    });
    this.pendingAsync.add(delivery);
    void delivery.finally(() => this.pendingAsync.delete(delivery));
  }

  private checkDepth(scope: Scope, operation: string): void {
    if (scope.depth > MAX_DEPTH) throw new InfiniteLoopError(scope.depth, operation);
  }

  private event(scope: Scope, e: EventFields): OperationEvent {
    return {
      message: e.message,
      entityName: e.table,
      id: e.id,
      stage: e.stage,
      mode: e.mode,
      depth: scope.depth,
      userId: scope.userId,
      initiatingUserId: scope.userId,
      businessUnitId: this.identity.BusinessUnitId,
      organizationId: this.identity.OrganizationId,
      correlationId: scope.correlationId,
      operationId: e.operationId,
      operationCreatedOn: this.clock(),
      target: e.target,
      changedAttributes: e.changed,
      preImage: e.pre,
      postImage: e.post,
      relationship: e.relationship,
      sharedVariables: e.shared,
      parent: scope.parent,
      ...(scope.bypassCustomAsync ? { bypassCustomAsync: true } : {}),
    };
  }

  /** Pre-validation (10) then pre-operation (20), both synchronous ("Event execution pipeline"). */
  private async raisePre(scope: Scope, base: EventBase): Promise<void> {
    await this.raise(scope, this.event(scope, { ...base, stage: 10, mode: 0 }));
    await this.raise(scope, this.event(scope, { ...base, stage: 20, mode: 0 }));
  }

  /** Post-operation (40): synchronous steps now, asynchronous ones queued as system jobs. */
  private async raisePost(scope: Scope, base: EventBase): Promise<void> {
    await this.raise(scope, this.event(scope, { ...base, stage: 40, mode: 0 }));
    this.queueAsync(scope, this.event(scope, { ...base, stage: 40, mode: 1 }));
  }

  /** Runs one synchronous stage; operations its handlers perform get depth + 1. */
  private async raise(scope: Scope, event: OperationEvent): Promise<void> {
    if (!this.pipeline.active) return;
    try {
      await this.als.run({ ...scope, depth: event.depth + 1, parent: event }, () =>
        this.pipeline.runSync(event),
      );
    } catch (error) {
      if (error instanceof DataverseError) throw error;
      const reason = error instanceof Error ? error.message : String(error);
      throw new PluginExecutionError(
        `${reason} (stage ${event.stage} handler of ${event.message} ${event.entityName} ${event.id})`,
        error,
      );
    }
  }

  private queueAsync(scope: Scope, event: OperationEvent): void {
    if (this.pipeline.active) scope.tx.async.push(event);
  }

  private nextVersion(scope: Scope): number {
    scope.tx.versionDirty = true;
    return ++this.version;
  }

  // ── create / update / delete inside a scope ─────────────────────────────────────────────────

  private async createIn(
    scope: Scope,
    table: TableInfo,
    body: Record<string, unknown>,
    options: { id?: string; keyValues?: StoredRecord },
  ): Promise<string> {
    this.checkDepth(scope, `Create ${table.logicalName}`);
    const parsed = this.parseInput(table, body);
    let values: StoredRecord = { ...options.keyValues, ...parsed.values };
    const id = parsed.id ?? options.id ?? this.newId();
    if (this.loadStored(table, id)) {
      throw new DuplicateKeyError(table.logicalName, table.primaryId, id, ErrorCodes.DuplicatePrimaryKey);
    }
    const operationId = this.newId();
    const shared: Record<string, unknown> = {};
    let base: EventBase | undefined;
    if (this.pipeline.active) {
      const target: EntityImage = {
        logicalName: table.logicalName,
        id,
        attributes: this.toAttributes(table, { ...values, [table.primaryId]: id }),
      };
      base = {
        message: 'Create',
        table: table.logicalName,
        id,
        operationId,
        shared,
        target,
        changed: Object.keys(target.attributes),
      };
      await this.raisePre(scope, base);
      values = this.fromAttributes(table, target.attributes);
      delete values[table.primaryId];
    }
    const now = formatStoredDateTime(this.clock());
    const row: StoredRecord = this.defaults(table, values);
    Object.assign(row, values);
    Object.assign(row, computedNames(table, values, undefined));
    if (table.hasOwner && !isLookupValue(row.ownerid ?? null))
      row.ownerid = { id: scope.userId, logicalName: 'systemuser' };
    if (table.hasState) this.normaliseState(table, row, undefined);
    this.stamp(table, row, scope, true);
    row.createdon = typeof values.overriddencreatedon === 'string' ? values.overriddencreatedon : now;
    row.modifiedon = now;
    row.versionnumber = this.nextVersion(scope);
    row[table.primaryId] = id;
    this.insertRow(table, row);
    if (parsed.parties) this.writeParties(table, id, parsed.parties);
    if (base) {
      const post = this.image(table, this.loadStored(table, id) ?? row);
      // What pre-operation steps left in the target is what changed.
      await this.raisePost(scope, { ...base, changed: Object.keys(base.target.attributes), post });
    }
    return id;
  }

  private async updateIn(
    scope: Scope,
    table: TableInfo,
    id: string,
    body: Record<string, unknown>,
    ifMatch: string | undefined,
  ): Promise<void> {
    this.checkDepth(scope, `Update ${table.logicalName}`);
    const before = this.loadStored(table, id);
    if (!before) throw new RecordNotFoundError(table.logicalName, id);
    this.checkEtag(table, id, before, ifMatch);
    const parsed = this.parseInput(table, body);
    if (parsed.id && parsed.id !== id) {
      throw new BadRequestError(
        `The body's ${table.primaryId} (${parsed.id}) differs from the record addressed (${id}).`,
      );
    }
    let values = parsed.values;
    if (table.hasState) this.normaliseState(table, values, before);
    const now = formatStoredDateTime(this.clock());
    if (!this.pipeline.active) {
      this.updateRow(
        table,
        id,
        this.stamp(
          table,
          {
            ...values,
            ...computedNames(table, values, before),
            modifiedon: now,
            versionnumber: this.nextVersion(scope),
          },
          scope,
          false,
        ),
      );
      if (parsed.parties) this.writeParties(table, id, parsed.parties);
      return;
    }
    const operationId = this.newId();
    const shared: Record<string, unknown> = {};
    const whole: EntityImage = {
      logicalName: table.logicalName,
      id,
      attributes: this.toAttributes(table, { ...values, [table.primaryId]: id }),
    };
    await this.raise(
      scope,
      this.event(scope, {
        message: 'Update',
        table: table.logicalName,
        id,
        stage: 10,
        mode: 0,
        operationId,
        shared,
        target: whole,
        changed: Object.keys(values),
        pre: this.image(table, before),
      }),
    );
    values = this.fromAttributes(table, whole.attributes);
    delete values[table.primaryId];
    if (table.hasState) this.normaliseState(table, values, before);
    // Dataverse splits state and owner changes into their own pass ("Behavior of specialized update operations").
    const groups = splitUpdate(values);
    for (const group of groups) {
      const pre = this.image(table, this.loadStored(table, id) ?? before);
      const target: EntityImage = {
        logicalName: table.logicalName,
        id,
        attributes: this.toAttributes(table, { ...group, [table.primaryId]: id }),
      };
      const changed = Object.keys(group);
      await this.raise(
        scope,
        this.event(scope, {
          message: 'Update',
          table: table.logicalName,
          id,
          stage: 20,
          mode: 0,
          operationId,
          shared,
          target,
          changed,
          pre,
        }),
      );
      const changes = this.fromAttributes(table, target.attributes);
      delete changes[table.primaryId];
      Object.assign(changes, computedNames(table, changes, this.loadStored(table, id) ?? before));
      this.updateRow(
        table,
        id,
        this.stamp(
          table,
          { ...changes, modifiedon: now, versionnumber: this.nextVersion(scope) },
          scope,
          false,
        ),
      );
      const post = this.image(table, this.loadStored(table, id) ?? before);
      const base = {
        message: 'Update' as const,
        table: table.logicalName,
        id,
        operationId,
        shared,
        target,
        changed,
        pre,
        post,
      };
      await this.raisePost(scope, base);
    }
    if (parsed.parties) this.writeParties(table, id, parsed.parties);
  }

  private async deleteIn(
    scope: Scope,
    table: TableInfo,
    id: string,
    ifMatch: string | undefined,
  ): Promise<void> {
    this.checkDepth(scope, `Delete ${table.logicalName}`);
    const before = this.loadStored(table, id);
    if (!before) throw new RecordNotFoundError(table.logicalName, id);
    this.checkEtag(table, id, before, ifMatch);
    const operationId = this.newId();
    const shared: Record<string, unknown> = {};
    const target: EntityImage = { logicalName: table.logicalName, id, attributes: {} };
    const pre = this.pipeline.active ? this.image(table, before) : undefined;
    const base = {
      message: 'Delete' as const,
      table: table.logicalName,
      id,
      operationId,
      shared,
      target,
      changed: [],
      pre,
    };
    await this.raisePre(scope, base);
    await this.cascadeDelete(scope, table, id);
    this.storage.write(`DELETE FROM ${ident(table.logicalName)} WHERE ${ident(table.primaryId)} = ?`).run(id);
    await this.raisePost(scope, base);
  }

  /** Follows every lookup pointing at the record: Cascade deletes, Restrict refuses, the rest remove the link. */
  private async cascadeDelete(scope: Scope, table: TableInfo, id: string): Promise<void> {
    for (const ref of table.referencedBy) {
      const child = this.metadata.byLogicalName(ref.table);
      const column = child?.columns.get(ref.column);
      if (!child || !column) continue;
      const polymorphic = column.polymorphic && column.targets.includes(table.logicalName);
      const sql =
        `SELECT ${ident(child.primaryId)} AS id FROM ${ident(child.logicalName)} WHERE ${ident(column.logicalName)} = ?` +
        (polymorphic ? ` AND ${ident(targetColumn(column.logicalName))} = ?` : '');
      const ids = (
        this.storage.write(sql).all(...(polymorphic ? [id, table.logicalName] : [id])) as { id: string }[]
      ).map((r) => r.id);
      if (ids.length === 0) continue;
      if (ref.cascade === 'Restrict') {
        throw new RestrictDeleteError(table.logicalName, id, ref.name, child.logicalName, ids.length);
      }
      if (ref.cascade === 'Cascade') {
        for (const childId of ids) {
          if (this.loadStored(child, childId)) await this.deleteIn(scope, child, childId, undefined);
        }
        continue;
      }
      const now = formatStoredDateTime(this.clock());
      for (const childId of ids) {
        this.updateRow(child, childId, {
          [column.logicalName]: null,
          modifiedon: now,
          versionnumber: this.nextVersion(scope),
        });
      }
    }
  }

  /** The audit and ownership columns Dataverse maintains itself (createdby, modifiedby, owninguser…). */
  private stamp(table: TableInfo, row: StoredRecord, scope: Scope, creating: boolean): StoredRecord {
    const user: LookupValue = { id: scope.userId, logicalName: 'systemuser' };
    const has = (name: string) => table.columns.has(name);
    if (creating && has('createdby')) row.createdby = user;
    if (has('modifiedby')) row.modifiedby = user;
    if (creating && has('owningbusinessunit'))
      row.owningbusinessunit = { id: this.identity.BusinessUnitId, logicalName: 'businessunit' };
    const owner = row.ownerid;
    if (owner !== undefined) {
      const ref = isLookupValue(owner) ? owner : null;
      if (has('owninguser')) row.owninguser = ref?.logicalName === 'systemuser' ? ref : null;
      if (has('owningteam')) row.owningteam = ref?.logicalName === 'team' ? ref : null;
    }
    return row;
  }

  private checkEtag(table: TableInfo, id: string, stored: StoredRecord, ifMatch: string | undefined): void {
    if (!ifMatch || ifMatch === '*') return;
    const current = etagOf(stored);
    if (normaliseEtag(ifMatch) !== normaliseEtag(current))
      throw new EtagMismatchError(table.logicalName, id, ifMatch, current);
  }

  /** statecode alone gets its default statuscode; a statuscode must belong to the statecode. */
  private normaliseState(table: TableInfo, values: StoredRecord, before: StoredRecord | undefined): void {
    const stateGiven = 'statecode' in values && values.statecode !== null;
    const statusGiven = 'statuscode' in values && values.statuscode !== null;
    if (!stateGiven && !statusGiven && before) return;
    const status = table.columns.get('statuscode');
    const state =
      typeof values.statecode === 'number'
        ? values.statecode
        : typeof before?.statecode === 'number'
          ? before.statecode
          : 0;
    if (!stateGiven && !before) values.statecode = state;
    if (!statusGiven) {
      if (stateGiven || !before) values.statuscode = defaultStatusFor(table, state) ?? (state === 0 ? 1 : 2);
      return;
    }
    const option = status?.options.find((o) => o.value === values.statuscode);
    if (option?.state !== undefined && option.state !== state) {
      throw new ValidationError(
        `${describeValue(values.statuscode ?? null)} is not a valid status code for state code ${table.logicalName}State.${state} (column statuscode of ${table.logicalName}).`,
        table.logicalName,
        'statuscode',
      );
    }
  }

  private defaults(table: TableInfo, values: StoredRecord): StoredRecord {
    const row: StoredRecord = {};
    for (const column of table.columns.values()) {
      const fallback = column.model.defaultValue;
      if (fallback === undefined || column.logicalName in values) continue;
      switch (column.type) {
        case 'Boolean':
          row[column.logicalName] =
            fallback === true || fallback === 1 || fallback === '1' || fallback === 'true';
          break;
        case 'Integer':
        case 'BigInt':
        case 'Decimal':
        case 'Double':
        case 'Money':
        case 'Picklist':
        case 'State':
        case 'Status': {
          const n = Number(fallback);
          if (Number.isFinite(n) && n !== -1) row[column.logicalName] = n;
          break;
        }
        case 'String':
        case 'Memo':
          row[column.logicalName] = String(fallback);
          break;
        default:
          break;
      }
    }
    return row;
  }

  // ── input parsing ───────────────────────────────────────────────────────────────────────────

  private parseInput(table: TableInfo, body: Record<string, unknown>): ParsedInput {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw new BadRequestError(
        `The request body for ${table.logicalName} must be a JSON object.`,
        ErrorCodes.InvalidPayload,
      );
    }
    const values: StoredRecord = {};
    const parsed: ParsedInput = { values };
    for (const [key, value] of Object.entries(body)) {
      if (value === undefined) continue;
      if (key.endsWith('@odata.bind')) {
        this.bind(table, key.slice(0, -'@odata.bind'.length), value, values);
        continue;
      }
      if (key.includes('@')) continue;
      if (key === table.partiesProperty) {
        parsed.parties = this.parseParties(table, value);
        continue;
      }
      if (key === table.primaryId) {
        const id = typeof value === 'string' ? normalizeGuid(value) : undefined;
        if (!id) throw new InvalidValueError(table.logicalName, key, 'Edm.Guid', value);
        parsed.id = id;
        continue;
      }
      const lookup = lookupFromValueName(table, key);
      if (lookup) {
        throw new BadRequestError(
          `'${key}' is read-only: set the lookup with '${lookup.logicalName}@odata.bind': '/<entityset>(<id>)' (table ${table.logicalName}).`,
          ErrorCodes.InvalidPayload,
        );
      }
      const column = table.columns.get(key);
      if (!column) throw new UnknownColumnError(table.logicalName, key);
      if (isLookup(column.type)) {
        throw new BadRequestError(
          `'${key}' is a lookup (${edmType(column.type)} → ${column.targets.join(', ')}): set it with '${this.navigationFor(table, column)}@odata.bind': '/<entityset>(<id>)' (table ${table.logicalName}).`,
          ErrorCodes.InvalidPayload,
        );
      }
      if (column.readOnly) continue;
      values[key] = convertInput(table, column, value);
    }
    return parsed;
  }

  private navigationFor(table: TableInfo, column: ColumnInfo): string {
    const names = [...table.navigation.values()]
      .filter((n) => n.column === column.logicalName)
      .map((n) => n.name);
    return names.find((n) => !n.endsWith(`_${table.logicalName}`)) ?? column.logicalName;
  }

  /** `nav@odata.bind: "/set(id)"` → a lookup value, after checking the target table and record. */
  private bind(table: TableInfo, navName: string, value: unknown, values: StoredRecord): void {
    const nav = table.navigation.get(navName);
    if (!nav) {
      const column = table.columns.get(navName);
      throw new UnknownColumnError(
        table.logicalName,
        navName,
        column && isLookup(column.type)
          ? `'${navName}' can point at several tables: bind one of ${[...table.navigation.values()]
              .filter((n) => n.column === navName)
              .map((n) => `'${n.name}'`)
              .slice(0, 6)
              .join(', ')}.`
          : undefined,
      );
    }
    if (value === null) {
      values[nav.column] = null;
      return;
    }
    if (typeof value !== 'string')
      throw new InvalidValueError(
        table.logicalName,
        `${navName}@odata.bind`,
        'Edm.String (an entity URL)',
        value,
      );
    if (value.startsWith('$')) {
      throw new BadRequestError(`Content-ID Reference: '${value}' does not exist in the batch context.`);
    }
    const address = parseRecordAddress(value);
    const target = this.metadata.table(address.entitySet);
    const column = this.metadata.column(table, nav.column);
    const allowed = nav.target ? [nav.target] : column.targets;
    if (!allowed.includes(target.logicalName)) {
      throw new BadRequestError(
        `'${navName}@odata.bind' of ${table.logicalName} points at ${target.logicalName}; it accepts ${allowed.join(', ')}.`,
        ErrorCodes.InvalidPayload,
      );
    }
    const id = this.requireId(target, address.key);
    if (!this.loadStored(target, id)) {
      throw new RecordNotFoundError(
        target.logicalName,
        typeof address.key === 'string' ? id : formatKey(address.key),
        typeof address.key !== 'string',
      );
    }
    values[nav.column] = { id, logicalName: target.logicalName };
  }

  private parseParties(table: TableInfo, value: unknown): PartyInput[] {
    if (!this.metadata.byLogicalName('activityparty')) {
      throw new BadRequestError(
        `'${table.partiesProperty ?? ''}' needs the activityparty table in the metadata.`,
      );
    }
    if (!Array.isArray(value))
      throw new InvalidValueError(
        table.logicalName,
        table.partiesProperty ?? '',
        'Collection(Microsoft.Dynamics.CRM.activityparty)',
        value,
      );
    return value.map((item: unknown) => {
      if (typeof item !== 'object' || item === null)
        throw new InvalidValueError(
          table.logicalName,
          table.partiesProperty ?? '',
          'Microsoft.Dynamics.CRM.activityparty',
          item,
        );
      const entry = item as Record<string, unknown>;
      const mask = entry.participationtypemask;
      if (typeof mask !== 'number' || !Number.isInteger(mask)) {
        throw new InvalidValueError('activityparty', 'participationtypemask', 'Edm.Int32', mask);
      }
      let party: LookupValue | undefined;
      for (const [key, bindValue] of Object.entries(entry)) {
        if (!key.startsWith('partyid') || !key.endsWith('@odata.bind') || typeof bindValue !== 'string')
          continue;
        const address = parseRecordAddress(bindValue);
        const target = this.metadata.table(address.entitySet);
        const id = this.requireId(target, address.key);
        if (!this.loadStored(target, id)) throw new RecordNotFoundError(target.logicalName, id);
        party = { id, logicalName: target.logicalName };
      }
      const address = typeof entry.addressused === 'string' ? entry.addressused : undefined;
      if (!party && !address)
        throw new BadRequestError(`An activity party needs 'partyid_<table>@odata.bind' or 'addressused'.`);
      return { mask, party, address };
    });
  }

  private writeParties(table: TableInfo, id: string, parties: readonly PartyInput[]): void {
    const partyTable = this.metadata.table('activityparty');
    this.storage
      .write(`DELETE FROM ${ident(partyTable.logicalName)} WHERE ${ident('activityid')} = ?`)
      .run(id);
    for (const party of parties) {
      const row: StoredRecord = {
        [partyTable.primaryId]: this.newId(),
        activityid: { id, logicalName: table.logicalName },
        participationtypemask: party.mask,
      };
      if (party.party) {
        row.partyid = party.party;
        if (partyTable.columns.has('partyidname'))
          row.partyidname = this.primaryNameOf(party.party.logicalName, party.party.id) ?? null;
        if (partyTable.columns.has('partyobjecttypecode')) row.partyobjecttypecode = party.party.logicalName;
      }
      if (party.address !== undefined) row.addressused = party.address;
      this.insertRow(partyTable, row);
    }
  }

  // ── keys ────────────────────────────────────────────────────────────────────────────────────

  /** Key → `{ id }` for a GUID, or the alternate key's name and typed values. */
  private resolveKey(
    table: TableInfo,
    key: RecordKey,
  ): { id?: string; keyName: string; values?: StoredRecord } {
    if (typeof key === 'string') {
      const id = normalizeGuid(key);
      if (!id)
        throw new BadRequestError(
          `'${key}' is not a GUID: address ${table.logicalName} records by id or by an alternate key.`,
        );
      return { id, keyName: table.primaryId };
    }
    const entries = Object.entries(key).map(([name, value]) => {
      const lookup = lookupFromValueName(table, name);
      return [lookup ? lookup.logicalName : name, value] as const;
    });
    if (entries.length === 1 && entries[0]?.[0] === table.primaryId)
      return this.resolveKey(table, String(entries[0][1]));
    const names = entries.map(([name]) => name).sort();
    const alternate = table.alternateKeys.find(
      (k) => k.columns.length === names.length && [...k.columns].sort().every((c, i) => c === names[i]),
    );
    if (!alternate) {
      const defined =
        table.alternateKeys.map((k) => `${k.name} (${k.columns.join(', ')})`).join('; ') || 'none';
      throw new BadRequestError(
        `No alternate key of ${table.logicalName} has exactly the columns ${names.join(', ')}. Keys defined: ${defined}.`,
      );
    }
    const values: StoredRecord = {};
    for (const [name, raw] of entries) {
      const column = this.metadata.column(table, name);
      if (isLookup(column.type)) {
        const id = typeof raw === 'string' ? normalizeGuid(raw) : undefined;
        if (!id) throw new InvalidValueError(table.logicalName, name, 'Edm.Guid', raw);
        values[name] = { id, logicalName: column.targets[0] ?? '' };
      } else {
        values[name] = convertInput(table, column, raw);
      }
    }
    return { keyName: alternate.name, values };
  }

  private findByKey(table: TableInfo, values: StoredRecord | undefined): string | undefined {
    if (!values) return undefined;
    const names = Object.keys(values);
    const sql = `SELECT ${ident(table.primaryId)} AS id FROM ${ident(table.logicalName)} WHERE ${names.map((n) => `${ident(n)} = ?`).join(' AND ')}`;
    const row = this.storage
      .read(sql, this.inWrite())
      .get(...names.map((n) => toSqlValue(values[n] ?? null))) as { id: string } | undefined;
    return row?.id;
  }

  /** Id of the record a key addresses; alternate keys that match nothing → RecordNotFoundError. */
  private requireId(table: TableInfo, key: RecordKey): string {
    const resolved = this.resolveKey(table, key);
    if (resolved.id) return resolved.id;
    const id = this.findByKey(table, resolved.values);
    if (!id) throw new RecordNotFoundError(table.logicalName, describeKey(key), true);
    return id;
  }

  // ── rows ────────────────────────────────────────────────────────────────────────────────────

  private get source(): RecordSource {
    return {
      index: this.indexValue,
      format: this.format,
      row: (table, id) => this.loadStored(table, id),
      primaryName: (logicalName, id) => this.primaryNameOf(logicalName, id),
      parties: (table, id) => this.partiesOf(table, id),
    };
  }

  private loadStored(table: TableInfo, id: string): StoredRecord | undefined {
    const row = this.storage
      .read(`SELECT * FROM ${ident(table.logicalName)} WHERE ${ident(table.primaryId)} = ?`, this.inWrite())
      .get(id) as Record<string, unknown> | undefined;
    return row ? this.rowToStored(table, row) : undefined;
  }

  private rowToStored(table: TableInfo, row: Record<string, unknown>): StoredRecord {
    const stored: StoredRecord = {};
    for (const column of table.columns.values()) stored[column.logicalName] = fromSqlRow(column, row);
    stored[table.primaryId] = row[table.primaryId] as string;
    return stored;
  }

  private primaryNameOf(logicalName: string, id: string): string | undefined {
    const table = this.metadata.byLogicalName(logicalName);
    if (!table?.primaryName || !table.columns.has(table.primaryName)) return undefined;
    const row = this.storage
      .read(
        `SELECT ${ident(table.primaryName)} AS name FROM ${ident(table.logicalName)} WHERE ${ident(table.primaryId)} = ?`,
        this.inWrite(),
      )
      .get(id) as { name: unknown } | undefined;
    return typeof row?.name === 'string' ? row.name : undefined;
  }

  private sqlAssignments(table: TableInfo, values: StoredRecord): [string, string | number | null][] {
    const out: [string, string | number | null][] = [];
    for (const [name, value] of Object.entries(values)) {
      const column = table.columns.get(name);
      if (!column && name !== table.primaryId) continue;
      out.push([name, toSqlValue(value)]);
      if (column && isLookup(column.type) && column.polymorphic) {
        out.push([targetColumn(name), isLookupValue(value) ? value.logicalName : null]);
      }
    }
    return out;
  }

  private insertRow(table: TableInfo, row: StoredRecord): void {
    const assignments = this.sqlAssignments(table, row);
    const sql = `INSERT INTO ${ident(table.logicalName)} (${assignments.map(([n]) => ident(n)).join(', ')}) VALUES (${assignments.map(() => '?').join(', ')})`;
    try {
      this.storage.write(sql).run(...assignments.map(([, v]) => v));
    } catch (error) {
      throw this.constraintError(table, row, error);
    }
  }

  private updateRow(table: TableInfo, id: string, changes: StoredRecord): void {
    const assignments = this.sqlAssignments(table, changes);
    if (assignments.length === 0) return;
    const sql = `UPDATE ${ident(table.logicalName)} SET ${assignments.map(([n]) => `${ident(n)} = ?`).join(', ')} WHERE ${ident(table.primaryId)} = ?`;
    try {
      this.storage.write(sql).run(...assignments.map(([, v]) => v), id);
    } catch (error) {
      throw this.constraintError(table, { ...this.loadStored(table, id), ...changes }, error);
    }
  }

  /** SQLite's UNIQUE failures → the alternate key that was violated. */
  private constraintError(table: TableInfo, row: StoredRecord, error: unknown): unknown {
    // Duck-typed: better-sqlite3 builds SqliteError in the realm that loaded it first, so instanceof can fail.
    const message =
      typeof error === 'object' && error !== null ? (error as { message?: unknown }).message : undefined;
    if (typeof message !== 'string' || !/UNIQUE constraint failed/.test(message)) return error;
    const failed = message
      .replace(/^.*UNIQUE constraint failed:\s*/, '')
      .split(',')
      .map((c) => c.trim().split('.').pop() ?? '');
    const key = table.alternateKeys.find(
      (k) => k.columns.length === failed.length && k.columns.every((c) => failed.includes(c)),
    );
    if (!key)
      return new DuplicateKeyError(
        table.logicalName,
        table.primaryId,
        describeValue(row[table.primaryId] ?? null),
        ErrorCodes.DuplicatePrimaryKey,
      );
    const values = key.columns.map((c) => `${c}=${describeValue(row[c] ?? null)}`).join(', ');
    return new DuplicateKeyError(table.logicalName, key.name, values);
  }

  // ── pipeline images ─────────────────────────────────────────────────────────────────────────

  private image(table: TableInfo, stored: StoredRecord): EntityImage {
    return {
      logicalName: table.logicalName,
      id: stored[table.primaryId] as string,
      attributes: this.toAttributes(table, stored),
    };
  }

  private toAttributes(table: TableInfo, stored: StoredRecord): Record<string, AttributeValue> {
    const out: Record<string, AttributeValue> = {};
    for (const [name, value] of Object.entries(stored)) {
      const column = table.columns.get(name);
      if (!column) continue;
      out[name] = toAttributeValue(column, value);
    }
    return out;
  }

  /** Target attributes (possibly edited by a stage 10/20 handler) → stored values, re-validated. */
  private fromAttributes(table: TableInfo, attributes: Record<string, AttributeValue>): StoredRecord {
    const out: StoredRecord = {};
    for (const [name, value] of Object.entries(attributes)) {
      const column = table.columns.get(name);
      if (!column)
        throw new UnknownColumnError(table.logicalName, name, 'A pipeline handler set it on the Target.');
      if (value !== null && typeof value === 'object') {
        if (value.kind === 'reference') {
          if (!isLookup(column.type))
            throw new InvalidValueError(table.logicalName, name, edmType(column.type), value);
          out[name] = { id: value.id, logicalName: value.logicalName };
        } else {
          out[name] = convertInput(table, column, value.value);
        }
      } else if (isLookup(column.type) && value !== null) {
        throw new InvalidValueError(table.logicalName, name, 'EntityReference', value);
      } else if (name === table.primaryId) {
        out[name] = value;
      } else {
        out[name] = convertInput(table, column, value);
      }
    }
    return out;
  }

  // ── identity ────────────────────────────────────────────────────────────────────────────────

  private loadIdentity(): Identity {
    const get = (key: string) => {
      let value = this.storage.getMeta(key);
      if (!value) {
        value = this.newId();
        this.storage.setMeta(key, value);
      }
      return value;
    };
    return {
      UserId: get('userid'),
      BusinessUnitId: get('businessunitid'),
      OrganizationId: get('organizationid'),
    };
  }

  /** The default user exists as a systemuser row when the metadata has that table, so lookups to it resolve. */
  private seedDefaultUser(): void {
    const users = this.metadata.byLogicalName('systemuser');
    if (!users || this.loadStored(users, this.identity.UserId)) return;
    const row: StoredRecord = { [users.primaryId]: this.identity.UserId };
    const set = (name: string, value: StoredValue) => {
      if (users.columns.has(name)) row[name] = value;
    };
    set('fullname', 'Emulator Administrator');
    set('firstname', 'Emulator');
    set('lastname', 'Administrator');
    set('internalemailaddress', 'admin@emulator.local');
    set('domainname', 'admin@emulator.local');
    set('isdisabled', false);
    const now = formatStoredDateTime(this.clock());
    set('createdon', now);
    set('modifiedon', now);
    set('versionnumber', ++this.version);
    this.storage.setMeta('versionnumber', String(this.version));
    this.insertRow(users, row);
  }
}

export function toAttributeValue(column: ColumnInfo, value: StoredValue): AttributeValue {
  if (value === null) return null;
  if (isLookupValue(value)) return { kind: 'reference', logicalName: value.logicalName, id: value.id };
  switch (column.type) {
    case 'Picklist':
    case 'State':
    case 'Status':
      return typeof value === 'number' ? { kind: 'option', value } : value;
    case 'Money':
      return typeof value === 'number' ? { kind: 'money', value } : value;
    case 'DateTime':
    case 'DateOnly':
      return typeof value === 'string'
        ? { kind: 'datetime', value, dateOnly: column.type === 'DateOnly' }
        : value;
    default:
      return value;
  }
}

/** Runs synchronous work as a promise, so callers see thrown errors as rejections. */
function attempt<T>(fn: () => T): Promise<T> {
  return new Promise((resolve) => resolve(fn()));
}

function splitUpdate(values: StoredRecord): StoredRecord[] {
  const others: StoredRecord = {};
  const owner: StoredRecord = {};
  const state: StoredRecord = {};
  for (const [name, value] of Object.entries(values)) {
    if (STATE_COLUMNS.has(name)) state[name] = value;
    else if (name === 'ownerid') owner[name] = value;
    else others[name] = value;
  }
  const groups = [others, owner, state].filter((g) => Object.keys(g).length > 0);
  return groups.length > 0 ? groups : [{}];
}

function normaliseEtag(etag: string): string {
  return etag.trim().replace(/^W\//, '').replace(/^"|"$/g, '');
}

function sqlScalar(value: unknown): string | number | null {
  if (typeof value === 'string' || typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  return null;
}

function describeKey(key: RecordKey): string {
  return typeof key === 'string' ? key : formatKey(key);
}

function describeValue(value: StoredValue): string {
  if (isLookupValue(value)) return value.id;
  return value === null ? 'null' : String(value);
}
