/**
 * `$filter` → parameterised SQL. The text is parsed with `@odata/parser`; this file walks its AST.
 * Supported, as the Web API has them ("Filter rows" in "Query data using the Web API"): eq ne gt ge lt
 * le, and/or/not, parentheses, null, contains/startswith/endswith, lookups as `_x_value`, one level of
 * lookup navigation (`parentcustomerid_account/name eq 'x'`), and the `Microsoft.Dynamics.CRM.*`
 * query functions ("Query functions" reference). String comparisons are case-insensitive, as
 * Dataverse's SQL collation is. Dates use the caller's days: UTC unless the context names a time zone.
 */
import { defaultParser } from '@odata/parser';
import type { ColumnInfo, MetadataIndex, TableInfo } from './metadata';
import { edmType, isLookup, lookupFromValueName } from './metadata';
import { QUERY_LIMITS, QueryError, QueryLimitError, UnknownColumnError } from './errors';
import { formatStoredDateTime, normalizeGuid, parseDateOnly, parseDateTime } from './values';
import { ident } from './storage';
import { fromWall, toWall } from './zones';

export type SqlParam = string | number | null;
export interface Sql {
  sql: string;
  params: SqlParam[];
}

export interface FilterContext {
  readonly index: MetadataIndex;
  readonly table: TableInfo;
  /** SQL alias of the table in the surrounding query. */
  readonly alias: string;
  readonly now: Date;
  readonly userId: string;
  /**
   * The user's IANA time zone: "today", "yesterday", "older than x days"… are the user's days, as
   * Dataverse judges them in the user's time zone (usersettings.timezonecode). Absent: UTC.
   */
  readonly timeZone?: string;
}

/** A literal from `$filter` or FetchXML, before it is typed by the column it meets. */
export interface Literal {
  readonly edm: string;
  /** The literal's text without quotes; null for `null`. */
  readonly text: string | null;
}

interface Node {
  type: string;
  value: unknown;
  raw: string;
}

function isNode(value: unknown): value is Node {
  return (
    typeof value === 'object' && value !== null && 'type' in value && typeof (value as Node).type === 'string'
  );
}

function child(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
}

const COMPARISONS: Record<string, ComparisonOp> = {
  EqualsExpression: 'eq',
  NotEqualsExpression: 'ne',
  LesserThanExpression: 'lt',
  LesserOrEqualsExpression: 'le',
  GreaterThanExpression: 'gt',
  GreaterOrEqualsExpression: 'ge',
};
const FLIPPED: Record<ComparisonOp, ComparisonOp> = {
  eq: 'eq',
  ne: 'ne',
  lt: 'gt',
  le: 'ge',
  gt: 'lt',
  ge: 'le',
};
const SQL_OPS: Record<ComparisonOp, string> = { eq: '=', ne: '<>', lt: '<', le: '<=', gt: '>', ge: '>=' };
const OP_KIND: Record<ComparisonOp, string> = {
  eq: 'Equal',
  ne: 'NotEqual',
  lt: 'LessThan',
  le: 'LessThanOrEqual',
  gt: 'GreaterThan',
  ge: 'GreaterThanOrEqual',
};

export type ComparisonOp = 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge';

/** Compiles a `$filter` expression for `ctx.table`. */
export function compileFilter(ctx: FilterContext, text: string): Sql {
  checkFilterSize(text);
  let ast: unknown;
  try {
    ast = defaultParser.filter(normaliseArrays(text));
  } catch (error) {
    throw new QueryError(
      `Syntax error in $filter '${text}': ${error instanceof Error ? error.message : String(error)}.`,
    );
  }
  return compileNode(ctx, ast, text);
}

/** Parentheses deeper than any real filter; the parser and the compiler below recurse on them. */
const MAX_FILTER_DEPTH = 50;

/**
 * Counts conditions (comparisons and function calls, outside string literals) and nesting before the
 * text reaches the recursive parser: Dataverse refuses more than 500 conditions in a query ("Filter
 * rows", condition limits), and the parser would otherwise spend seconds and its stack on 2,000 `or`s.
 */
