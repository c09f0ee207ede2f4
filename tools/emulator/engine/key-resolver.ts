/** Keys: a record addressed by GUID or by alternate key → its id. */
import type { RecordKey } from '../../../dataverse/client';
import type { EngineCore } from './core';
import { BadRequestError, InvalidValueError, RecordNotFoundError } from './errors';
import { formatKey } from './keys';
import type { TableInfo } from './metadata';
import { isLookup, lookupFromValueName } from './metadata';
import { ident } from './storage';
import type { StoredRecord } from './values';
import { convertInput, normalizeGuid, toSqlValue } from './values';

export class KeyResolver {
  constructor(private readonly core: EngineCore) {}

  /** Key → `{ id }` for a GUID, or the alternate key's name and typed values. */
  resolveKey(table: TableInfo, key: RecordKey): { id?: string; keyName: string; values?: StoredRecord } {
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
      const column = this.core.metadata.column(table, name);
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

  findByKey(table: TableInfo, values: StoredRecord | undefined): string | undefined {
    if (!values) return undefined;
    const names = Object.keys(values);
    const sql = `SELECT ${ident(table.primaryId)} AS id FROM ${ident(table.logicalName)} WHERE ${names.map((n) => `${ident(n)} = ?`).join(' AND ')}`;
    const row = this.core.storage
      .read(sql, this.core.inWrite())
      .get(...names.map((n) => toSqlValue(values[n] ?? null))) as { id: string } | undefined;
    return row?.id;
  }

  /** Id of the record a key addresses; alternate keys that match nothing → RecordNotFoundError. */
  requireId(table: TableInfo, key: RecordKey): string {
    const resolved = this.resolveKey(table, key);
    if (resolved.id) return resolved.id;
    const id = this.findByKey(table, resolved.values);
    if (!id) throw new RecordNotFoundError(table.logicalName, describeKey(key), true);
    return id;
  }
}

export function describeKey(key: RecordKey): string {
  return typeof key === 'string' ? key : formatKey(key);
}
