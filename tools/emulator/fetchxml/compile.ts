/**
 * A parsed FetchXML query → SQL over the engine's tables ("Query data using FetchXml" and its pages:
 * select columns, join tables, order rows, filter rows, aggregate data, page results). Inner and outer
 * link-entities become joins (their filters join in the ON clause, as Dataverse applies them to the
 * join); exists/in/any/not any become EXISTS subqueries. Conditions reuse the engine's `$filter`
 * building blocks where the semantics agree and differ where FetchXML's do: `ne` and the other
 * negative operators leave out rows whose column is null, as SQL Server does for Dataverse.
 */
import { edmType, isLookup, type ColumnInfo, type MetadataIndex, type TableInfo } from '../engine/metadata';
import { QueryError } from '../engine/errors';
import {
  coerceLiteral,
  queryFunctionSql,
  type FilterContext,
  type Sql,
  type SqlParam,
} from '../engine/filter';
import { ident } from '../engine/storage';
import { transactioncurrency } from '../../../dataverse/generated';
import { targetColumn } from '../engine/values';
import type { CookieKey } from './cookie';
import {
  FetchXmlSyntaxError,
  FetchXmlUnknownAttributeError,
  FetchXmlUnknownEntityError,
  FetchXmlUnsupportedError,
  FetchXmlValueError,
} from './errors';
import type {
  AggregateFunction,
  DateGrouping,
  FetchCondition,
  FetchEntity,
  FetchFilter,
  FetchLink,
  FetchQuery,
} from './parse';

export interface CompileEnv {
  readonly index: MetadataIndex;
  readonly now: Date;
  readonly userId: string;
  readonly businessUnitId?: string;
  /** The user's IANA time zone for date conditions (today, yesterday, olderthan-x-days…); absent: UTC. */
  readonly timeZone?: string;
  /** Leave out quick find filters (`isquickfindfields`): a saved quick find view run without a search text. */
  readonly dropQuickFind?: boolean;
}

export interface Scope {
  readonly table: TableInfo;
  /** SQL alias: t0 for the entity, t1… for link-entities. */
  readonly sql: string;
  /** Alias in results (`alias.column`); the entity's own columns have none. */
  readonly alias?: string;
  /** Joined into the main query (inner/outer) rather than tested with EXISTS. */
  readonly joined: boolean;
  /** Follows a lookup to the linked table's primary key: at most one row per parent row. */
  readonly manyToOne: boolean;
}

/** A column the records carry (non-aggregate queries). */
export interface OutputColumn {
  readonly scope: Scope;
  readonly column: ColumnInfo;
  /** Property name in the Web API JSON. */
  readonly property: string;
  /** SQL result column; polymorphic lookups also select `<sql>_t` (the target table). */
  readonly sql: string;
}

/** One value of an aggregate query's rows. */
export interface AggregateOutput {
  readonly alias: string;
  readonly sql: string;
  readonly column: ColumnInfo;
  readonly fn?: AggregateFunction;
  readonly dategrouping?: DateGrouping;
}

export interface SortKey {
  readonly expr: Sql;
  readonly descending: boolean;
  readonly cookie: CookieKey;
  readonly scope: Scope;
}

/** The result column carrying a root row's transaction currency id, when it has amounts to format. */
export const CURRENCY_KEY = '_currency';

export interface Plan {
  readonly query: FetchQuery;
  readonly root: Scope;
  readonly scopes: readonly Scope[];
  /** `FROM … JOIN …` with the joins' parameters. */
  readonly from: Sql;
  readonly where: readonly Sql[];
  readonly outputs: readonly OutputColumn[];
  readonly aggregates: readonly AggregateOutput[];
  readonly groupBy: readonly Sql[];
  readonly select: readonly Sql[];
  readonly order: readonly SortKey[];
  /** Every scope but the entity's joins at most one row per entity row (no one-to-many join). */
  readonly uniqueRows: boolean;
}

const TEXT_TYPES = new Set(['String', 'Memo', 'EntityName']);
const NUMERIC_TYPES = new Set(['Integer', 'BigInt', 'Decimal', 'Double', 'Money']);
const CHOICE_TYPES = new Set(['Picklist', 'State', 'Status']);
const DATE_TYPES = new Set(['DateTime', 'DateOnly']);

function isText(column: ColumnInfo): boolean {
  return TEXT_TYPES.has(column.type);
}

function ref(scope: Scope, column: ColumnInfo): string {
  return `${scope.sql}.${ident(column.logicalName)}`;
}