function checkFilterSize(text: string): void {
  let conditions = 0;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (ch === "'" && text[i + 1] === "'") i++;
      else if (ch === "'") inString = false;
      continue;
    }
    if (ch === "'") inString = true;
    else if (ch === '(') {
      depth++;
      if (depth > MAX_FILTER_DEPTH)
        throw new QueryError(`The $filter nests parentheses more than ${MAX_FILTER_DEPTH} deep.`);
    } else if (ch === ')') depth = Math.max(0, depth - 1);
    else if (ch === ' ' && /^ (eq|ne|gt|ge|lt|le) /i.test(text.slice(i, i + 4))) conditions++;
  }
  const functions = text
    .replace(/'(?:[^']|'')*'/g, '')
    .match(/\b(contains|startswith|endswith|Microsoft\.Dynamics\.CRM\.\w+)\s*\(/gi);
  conditions += functions?.length ?? 0;
  if (conditions > QUERY_LIMITS.conditions) throw new QueryLimitError('conditions', conditions);
}

/** Dataverse accepts `PropertyValues=['a','b']`; the parser only takes JSON arrays, so requote them. */
function normaliseArrays(text: string): string {
  let out = '';
  let inString = false;
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (ch === "'" && text[i + 1] === "'") {
        out += depth > 0 ? "'" : "''";
        i++;
      } else if (ch === "'") {
        inString = false;
        out += depth > 0 ? '"' : "'";
      } else {
        out += depth > 0 && (ch === '"' || ch === '\\') ? `\\${ch}` : ch;
      }
      continue;
    }
    if (ch === "'") {
      inString = true;
      out += depth > 0 ? '"' : "'";
    } else {
      if (ch === '[') depth++;
      if (ch === ']') depth = Math.max(0, depth - 1);
      out += ch;
    }
  }
  return out;
}

function compileNode(ctx: FilterContext, node: unknown, text: string): Sql {
  if (!isNode(node)) throw new QueryError(`Unsupported $filter '${text}'.`);
  switch (node.type) {
    case 'AndExpression':
    case 'OrExpression': {
      const left = compileNode(ctx, child(node.value, 'left'), text);
      const right = compileNode(ctx, child(node.value, 'right'), text);
      const op = node.type === 'AndExpression' ? 'AND' : 'OR';
      return { sql: `(${left.sql} ${op} ${right.sql})`, params: [...left.params, ...right.params] };
    }
    case 'BoolParenExpression':
    case 'ParenExpression':
    case 'CommonExpression':
      return compileNode(ctx, node.value, text);
    case 'NotExpression': {
      const inner = compileNode(ctx, node.value, text);
      return { sql: `(NOT ${inner.sql})`, params: inner.params };
    }
    case 'MethodCallExpression':
      return compileMethod(ctx, node, text);
    case 'FunctionExpression':
      return compileQueryFunction(ctx, node);
    default: {
      const op = COMPARISONS[node.type];
      if (op) return compileComparison(ctx, node, op);
      throw new QueryError(`The emulator does not support '${node.raw}' in $filter (${node.type}).`);
    }
  }
}

interface PropertyRef {
  /** The table the column belongs to and how to reach it from the filtered table. */
  readonly ctx: FilterContext;
  readonly column: ColumnInfo;
  /** Wraps a predicate on the related table into one on the filtered table (navigation). */
  readonly wrap: (inner: Sql) => Sql;
}

function memberPath(node: unknown): string[] | undefined {
  let current: unknown = node;
  while (isNode(current) && (current.type === 'FirstMemberExpression' || current.type === 'MemberExpression'))
    current = current.value;
  if (!isNode(current) || current.type !== 'PropertyPathExpression') return undefined;
  const value = current.value;
  if (isNode(value) && value.type === 'ODataIdentifier') return [String(child(value.value, 'name'))];
  const head = child(value, 'current');
  const next = child(value, 'next');
  if (isNode(head) && head.type === 'ODataIdentifier') {
    const rest = isNode(next) ? memberPath(next.value) : undefined;
    return rest ? [String(child(head.value, 'name')), ...rest] : undefined;
  }
  return undefined;
}

