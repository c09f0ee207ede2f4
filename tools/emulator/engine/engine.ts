/**
 * The emulator's engine: a local Dataverse over SQLite, without HTTP. It owns the data (one SQL
 * table per Dataverse table), enforces types, keys, concurrency and relationship behaviour, runs the
 * event pipeline (`pipeline.ts`) and the actions (`actions.ts`). The HTTP layer and the in-process
 * client both drive it; every write runs in one SQLite transaction together with its synchronous
 * handlers and the operations they perform.
 */
import { randomUUID } from 'node:crypto';
import type { RecordKey } from '../../../dataverse/client';
import { silentLogger } from '../../../dataverse/logger';
import type { MetadataModel } from '../../solution/model';
import { registerBuiltInActions } from './actions';
import { EngineCore } from './core';
import type {
  ActionBinding,
  ActionHandler,
  ActionOptions,
  ActionRequest,
  CallContext,
  EngineOptions,
  FetchXmlPage,
  Identity,
  OutboxMessage,
  ReadOptions,
  WriteOptions,
} from './engine-types';
import {
  BadRequestError,
  DuplicateKeyError,
  QueryError,
  RecordNotFoundError,
  UnknownActionError,
  UnsupportedLocaleError,
  UnsupportedTimeZoneCodeError,
} from './errors';
import { DEFAULT_LOCALE, KNOWN_LOCALES, formatSettingsFor, withPersonalFormats } from './formats';
import { TIME_ZONE_CODES, requireTimeZone } from './timezones';
import type { CurrencyDefinition } from './currencies';
import { baseCurrencyOf, requireCurrency } from './currencies';
import { usersettings } from '../../../dataverse/generated/usersettings';
import { organization } from '../../../dataverse/generated/organization';
import { transactioncurrency } from '../../../dataverse/generated/transactioncurrency';
import type { Sql } from './filter';
import { compileFilter } from './filter';
import { InputParser } from './input';
import { KeyResolver, describeKey } from './key-resolver';
import type { TableInfo } from './metadata';
import { MetadataIndex } from './metadata';
import type { EntityReference, OperationEvent, Stage } from './pipeline';
import { Pipeline } from './pipeline';
import type { QueryPage, QueryRequest } from './query';
import { MAX_PAGE_SIZE, afterSql, decodeSkipToken, encodeSkipToken, orderSql, parseOrderBy } from './query';
import type { AnnotationFilter, JsonRecord, ReadShape } from './records';
import { etagOf, toRecord, validateShape } from './records';
import { Rows } from './rows';
import { Scopes } from './scope';
import { RoleCatalog, SYSTEM_ADMINISTRATOR, UnknownCallerError, type PrivilegeVerb } from './security';
import { Storage, ident } from './storage';
import type { FormatOptions, StoredRecord, StoredValue } from './values';
import { formatStoredDateTime, normalizeGuid } from './values';
import { Writes } from './writes';
import { runFetchXml, runSavedQuery, type FetchSource } from '../fetchxml';

export type * from './engine-types';
export { toAttributeValue } from './images';

/**
 * The public operations. The parts (`core.ts` shared state, `scope.ts` transactions, `rows.ts`,
 * `key-resolver.ts`, `input.ts`, `writes.ts`, `images.ts`) are built here and share one EngineCore.
 */
export class Engine {
  readonly pipeline = new Pipeline();
  private readonly core: EngineCore;
  private readonly queryTimeLimitMs: number;
  private readonly actions = new Map<string, { handler: ActionHandler; options: ActionOptions }>();
  private readonly identity: Identity;
  private readonly rows: Rows;
  private readonly keys: KeyResolver;
  private readonly scopes: Scopes;
  private readonly writes: Writes;
  private closed = false;
  private readonly defaultTimeZone: string | undefined;

