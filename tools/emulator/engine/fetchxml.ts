/**
 * FetchXML → SQL for `GET <set>?fetchXml=…` ("Use FetchXml to query data" and the FetchXML reference:
 * fetch, entity, attribute, all-attributes, order, filter, condition, link-entity). Link-entities
 * filter (inner: the related row must exist) and, when they follow a lookup (many-to-one), return
 * their attributes as `<alias>_x002e_<attribute>`, as the Web API does. Paging uses `page` and `count`;
 * aggregates are not supported.
 */
import { XMLParser } from 'fast-xml-parser';
import { QueryError } from './errors';
import type { FilterContext, Literal, Sql, SqlParam } from './filter';
import { comparisonSql, dateRangeSql, likeSql, queryFunctionSql, resolveColumn } from './filter';
import type { ColumnInfo, MetadataIndex, TableInfo } from './metadata';
import { isLookup } from './metadata';
import { ident } from './storage';
import type { OrderColumn } from './query';

interface XmlNode {
  readonly name: string;
  readonly attrs: Readonly<Record<string, string>>;
  readonly children: readonly XmlNode[];
  readonly text: string;
}

type RawNode = Record<string, unknown>;

function toNodes(raw: unknown): XmlNode[] {
  if (!Array.isArray(raw)) return [];
  const nodes: XmlNode[] = [];
  for (const item of raw as RawNode[]) {
    const name = Object.keys(item).find((k) => k !== ':@');
    if (!name || name === '#text') continue;
    const attrs = (item[':@'] as Record<string, string> | undefined) ?? {};
    const childRaw = item[name];
    const text = Array.isArray(childRaw)
      ? (childRaw as RawNode[])
          .map((c) => c['#text'])
          .filter((t) => t !== undefined)
          .map((t) => String(t as string | number))
          .join('')
      : '';
    nodes.push({ name, attrs, children: toNodes(childRaw), text });
  }
  return nodes;
}

const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', preserveOrder: true, parseAttributeValue: false, parseTagValue: false, trimValues: true });

export interface FetchLink {
  readonly alias: string;
  readonly table: TableInfo;
  /** The parent's lookup column this link follows (many-to-one), when it does. */
  readonly lookup?: ColumnInfo;
  readonly attributes: readonly string[];
}

export interface CompiledFetch {
  readonly table: TableInfo;
  readonly where: Sql[];
  readonly order: OrderColumn[];
  /** Web API names to return (`_x_value` for lookups); undefined = all attributes. */
  readonly select?: string[];
  readonly links: FetchLink[];
  readonly top?: number;
  readonly count: number;
  readonly page: number;
}

const FUNCTIONS: Record<string, string> = {
  'eq-userid': 'EqualUserId',
  'ne-userid': 'NotEqualUserId',
  today: 'Today',
  yesterday: 'Yesterday',
  tomorrow: 'Tomorrow',
  'last-seven-days': 'Last7Days',
  'next-seven-days': 'Next7Days',
  'this-month': 'ThisMonth',
  'last-month': 'LastMonth',
  'this-year': 'ThisYear',
  on: 'On',
  'not-on': 'NotOn',
  'on-or-after': 'OnOrAfter',
  'on-or-before': 'OnOrBefore',
  in: 'In',
  'not-in': 'NotIn',
  between: 'Between',
  'not-between': 'NotBetween',
};

/** `last-x-days` → `LastXDays`, `olderthan-x-months` → `OlderThanXMonths`. */
function relativeFunction(operator: string): string | undefined {
  const match = /^(last|next|olderthan)-x-(minutes|hours|days|weeks|months|years)$/.exec(operator);
  if (!match?.[1] || !match[2]) return undefined;
  const head = match[1] === 'olderthan' ? 'OlderThan' : match[1] === 'last' ? 'Last' : 'Next';
  return `${head}X${match[2][0]?.toUpperCase() ?? ''}${match[2].slice(1)}`;
}

function text(value: string | undefined): Literal {
  return { edm: 'Edm.String', text: value ?? null };
}