/** `_x_value`, a plain column, or `lookup/column` one level deep. */
function resolveProperty(ctx: FilterContext, path: string[]): PropertyRef {
  const [first, second, ...rest] = path;
  if (first === undefined || rest.length > 0)
    throw new QueryError(`The emulator supports lookup paths one level deep only: '${path.join('/')}'.`);
  if (second === undefined) return { ctx, column: resolveColumn(ctx.table, first), wrap: (inner) => inner };
  const nav = ctx.table.navigation.get(first);
  if (!nav?.target) throw new UnknownColumnError(ctx.table.logicalName, first);
  const target = ctx.index.table(nav.target);
  const alias = `${ctx.alias}_${first}`;
  const relatedCtx: FilterContext = { ...ctx, table: target, alias };
  return {
    ctx: relatedCtx,
    column: resolveColumn(target, second),
    wrap: (inner) => ({
      sql: `${ctx.alias}.${ident(nav.column)} IN (SELECT ${alias}.${ident(target.primaryId)} FROM ${ident(target.logicalName)} ${alias} WHERE ${inner.sql})`,
      params: inner.params,
    }),
  };
}

/** Filterable name → column: lookups only as `_x_value` (or their logical name in query functions). */
export function resolveColumn(table: TableInfo, name: string, allowLookupName = false): ColumnInfo {
  const lookup = lookupFromValueName(table, name);
  if (lookup) return lookup;
  const column = table.columns.get(name);
  if (!column || (isLookup(column.type) && !allowLookupName)) {
    throw new UnknownColumnError(
      table.logicalName,
      name,
      column ? `Filter lookups as '_${name}_value'.` : undefined,
    );
  }
  return column;
}

function literalOf(node: unknown): Literal | undefined {
  if (!isNode(node)) return undefined;
  if (node.type === 'ParameterValue') return literalOf(node.value);
  if (node.type !== 'Literal') return undefined;
  const edm = String(node.value);
  const raw = node.raw;
  if (edm === 'null') return { edm, text: null };
  if (edm === 'Edm.String') return { edm, text: raw.slice(1, -1).replace(/''/g, "'") };
  if (edm === 'string') return { edm: 'Edm.String', text: JSON.parse(raw) as string };
  if (edm === 'number') return { edm: 'Edm.Decimal', text: raw };
  return { edm, text: raw };
}

function compileComparison(ctx: FilterContext, node: Node, op: ComparisonOp): Sql {
  let leftNode = child(node.value, 'left');
  let rightNode = child(node.value, 'right');
  let path = memberPath(leftNode);
  if (!path) {
    [leftNode, rightNode] = [rightNode, leftNode];
    path = memberPath(leftNode);
    op = FLIPPED[op];
  }
  const literal = literalOf(rightNode);
  if (!path || !literal)
    throw new QueryError(`The emulator compares a column with a literal only: '${node.raw}'.`);
  const property = resolveProperty(ctx, path);
  return property.wrap(comparisonSql(property.ctx, property.column, op, literal));
}

function columnSql(ctx: FilterContext, column: ColumnInfo): string {
  return `${ctx.alias}.${ident(column.logicalName)}`;
}

function isText(column: ColumnInfo): boolean {
  return column.type === 'String' || column.type === 'Memo' || column.type === 'EntityName';
}