  constructor(options: EngineOptions) {
    this.queryTimeLimitMs = options.queryTimeLimitMs ?? 10_000;
    this.defaultTimeZone = options.timeZone === undefined ? undefined : requireTimeZone(options.timeZone);
    const storage = new Storage(options.path ?? '.ideario/emulator.db');
    const index = new MetadataIndex(options.metadata);
    storage.syncSchema(index);
    const clock = options.clock ?? (() => new Date());
    const base = options.baseCurrency === undefined ? undefined : requireCurrency(options.baseCurrency);
    const format = { currencySymbol: options.currencySymbol ?? '$' };
    this.core = new EngineCore(storage, index, clock, options.newId ?? randomUUID, format);
    this.rows = new Rows(this.core);
    this.keys = new KeyResolver(this.core);
    this.identity = this.loadIdentity();
    this.scopes = new Scopes(
      this.core,
      this.pipeline,
      this.identity,
      options.logger ?? silentLogger,
      options.lockTimeoutMs ?? 30000,
    );
    const input = new InputParser(this.core, this.rows, this.keys);
    this.writes = new Writes(this.core, this.pipeline, this.identity, this.scopes, this.rows, input);
    this.seedDefaultUser();
    this.seedDefaultUserSettings();
    if (base) {
      this.seedOrganization(base);
      // An existing database's base currency wins over the option, as the organization's cannot change.
      if (options.currencySymbol === undefined)
        format.currencySymbol = this.baseCurrencySymbol() ?? base.symbol;
    }
    registerBuiltInActions(this);
  }

  get metadata(): MetadataIndex {
    return this.core.metadata;
  }
  /** The symbol money formatted values carry when a row names no currency (`currencySymbol` option). */
  get currencySymbol(): string {
    return this.core.format.currencySymbol;
  }

  /** Organisation, business unit and the default user (WhoAmI); the caller's id when impersonating. */
  whoAmI(context?: CallContext): Identity {
    return {
      ...this.identity,
      UserId: context?.userId ?? this.core.currentScope()?.userId ?? this.identity.UserId,
    };
  }

  /** The caller's usersettings row (Personal Options), if they have one. */
  private personalOptions(context?: CallContext): StoredRecord | undefined {
    const settings = this.metadata.byLogicalName(usersettings.logicalName);
    return settings ? this.rows.loadStored(settings, this.whoAmI(context).UserId) : undefined;
  }

  /**
   * The IANA time zone the caller's "today", "this week", "last month"… are judged in: Dataverse
   * evaluates date query functions and FetchXML date operators in the calling user's time zone.
   */
  timeZoneOf(context?: CallContext): string | undefined {
    return this.zoneOf(this.personalOptions(context));
  }

  private zoneOf(options: StoredRecord | undefined): string | undefined {
    const code = options?.[usersettings.columns.timezonecode];
    // No row, or a row without a zone: the organisation's default (IDEARIO_TIME_ZONE).
    if (typeof code !== 'number') return this.defaultTimeZone;
    const zone = TIME_ZONE_CODES[code];
    if (!zone) throw new UnsupportedTimeZoneCodeError(code, Object.keys(TIME_ZONE_CODES).map(Number));
    return zone.iana;
  }

