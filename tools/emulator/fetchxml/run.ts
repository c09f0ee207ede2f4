/**
 * Runs FetchXML against the engine's SQLite tables and answers as the Web API does ("Query data using
 * FetchXml", "Page results using FetchXml", "Aggregate data using FetchXml"): one page per call, chosen
 * by `page` and `count` (or `top`); columns with no value are left out of a row; linked columns come
 * back as `alias.column`; aggregate rows carry their aliases; `@Microsoft.Dynamics.CRM.morerecords`
 * and, when the rows allow one, a paging cookie that makes the next page a keyset seek.
 */
import type { MetadataIndex, TableInfo } from '../engine/metadata';
import type { Sql, SqlParam } from '../engine/filter';
import {
  FORMATTED,
  LOOKUP_LOGICAL_NAME,
  NAVIGATION_PROPERTY,
  currencyFormat,
  noAnnotations,
  type AnnotationFilter,
  type JsonRecord,
  type RecordSource,
} from '../engine/records';
import {
  formatValue,
  fromSqlRow,
  isLookupValue,
  targetColumn,
  toJson,
  type FormatOptions,
  type StoredValue,
} from '../engine/values';
import type { ColumnInfo } from '../engine/metadata';
import { compile, CURRENCY_KEY, type Plan, type SortKey } from './compile';
import { cookieValue, innerCookie, pagingCookieAnnotation, parseCookie, type CookieValue } from './cookie';
import { AggregateLimitError, PagingCookieMismatchError } from './errors';
import { parseFetchXml, type FetchQuery } from './parse';
import { DEADLINE_FUNCTION, ident } from '../engine/storage';

/** What FetchXML needs from the engine: its metadata, read access to its tables, and who is asking when. */
export interface FetchSource {
  readonly index: MetadataIndex;
  readonly records: Pick<RecordSource, 'index' | 'format' | 'primaryName' | 'row'>;
  /** Runs a read-only statement (read-committed, like the engine's own queries). */
  rows(sql: string, params: readonly SqlParam[]): Record<string, unknown>[];
  readonly now: Date;
  readonly userId: string;
  readonly businessUnitId?: string;
  /** The caller's IANA time zone (the engine's `timeZoneOf`); `FetchOptions.timeZone` overrides it. */
  readonly timeZone?: string;
}

export interface FetchOptions {
  readonly annotations?: AnnotationFilter;
  /** Leave out quick find filters: a saved quick find view run without search text. */
  readonly dropQuickFind?: boolean;
  /** Page the results whatever the FetchXML says (a view shown page by page). */
  readonly paging?: { readonly count: number; readonly page: number };
  /** The user's IANA time zone, for date conditions that name days (today, olderthan-x-days…). */
  readonly timeZone?: string;
}

export interface FetchResult {
  readonly records: JsonRecord[];
  readonly moreRecords: boolean;
  /** `@Microsoft.Dynamics.CRM.fetchxmlpagingcookie`, when there is a next page and the query allows a cookie. */
  readonly pagingCookie?: string;
  /** With `returntotalrecordcount='true'`: rows matching, counted up to 5000. */
  readonly totalRecordCount?: number;
  readonly totalRecordCountLimitExceeded?: boolean;
}

/** Dataverse's limits: 5000 rows a page, 50,000 rows aggregated ("Aggregate data using FetchXml", Limitations). */
export const MAX_PAGE_SIZE = 5000;
export const AGGREGATE_ROW_LIMIT = 50000;

function joinSql(parts: readonly Sql[], separator: string): Sql {
  return { sql: parts.map((p) => p.sql).join(separator), params: parts.flatMap((p) => p.params) };
}

function whereOf(parts: readonly Sql[]): Sql {
  return parts.length === 0
    ? { sql: '', params: [] }
    : { sql: ` WHERE ${parts.map((p) => p.sql).join(' AND ')}`, params: parts.flatMap((p) => p.params) };
}