/** `column op literal`, with OData null semantics (`ne` keeps rows whose column is null). */
export function comparisonSql(
  ctx: FilterContext,
  column: ColumnInfo,
  op: ComparisonOp,
  literal: Literal,
): Sql {
  const ref = columnSql(ctx, column);
  if (literal.text === null) {
    if (op === 'eq') return { sql: `${ref} IS NULL`, params: [] };
    if (op === 'ne') return { sql: `${ref} IS NOT NULL`, params: [] };
    throw new QueryError(`'${OP_KIND[op]}' cannot compare '${column.logicalName}' with null.`);
  }
  const value = coerceLiteral(ctx.table, column, literal, OP_KIND[op]);
  const collate = isText(column) ? ' COLLATE NOCASE' : '';
  if (op === 'ne') return { sql: `(${ref} <> ?${collate} OR ${ref} IS NULL)`, params: [value] };
  return { sql: `${ref} ${SQL_OPS[op]} ?${collate}`, params: [value] };
}

const NUMERIC_EDM = new Set([
  'Edm.SByte',
  'Edm.Byte',
  'Edm.Int16',
  'Edm.Int32',
  'Edm.Int64',
  'Edm.Decimal',
  'Edm.Double',
  'Edm.Single',
]);

/** Types a literal by the column it is compared with; mismatches get the Web API's operand-type error. */
export function coerceLiteral(
  table: TableInfo,
  column: ColumnInfo,
  literal: Literal,
  operatorKind: string,
): SqlParam {
  const text = literal.text ?? '';
  const mismatch = (): never => {
    throw new QueryError(
      `A binary operator with incompatible types was detected. Found operand types '${edmType(column.type)}' and '${literal.edm}' for operator kind '${operatorKind}' (column '${column.logicalName}' of '${table.logicalName}').`,
    );
  };
  switch (column.type) {
    case 'String':
    case 'Memo':
    case 'EntityName':
      return literal.edm === 'Edm.String' ? text : mismatch();
    case 'Uniqueidentifier':
    case 'Lookup':
    case 'Customer':
    case 'Owner':
      if (literal.edm !== 'Edm.Guid' && literal.edm !== 'Edm.String') return mismatch();
      return normalizeGuid(text) ?? mismatch();
    case 'Integer':
    case 'BigInt':
    case 'Picklist':
    case 'State':
    case 'Status':
    case 'Decimal':
    case 'Money':
    case 'Double': {
      // Query functions pass numbers as strings ("PropertyValues":["1","2"]), so accept numeric text there.
      if (!NUMERIC_EDM.has(literal.edm) && literal.edm !== 'Edm.String') return mismatch();
      const n = Number(text);
      return Number.isFinite(n) && text.trim() !== '' ? n : mismatch();
    }
    case 'Boolean':
      if (literal.edm === 'Edm.Boolean' || literal.edm === 'Edm.String') {
        if (text === 'true' || text === '1') return 1;
        if (text === 'false' || text === '0') return 0;
      }
      return mismatch();
    case 'DateTime': {
      if (literal.edm === 'Edm.Date') return `${text}T00:00:00Z`;
      if (literal.edm !== 'Edm.DateTimeOffset' && literal.edm !== 'Edm.String') return mismatch();
      return parseDateTime(text) ?? (parseDateOnly(text) ? `${text}T00:00:00Z` : mismatch());
    }
    case 'DateOnly': {
      if (literal.edm === 'Edm.DateTimeOffset') return text.slice(0, 10);
      if (literal.edm !== 'Edm.Date' && literal.edm !== 'Edm.String') return mismatch();
      return parseDateOnly(text.slice(0, 10)) ?? mismatch();
    }
    case 'PartyList':
      return mismatch();
  }
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

export type LikeKind = 'contains' | 'startswith' | 'endswith';

export function likeSql(
  ctx: FilterContext,
  column: ColumnInfo,
  kind: LikeKind,
  text: string,
  negate = false,
): Sql {
  if (!isText(column)) {
    throw new QueryError(
      `'${kind}' needs a text column; '${column.logicalName}' is ${edmType(column.type)}.`,
    );
  }
  const pattern =
    kind === 'contains'
      ? `%${escapeLike(text)}%`
      : kind === 'startswith'
        ? `${escapeLike(text)}%`
        : `%${escapeLike(text)}`;
  const ref = columnSql(ctx, column);
  return negate
    ? { sql: `(${ref} NOT LIKE ? ESCAPE '\\' OR ${ref} IS NULL)`, params: [pattern] }
    : { sql: `${ref} LIKE ? ESCAPE '\\'`, params: [pattern] };
}

function compileMethod(ctx: FilterContext, node: Node, text: string): Sql {
  const method = String(child(node.value, 'method'));
  const parameters = child(node.value, 'parameters');
  if (!Array.isArray(parameters) || parameters.length !== 2)
    throw new QueryError(`Unsupported $filter '${node.raw}'.`);
  if (method !== 'contains' && method !== 'startswith' && method !== 'endswith') {
    throw new QueryError(`The emulator does not support the function '${method}' in $filter '${text}'.`);
  }
  const path = memberPath(parameters[0]);
  const literal = literalOf(parameters[1]);
  if (!path || !literal || literal.text === null)
    throw new QueryError(`'${method}' takes a column and a text: '${node.raw}'.`);
  const property = resolveProperty(ctx, path);
  return property.wrap(likeSql(property.ctx, property.column, method, literal.text));
}

function dayStart(date: Date, offsetDays = 0): Date {
  return new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate() + offsetDays));
}

