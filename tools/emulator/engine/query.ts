/**
 * Query building blocks: `$orderby` and paging. Paging is keyset-based, like Dataverse's paging
 * cookie: the `$skiptoken` carries the last row's sort values, so rows that change while a caller
 * pages through a result (a "process the pending ones" loop) are neither skipped nor repeated
 * ("Page results" in "Query data using the Web API").
 */
import type { ColumnInfo, TableInfo } from './metadata';
import { QueryError } from './errors';
import type { SqlParam } from './filter';
import { resolveColumn } from './filter';
import { ident } from './storage';
import type { AnnotationFilter, ExpandSpec, JsonRecord } from './records';

export interface QueryRequest {
  readonly select?: readonly string[];
  readonly filter?: string;
  /** `['idr_score desc', 'idr_name']` */
  readonly orderBy?: readonly string[];
  readonly top?: number;
  readonly count?: boolean;
  readonly expand?: readonly ExpandSpec[];
  /** `Prefer: odata.maxpagesize`; default and maximum 5000. */
  readonly pageSize?: number;
  readonly skipToken?: string;
  readonly annotations?: AnnotationFilter;
}

export interface QueryPage {
  readonly records: JsonRecord[];
  readonly count?: number;
  /** Dataverse counts up to 5000 and says so when there are more. */
  readonly countLimitExceeded?: boolean;
  /** Present when there is a next page: pass it back as `$skiptoken`. */
  readonly skipToken?: string;
}

export const MAX_PAGE_SIZE = 5000;

export interface OrderColumn {
  readonly column: ColumnInfo;
  readonly descending: boolean;
}

export function parseOrderBy(table: TableInfo, items: readonly string[] | undefined): OrderColumn[] {
  const order: OrderColumn[] = [];
  for (const item of items ?? []) {
    for (const part of item.split(',')) {
      const trimmed = part.trim();
      if (!trimmed) continue;
      const match = /^(\S+)(?:\s+(asc|desc))?$/i.exec(trimmed);
      if (!match?.[1]) throw new QueryError(`Invalid $orderby '${trimmed}': expected '<column> [asc|desc]'.`);
      order.push({ column: resolveColumn(table, match[1]), descending: match[2]?.toLowerCase() === 'desc' });
    }
  }
  return order;
}

function isText(column: ColumnInfo): boolean {
  return column.type === 'String' || column.type === 'Memo' || column.type === 'EntityName';
}

function ref(alias: string, column: ColumnInfo): string {
  return `${alias}.${ident(column.logicalName)}${isText(column) ? ' COLLATE NOCASE' : ''}`;
}

/** ORDER BY with the primary key last, so the order is total and the keyset is unique. */
export function orderSql(alias: string, table: TableInfo, order: readonly OrderColumn[]): string {
  const parts = order.map((o) => `${ref(alias, o.column)} ${o.descending ? 'DESC' : 'ASC'}`);
  parts.push(`${alias}.${ident(table.primaryId)} ASC`);
  return parts.join(', ');
}

/** Rows strictly after `values` in the ORDER BY above (SQLite sorts NULL first ascending, last descending). */
export function afterSql(
  alias: string,
  table: TableInfo,
  order: readonly OrderColumn[],
  values: readonly SqlParam[],
): { sql: string; params: SqlParam[] } {
  const keys = [
    ...order.map((o) => ({ ref: ref(alias, o.column), descending: o.descending })),
    { ref: `${alias}.${ident(table.primaryId)}`, descending: false },
  ];
  const alternatives: string[] = [];
  const params: SqlParam[] = [];
  for (let i = 0; i < keys.length; i++) {
    const parts: string[] = [];
    const partParams: SqlParam[] = [];
    for (let j = 0; j < i; j++) {
      const value = values[j] ?? null;
      if (value === null) parts.push(`${keys[j]?.ref} IS NULL`);
      else {
        parts.push(`${keys[j]?.ref} = ?`);
        partParams.push(value);
      }
    }
    const key = keys[i];
    const value = values[i] ?? null;
    if (!key) continue;
    if (key.descending) {
      if (value === null) continue;
      parts.push(`(${key.ref} < ? OR ${key.ref} IS NULL)`);
      partParams.push(value);
    } else if (value === null) {
      parts.push(`${key.ref} IS NOT NULL`);
    } else {
      parts.push(`${key.ref} > ?`);
      partParams.push(value);
    }
    alternatives.push(`(${parts.join(' AND ')})`);
    params.push(...partParams);
  }
  return { sql: alternatives.length ? `(${alternatives.join(' OR ')})` : '0', params };
}

/** Dataverse's skiptoken is a `<cookie …/>`; ours carries the keyset in `pagingcookie`. */
export function encodeSkipToken(page: number, values: readonly SqlParam[]): string {
  const cookie = Buffer.from(JSON.stringify(values), 'utf8').toString('base64url');
  return `<cookie pagenumber="${page}" pagingcookie="${cookie}" istracking="False" />`;
}

export function decodeSkipToken(token: string, expectedValues: number): { page: number; values: SqlParam[] } {
  const page = /pagenumber="(\d+)"/.exec(token);
  const cookie = /pagingcookie="([A-Za-z0-9_-]*)"/.exec(token);
  let values: unknown;
  try {
    values =
      cookie?.[1] !== undefined
        ? JSON.parse(Buffer.from(cookie[1], 'base64url').toString('utf8'))
        : undefined;
  } catch {
    values = undefined;
  }
  if (
    !page ||
    !Array.isArray(values) ||
    values.length !== expectedValues ||
    !values.every((v) => v === null || typeof v === 'string' || typeof v === 'number')
  ) {
    throw new QueryError(
      `The $skiptoken '${token}' does not belong to this query: send the same $filter and $orderby as the request that returned it.`,
    );
  }
  return { page: Number(page[1]), values: values as SqlParam[] };
}