/** Rows strictly after `values` in the ORDER BY of `keys` (nulls sort first ascending, last descending). */
function afterKeys(keys: readonly SortKey[], values: readonly CookieValue[]): Sql {
  const alternatives: Sql[] = [];
  for (let i = 0; i < keys.length; i++) {
    const parts: Sql[] = [];
    for (let j = 0; j < i; j++) {
      const key = keys[j];
      const value = values[j] ?? null;
      if (!key) continue;
      parts.push(
        value === null
          ? { sql: `${key.expr.sql} IS NULL`, params: key.expr.params }
          : { sql: `${key.expr.sql} = ?`, params: [...key.expr.params, value] },
      );
    }
    const key = keys[i];
    const value = values[i] ?? null;
    if (!key) continue;
    if (key.descending) {
      if (value === null) continue;
      parts.push({
        sql: `(${key.expr.sql} < ? OR ${key.expr.sql} IS NULL)`,
        params: [...key.expr.params, value, ...key.expr.params],
      });
    } else if (value === null) {
      parts.push({ sql: `${key.expr.sql} IS NOT NULL`, params: key.expr.params });
    } else {
      parts.push({ sql: `${key.expr.sql} > ?`, params: [...key.expr.params, value] });
    }
    alternatives.push({
      sql: `(${parts.map((p) => p.sql).join(' AND ')})`,
      params: parts.flatMap((p) => p.params),
    });
  }
  return alternatives.length > 0
    ? {
        sql: `(${alternatives.map((a) => a.sql).join(' OR ')})`,
        params: alternatives.flatMap((a) => a.params),
      }
    : { sql: '0', params: [] };
}