function and(parts: readonly Sql[]): Sql | undefined {
  if (parts.length === 0) return undefined;
  if (parts.length === 1) return parts[0];
  return { sql: `(${parts.map((p) => p.sql).join(' AND ')})`, params: parts.flatMap((p) => p.params) };
}

/** The .NET type Dataverse names when a condition value does not convert. */
function dotnetType(column: ColumnInfo): string {
  switch (column.type) {
    case 'Integer':
    case 'Picklist':
    case 'State':
    case 'Status':
      return 'System.Int32';
    case 'BigInt':
      return 'System.Int64';
    case 'Decimal':
    case 'Money':
      return 'System.Decimal';
    case 'Double':
      return 'System.Double';
    case 'Boolean':
      return 'System.Boolean';
    case 'DateTime':
    case 'DateOnly':
      return 'System.DateTime';
    case 'Uniqueidentifier':
    case 'Lookup':
    case 'Customer':
    case 'Owner':
      return 'System.Guid';
    default:
      return 'System.String';
  }
}

const RELATIVE_UNITS: Record<string, string> = {
  minutes: 'Minutes',
  hours: 'Hours',
  days: 'Days',
  weeks: 'Weeks',
  months: 'Months',
  years: 'Years',
};

/** FetchXML date operators the engine's query functions already implement, by their Web API name. */
const DATE_FUNCTIONS: Record<string, string> = {
  today: 'Today',
  yesterday: 'Yesterday',
  tomorrow: 'Tomorrow',
  'last-seven-days': 'Last7Days',
  'next-seven-days': 'Next7Days',
  'last-week': 'LastWeek',
  'this-week': 'ThisWeek',
  'next-week': 'NextWeek',
  'last-month': 'LastMonth',
  'this-month': 'ThisMonth',
  'next-month': 'NextMonth',
  'last-year': 'LastYear',
  'this-year': 'ThisYear',
  'next-year': 'NextYear',
  on: 'On',
  'on-or-after': 'OnOrAfter',
  'on-or-before': 'OnOrBefore',
};

/** Operators that need the user's teams, hierarchy, language or the fiscal calendar. */
const UNSUPPORTED_OPERATORS =
  /^(eq-userteams|eq-userlanguage|under|eq-or-under|not-under|above|eq-or-above|contain-values|not-contain-values|.*fiscal.*)$/;

export class Compiler {
  private readonly scopes: Scope[] = [];
  private readonly byAlias = new Map<string, Scope>();
  private readonly linkScopes = new Map<FetchLink, Scope>();
  private linkCount = 0;
  private readonly aggregate: boolean;

  constructor(
    private readonly env: CompileEnv,
    private readonly query: FetchQuery,
  ) {
    this.aggregate = query.aggregate;
  }

  private table(name: string): TableInfo {
    const table = this.env.index.byLogicalName(name);
    if (!table) throw new FetchXmlUnknownEntityError(name);
    return table;
  }

  private column(table: TableInfo, name: string): ColumnInfo {
    const column = table.columns.get(name);
    if (!column) throw new FetchXmlUnknownAttributeError(table.logicalName, name);
    return column;
  }

  private ctx(scope: Scope): FilterContext {
    return {
      index: this.env.index,
      table: scope.table,
      alias: scope.sql,
      now: this.env.now,
      userId: this.env.userId,
      timeZone: this.env.timeZone,
    };
  }

  private scopeNamed(name: string, from: Scope): Scope {
    const scope = this.byAlias.get(name);
    if (!scope)
      throw new FetchXmlSyntaxError(
        `entityname='${name}' names no link-entity alias of this query (in ${from.table.logicalName}).`,
      );
    if (!scope.joined)
      throw new FetchXmlSyntaxError(
        `entityname='${name}' names a link-entity of type exists/in/any, whose columns cannot be used outside it.`,
      );
    return scope;
  }