function condition(ctx: FilterContext, node: XmlNode): Sql {
  const name = node.attrs.attribute;
  const operator = (node.attrs.operator ?? '').toLowerCase();
  if (!name) throw new QueryError('A FetchXML condition needs an attribute.');
  if (node.attrs.entityname) throw new QueryError(`The emulator does not support conditions with entityname (${name}); put them in the link-entity's filter.`);
  const column = resolveColumn(ctx.table, name, true);
  const value = node.attrs.value;
  const values = node.children.filter((c) => c.name === 'value').map((c) => text(c.text));
  switch (operator) {
    case 'eq':
    case 'ne':
    case 'gt':
    case 'ge':
    case 'lt':
    case 'le':
      if (value === undefined) throw new QueryError(`The FetchXML condition '${operator}' on ${name} needs a value.`);
      return comparisonSql(ctx, column, operator, text(value));
    case 'null':
      return comparisonSql(ctx, column, 'eq', { edm: 'null', text: null });
    case 'not-null':
      return comparisonSql(ctx, column, 'ne', { edm: 'null', text: null });
    case 'like':
    case 'not-like': {
      const ref = `${ctx.alias}.${ident(column.logicalName)}`;
      return operator === 'like' ? { sql: `${ref} LIKE ?`, params: [value ?? ''] } : { sql: `(${ref} NOT LIKE ? OR ${ref} IS NULL)`, params: [value ?? ''] };
    }
    case 'begins-with':
    case 'not-begin-with':
      return likeSql(ctx, column, 'startswith', value ?? '', operator.startsWith('not'));
    case 'ends-with':
    case 'not-end-with':
      return likeSql(ctx, column, 'endswith', value ?? '', operator.startsWith('not'));
    case 'anytime':
      return dateRangeSql(ctx, column, undefined, undefined);
  }
  const fn = FUNCTIONS[operator] ?? relativeFunction(operator);
  if (!fn) throw new QueryError(`The emulator does not support the FetchXML operator '${operator}'.`);
  return queryFunctionSql(ctx, fn, { propertyName: name, value: value === undefined ? values[0] : text(value), values: values.length ? values : value !== undefined ? [text(value)] : [] });
}

function filter(ctx: FilterContext, node: XmlNode): Sql | undefined {
  const parts: Sql[] = [];
  for (const child of node.children) {
    if (child.name === 'condition') parts.push(condition(ctx, child));
    else if (child.name === 'filter') {
      const inner = filter(ctx, child);
      if (inner) parts.push(inner);
    }
  }
  if (parts.length === 0) return undefined;
  const op = (node.attrs.type ?? 'and').toLowerCase() === 'or' ? ' OR ' : ' AND ';
  return { sql: `(${parts.map((p) => p.sql).join(op)})`, params: parts.flatMap((p) => p.params) };
}

function bool(value: string | undefined): boolean {
  return value === 'true' || value === '1';
}

function positiveInt(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new QueryError(`FetchXML '${name}' must be a whole number ≥ 1, got '${value}'.`);
  return Number(value);
}