function sqlValue(value: unknown): CookieValue {
  if (typeof value === 'string' || typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  return null;
}

class Shaper {
  constructor(
    private readonly source: FetchSource,
    private readonly annotate: AnnotationFilter,
  ) {}

  /** Formats per currency id, each read once per query. */
  private readonly currencies = new Map<string, FormatOptions>();

  /** The format of a row's amounts: its currency's symbol, else the default. */
  moneyFormat(currencyId: unknown): FormatOptions | undefined {
    if (typeof currencyId !== 'string' || !this.annotate(FORMATTED)) return undefined;
    let format = this.currencies.get(currencyId);
    if (!format) {
      format = currencyFormat(this.source.records, currencyId);
      this.currencies.set(currencyId, format);
    }
    return format;
  }

  /**
   * One value as the Web API writes it; FetchXML results leave out columns that hold no value. `format`
   * writes an amount in its row's currency (else the default).
   */
  emit(
    out: JsonRecord,
    property: string,
    column: ColumnInfo,
    value: StoredValue,
    table?: TableInfo,
    format?: FormatOptions,
  ): void {
    if (value === null) return;
    if (isLookupValue(value)) {
      out[property] = value.id;
      if (this.annotate(FORMATTED)) {
        const name = this.source.records.primaryName(value.logicalName, value.id);
        if (name !== undefined) out[`${property}@${FORMATTED}`] = name;
      }
      if (table && this.annotate(NAVIGATION_PROPERTY)) {
        const nav = [...table.navigation.values()].find(
          (n) =>
            n.column === column.logicalName && (n.target === value.logicalName || n.target === undefined),
        );
        if (nav) out[`${property}@${NAVIGATION_PROPERTY}`] = nav.name;
      }
      if (this.annotate(LOOKUP_LOGICAL_NAME)) out[`${property}@${LOOKUP_LOGICAL_NAME}`] = value.logicalName;
      return;
    }
    out[property] = toJson(value);
    if (this.annotate(FORMATTED)) {
      const formatted = formatValue(column, value, format ?? this.source.records.format);
      if (formatted !== undefined) out[`${property}@${FORMATTED}`] = formatted;
    }
  }
}

function stored(column: ColumnInfo, row: Record<string, unknown>, sql: string): StoredValue {
  return fromSqlRow(column, {
    [column.logicalName]: row[sql],
    [targetColumn(column.logicalName)]: row[`${sql}_t`],
  });
}

function recordOf(plan: Plan, shaper: Shaper, row: Record<string, unknown>): JsonRecord {
  const out: JsonRecord = {};
  const table = plan.root.table;
  if (!plan.query.distinct) out['@odata.etag'] = `W/"${typeof row._version === 'number' ? row._version : 0}"`;
  // The root row's amounts are written in its currency; linked rows' use the default.
  const money = shaper.moneyFormat(row[CURRENCY_KEY]);
  for (const output of plan.outputs) {
    const root = output.scope === plan.root;
    shaper.emit(
      out,
      output.property,
      output.column,
      stored(output.column, row, output.sql),
      root ? table : undefined,
      root && output.column.type === 'Money' ? money : undefined,
    );
  }
  if (!plan.query.distinct && typeof row._id === 'string') out[table.primaryId] = row._id;
  return out;
}

function roundTo(value: number, digits: number): number {
  return Number(value.toFixed(digits));
}

function aggregateRecordOf(plan: Plan, shaper: Shaper, row: Record<string, unknown>): JsonRecord {
  const out: JsonRecord = {};
  for (const output of plan.aggregates) {
    const raw = row[output.sql];
    if (raw === null || raw === undefined) continue;
    if (output.fn === 'count' || output.fn === 'countcolumn') {
      shaper.emit(out, output.alias, { ...output.column, type: 'Integer', options: [] }, Number(raw));
      continue;
    }
    if (output.dategrouping) {
      out[output.alias] = Number(raw);
      continue;
    }
    if (output.fn === undefined) {
      shaper.emit(out, output.alias, output.column, stored(output.column, row, output.sql));
      continue;
    }
    let value: StoredValue = typeof raw === 'bigint' ? Number(raw) : (raw as StoredValue);
    if (typeof value === 'number' && (output.fn === 'avg' || output.fn === 'sum')) {
      // An average of whole numbers keeps its fraction; decimals and currency keep their precision.
      const whole = output.column.type === 'Integer' || output.column.type === 'BigInt';
      value = roundTo(value, whole ? 10 : (output.column.model.precision ?? 2));
    }
    shaper.emit(out, output.alias, output.column, value);
  }
  return out;
}

/** Runs one FetchXML request against `entitySet`; `xml` is the `fetchXml` query parameter, decoded. */
export function runFetchXml(
  source: FetchSource,
  entitySet: string,
  xml: string,
  options: FetchOptions = {},
): FetchResult {
  return runFetchQuery(source, entitySet, parseFetchXml(xml), options);
}

/** Runs an already parsed FetchXML query, for callers that read the query before running it. */
export function runFetchQuery(
  source: FetchSource,
  entitySet: string,
  parsed: FetchQuery,
  options: FetchOptions = {},
): FetchResult {
  const query = options.paging
    ? {
        ...parsed,
        top: undefined,
        count: options.paging.count,
        page: options.paging.page,
        pagingCookie: undefined,
      }
    : parsed;
  const setTable = source.index.table(entitySet);
  const plan = compile(
    {
      index: source.index,
      now: source.now,
      userId: source.userId,
      businessUnitId: source.businessUnitId,
      dropQuickFind: options.dropQuickFind,
      timeZone: options.timeZone ?? source.timeZone,
    },
    query,
    setTable,
  );
  const shaper = new Shaper(source, options.annotations ?? noAnnotations);
  // Evaluated for every joined row (it names a column of each joined table), so a query that joins
  // without bound is stopped by the time limit instead of holding the server.
  const guard: Sql = {
    sql: `${DEADLINE_FUNCTION}(${plan.scopes
      .filter((scope) => scope.joined || scope === plan.root)
      .map((scope) => `${scope.sql}.${ident(scope.table.primaryId)}`)
      .join(', ')})`,
    params: [],
  };
  const base = joinSql(
    [{ sql: `FROM ${plan.from.sql}`, params: plan.from.params }, whereOf([...plan.where, guard])],
    '',
  );

  if (query.aggregate) {
    const limit = Math.min(query.aggregateLimit ?? AGGREGATE_ROW_LIMIT, AGGREGATE_ROW_LIMIT);
    const counted = source.rows(`SELECT COUNT(*) AS n ${base.sql}`, base.params)[0];
    const n = Number(counted?.n ?? 0);
    if (n > limit) throw new AggregateLimitError(n, limit);
  }

  const cookieAllowed =
    !query.aggregate &&
    !query.distinct &&
    plan.uniqueRows &&
    plan.order.every((key) => key.scope === plan.root);
  const pageSize = query.top ?? Math.min(query.count ?? MAX_PAGE_SIZE, MAX_PAGE_SIZE);
  const page = query.top === undefined ? (query.page ?? 1) : 1;
  let offset = (page - 1) * pageSize;
  const where = [...plan.where, guard];
  if (query.pagingCookie && cookieAllowed && page > 1) {
    const cookie = parseCookie(query.pagingCookie);
    // "Page large result sets": a cookie for any other page than the previous one is ignored.
    if (cookie.page === page - 1) {
      const expected = plan.order.map((key) => key.cookie.name);
      if (cookie.keys.length !== expected.length || cookie.keys.some((name, i) => name !== expected[i])) {
        throw new PagingCookieMismatchError(
          `The cookie holds ${cookie.keys.join(', ') || 'nothing'}; the query orders by ${expected.join(', ')}.`,
        );
      }
      where.push(
        afterKeys(
          plan.order,
          plan.order.map((key, i) => cookieValue(key.cookie, cookie.last[i])),
        ),
      );
      offset = 0;
    }
  }
  const select = joinSql(plan.select, ', ');
  const from = { sql: `FROM ${plan.from.sql}`, params: plan.from.params };
  const filter = whereOf(where);
  const group = plan.groupBy.length > 0 ? joinSql(plan.groupBy, ', ') : undefined;
  const orderBy = query.aggregate
    ? joinSql(
        plan.order.map((key) => ({
          sql: `${key.expr.sql} ${key.descending ? 'DESC' : 'ASC'}`,
          params: key.expr.params,
        })),
        ', ',
      )
    : {
        sql: plan.order.map((key, i) => `"_k${i}" ${key.descending ? 'DESC' : 'ASC'}`).join(', '),
        params: [],
      };
  const statement = joinSql(
    [
      {
        sql: `SELECT ${query.distinct && !query.aggregate ? 'DISTINCT ' : ''}${select.sql}`,
        params: select.params,
      },
      from,
      filter,
      group ? { sql: ` GROUP BY ${group.sql}`, params: group.params } : { sql: '', params: [] },
      orderBy.sql ? { sql: ` ORDER BY ${orderBy.sql}`, params: orderBy.params } : { sql: '', params: [] },
      { sql: ' LIMIT ? OFFSET ?', params: [pageSize + (query.top === undefined ? 1 : 0), offset] },
    ],
    ' ',
  );
  const rows = source.rows(statement.sql, statement.params);
  const more = query.top === undefined && rows.length > pageSize;
  const pageRows = more ? rows.slice(0, pageSize) : rows;
  const records = pageRows.map((row) =>
    query.aggregate ? aggregateRecordOf(plan, shaper, row) : recordOf(plan, shaper, row),
  );

  let pagingCookie: string | undefined;
  const first = pageRows[0];
  const last = pageRows[pageRows.length - 1];
  if (more && cookieAllowed && first && last) {
    const keys = plan.order.map((key) => key.cookie);
    const values = (row: Record<string, unknown>) => plan.order.map((_, i) => sqlValue(row[`_k${i}`]));
    pagingCookie = pagingCookieAnnotation(page, innerCookie(page, keys, values(first), values(last)));
  }
  let totalRecordCount: number | undefined;
  let totalRecordCountLimitExceeded: boolean | undefined;
  if (query.returnTotalRecordCount && !query.aggregate) {
    const counted = source.rows(
      `SELECT COUNT(*) AS n FROM (SELECT ${query.distinct ? 'DISTINCT ' : ''}${select.sql} ${base.sql})`,
      [...select.params, ...base.params],
    )[0];
    const n = Number(counted?.n ?? 0);
    totalRecordCount = Math.min(n, MAX_PAGE_SIZE);
    totalRecordCountLimitExceeded = n > MAX_PAGE_SIZE;
  }
  return { records, moreRecords: more, pagingCookie, totalRecordCount, totalRecordCountLimitExceeded };
}