  /**
   * How the caller's formatted values are written: Dataverse formats them in the calling user's
   * language and formats (usersettings uilanguageid and localeid, "UserSettings table/entity reference",
   * set in Personal Options: https://learn.microsoft.com/power-apps/user/set-personal-options), with the
   * changes they made to the region's formats, and in their time zone. A user without them gets English
   * (United States).
   */
  formatFor(context?: CallContext): FormatOptions & { timeZone: string | undefined } {
    const row = this.personalOptions(context);
    const stored = (column: string): number | undefined => {
      const value = row?.[column];
      return typeof value === 'number' ? value : undefined;
    };
    const localeId =
      context?.userSettings?.localeid ?? stored(usersettings.columns.localeid) ?? DEFAULT_LOCALE;
    const languageId =
      context?.userSettings?.uilanguageid ?? stored(usersettings.columns.uilanguageid) ?? DEFAULT_LOCALE;
    const found = formatSettingsFor(localeId, languageId);
    if (!found) throw new UnsupportedLocaleError(localeId, KNOWN_LOCALES);
    const text = (column: string): string | undefined => {
      const value = row?.[column];
      return typeof value === 'string' ? value : undefined;
    };
    const U = usersettings.columns;
    // The user's own changes to the region's formats (Personal Options → Formats → Customize).
    const settings = withPersonalFormats(found, {
      dateformatstring: text(U.dateformatstring),
      dateseparator: text(U.dateseparator),
      timeformatstring: text(U.timeformatstring),
      timeseparator: text(U.timeseparator),
      amdesignator: text(U.amdesignator),
      pmdesignator: text(U.pmdesignator),
      decimalsymbol: text(U.decimalsymbol),
      numberseparator: text(U.numberseparator),
    });
    return { ...this.core.format, settings, timeZone: this.zoneOf(row) };
  }

  /** Security roles of a user; the emulator's own user (the token's) is the System Administrator. */
  rolesOf(userId: string): string[] {
    const id = normalizeGuid(userId) ?? userId;
    if (id === this.identity.UserId) return [SYSTEM_ADMINISTRATOR];
    const stored = this.core.storage.getMeta(`roles:${id}`);
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
    this.core.storage.setMeta(`roles:${normalizeGuid(userId) ?? userId}`, JSON.stringify([...roles]));
  }

  /**
   * Refuses a Web API call the caller's roles do not allow: an impersonated user (MSCRMCallerID) must
   * exist and hold `prv<verb><table>`. Without a caller id the call runs as the token's user (admin).
   */
  authorize(context: CallContext | undefined, verb: PrivilegeVerb, entitySet: string): void {
    const userId = context?.userId;
    if (!userId || userId === this.identity.UserId) return;
    const users = this.metadata.byLogicalName('systemuser');
    if (users && !this.rows.loadStored(users, userId)) throw new UnknownCallerError(userId);
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
    this.core.storage.syncSchema(index);
    this.core.metadata = index;
    this.seedDefaultUser();
    this.seedDefaultUserSettings();
  }

  /** Resolves once every queued async (mode 1) delivery has run: for tests and the plugin harness. */
  async whenIdle(): Promise<void> {
    await this.scopes.whenIdle();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.core.storage.close();
  }

  // ── public operations ────────────────────────────────────────────────────────────────────────