  compile(entitySetTable: TableInfo): Plan {
    const entity = this.query.entity;
    const table = this.table(entity.name);
    if (table.logicalName !== entitySetTable.logicalName) {
      throw new FetchXmlSyntaxError(
        `the entity '${entity.name}' does not match the entity set '${entitySetTable.entitySetName}' (${entitySetTable.logicalName}) the request was sent to.`,
      );
    }
    const root: Scope = { table, sql: 't0', joined: true, manyToOne: true };
    this.scopes.push(root);
    const { joins, conditions: where } = this.contents(entity, root);
    const from: Sql = {
      sql: `${ident(table.logicalName)} t0${joins.map((j) => ` ${j.sql}`).join('')}`,
      params: joins.flatMap((j) => j.params),
    };
    const uniqueRows = this.scopes.every((s) => !s.joined || s.manyToOne);
    if (this.aggregate) return this.aggregatePlan(root, from, where, uniqueRows);
    const outputs = this.outputs(root, entity);
    const order = this.orders(root, entity, outputs);
    if (!this.query.distinct) {
      const pk = this.column(table, table.primaryId);
      order.push({
        expr: { sql: ref(root, pk), params: [] },
        descending: false,
        cookie: { name: table.primaryId, kind: 'guid' },
        scope: root,
      });
    } else {
      // DISTINCT rows are ordered by what they hold, so pages do not depend on which duplicate SQL keeps.
      for (const output of outputs)
        order.push({
          expr: { sql: ref(output.scope, output.column), params: [] },
          descending: false,
          cookie: { name: output.column.logicalName, kind: 'text' },
          scope: output.scope,
        });
    }
    const select: Sql[] = [];
    for (const output of outputs) {
      select.push({ sql: `${ref(output.scope, output.column)} AS "${output.sql}"`, params: [] });
      if (isLookup(output.column.type) && output.column.polymorphic) {
        select.push({
          sql: `${output.scope.sql}.${ident(targetColumn(output.column.logicalName))} AS "${output.sql}_t"`,
          params: [],
        });
      }
    }
    if (!this.query.distinct) {
      select.push({ sql: `t0.${ident(table.primaryId)} AS "_id"`, params: [] });
      if (table.columns.has('versionnumber'))
        select.push({ sql: `t0.${ident('versionnumber')} AS "_version"`, params: [] });
      // The row's currency, for its amounts' formatted values (run.ts).
      const currency = transactioncurrency.columns.transactioncurrencyid;
      if (table.columns.has(currency) && outputs.some((o) => o.scope === root && o.column.type === 'Money'))
        select.push({ sql: `t0.${ident(currency)} AS "${CURRENCY_KEY}"`, params: [] });
    }
    order.forEach((key, i) => select.push({ sql: `${key.expr.sql} AS "_k${i}"`, params: key.expr.params }));
    return {
      query: this.query,
      root,
      scopes: this.scopes,
      from,
      where,
      outputs,
      aggregates: [],
      groupBy: [],
      select,
      order,
      uniqueRows,
    };
  }

  // ── link-entities ─────────────────────────────────────────────────────────────────────────────

  private inferJoin(link: FetchLink, table: TableInfo, parent: Scope): { from: string; to: string } {
    if (link.from && link.to) return { from: link.from, to: link.to };
    const toParent = [...parent.table.columns.values()].filter(
      (c) => isLookup(c.type) && c.targets.includes(table.logicalName) && c.type !== 'Owner',
    );
    if (!link.from && !link.to && toParent.length === 1 && toParent[0])
      return { from: table.primaryId, to: toParent[0].logicalName };
    const toChild = [...table.columns.values()].filter(
      (c) => isLookup(c.type) && c.targets.includes(parent.table.logicalName) && c.type !== 'Owner',
    );
    if (!link.from && !link.to && toChild.length === 1 && toChild[0])
      return { from: toChild[0].logicalName, to: parent.table.primaryId };
    throw new FetchXmlSyntaxError(
      `<link-entity name='${link.name}'> needs 'from' and 'to': no single relationship joins ${parent.table.logicalName} and ${table.logicalName}.`,
    );
  }

  /** The joins and conditions of an entity's or link-entity's own link-entities and filters. */
  private contents(node: FetchEntity, scope: Scope): { joins: Sql[]; conditions: Sql[] } {
    const joins: Sql[] = [];
    const conditions: Sql[] = [];
    // Link-entities first: their aliases must be known to the node's filters and orders (entityname).
    for (const link of node.links) {
      const compiled = this.link(link, scope);
      if (compiled.join) joins.push(compiled.join);
      if (compiled.where) conditions.push(compiled.where);
    }
    for (const filter of node.filters) {
      const sql = this.filter(filter, scope);
      if (sql) conditions.push(sql);
    }
    return { joins, conditions };
  }