function addMonths(date: Date, months: number): Date {
  return new Date(
    Date.UTC(
      date.getUTCFullYear(),
      date.getUTCMonth() + months,
      date.getUTCDate(),
      date.getUTCHours(),
      date.getUTCMinutes(),
      date.getUTCSeconds(),
    ),
  );
}

/**
 * `from <= column < to` (either bound optional) for DateTime and DateOnly columns. The bounds are the
 * user's wall-clock times: a DateOnly column compares the user's dates, a DateTime column the instants.
 */
export function dateRangeSql(
  ctx: FilterContext,
  column: ColumnInfo,
  from: Date | undefined,
  to: Date | undefined,
  toInclusive = false,
): Sql {
  if (column.type !== 'DateTime' && column.type !== 'DateOnly') {
    throw new QueryError(
      `Date query functions need a date column; '${column.logicalName}' is ${edmType(column.type)}.`,
    );
  }
  const ref = columnSql(ctx, column);
  const stored = (d: Date) =>
    column.type === 'DateOnly'
      ? d.toISOString().slice(0, 10)
      : formatStoredDateTime(fromWall(d, ctx.timeZone));
  const parts: string[] = [];
  const params: SqlParam[] = [];
  if (from) {
    parts.push(`${ref} >= ?`);
    params.push(stored(from));
  }
  if (to) {
    // A DateOnly column has no time: "before now" includes today, "before midnight" excludes it.
    const inclusive = toInclusive || (column.type === 'DateOnly' && to.getTime() !== dayStart(to).getTime());
    parts.push(`${ref} ${inclusive ? '<=' : '<'} ?`);
    params.push(stored(to));
  }
  return { sql: parts.length ? `(${parts.join(' AND ')})` : `${ref} IS NOT NULL`, params };
}

export interface QueryFunctionArgs {
  readonly propertyName: string;
  readonly value?: Literal;
  readonly values?: readonly Literal[];
}

function requireInteger(name: string, literal: Literal | undefined): number {
  const n = Number(literal?.text);
  if (literal?.text == null || !Number.isInteger(n))
    throw new QueryError(`Microsoft.Dynamics.CRM.${name} needs a whole-number PropertyValue.`);
  return n;
}

function dateOf(name: string, literal: Literal | undefined): Date {
  const text = literal?.text ?? '';
  const date = parseDateOnly(text.slice(0, 10));
  if (!date)
    throw new QueryError(
      `Microsoft.Dynamics.CRM.${name} needs a date PropertyValue (YYYY-MM-DD), got '${text}'.`,
    );
  return new Date(`${date}T00:00:00Z`);
}

/**
 * The calendar week (Sunday first, as an en-US user's), month or year before, holding or after the
 * user's wall-clock `now`: `[from, to)` as wall-clock midnights. Dataverse evaluates these operators
 * in the caller's time zone (usersettings.timezonecode), as it does today/yesterday ("Query Date and
 * Time data", Microsoft Learn), so Madrid's Jan 1 at 00:30 is already "this year" there.
 */
