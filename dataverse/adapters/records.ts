/**
 * Brings records read through a client library back to the Web API JSON shape of client.ts: dates as
 * ISO strings (dynamics-web-api revives them into Date objects; an offset form comes back as UTC `Z`,
 * the form the Web API itself writes), no keys the library invented
 * (`oDataContext`, `x_Formatted`…), no nested objects (no $expand in the DataverseClient contract).
 */
import type { ColumnValue, EntityRecord } from '../client';

/** Keys dynamics-web-api adds beside the OData annotations it parses (see its parseResponse). */
const LIBRARY_SUFFIXES = ['_Formatted', '_NavigationProperty', '_LogicalName'];
const LIBRARY_KEYS = new Set(['oDataContext', 'oDataNextLink', 'oDataCount', 'oDataDeltaLink', 'PagingInfo']);

function isLibraryKey(key: string, record: Record<string, unknown>): boolean {
  if (LIBRARY_KEYS.has(key)) return true;
  const suffix = LIBRARY_SUFFIXES.find((s) => key.endsWith(s));
  if (!suffix) return false;
  const column = key.slice(0, -suffix.length);
  // Only drop it when the annotation it was derived from is there, so a real column is never lost.
  return Object.keys(record).some((k) => k.startsWith(`${column}@`));
}

/** Web API date-times are whole seconds with `Z`; the library's reviver only accepts that form. */
export function isoSeconds(date: Date): string {
  return date.toISOString().replace(/\.000Z$/, 'Z');
}

export function toColumnValue(value: unknown): ColumnValue | undefined {
  if (value === null) return null;
  if (value instanceof Date) return isoSeconds(value);
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  return undefined;
}

export function toEntityRecord(raw: unknown): EntityRecord {
  const record: EntityRecord = {};
  if (typeof raw !== 'object' || raw === null) return record;
  const source = raw as Record<string, unknown>;
  for (const [key, value] of Object.entries(source)) {
    if (isLibraryKey(key, source)) continue;
    const column = toColumnValue(value);
    if (column !== undefined) record[key] = column;
  }
  return record;
}

/** Deep copy for action results: dates back to strings, library keys removed, structure kept. */
export function toPlainJson(value: unknown): unknown {
  if (value instanceof Date) return isoSeconds(value);
  if (Array.isArray(value)) return value.map(toPlainJson);
  if (typeof value === 'object' && value !== null) {
    const source = value as Record<string, unknown>;
    const result: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(source)) {
      if (!isLibraryKey(key, source) && !(typeof item === 'object' && item !== null && '_dwaType' in item)) {
        result[key] = toPlainJson(item);
      }
    }
    return result;
  }
  return value;
}
