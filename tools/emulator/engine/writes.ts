/** Create, update and delete inside a scope: the pipeline stages around each write, cascades, defaults and audit columns. */
import { transactioncurrency } from '../../../dataverse/generated';
import { baseCurrencyOf } from './currencies';
import type { EngineCore, Scope } from './core';
import type { Identity } from './engine-types';
import {
  BadRequestError,
  DuplicateKeyError,
  ErrorCodes,
  EtagMismatchError,
  RecordNotFoundError,
  RestrictDeleteError,
  ValidationError,
} from './errors';
import { fromAttributes, imageOf, toAttributes } from './images';
import type { InputParser } from './input';
import type { TableInfo } from './metadata';
import { defaultStatusFor } from './metadata';
import { computedNames } from './names';
import type { EntityImage, Pipeline } from './pipeline';
import { etagOf } from './records';
import { describeValue, type Rows } from './rows';
import type { EventBase, Scopes } from './scope';
import { ident } from './storage';
import type { LookupValue, StoredRecord } from './values';
import { formatStoredDateTime, isLookupValue, targetColumn } from './values';

const STATE_COLUMNS = new Set(['statecode', 'statuscode']);

export class Writes {
  /** Organization.BaseCurrencyId; it never changes once set, so it is read once. */
  private baseCurrency: LookupValue | undefined;

  constructor(
    private readonly core: EngineCore,
    private readonly pipeline: Pipeline,
    private readonly identity: Identity,
    private readonly scopes: Scopes,
    private readonly rows: Rows,
    private readonly input: InputParser,
  ) {}