function calendarPeriod(name: string, now: Date): { from: Date; to: Date } {
  const shift = name.startsWith('Last') ? -1 : name.startsWith('Next') ? 1 : 0;
  const y = now.getUTCFullYear();
  const m = now.getUTCMonth();
  if (name.endsWith('Week')) {
    const sunday = dayStart(now, -now.getUTCDay() + 7 * shift);
    return { from: sunday, to: dayStart(sunday, 7) };
  }
  if (name.endsWith('Month'))
    return { from: new Date(Date.UTC(y, m + shift, 1)), to: new Date(Date.UTC(y, m + shift + 1, 1)) };
  return { from: new Date(Date.UTC(y + shift, 0, 1)), to: new Date(Date.UTC(y + shift + 1, 0, 1)) };
}

type UnitFn = (now: Date, n: number) => Date;
const UNITS: Record<string, { back: UnitFn; forward: UnitFn }> = {
  Minutes: {
    back: (d, n) => new Date(d.getTime() - n * 60000),
    forward: (d, n) => new Date(d.getTime() + n * 60000),
  },
  Hours: {
    back: (d, n) => new Date(d.getTime() - n * 3600000),
    forward: (d, n) => new Date(d.getTime() + n * 3600000),
  },
  Days: { back: (d, n) => dayStart(d, -n), forward: (d, n) => dayStart(d, n + 1) },
  Weeks: { back: (d, n) => dayStart(d, -7 * n), forward: (d, n) => dayStart(d, 7 * n + 1) },
  Months: { back: (d, n) => dayStart(addMonths(d, -n)), forward: (d, n) => dayStart(addMonths(d, n), 1) },
  Years: {
    back: (d, n) => dayStart(addMonths(d, -12 * n)),
    forward: (d, n) => dayStart(addMonths(d, 12 * n), 1),
  },
};

