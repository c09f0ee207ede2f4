/**
 * A DataverseClient over rows held in memory, for form-script tests that read a few records
 * (a policy, a parent account) through Xrm.WebApi. It understands the queries such scripts send:
 * `$select`, `$top` and a `$filter` of `column eq|ne literal` joined by `and`. Anything else fails
 * with UnsupportedQueryError rather than returning rows a real query would not. For whole
 * scenarios (writes, plugins, paging) use the emulator.
 */
import type { DataverseClient, EntityRecord, QueryOptions, RecordKey } from '../../dataverse/client';
import { UnknownEntitySetError, UnsupportedQueryError } from './errors';

export interface MemoryTable {
  readonly entitySetName: string;
  readonly primaryIdAttribute: string;
}

export interface MemoryClient extends DataverseClient {
  /** Reads the client served, in order: what the script asked Dataverse for. */
  readonly reads: { entitySet: string; key?: RecordKey; query?: QueryOptions }[];
}

type Literal = string | number | boolean | null;
interface Condition {
  column: string;
  negate: boolean;
  value: Literal;
}

function splitOutsideQuotes(text: string, separator: RegExp): string[] {
  const parts: string[] = [];
  let current = '';
  let inQuote = false;
  for (let i = 0; i < text.length; i += 1) {
    const ch = text[i];
    if (ch === "'") inQuote = !inQuote;
    if (!inQuote) {
      const match = separator.exec(text.slice(i));
      if (match && match.index === 0) {
        parts.push(current);
        current = '';
        i += match[0].length - 1;
        continue;
      }
    }
    current += ch;
  }
  parts.push(current);
  return parts;
}

function parseLiteral(filter: string, text: string): Literal {
  if (text === 'true' || text === 'false') return text === 'true';
  if (text === 'null') return null;
  if (/^'(?:[^']|'')*'$/.test(text)) return text.slice(1, -1).replace(/''/g, "'");
  if (/^-?\d+(\.\d+)?$/.test(text)) return Number(text);
  // A Date Only literal is written unquoted, YYYY-MM-DD (OData: `idr_night eq 2026-06-01`).
  if (/^\d{4}-\d{2}-\d{2}$/.test(text)) return text;
  if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(text)) return text.toLowerCase();
  throw new UnsupportedQueryError(filter, `'${text}' is not a literal the memory client knows`);
}

/** `a eq 1 and b ne 'x'` → conditions; anything richer is refused. */
export function parseSimpleFilter(filter: string): Condition[] {
  return splitOutsideQuotes(filter.trim(), /^\s+and\s+/i).map((clause) => {
    const match = /^\s*([A-Za-z_][\w.]*)\s+(eq|ne)\s+(.+?)\s*$/s.exec(clause);
    if (!match) throw new UnsupportedQueryError(filter, `'${clause.trim()}' is not 'column eq|ne literal'`);
    return { column: match[1], negate: match[2] === 'ne', value: parseLiteral(filter, match[3]) };
  });
}

function matches(record: EntityRecord, conditions: readonly Condition[]): boolean {
  return conditions.every(({ column, negate, value }) => {
    const actual = record[column] ?? null;
    // Dataverse compares text case-insensitively (its default collation); GUIDs are text here too.
    const same =
      typeof actual === 'string' && typeof value === 'string'
        ? actual.toLowerCase() === value.toLowerCase()
        : actual === value;
    return same !== negate;
  });
}

function project(
  record: EntityRecord,
  table: MemoryTable,
  select: readonly string[] | undefined,
): EntityRecord {
  if (!select?.length) return { ...record };
  const result: EntityRecord = { [table.primaryIdAttribute]: record[table.primaryIdAttribute] };
  for (const column of select) result[column] = record[column] ?? null;
  return result;
}

/** Serves `rows` (by entity set) for the given tables, e.g. `memoryClient(generatedTables(), { idr_quotationpolicies: [...] })`. */
export function memoryClient(
  tables: readonly MemoryTable[],
  rows: Readonly<Record<string, readonly EntityRecord[]>>,
): MemoryClient {
  const reads: MemoryClient['reads'] = [];
  const tableOf = (entitySet: string): MemoryTable => {
    const table = tables.find((t) => t.entitySetName === entitySet);
    if (!table) throw new UnknownEntitySetError(entitySet);
    return table;
  };
  const refuse = (operation: string) => (): Promise<never> =>
    Promise.reject(
      new UnsupportedQueryError(operation, 'the memory client only reads; use the emulator for writes'),
    );
  return {
    reads,
    retrieve(entitySet, key, select) {
      reads.push({ entitySet, key });
      const table = tableOf(entitySet);
      if (typeof key !== 'string')
        return Promise.reject(
          new UnsupportedQueryError(JSON.stringify(key), 'alternate keys are not supported'),
        );
      const id = key.replace(/[{}]/g, '').toLowerCase();
      const found = (rows[entitySet] ?? []).find(
        (r) => String(r[table.primaryIdAttribute]).toLowerCase() === id,
      );
      return Promise.resolve(found ? project(found, table, select) : null);
    },
    retrieveMultiple(entitySet, query = {}) {
      reads.push({ entitySet, query });
      // Thrown inside the executor, a refused query becomes a rejection, as from a real client.
      return new Promise<EntityRecord[]>((resolve) => {
        const table = tableOf(entitySet);
        if (query.orderBy?.length)
          throw new UnsupportedQueryError(query.orderBy.join(','), '$orderby is not supported');
        const conditions = query.filter ? parseSimpleFilter(query.filter) : [];
        const found = (rows[entitySet] ?? [])
          .filter((r) => matches(r, conditions))
          .map((r) => project(r, table, query.select));
        resolve(query.top === undefined ? found : found.slice(0, query.top));
      });
    },
    create: refuse('create'),
    update: refuse('update'),
    upsert: refuse('upsert'),
    delete: refuse('delete'),
    fetchXml: refuse('fetchXml'),
    executeAction: refuse('executeAction'),
    executeFunction: refuse('executeFunction'),
    executeBatch: refuse('executeBatch'),
  };
}
