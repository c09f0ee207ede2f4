/** Pipeline images: stored values ⇄ the attributes a pipeline handler sees on Target, PreImage and PostImage. */
import { InvalidValueError, UnknownColumnError } from './errors';
import type { ColumnInfo, TableInfo } from './metadata';
import { edmType, isLookup } from './metadata';
import type { AttributeValue, EntityImage } from './pipeline';
import type { StoredRecord, StoredValue } from './values';
import { convertInput, isLookupValue } from './values';

export function imageOf(table: TableInfo, stored: StoredRecord): EntityImage {
  return {
    logicalName: table.logicalName,
    id: stored[table.primaryId] as string,
    attributes: toAttributes(table, stored),
  };
}

export function toAttributes(table: TableInfo, stored: StoredRecord): Record<string, AttributeValue> {
  const out: Record<string, AttributeValue> = {};
  for (const [name, value] of Object.entries(stored)) {
    const column = table.columns.get(name);
    if (!column) continue;
    out[name] = toAttributeValue(column, value);
  }
  return out;
}

/** Target attributes (possibly edited by a stage 10/20 handler) → stored values, re-validated. */
export function fromAttributes(table: TableInfo, attributes: Record<string, AttributeValue>): StoredRecord {
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