/** One `Microsoft.Dynamics.CRM.<name>(PropertyName=…, PropertyValue(s)=…)` query function. */
export function queryFunctionSql(ctx: FilterContext, name: string, args: QueryFunctionArgs): Sql {
  const column = resolveColumn(ctx.table, args.propertyName, true);
  const now = toWall(ctx.now, ctx.timeZone);
  const ref = columnSql(ctx, column);
  const values = () => {
    if (!args.values || args.values.length === 0)
      throw new QueryError(`Microsoft.Dynamics.CRM.${name} needs PropertyValues.`);
    return args.values.map((v) => coerceLiteral(ctx.table, column, v, name));
  };
  switch (name) {
    case 'In':
    case 'NotIn': {
      const list = values();
      const placeholders = list.map(() => '?').join(', ');
      const collate = isText(column) ? ' COLLATE NOCASE' : '';
      return name === 'In'
        ? { sql: `${ref}${collate} IN (${placeholders})`, params: list }
        : { sql: `(${ref}${collate} NOT IN (${placeholders}) OR ${ref} IS NULL)`, params: list };
    }
    case 'Between':
    case 'NotBetween': {
      const list = values();
      if (list.length !== 2)
        throw new QueryError(`Microsoft.Dynamics.CRM.${name} needs exactly two PropertyValues.`);
      const sql = `${ref} BETWEEN ? AND ?`;
      return name === 'Between'
        ? { sql, params: list }
        : { sql: `(NOT (${sql}) OR ${ref} IS NULL)`, params: list };
    }
    case 'EqualUserId':
      return { sql: `${ref} = ?`, params: [ctx.userId] };
    case 'NotEqualUserId':
      return { sql: `(${ref} <> ? OR ${ref} IS NULL)`, params: [ctx.userId] };
    case 'Today':
      return dateRangeSql(ctx, column, dayStart(now), dayStart(now, 1));
    case 'Yesterday':
      return dateRangeSql(ctx, column, dayStart(now, -1), dayStart(now));
    case 'Tomorrow':
      return dateRangeSql(ctx, column, dayStart(now, 1), dayStart(now, 2));
    case 'Last7Days':
      return dateRangeSql(ctx, column, dayStart(now, -7), now, true);
    case 'Next7Days':
      return dateRangeSql(ctx, column, now, dayStart(now, 8));
    case 'LastWeek':
    case 'ThisWeek':
    case 'NextWeek':
    case 'LastMonth':
    case 'ThisMonth':
    case 'NextMonth':
    case 'LastYear':
    case 'ThisYear':
    case 'NextYear': {
      const period = calendarPeriod(name, now);
      return dateRangeSql(ctx, column, period.from, period.to);
    }
    case 'On':
      return dateRangeSql(ctx, column, dateOf(name, args.value), dayStart(dateOf(name, args.value), 1));
    case 'NotOn': {
      const on = dateRangeSql(ctx, column, dateOf(name, args.value), dayStart(dateOf(name, args.value), 1));
      return { sql: `(NOT ${on.sql} OR ${ref} IS NULL)`, params: on.params };
    }
    case 'OnOrAfter':
      return dateRangeSql(ctx, column, dateOf(name, args.value), undefined);
    case 'OnOrBefore':
      return dateRangeSql(ctx, column, undefined, dayStart(dateOf(name, args.value), 1));
  }
  const relative = /^(Last|Next|OlderThan)X(Minutes|Hours|Days|Weeks|Months|Years)$/.exec(name);
  const unit = relative ? UNITS[relative[2] ?? ''] : undefined;
  if (relative && unit) {
    const n = requireInteger(name, args.value);
    // LastXDays runs from midnight X days ago to now; OlderThanXDays is everything before that midnight,
    // so the two split the past without overlap (FetchXML last-x-days / olderthan-x-days).
    if (relative[1] === 'Last') return dateRangeSql(ctx, column, unit.back(now, n), now, true);
    if (relative[1] === 'Next') return dateRangeSql(ctx, column, now, unit.forward(now, n));
    return dateRangeSql(ctx, column, undefined, unit.back(now, n));
  }
  throw new QueryError(`The emulator does not support the query function 'Microsoft.Dynamics.CRM.${name}'.`);
}

function compileQueryFunction(ctx: FilterContext, node: Node): Sql {
  const fn = child(node.value, 'fn');
  const name = String(child(isNode(fn) ? fn.value : undefined, 'name'));
  const namespace = child(isNode(fn) ? fn.value : undefined, 'namespace');
  if (namespace !== 'Microsoft.Dynamics.CRM')
    throw new QueryError(`Unknown function '${node.raw}' in $filter.`);
  const params = child(node.value, 'params');
  const list = isNode(params) && Array.isArray(params.value) ? (params.value as unknown[]) : [];
  let propertyName: string | undefined;
  let value: Literal | undefined;
  let values: Literal[] | undefined;
  for (const param of list) {
    const nameNode = child(child(param, 'value'), 'name');
    const paramName = String(child(isNode(nameNode) ? nameNode.value : undefined, 'name'));
    const paramValue = child(child(param, 'value'), 'value');
    if (paramName === 'PropertyName') propertyName = literalOf(paramValue)?.text ?? undefined;
    else if (paramName === 'PropertyValue') value = literalOf(paramValue);
    else if (paramName === 'PropertyValues') {
      const array =
        isNode(paramValue) && paramValue.type === 'ParameterValue' ? paramValue.value : paramValue;
      const items = child(isNode(array) ? array.value : undefined, 'items');
      values = Array.isArray(items)
        ? items.map((item) => literalOf(item) ?? { edm: 'unknown', text: null })
        : [];
    }
  }
  if (!propertyName)
    throw new QueryError(`Microsoft.Dynamics.CRM.${name} needs PropertyName: '${node.raw}'.`);
  return queryFunctionSql(ctx, name, { propertyName, value, values });
}