  async create(
    entitySet: string,
    record: Record<string, unknown>,
    options: WriteOptions = {},
  ): Promise<string> {
    return this.scopes.write(options.context, (scope) =>
      this.writes.createIn(scope, this.metadata.table(entitySet), record, {}),
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
    return this.scopes.write(options.context, (scope) =>
      this.writes.createIn(scope, this.metadata.table(entitySet), {}, { id: options.id, keyValues: values }),
    );
  }

  /** Reads one record; throws RecordNotFoundError when it does not exist. */
  retrieve(entitySet: string, key: RecordKey, options: ReadOptions = {}): Promise<JsonRecord> {
    return attempt(() => {
      const table = this.metadata.table(entitySet);
      validateShape(this.metadata, table, options);
      const id = this.keys.requireId(table, key);
      const stored = this.rows.loadStored(table, id);
      if (!stored) throw new RecordNotFoundError(table.logicalName, id);
      return toRecord(this.rows.source(this.formatFor(options.context)), table, stored, options);
    });
  }

  /** The record's current etag (`W/"<versionnumber>"`), for conditional requests. */
  etag(entitySet: string, key: RecordKey): string {
    const table = this.metadata.table(entitySet);
    const id = this.keys.requireId(table, key);
    const stored = this.rows.loadStored(table, id);
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
    await this.scopes.write(options.context, async (scope) => {
      const table = this.metadata.table(entitySet);
      const id = this.keys.requireId(table, key);
      await this.writes.updateIn(scope, table, id, record, options.ifMatch);
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
    return this.scopes.write(options.context, async (scope) => {
      const table = this.metadata.table(entitySet);
      const resolved = this.keys.resolveKey(table, key);
      const existing = resolved.id
        ? this.rows.loadStored(table, resolved.id)
          ? resolved.id
          : undefined
        : this.keys.findByKey(table, resolved.values);
      if (existing) {
        if (options.ifNoneMatch === '*') {
          throw new DuplicateKeyError(table.logicalName, resolved.keyName, describeKey(key));
        }
        await this.writes.updateIn(scope, table, existing, record, options.ifMatch);
        return { id: existing, created: false };
      }
      if (options.ifMatch) throw new RecordNotFoundError(table.logicalName, describeKey(key), !resolved.id);
      const id = await this.writes.createIn(scope, table, record, {
        id: resolved.id,
        keyValues: resolved.values,
      });
      return { id, created: true };
    });
  }

  async delete(entitySet: string, key: RecordKey, options: WriteOptions = {}): Promise<void> {
    await this.scopes.write(options.context, async (scope) => {
      const table = this.metadata.table(entitySet);
      const id = this.keys.requireId(table, key);
      await this.writes.deleteIn(scope, table, id, options.ifMatch);
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
    const format = this.formatFor(context);
    if (request.filter) {
      where.push(
        compileFilter(
          {
            index: this.metadata,
            table,
            alias: 't',
            now: this.core.clock(),
            userId: this.whoAmI(context).UserId,
            timeZone: format.timeZone,
          },
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
    const rows = this.core.storage
      .read(sql, this.core.inWrite())
      .all(...where.flatMap((w) => w.params), pageSize + (paged ? 1 : 0)) as Record<string, unknown>[];
    const more = paged && rows.length > pageSize;
    const pageRows = more ? rows.slice(0, pageSize) : rows;
    const shape: ReadShape = request;
    const source = this.rows.source(format);
    const records = pageRows.map((row) => toRecord(source, table, this.rows.rowToStored(table, row), shape));
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
        this.core.storage.read(countSql, this.core.inWrite()).get(...filtered.flatMap((w) => w.params)) as {
          n: number;
        }
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
    const format = this.formatFor(context);
    return {
      index: this.metadata,
      records: this.rows.source(format),
      rows: (sql, params) =>
        this.core.storage.timed(
          this.queryTimeLimitMs,
          () => this.core.storage.read(sql, this.core.inWrite()).all(...params) as Record<string, unknown>[],
        ),
      now: this.core.clock(),
      userId: identity.UserId,
      businessUnitId: identity.BusinessUnitId,
      timeZone: format.timeZone,
    };
  }

  /** Runs `fn` in one transaction: every engine call inside it commits together or not at all. */
  async transaction<T>(fn: () => Promise<T>, context?: CallContext): Promise<T> {
    return this.scopes.write(context, () => fn());
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
        id: options.bound.key !== undefined ? this.keys.requireId(table, options.bound.key) : undefined,
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
    return this.scopes.write(options.context, run);
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
    await this.scopes.write(undefined, async (scope) => {
      const operationId = this.core.newId();
      const shared: Record<string, unknown> = {};
      const make = (stage: Stage, mode: 0 | 1): OperationEvent =>
        this.scopes.event(scope, {
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
      this.scopes.checkDepth(scope, `${message} ${target.logicalName}`);
      await this.scopes.raise(scope, make(10, 0));
      await this.scopes.raise(scope, make(20, 0));
      await this.scopes.raise(scope, make(40, 0));
      this.scopes.queueAsync(scope, make(40, 1));
    });
  }

  /** Appends a sent email to the local outbox (`emulator_outbox`). */
  appendToOutbox(message: OutboxMessage): void {
    this.core.storage
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
    const rows = this.core.storage
      .read('SELECT * FROM emulator_outbox ORDER BY id', this.core.inWrite())
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
    return this.rows.partiesOf(table, id);
  }

  /** Current time from the clock passed in. */
  now(): Date {
    return this.core.clock();
  }

  // ── identity ────────────────────────────────────────────────────────────────────────────────

  private loadIdentity(): Identity {
    const get = (key: string) => {
      let value = this.core.storage.getMeta(key);
      if (!value) {
        value = this.core.newId();
        this.core.storage.setMeta(key, value);
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
    if (!users || this.rows.loadStored(users, this.identity.UserId)) return;
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
    const now = formatStoredDateTime(this.core.clock());
    set('createdon', now);
    set('modifiedon', now);
    set('versionnumber', ++this.core.version);
    this.core.storage.setMeta('versionnumber', String(this.core.version));
    this.rows.insertRow(users, row);
  }

  /**
   * Every Dataverse user has a usersettings row; the default user's names no time zone, so its days are
   * the organisation's (IDEARIO_TIME_ZONE) until `timezonecode` is set (PATCH usersettingscollection(<id>)).
   */
  private seedDefaultUserSettings(): void {
    const settings = this.metadata.byLogicalName(usersettings.logicalName);
    if (!settings || this.rows.loadStored(settings, this.identity.UserId)) return;
    this.insertSeeded(settings, { [settings.primaryId]: this.identity.UserId });
  }

  /** Inserts a row the environment has from the start, stamped now, with the next version number. */
  private insertSeeded(table: TableInfo, row: StoredRecord): void {
    const now = formatStoredDateTime(this.core.clock());
    for (const column of ['createdon', 'modifiedon']) if (table.columns.has(column)) row[column] = now;
    if (table.columns.has('versionnumber')) row.versionnumber = ++this.core.version;
    this.core.storage.setMeta('versionnumber', String(this.core.version));
    this.rows.insertRow(table, row);
  }

  /**
   * The organization row and its base currency ("Transaction Currency (currency) table": the base
   * currency is set when the organization is set up and kept in Organization.BaseCurrencyID). A database
   * that already has its organization keeps its base currency, as an environment's cannot change.
   */
  private seedOrganization(base: CurrencyDefinition): void {
    const orgs = this.metadata.byLogicalName(organization.logicalName);
    const currencies = this.metadata.byLogicalName(transactioncurrency.logicalName);
    if (!orgs || !currencies || this.rows.loadStored(orgs, this.identity.OrganizationId)) return;
    const C = transactioncurrency.columns;
    const currencyId = this.core.newId();
    this.insertSeeded(currencies, {
      [C.transactioncurrencyid]: currencyId,
      [C.isocurrencycode]: base.isoCode,
      [C.currencyname]: base.name,
      [C.currencysymbol]: base.symbol,
      [C.currencyprecision]: base.precision,
    });
    const O = organization.columns;
    this.insertSeeded(orgs, {
      [O.organizationid]: this.identity.OrganizationId,
      [O.name]: 'Emulator',
      [O.basecurrencyid]: { id: currencyId, logicalName: transactioncurrency.logicalName },
    });
  }

  /** The symbol of the organization's base currency, when it has one. */
  private baseCurrencySymbol(): string | undefined {
    const currencies = this.metadata.byLogicalName(transactioncurrency.logicalName);
    const base = baseCurrencyOf(this.metadata, this.rows, this.identity.OrganizationId);
    if (!currencies || !base) return undefined;
    const symbol = this.rows.loadStored(currencies, base.id)?.[transactioncurrency.columns.currencysymbol];
    return typeof symbol === 'string' && symbol !== '' ? symbol : undefined;
  }
}

/** Runs synchronous work as a promise, so callers see thrown errors as rejections. */
function attempt<T>(fn: () => T): Promise<T> {
  return new Promise((resolve) => resolve(fn()));
}

function sqlScalar(value: unknown): string | number | null {
  if (typeof value === 'string' || typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  return null;
}