export function compileFetchXml(index: MetadataIndex, entitySet: string, xml: string, env: { now: Date; userId: string }): CompiledFetch {
  let roots: XmlNode[];
  try {
    roots = toNodes(parser.parse(xml));
  } catch (error) {
    throw new QueryError(`The fetchXml parameter is not valid XML: ${error instanceof Error ? error.message : String(error)}`);
  }
  const fetch = roots.find((n) => n.name === 'fetch');
  const entity = fetch?.children.find((n) => n.name === 'entity');
  if (!fetch || !entity?.attrs.name) throw new QueryError("FetchXML needs <fetch><entity name='…'>.");
  if (bool(fetch.attrs.aggregate)) throw new QueryError('The emulator does not support FetchXML aggregates.');
  const setTable = index.table(entitySet);
  const table = index.table(entity.attrs.name);
  if (table.logicalName !== setTable.logicalName) {
    throw new QueryError(`The FetchXML entity '${entity.attrs.name}' does not match the entity set '${entitySet}'.`);
  }
  const ctx: FilterContext = { index, table, alias: 't', now: env.now, userId: env.userId };
  const where: Sql[] = [];
  const order: OrderColumn[] = [];
  const links: FetchLink[] = [];
  let select: string[] | undefined = [];
  let linkCount = 0;
  for (const child of entity.children) {
    if (child.name === 'all-attributes') select = undefined;
    else if (child.name === 'attribute' && child.attrs.name && select) {
      const column = resolveColumn(table, child.attrs.name, true);
      select.push(isLookup(column.type) ? `_${column.logicalName}_value` : column.logicalName);
    } else if (child.name === 'order' && child.attrs.attribute) {
      order.push({ column: resolveColumn(table, child.attrs.attribute, true), descending: bool(child.attrs.descending) });
    } else if (child.name === 'filter') {
      const sql = filter(ctx, child);
      if (sql) where.push(sql);
    } else if (child.name === 'link-entity') {
      const link = linkEntity(index, ctx, child, `l${linkCount++}`);
      if (link.where) where.push(link.where);
      if (link.link) links.push(link.link);
    }
  }
  if (select && select.length === 0) select = undefined;
  const top = positiveInt(fetch.attrs.top, 'top');
  const count = positiveInt(fetch.attrs.count, 'count') ?? 5000;
  if (top !== undefined && fetch.attrs.count !== undefined) throw new QueryError("FetchXML cannot use 'top' together with 'count'.");
  return { table, where, order, select, links, top, count: Math.min(count, 5000), page: positiveInt(fetch.attrs.page, 'page') ?? 1 };
}

function linkEntity(index: MetadataIndex, parent: FilterContext, node: XmlNode, sqlAlias: string): { where?: Sql; link?: FetchLink } {
  const { name, from, to } = node.attrs;
  if (!name || !from || !to) throw new QueryError("A link-entity needs name, from and to.");
  const table = index.table(name);
  const fromColumn = resolveColumn(table, from, true);
  const toColumn = resolveColumn(parent.table, to, true);
  const ctx: FilterContext = { ...parent, table, alias: sqlAlias };
  const conditions: Sql[] = [{ sql: `${sqlAlias}.${ident(fromColumn.logicalName)} = ${parent.alias}.${ident(toColumn.logicalName)}`, params: [] }];
  for (const child of node.children) {
    if (child.name === 'filter') {
      const sql = filter(ctx, child);
      if (sql) conditions.push(sql);
    } else if (child.name === 'link-entity') {
      const nested = linkEntity(index, ctx, child, `${sqlAlias}n`);
      if (nested.where) conditions.push(nested.where);
    }
  }
  const linkType = (node.attrs['link-type'] ?? 'inner').toLowerCase();
  const params: SqlParam[] = conditions.flatMap((c) => c.params);
  let where: Sql | undefined;
  if (linkType === 'inner' || linkType === 'exists' || linkType === 'in' || linkType === 'any') {
    where = { sql: `EXISTS (SELECT 1 FROM ${ident(table.logicalName)} ${sqlAlias} WHERE ${conditions.map((c) => c.sql).join(' AND ')})`, params };
  } else if (linkType === 'not any') {
    where = { sql: `NOT EXISTS (SELECT 1 FROM ${ident(table.logicalName)} ${sqlAlias} WHERE ${conditions.map((c) => c.sql).join(' AND ')})`, params };
  } else if (linkType !== 'outer') {
    throw new QueryError(`The emulator does not support link-type '${linkType}'.`);
  }
  const attributes = node.children.filter((c) => c.name === 'attribute' && c.attrs.name).map((c) => c.attrs.name ?? '');
  if (attributes.length === 0) return { where };
  const manyToOne = fromColumn.logicalName === table.primaryId && isLookup(toColumn.type);
  if (!manyToOne) {
    throw new QueryError(`The emulator returns link-entity attributes only for links that follow a lookup (from the related table's primary key): ${name}.${from} → ${to}.`);
  }
  const alias = node.attrs.alias ?? name;
  for (const attribute of attributes) resolveColumn(table, attribute, true);
  return { where, link: { alias, table, lookup: toColumn, attributes } };
}