  private link(link: FetchLink, parent: Scope): { join?: Sql; where?: Sql } {
    const table = this.table(link.name);
    const n = ++this.linkCount;
    const alias = link.alias ?? `${link.name}${n}`;
    if (this.byAlias.has(alias))
      throw new FetchXmlSyntaxError(`the alias '${alias}' is used by two link-entities.`);
    const keys = this.inferJoin(link, table, parent);
    const fromColumn = this.column(table, keys.from);
    const toColumn = this.column(parent.table, keys.to);
    const type = link.linkType;
    if (type === 'all' || type === 'not all' || type === 'matchfirstrowusingcrossapply')
      throw new FetchXmlUnsupportedError(`link-type='${type}'`);
    const joined = type === 'inner' || type === 'outer';
    const scope: Scope = {
      table,
      sql: `t${n}`,
      alias,
      joined: joined && parent.joined,
      manyToOne: fromColumn.logicalName === table.primaryId,
    };
    this.scopes.push(scope);
    this.byAlias.set(alias, scope);
    this.linkScopes.set(link, scope);
    if (!scope.joined && (link.attributes.length > 0 || link.allAttributes || link.orders.length > 0)) {
      throw new FetchXmlSyntaxError(
        `<link-entity name='${link.name}' link-type='${type}'> filters only: it cannot return attributes or order rows.`,
      );
    }
    const { joins: nestedJoins, conditions } = this.contents(link, scope);
    const on: Sql[] = [
      { sql: `${ref(scope, fromColumn)} = ${ref(parent, toColumn)}`, params: [] },
      ...conditions,
    ];
    const condition = and(on) ?? { sql: '1', params: [] };
    const source = `${ident(table.logicalName)} ${scope.sql}`;
    if (scope.joined) {
      const keyword = type === 'outer' ? 'LEFT JOIN' : 'JOIN';
      // Nested joins are parenthesised with their parent so an outer link keeps its inner children optional.
      const body =
        nestedJoins.length > 0 ? `(${source}${nestedJoins.map((j) => ` ${j.sql}`).join('')})` : source;
      return {
        join: {
          sql: `${keyword} ${body} ON ${condition.sql}`,
          params: [...nestedJoins.flatMap((j) => j.params), ...condition.params],
        },
      };
    }
    const subquery = `SELECT 1 FROM ${source}${nestedJoins.map((j) => ` ${j.sql}`).join('')} WHERE ${condition.sql}`;
    const params = [...nestedJoins.flatMap((j) => j.params), ...condition.params];
    return { where: { sql: `${type === 'not any' ? 'NOT EXISTS' : 'EXISTS'} (${subquery})`, params } };
  }

  // ── filters ───────────────────────────────────────────────────────────────────────────────────

  private filter(filter: FetchFilter, scope: Scope): Sql | undefined {
    if (filter.quickFind && this.env.dropQuickFind) return undefined;
    const parts: Sql[] = [];
    for (const item of filter.items) {
      const sql = item.kind === 'filter' ? this.filter(item, scope) : this.condition(item, scope);
      if (sql) parts.push(sql);
    }
    if (parts.length === 0) return undefined;
    const op = filter.type === 'or' ? ' OR ' : ' AND ';
    return { sql: `(${parts.map((p) => p.sql).join(op)})`, params: parts.flatMap((p) => p.params) };
  }

  private literal(table: TableInfo, column: ColumnInfo, text: string): SqlParam {
    try {
      return coerceLiteral(table, column, { edm: 'Edm.String', text }, 'Equal');
    } catch (error) {
      if (error instanceof QueryError)
        throw new FetchXmlValueError(table.logicalName, column.logicalName, text, dotnetType(column));
      throw error;
    }
  }

  private requireDate(condition: FetchCondition, column: ColumnInfo): void {
    if (!DATE_TYPES.has(column.type)) {
      throw new FetchXmlSyntaxError(
        `the operator '${condition.operator}' needs a date column; '${column.logicalName}' is ${edmType(column.type)}.`,
      );
    }
  }

  private requireValue(condition: FetchCondition): string {
    const value = condition.value ?? condition.values[0];
    if (value === undefined)
      throw new FetchXmlSyntaxError(
        `the condition '${condition.operator}' on '${condition.attribute}' needs a value.`,
      );
    return value;
  }

