/** Input parsing: a Web API request body → stored values, `@odata.bind` lookups and activity parties. */
import type { EngineCore } from './core';
import type { PartyInput } from './engine-types';
import {
  BadRequestError,
  ErrorCodes,
  InvalidValueError,
  RecordNotFoundError,
  UnknownColumnError,
} from './errors';
import type { KeyResolver } from './key-resolver';
import { formatKey, parseRecordAddress } from './keys';
import type { ColumnInfo, TableInfo } from './metadata';
import { edmType, isLookup, lookupFromValueName } from './metadata';
import type { Rows } from './rows';
import { ident } from './storage';
import type { LookupValue, StoredRecord } from './values';
import { convertInput, normalizeGuid } from './values';

export interface ParsedInput {
  values: StoredRecord;
  id?: string;
  parties?: PartyInput[];
}

export class InputParser {
  constructor(
    private readonly core: EngineCore,
    private readonly rows: Rows,
    private readonly keys: KeyResolver,
  ) {}

  parseInput(table: TableInfo, body: Record<string, unknown>): ParsedInput {
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
    const target = this.core.metadata.table(address.entitySet);
    const column = this.core.metadata.column(table, nav.column);
    const allowed = nav.target ? [nav.target] : column.targets;
    if (!allowed.includes(target.logicalName)) {
      throw new BadRequestError(
        `'${navName}@odata.bind' of ${table.logicalName} points at ${target.logicalName}; it accepts ${allowed.join(', ')}.`,
        ErrorCodes.InvalidPayload,
      );
    }
    const id = this.keys.requireId(target, address.key);
    if (!this.rows.loadStored(target, id)) {
      throw new RecordNotFoundError(
        target.logicalName,
        typeof address.key === 'string' ? id : formatKey(address.key),
        typeof address.key !== 'string',
      );
    }
    values[nav.column] = { id, logicalName: target.logicalName };
  }

  private parseParties(table: TableInfo, value: unknown): PartyInput[] {
    if (!this.core.metadata.byLogicalName('activityparty')) {
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
        const target = this.core.metadata.table(address.entitySet);
        const id = this.keys.requireId(target, address.key);
        if (!this.rows.loadStored(target, id)) throw new RecordNotFoundError(target.logicalName, id);
        party = { id, logicalName: target.logicalName };
      }
      const address = typeof entry.addressused === 'string' ? entry.addressused : undefined;
      if (!party && !address)
        throw new BadRequestError(`An activity party needs 'partyid_<table>@odata.bind' or 'addressused'.`);
      return { mask, party, address };
    });
  }

  writeParties(table: TableInfo, id: string, parties: readonly PartyInput[]): void {
    const partyTable = this.core.metadata.table('activityparty');
    this.core.storage
      .write(`DELETE FROM ${ident(partyTable.logicalName)} WHERE ${ident('activityid')} = ?`)
      .run(id);
    for (const party of parties) {
      const row: StoredRecord = {
        [partyTable.primaryId]: this.core.newId(),
        activityid: { id, logicalName: table.logicalName },
        participationtypemask: party.mask,
      };
      if (party.party) {
        row.partyid = party.party;
        if (partyTable.columns.has('partyidname'))
          row.partyidname = this.rows.primaryNameOf(party.party.logicalName, party.party.id) ?? null;
        if (partyTable.columns.has('partyobjecttypecode')) row.partyobjecttypecode = party.party.logicalName;
      }
      if (party.address !== undefined) row.addressused = party.address;
      this.rows.insertRow(partyTable, row);
    }
  }
}
