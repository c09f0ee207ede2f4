/** Rows: reading and writing one Dataverse table's SQL rows in stored form, and SQLite's constraint errors. */
import { DuplicateKeyError, ErrorCodes } from './errors';
import type { EngineCore } from './core';
import type { TableInfo } from './metadata';
import { isLookup } from './metadata';
import type { RecordSource } from './records';
import { ident } from './storage';
import type { FormatOptions, StoredRecord, StoredValue } from './values';
import { fromSqlRow, isLookupValue, targetColumn, toSqlValue } from './values';

export class Rows {
  constructor(private readonly core: EngineCore) {}

  /** What the record formatters read: rows, primary names, activity parties, and the caller's formats. */
  source(format: FormatOptions = this.core.format): RecordSource {
    return {
      index: this.core.metadata,
      format,
      row: (table, id) => this.loadStored(table, id),
      primaryName: (logicalName, id) => this.primaryNameOf(logicalName, id),
      parties: (table, id) => this.partiesOf(table, id),
    };
  }

  loadStored(table: TableInfo, id: string): StoredRecord | undefined {
    const row = this.core.storage
      .read(
        `SELECT * FROM ${ident(table.logicalName)} WHERE ${ident(table.primaryId)} = ?`,
        this.core.inWrite(),
      )
      .get(id) as Record<string, unknown> | undefined;
    return row ? this.rowToStored(table, row) : undefined;
  }

  rowToStored(table: TableInfo, row: Record<string, unknown>): StoredRecord {
    const stored: StoredRecord = {};
    for (const column of table.columns.values()) stored[column.logicalName] = fromSqlRow(column, row);
    stored[table.primaryId] = row[table.primaryId] as string;
    return stored;
  }

  primaryNameOf(logicalName: string, id: string): string | undefined {
    const table = this.core.metadata.byLogicalName(logicalName);
    if (!table?.primaryName || !table.columns.has(table.primaryName)) return undefined;
    const row = this.core.storage
      .read(
        `SELECT ${ident(table.primaryName)} AS name FROM ${ident(table.logicalName)} WHERE ${ident(table.primaryId)} = ?`,
        this.core.inWrite(),
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

  insertRow(table: TableInfo, row: StoredRecord): void {
    const assignments = this.sqlAssignments(table, row);
    const sql = `INSERT INTO ${ident(table.logicalName)} (${assignments.map(([n]) => ident(n)).join(', ')}) VALUES (${assignments.map(() => '?').join(', ')})`;
    try {
      this.core.storage.write(sql).run(...assignments.map(([, v]) => v));
    } catch (error) {
      throw this.constraintError(table, row, error);
    }
  }

  updateRow(table: TableInfo, id: string, changes: StoredRecord): void {
    const assignments = this.sqlAssignments(table, changes);
    if (assignments.length === 0) return;
    const sql = `UPDATE ${ident(table.logicalName)} SET ${assignments.map(([n]) => `${ident(n)} = ?`).join(', ')} WHERE ${ident(table.primaryId)} = ?`;
    try {
      this.core.storage.write(sql).run(...assignments.map(([, v]) => v), id);
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

  /** The activity parties of an activity (stored values), for SendEmail and `$expand`. */
  partiesOf(table: TableInfo, id: string): StoredRecord[] {
    const parties = this.core.metadata.byLogicalName('activityparty');
    if (!parties || !table.isActivity) return [];
    const rows = this.core.storage
      .read(
        `SELECT * FROM ${ident(parties.logicalName)} WHERE ${ident('activityid')} = ? ORDER BY ${ident('participationtypemask')}, rowid`,
        this.core.inWrite(),
      )
      .all(id) as Record<string, unknown>[];
    return rows.map((row) => this.rowToStored(parties, row));
  }
}

export function describeValue(value: StoredValue): string {
  if (isLookupValue(value)) return value.id;
  return value === null ? 'null' : String(value);
}