  private condition(condition: FetchCondition, from: Scope): Sql {
    const scope = condition.entityname ? this.scopeNamed(condition.entityname, from) : from;
    const { table } = scope;
    const column = this.column(table, condition.attribute);
    const column_ = ref(scope, column);
    const collate = isText(column) ? ' COLLATE NOCASE' : '';
    const op = condition.operator;
    if (UNSUPPORTED_OPERATORS.test(op))
      throw new FetchXmlUnsupportedError(
        `the operator '${op}' (it needs teams, hierarchies, languages or fiscal periods)`,
      );
    const comparison: Record<string, string> = {
      eq: '=',
      ne: '<>',
      neq: '<>',
      gt: '>',
      ge: '>=',
      lt: '<',
      le: '<=',
    };
    const sqlOp = comparison[op];
    if (sqlOp) {
      if (condition.valueof) {
        const other = this.column(table, condition.valueof);
        return { sql: `${column_} ${sqlOp} ${ref(scope, other)}${collate}`, params: [] };
      }
      return {
        sql: `${column_} ${sqlOp} ?${collate}`,
        params: [this.literal(table, column, this.requireValue(condition))],
      };
    }
    const textOf = (kind: string): string => {
      if (!isText(column))
        throw new FetchXmlSyntaxError(
          `the operator '${kind}' needs a text column; '${column.logicalName}' is ${edmType(column.type)}.`,
        );
      return this.requireValue(condition);
    };
    const escapeLike = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);
    switch (op) {
      case 'null':
        return { sql: `${column_} IS NULL`, params: [] };
      case 'not-null':
        return { sql: `${column_} IS NOT NULL`, params: [] };
      case 'like':
        return { sql: `${column_} LIKE ?`, params: [textOf(op)] };
      case 'not-like':
        return { sql: `${column_} NOT LIKE ?`, params: [textOf(op)] };
      case 'begins-with':
        return { sql: `${column_} LIKE ? ESCAPE '\\'`, params: [`${escapeLike(textOf(op))}%`] };
      case 'not-begin-with':
        return { sql: `${column_} NOT LIKE ? ESCAPE '\\'`, params: [`${escapeLike(textOf(op))}%`] };
      case 'ends-with':
        return { sql: `${column_} LIKE ? ESCAPE '\\'`, params: [`%${escapeLike(textOf(op))}`] };
      case 'not-end-with':
        return { sql: `${column_} NOT LIKE ? ESCAPE '\\'`, params: [`%${escapeLike(textOf(op))}`] };
      case 'in':
      case 'not-in': {
        const values =
          condition.values.length > 0
            ? condition.values
            : condition.value !== undefined
              ? [condition.value]
              : [];
        if (values.length === 0)
          throw new FetchXmlSyntaxError(
            `the condition '${op}' on '${column.logicalName}' needs <value> elements.`,
          );
        const params = values.map((v) => this.literal(table, column, v));
        return {
          sql: `${column_}${collate} ${op === 'in' ? 'IN' : 'NOT IN'} (${params.map(() => '?').join(', ')})`,
          params,
        };
      }
      case 'between':
      case 'not-between': {
        if (condition.values.length !== 2)
          throw new FetchXmlSyntaxError(
            `the condition '${op}' on '${column.logicalName}' needs exactly two <value> elements.`,
          );
        const params = condition.values.map((v) => this.literal(table, column, v));
        return { sql: `${column_} ${op === 'between' ? 'BETWEEN' : 'NOT BETWEEN'} ? AND ?`, params };
      }
      case 'eq-userid':
      case 'eq-useroruserteams':
      case 'eq-useroruserhierarchy':
      case 'eq-useroruserhierarchyandteams':
        // The emulator's users have no teams and no hierarchy, so these all mean "the calling user".
        return { sql: `${column_} = ?`, params: [this.env.userId] };
      case 'ne-userid':
        return { sql: `${column_} <> ?`, params: [this.env.userId] };
      case 'eq-businessid':
      case 'ne-businessid':
        if (!this.env.businessUnitId) throw new FetchXmlUnsupportedError(`'${op}' without a business unit`);
        return {
          sql: `${column_} ${op === 'eq-businessid' ? '=' : '<>'} ?`,
          params: [this.env.businessUnitId],
        };
      case 'not-on': {
        this.requireDate(condition, column);
        const on = queryFunctionSql(this.ctx(scope), 'On', {
          propertyName: column.logicalName,
          value: { edm: 'Edm.String', text: this.dateValue(condition) },
        });
        return { sql: `NOT ${on.sql}`, params: on.params };
      }
    }
    return this.dateCondition(condition, scope, column);
  }

  private dateValue(condition: FetchCondition): string {
    const value = this.requireValue(condition).trim();
    if (!/^\d{4}-\d{2}-\d{2}/.test(value))
      throw new FetchXmlValueError(condition.attribute, condition.attribute, value, 'System.DateTime');
    return value.slice(0, 10);
  }

  private dateCondition(condition: FetchCondition, scope: Scope, column: ColumnInfo): Sql {
    const op = condition.operator;
    const ctx = this.ctx(scope);
    const known = DATE_FUNCTIONS[op];
    if (known) {
      this.requireDate(condition, column);
      const value =
        op === 'on' || op === 'on-or-after' || op === 'on-or-before'
          ? { edm: 'Edm.String', text: this.dateValue(condition) }
          : undefined;
      return queryFunctionSql(ctx, known, { propertyName: column.logicalName, value });
    }
    const relative = /^(last|next|olderthan)-x-(minutes|hours|days|weeks|months|years)$/.exec(op);
    if (relative?.[1] && relative[2]) {
      this.requireDate(condition, column);
      const text = this.requireValue(condition).trim();
      if (!/^\d+$/.test(text))
        throw new FetchXmlSyntaxError(
          `the operator '${op}' needs a whole number of ${relative[2]}, got '${text}'.`,
        );
      const head = relative[1] === 'olderthan' ? 'OlderThan' : relative[1] === 'last' ? 'Last' : 'Next';
      return queryFunctionSql(ctx, `${head}X${RELATIVE_UNITS[relative[2]] ?? ''}`, {
        propertyName: column.logicalName,
        value: { edm: 'Edm.String', text },
      });
    }
    throw new FetchXmlSyntaxError(`'${op}' is not a condition operator of Fetch.xsd.`);
  }

  // ── columns and orders ────────────────────────────────────────────────────────────────────────

  private outputs(root: Scope, entity: FetchEntity): OutputColumn[] {
    const outputs: OutputColumn[] = [];
    const seen = new Set<string>();
    const add = (scope: Scope, column: ColumnInfo, alias: string | undefined) => {
      const property =
        alias ??
        (scope === root
          ? isLookup(column.type)
            ? `_${column.logicalName}_value`
            : column.logicalName
          : `${scope.alias ?? ''}.${column.logicalName}`);
      if (seen.has(property)) return;
      seen.add(property);
      outputs.push({ scope, column, property, sql: `c${outputs.length}` });
    };
    const visit = (scope: Scope, node: FetchEntity, isRoot: boolean) => {
      for (const attribute of node.attributes) {
        if (attribute.aggregate || attribute.groupby) {
          throw new FetchXmlSyntaxError(
            `<attribute name='${attribute.name}'> has aggregate or groupby, which need <fetch aggregate='true'>.`,
          );
        }
      }
      if (node.allAttributes || (isRoot && node.attributes.length === 0)) {
        for (const column of scope.table.columns.values()) add(scope, column, undefined);
      }
      for (const attribute of node.attributes)
        add(scope, this.column(scope.table, attribute.name), attribute.alias);
    };
    visit(root, entity, true);
    const walk = (node: FetchEntity) => {
      for (const link of node.links) {
        const scope = this.scopeOf(link);
        if (scope.joined) visit(scope, link, false);
        walk(link);
      }
    };
    walk(entity);
    return outputs;
  }

  private scopeOf(link: FetchLink): Scope {
    const scope = this.linkScopes.get(link);
    if (!scope) throw new FetchXmlSyntaxError(`the link-entity '${link.name}' was not compiled.`);
    return scope;
  }

  /** What a column sorts by ("Order rows using FetchXml"): lookups by the related row's name, choices by label. */
  sortKey(scope: Scope, column: ColumnInfo, descending: boolean): SortKey {
    const column_ = ref(scope, column);
    const cookie = (kind: CookieKey['kind']): CookieKey => ({ name: column.logicalName, kind });
    if (isLookup(column.type)) {
      const named = column.targets
        .map((t) => this.env.index.byLogicalName(t))
        .filter(
          (t): t is TableInfo => t !== undefined && t.primaryName !== '' && t.columns.has(t.primaryName),
        );
      const nameOf = (t: TableInfo) =>
        `(SELECT n.${ident(t.primaryName)} FROM ${ident(t.logicalName)} n WHERE n.${ident(t.primaryId)} = ${column_})`;
      const first = named[0];
      if (!column.polymorphic && first)
        return {
          expr: { sql: `${nameOf(first)} COLLATE NOCASE`, params: [] },
          descending,
          cookie: cookie('text'),
          scope,
        };
      if (named.length > 0) {
        const target = `${scope.sql}.${ident(targetColumn(column.logicalName))}`;
        const cases = named.map((t) => `WHEN ? THEN ${nameOf(t)}`).join(' ');
        return {
          expr: {
            sql: `(CASE ${target} ${cases} END) COLLATE NOCASE`,
            params: named.map((t) => t.logicalName),
          },
          descending,
          cookie: cookie('text'),
          scope,
        };
      }
      return { expr: { sql: column_, params: [] }, descending, cookie: cookie('guid'), scope };
    }
    if (CHOICE_TYPES.has(column.type) && !this.query.rawOrderBy && column.options.length > 0) {
      const params: SqlParam[] = [];
      const cases = column.options.map((o) => {
        params.push(o.value, o.label[1033] ?? o.identifier);
        return 'WHEN ? THEN ?';
      });
      return {
        expr: { sql: `(CASE ${column_} ${cases.join(' ')} END) COLLATE NOCASE`, params },
        descending,
        cookie: cookie('text'),
        scope,
      };
    }
    if (isText(column))
      return {
        expr: { sql: `${column_} COLLATE NOCASE`, params: [] },
        descending,
        cookie: cookie('text'),
        scope,
      };
    if (NUMERIC_TYPES.has(column.type) || column.type === 'Boolean' || CHOICE_TYPES.has(column.type))
      return { expr: { sql: column_, params: [] }, descending, cookie: cookie('number'), scope };
    if (column.type === 'Uniqueidentifier')
      return { expr: { sql: column_, params: [] }, descending, cookie: cookie('guid'), scope };
    return { expr: { sql: column_, params: [] }, descending, cookie: cookie('text'), scope };
  }

  private orders(root: Scope, entity: FetchEntity, outputs: readonly OutputColumn[]): SortKey[] {
    const keys: SortKey[] = [];
    const add = (scope: Scope, order: FetchEntity['orders'][number]) => {
      if (order.alias && !order.attribute) {
        const output = outputs.find((o) => o.property === order.alias);
        if (!output)
          throw new FetchXmlSyntaxError(
            `<order alias='${order.alias}'> names no attribute alias of this query.`,
          );
        keys.push(this.sortKey(output.scope, output.column, order.descending));
        return;
      }
      const target = order.entityname ? this.scopeNamed(order.entityname, scope) : scope;
      keys.push(this.sortKey(target, this.column(target.table, order.attribute ?? ''), order.descending));
    };
    for (const order of entity.orders) add(root, order);
    // "Order rows using FetchXml": a link-entity's orders apply after the entity's.
    const walk = (node: FetchEntity) => {
      for (const link of node.links) {
        const scope = this.scopeOf(link);
        for (const order of link.orders) add(scope, order);
        walk(link);
      }
    };
    walk(entity);
    return keys;
  }

  // ── aggregates ────────────────────────────────────────────────────────────────────────────────

  private aggregatePlan(root: Scope, from: Sql, where: Sql[], uniqueRows: boolean): Plan {
    const aggregates: AggregateOutput[] = [];
    const select: Sql[] = [];
    const groupBy: Sql[] = [];
    const groups: {
      alias: string;
      scope: Scope;
      column: ColumnInfo;
      expr: string;
      dategrouping?: DateGrouping;
    }[] = [];
    const visit = (scope: Scope, node: FetchEntity) => {
      if (node.allAttributes)
        throw new FetchXmlSyntaxError('<all-attributes> cannot be used in an aggregate query.');
      for (const attribute of node.attributes) {
        const column = this.column(scope.table, attribute.name);
        if (!attribute.alias)
          throw new FetchXmlSyntaxError(
            `<attribute name='${attribute.name}'> of an aggregate query needs an alias.`,
          );
        if (aggregates.some((a) => a.alias === attribute.alias))
          throw new FetchXmlSyntaxError(`the alias '${attribute.alias}' is used twice.`);
        const sql = `a${aggregates.length}`;
        const column_ = ref(scope, column);
        if (attribute.groupby) {
          let expr = column_;
          if (attribute.dategrouping) {
            if (!DATE_TYPES.has(column.type))
              throw new FetchXmlSyntaxError(
                `dategrouping needs a date column; '${column.logicalName}' is ${edmType(column.type)}.`,
              );
            expr = dateGroupSql(column_, attribute.dategrouping);
          }
          groups.push({ alias: attribute.alias, scope, column, expr, dategrouping: attribute.dategrouping });
          groupBy.push({ sql: expr, params: [] });
          select.push({ sql: `${expr} AS "${sql}"`, params: [] });
          if (isLookup(column.type) && column.polymorphic) {
            const target = `${scope.sql}.${ident(targetColumn(column.logicalName))}`;
            groupBy.push({ sql: target, params: [] });
            select.push({ sql: `${target} AS "${sql}_t"`, params: [] });
          }
          aggregates.push({ alias: attribute.alias, sql, column, dategrouping: attribute.dategrouping });
          continue;
        }
        const fn = attribute.aggregate;
        if (!fn)
          throw new FetchXmlSyntaxError(
            `<attribute name='${attribute.name}'> of an aggregate query needs aggregate='…' or groupby='true'.`,
          );
        const numeric = NUMERIC_TYPES.has(column.type);
        if ((fn === 'sum' || fn === 'avg') && !numeric)
          throw new FetchXmlSyntaxError(
            `aggregate='${fn}' needs a number or currency column; '${column.logicalName}' is ${edmType(column.type)}.`,
          );
        if ((fn === 'min' || fn === 'max') && !numeric && !DATE_TYPES.has(column.type)) {
          throw new FetchXmlSyntaxError(
            `aggregate='${fn}' needs a number, currency or date column; '${column.logicalName}' is ${edmType(column.type)}.`,
          );
        }
        const expr =
          fn === 'count'
            ? 'COUNT(*)'
            : fn === 'countcolumn'
              ? `COUNT(${attribute.distinct ? 'DISTINCT ' : ''}${column_})`
              : `${fn.toUpperCase()}(${column_})`;
        select.push({ sql: `${expr} AS "${sql}"`, params: [] });
        aggregates.push({ alias: attribute.alias, sql, column, fn });
      }
    };
    visit(root, this.query.entity);
    const walk = (node: FetchEntity) => {
      for (const link of node.links) {
        const scope = this.scopeOf(link);
        if (scope.joined) visit(scope, link);
        walk(link);
      }
    };
    walk(this.query.entity);
    if (aggregates.length === 0)
      throw new FetchXmlSyntaxError(
        'an aggregate query needs at least one <attribute> with aggregate or groupby.',
      );
    const order: SortKey[] = [];
    const addOrder = (o: FetchEntity['orders'][number]) => {
      if (!o.alias)
        throw new FetchXmlSyntaxError(
          `<order attribute='${o.attribute ?? ''}'> cannot order an aggregate query: order by an alias.`,
        );
      const group = groups.find((g) => g.alias === o.alias);
      const output = aggregates.find((a) => a.alias === o.alias);
      if (!output)
        throw new FetchXmlSyntaxError(`<order alias='${o.alias}'> names no attribute alias of this query.`);
      if (group && !group.dategrouping) order.push(this.sortKey(group.scope, group.column, o.descending));
      else
        order.push({
          expr: { sql: `"${output.sql}"`, params: [] },
          descending: o.descending,
          cookie: { name: o.alias, kind: 'number' },
          scope: root,
        });
    };
    this.query.entity.orders.forEach(addOrder);
    const walkOrders = (node: FetchEntity) => {
      for (const link of node.links) {
        link.orders.forEach(addOrder);
        walkOrders(link);
      }
    };
    walkOrders(this.query.entity);
    // Groups in a stable order after the requested one, so pages of grouped results do not overlap.
    for (const group of groups)
      order.push({
        expr: { sql: group.expr, params: [] },
        descending: false,
        cookie: { name: group.alias, kind: 'text' },
        scope: group.scope,
      });
    return {
      query: this.query,
      root,
      scopes: this.scopes,
      from,
      where,
      outputs: [],
      aggregates,
      groupBy,
      select,
      order,
      uniqueRows,
    };
  }
}

function dateGroupSql(column: string, grouping: DateGrouping): string {
  switch (grouping) {
    case 'year':
      return `CAST(strftime('%Y', ${column}) AS INTEGER)`;
    case 'quarter':
      return `((CAST(strftime('%m', ${column}) AS INTEGER) + 2) / 3)`;
    case 'month':
      return `CAST(strftime('%m', ${column}) AS INTEGER)`;
    case 'week':
      // Week of the year with weeks starting on Sunday, week 1 holding January 1st.
      return `((CAST(strftime('%j', ${column}) AS INTEGER) + CAST(strftime('%w', date(${column}, 'start of year')) AS INTEGER) - 1) / 7 + 1)`;
    case 'day':
      return `CAST(strftime('%d', ${column}) AS INTEGER)`;
    default:
      throw new FetchXmlUnsupportedError(`dategrouping='${grouping}' (the emulator has no fiscal calendar)`);
  }
}

export function compile(env: CompileEnv, query: FetchQuery, entitySetTable: TableInfo): Plan {
  return new Compiler(env, query).compile(entitySetTable);
}