  async createIn(
    scope: Scope,
    table: TableInfo,
    body: Record<string, unknown>,
    options: { id?: string; keyValues?: StoredRecord },
  ): Promise<string> {
    this.scopes.checkDepth(scope, `Create ${table.logicalName}`);
    const parsed = this.input.parseInput(table, body);
    let values: StoredRecord = { ...options.keyValues, ...parsed.values };
    const id = parsed.id ?? options.id ?? this.core.newId();
    if (this.rows.loadStored(table, id)) {
      throw new DuplicateKeyError(table.logicalName, table.primaryId, id, ErrorCodes.DuplicatePrimaryKey);
    }
    const operationId = this.core.newId();
    const shared: Record<string, unknown> = {};
    let base: EventBase | undefined;
    if (this.pipeline.active) {
      const target: EntityImage = {
        logicalName: table.logicalName,
        id,
        attributes: toAttributes(table, { ...values, [table.primaryId]: id }),
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
      await this.scopes.raisePre(scope, base);
      values = fromAttributes(table, target.attributes);
      delete values[table.primaryId];
    }
    const now = formatStoredDateTime(this.core.clock());
    const row: StoredRecord = this.defaults(table, values);
    Object.assign(row, values);
    Object.assign(row, computedNames(table, values, undefined));
    if (table.hasOwner && !isLookupValue(row.ownerid ?? null))
      row.ownerid = { id: scope.userId, logicalName: 'systemuser' };
    this.defaultCurrency(table, row);
    if (table.hasState) this.normaliseState(table, row, undefined);
    this.stamp(table, row, scope, true);
    row.createdon = typeof values.overriddencreatedon === 'string' ? values.overriddencreatedon : now;
    row.modifiedon = now;
    row.versionnumber = this.scopes.nextVersion(scope);
    row[table.primaryId] = id;
    this.rows.insertRow(table, row);
    if (parsed.parties) this.input.writeParties(table, id, parsed.parties);
    if (base) {
      const post = imageOf(table, this.rows.loadStored(table, id) ?? row);
      // What pre-operation steps left in the target is what changed.
      await this.scopes.raisePost(scope, { ...base, changed: Object.keys(base.target.attributes), post });
    }
    return id;
  }

  async updateIn(
    scope: Scope,
    table: TableInfo,
    id: string,
    body: Record<string, unknown>,
    ifMatch: string | undefined,
  ): Promise<void> {
    this.scopes.checkDepth(scope, `Update ${table.logicalName}`);
    const before = this.rows.loadStored(table, id);
    if (!before) throw new RecordNotFoundError(table.logicalName, id);
    this.checkEtag(table, id, before, ifMatch);
    const parsed = this.input.parseInput(table, body);
    if (parsed.id && parsed.id !== id) {
      throw new BadRequestError(
        `The body's ${table.primaryId} (${parsed.id}) differs from the record addressed (${id}).`,
      );
    }
    let values = parsed.values;
    if (table.hasState) this.normaliseState(table, values, before);
    const now = formatStoredDateTime(this.core.clock());
    if (!this.pipeline.active) {
      this.defaultCurrency(table, values, before);
      this.rows.updateRow(
        table,
        id,
        this.stamp(
          table,
          {
            ...values,
            ...computedNames(table, values, before),
            modifiedon: now,
            versionnumber: this.scopes.nextVersion(scope),
          },
          scope,
          false,
        ),
      );
      if (parsed.parties) this.input.writeParties(table, id, parsed.parties);
      return;
    }
    const operationId = this.core.newId();
    const shared: Record<string, unknown> = {};
    const whole: EntityImage = {
      logicalName: table.logicalName,
      id,
      attributes: toAttributes(table, { ...values, [table.primaryId]: id }),
    };
    await this.scopes.raise(
      scope,
      this.scopes.event(scope, {
        message: 'Update',
        table: table.logicalName,
        id,
        stage: 10,
        mode: 0,
        operationId,
        shared,
        target: whole,
        changed: Object.keys(values),
        pre: imageOf(table, before),
      }),
    );
    values = fromAttributes(table, whole.attributes);
    delete values[table.primaryId];
    if (table.hasState) this.normaliseState(table, values, before);
    // Dataverse splits state and owner changes into their own pass ("Behavior of specialized update operations").
    const groups = splitUpdate(values);
    for (const group of groups) {
      const pre = imageOf(table, this.rows.loadStored(table, id) ?? before);
      const target: EntityImage = {
        logicalName: table.logicalName,
        id,
        attributes: toAttributes(table, { ...group, [table.primaryId]: id }),
      };
      const changed = Object.keys(group);
      await this.scopes.raise(
        scope,
        this.scopes.event(scope, {
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
      const changes = fromAttributes(table, target.attributes);
      delete changes[table.primaryId];
      this.defaultCurrency(table, changes, this.rows.loadStored(table, id) ?? before);
      Object.assign(changes, computedNames(table, changes, this.rows.loadStored(table, id) ?? before));
      this.rows.updateRow(
        table,
        id,
        this.stamp(
          table,
          { ...changes, modifiedon: now, versionnumber: this.scopes.nextVersion(scope) },
          scope,
          false,
        ),
      );
      const post = imageOf(table, this.rows.loadStored(table, id) ?? before);
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
      await this.scopes.raisePost(scope, base);
    }
    if (parsed.parties) this.input.writeParties(table, id, parsed.parties);
  }

  async deleteIn(scope: Scope, table: TableInfo, id: string, ifMatch: string | undefined): Promise<void> {
    this.scopes.checkDepth(scope, `Delete ${table.logicalName}`);
    const before = this.rows.loadStored(table, id);
    if (!before) throw new RecordNotFoundError(table.logicalName, id);
    this.checkEtag(table, id, before, ifMatch);
    const operationId = this.core.newId();
    const shared: Record<string, unknown> = {};
    const target: EntityImage = { logicalName: table.logicalName, id, attributes: {} };
    const pre = this.pipeline.active ? imageOf(table, before) : undefined;
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
    await this.scopes.raisePre(scope, base);
    await this.cascadeDelete(scope, table, id);
    this.core.storage
      .write(`DELETE FROM ${ident(table.logicalName)} WHERE ${ident(table.primaryId)} = ?`)
      .run(id);
    await this.scopes.raisePost(scope, base);
  }

  /** Follows every lookup pointing at the record: Cascade deletes, Restrict refuses, the rest remove the link. */
  private async cascadeDelete(scope: Scope, table: TableInfo, id: string): Promise<void> {
    for (const ref of table.referencedBy) {
      const child = this.core.metadata.byLogicalName(ref.table);
      const column = child?.columns.get(ref.column);
      if (!child || !column) continue;
      const polymorphic = column.polymorphic && column.targets.includes(table.logicalName);
      const sql =
        `SELECT ${ident(child.primaryId)} AS id FROM ${ident(child.logicalName)} WHERE ${ident(column.logicalName)} = ?` +
        (polymorphic ? ` AND ${ident(targetColumn(column.logicalName))} = ?` : '');
      const ids = (
        this.core.storage.write(sql).all(...(polymorphic ? [id, table.logicalName] : [id])) as {
          id: string;
        }[]
      ).map((r) => r.id);
      if (ids.length === 0) continue;
      if (ref.cascade === 'Restrict') {
        throw new RestrictDeleteError(table.logicalName, id, ref.name, child.logicalName, ids.length);
      }
      if (ref.cascade === 'Cascade') {
        for (const childId of ids) {
          if (this.rows.loadStored(child, childId)) await this.deleteIn(scope, child, childId, undefined);
        }
        continue;
      }
      const now = formatStoredDateTime(this.core.clock());
      for (const childId of ids) {
        this.rows.updateRow(child, childId, {
          [column.logicalName]: null,
          modifiedon: now,
          versionnumber: this.scopes.nextVersion(scope),
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

  /**
   * A row created or updated with an amount and no currency is in the organization's base currency, as Dataverse
   * does for a caller with no default currency of their own ("Transaction Currency (currency) table":
   * every money column shares the record's transaction currency). No organization row: left empty.
   */
  private defaultCurrency(table: TableInfo, row: StoredRecord, before?: StoredRecord): void {
    const column = transactioncurrency.columns.transactioncurrencyid;
    if (!table.columns.has(column) || isLookupValue(row[column] ?? null)) return;
    // An update that leaves the currency alone on a row that has one keeps it.
    if (!(column in row) && isLookupValue(before?.[column] ?? null)) return;
    const hasAmount = [...table.columns.values()].some(
      (c) => c.type === 'Money' && typeof row[c.logicalName] === 'number',
    );
    if (!hasAmount) return;
    this.baseCurrency ??= baseCurrencyOf(this.core.metadata, this.rows, this.identity.OrganizationId);
    if (this.baseCurrency) row[column] = this.baseCurrency;
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
