/**
 * FetchXML text → a typed query. Elements and attributes follow Microsoft's Fetch.xsd (fetch, entity,
 * link-entity, attribute, all-attributes, order, filter, condition, value); anything else is refused
 * with the element's name, as Dataverse refuses FetchXML its schema does not allow. Names are not
 * checked here: that needs metadata (compile.ts).
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { QUERY_LIMITS, QueryLimitError } from '../engine/errors';
import { FetchXmlSyntaxError } from './errors';

export type AggregateFunction = 'count' | 'countcolumn' | 'sum' | 'avg' | 'min' | 'max';
export type DateGrouping = 'day' | 'week' | 'month' | 'quarter' | 'year' | 'fiscal-period' | 'fiscal-year';
export type LinkType =
  | 'inner'
  | 'outer'
  | 'exists'
  | 'in'
  | 'any'
  | 'not any'
  | 'all'
  | 'not all'
  | 'matchfirstrowusingcrossapply';

export interface FetchAttribute {
  readonly name: string;
  readonly alias?: string;
  readonly aggregate?: AggregateFunction;
  readonly groupby: boolean;
  readonly dategrouping?: DateGrouping;
  readonly distinct: boolean;
}

export interface FetchOrder {
  readonly attribute?: string;
  readonly alias?: string;
  /** A link-entity's alias: orders on a joined table from the entity element. */
  readonly entityname?: string;
  readonly descending: boolean;
}

export interface FetchCondition {
  readonly kind: 'condition';
  readonly attribute: string;
  readonly entityname?: string;
  readonly operator: string;
  readonly value?: string;
  /** `<value>` children (in, not-in, between…). */
  readonly values: readonly string[];
  /** Compare with another column of the same row instead of a value. */
  readonly valueof?: string;
}

export interface FetchFilter {
  readonly kind: 'filter';
  readonly type: 'and' | 'or';
  readonly items: readonly (FetchCondition | FetchFilter)[];
  /** A quick find view's search filter (`{0}` placeholders). */
  readonly quickFind: boolean;
}

export interface FetchEntity {
  readonly name: string;
  readonly allAttributes: boolean;
  readonly attributes: readonly FetchAttribute[];
  readonly orders: readonly FetchOrder[];
  readonly filters: readonly FetchFilter[];
  readonly links: readonly FetchLink[];
}

export interface FetchLink extends FetchEntity {
  readonly from?: string;
  readonly to?: string;
  readonly alias?: string;
  readonly linkType: LinkType;
  readonly intersect: boolean;
}

export interface FetchQuery {
  readonly entity: FetchEntity;
  readonly top?: number;
  readonly count?: number;
  readonly page?: number;
  readonly pagingCookie?: string;
  readonly aggregate: boolean;
  readonly aggregateLimit?: number;
  readonly distinct: boolean;
  readonly returnTotalRecordCount: boolean;
  /** `useraworderby`: choices sort by value instead of label. */
  readonly rawOrderBy: boolean;
}

interface XmlNode {
  readonly name: string;
  readonly attrs: Readonly<Record<string, string>>;
  readonly children: readonly XmlNode[];
  readonly text: string;
}

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseAttributeValue: false,
  parseTagValue: false,
  trimValues: false,
  processEntities: true,
});

function toNodes(raw: unknown): XmlNode[] {
  if (!Array.isArray(raw)) return [];
  const nodes: XmlNode[] = [];
  for (const item of raw as Record<string, unknown>[]) {
    const name = Object.keys(item).find((key) => key !== ':@');
    if (!name || name === '#text' || name === '#comment' || name.startsWith('?')) continue;
    const content = item[name];
    const texts = Array.isArray(content)
      ? (content as Record<string, unknown>[])
          .map((c) => c['#text'])
          .filter((t): t is string | number => typeof t === 'string' || typeof t === 'number')
      : [];
    const attrs: Record<string, string> = {};
    for (const [key, value] of Object.entries((item[':@'] as Record<string, unknown> | undefined) ?? {}))
      attrs[key] = String(value);
    nodes.push({ name, attrs, children: toNodes(content), text: texts.map(String).join('') });
  }
  return nodes;
}

const ENTITY_CHILDREN = new Set(['attribute', 'all-attributes', 'order', 'filter', 'link-entity']);
const AGGREGATES = new Set<string>(['count', 'countcolumn', 'sum', 'avg', 'min', 'max']);
const DATE_GROUPINGS = new Set<string>([
  'day',
  'week',
  'month',
  'quarter',
  'year',
  'fiscal-period',
  'fiscal-year',
]);
const LINK_TYPES = new Set<string>([
  'inner',
  'outer',
  'exists',
  'in',
  'any',
  'not any',
  'all',
  'not all',
  'matchfirstrowusingcrossapply',
]);

function allowed(node: XmlNode, names: readonly string[]): void {
  for (const key of Object.keys(node.attrs)) {
    if (!names.includes(key))
      throw new FetchXmlSyntaxError(`the attribute '${key}' is not declared on <${node.name}>.`);
  }
}

function bool(node: XmlNode, name: string): boolean {
  const value = node.attrs[name];
  if (value === undefined) return false;
  const normalised = value.trim().toLowerCase();
  if (normalised === 'true' || normalised === '1') return true;
  if (normalised === 'false' || normalised === '0' || normalised === '') return false;
  throw new FetchXmlSyntaxError(`<${node.name} ${name}='${value}'> must be true or false.`);
}

function wholeNumber(node: XmlNode, name: string): number | undefined {
  const value = node.attrs[name];
  if (value === undefined || value.trim() === '') return undefined;
  if (!/^\s*\d+\s*$/.test(value))
    throw new FetchXmlSyntaxError(`<${node.name} ${name}='${value}'> must be a whole number.`);
  return Number(value);
}

function required(node: XmlNode, name: string): string {
  const value = node.attrs[name]?.trim();
  if (!value) throw new FetchXmlSyntaxError(`<${node.name}> needs the attribute '${name}'.`);
  return value;
}

function optional(node: XmlNode, name: string): string | undefined {
  const value = node.attrs[name]?.trim();
  return value ? value : undefined;
}

function parseAttribute(node: XmlNode): FetchAttribute {
  allowed(node, [
    'name',
    'alias',
    'aggregate',
    'groupby',
    'dategrouping',
    'distinct',
    'usertimezone',
    'build',
    'addedby',
    'rowaggregate',
  ]);
  if (node.attrs.rowaggregate !== undefined)
    throw new FetchXmlSyntaxError(
      `rowaggregate needs a hierarchical relationship, which the emulator's tables do not have.`,
    );
  const aggregate = optional(node, 'aggregate')?.toLowerCase();
  if (aggregate !== undefined && !AGGREGATES.has(aggregate)) {
    throw new FetchXmlSyntaxError(
      `aggregate='${aggregate}' is not one of count, countcolumn, sum, avg, min, max.`,
    );
  }
  const dategrouping = optional(node, 'dategrouping')?.toLowerCase();
  if (dategrouping !== undefined && !DATE_GROUPINGS.has(dategrouping)) {
    throw new FetchXmlSyntaxError(
      `dategrouping='${dategrouping}' is not one of day, week, month, quarter, year, fiscal-period, fiscal-year.`,
    );
  }
  return {
    name: required(node, 'name'),
    alias: optional(node, 'alias'),
    aggregate: aggregate as AggregateFunction | undefined,
    groupby: bool(node, 'groupby'),
    dategrouping: dategrouping as DateGrouping | undefined,
    distinct: bool(node, 'distinct'),
  };
}

function parseOrder(node: XmlNode): FetchOrder {
  allowed(node, ['attribute', 'alias', 'descending', 'entityname']);
  const attribute = optional(node, 'attribute');
  const alias = optional(node, 'alias');
  if (!attribute && !alias)
    throw new FetchXmlSyntaxError(`<order> needs 'attribute' (or 'alias' in an aggregate query).`);
  return { attribute, alias, entityname: optional(node, 'entityname'), descending: bool(node, 'descending') };
}

function parseCondition(node: XmlNode): FetchCondition {
  allowed(node, [
    'attribute',
    'entityname',
    'operator',
    'value',
    'valueof',
    'column',
    'aggregate',
    'rowaggregate',
    'alias',
    'uiname',
    'uitype',
    'uihidden',
  ]);
  const values: string[] = [];
  for (const child of node.children) {
    if (child.name !== 'value')
      throw new FetchXmlSyntaxError(`<${child.name}> cannot appear in <condition>; only <value> can.`);
    allowed(child, ['uiname', 'uitype']);
    values.push(child.text);
  }
  return {
    kind: 'condition',
    attribute: required(node, 'attribute'),
    entityname: optional(node, 'entityname'),
    operator: required(node, 'operator').toLowerCase(),
    value: node.attrs.value,
    values,
    valueof: optional(node, 'valueof'),
  };
}

function parseFilter(node: XmlNode): FetchFilter {
  allowed(node, [
    'type',
    'isquickfindfields',
    'overridequickfindrecordlimitenabled',
    'overridequickfindrecordlimitdisabled',
    'bypassquickfind',
  ]);
  const type = (optional(node, 'type') ?? 'and').toLowerCase();
  if (type !== 'and' && type !== 'or')
    throw new FetchXmlSyntaxError(`<filter type='${type}'> must be 'and' or 'or'.`);
  const items: (FetchCondition | FetchFilter)[] = [];
  for (const child of node.children) {
    if (child.name === 'condition') items.push(parseCondition(child));
    else if (child.name === 'filter') items.push(parseFilter(child));
    else
      throw new FetchXmlSyntaxError(
        `<${child.name}> cannot appear in <filter>; only <condition> and <filter> can.`,
      );
  }
  return { kind: 'filter', type, items, quickFind: bool(node, 'isquickfindfields') };
}

function parseEntityBody(node: XmlNode): Omit<FetchEntity, 'name'> {
  const attributes: FetchAttribute[] = [];
  const orders: FetchOrder[] = [];
  const filters: FetchFilter[] = [];
  const links: FetchLink[] = [];
  let allAttributes = false;
  for (const child of node.children) {
    if (!ENTITY_CHILDREN.has(child.name))
      throw new FetchXmlSyntaxError(`<${child.name}> cannot appear in <${node.name}>.`);
    if (child.name === 'attribute') attributes.push(parseAttribute(child));
    else if (child.name === 'all-attributes') allAttributes = true;
    else if (child.name === 'order') orders.push(parseOrder(child));
    else if (child.name === 'filter') filters.push(parseFilter(child));
    else links.push(parseLink(child));
  }
  return { allAttributes, attributes, orders, filters, links };
}

function parseLink(node: XmlNode): FetchLink {
  allowed(node, [
    'name',
    'from',
    'to',
    'alias',
    'link-type',
    'visible',
    'intersect',
    'enableprefiltering',
    'prefilterparametername',
  ]);
  const linkType = (optional(node, 'link-type') ?? 'inner').toLowerCase();
  if (!LINK_TYPES.has(linkType))
    throw new FetchXmlSyntaxError(`link-type='${linkType}' is not a link type FetchXML knows.`);
  return {
    name: required(node, 'name'),
    from: optional(node, 'from'),
    to: optional(node, 'to'),
    alias: optional(node, 'alias'),
    linkType: linkType as LinkType,
    intersect: bool(node, 'intersect'),
    ...parseEntityBody(node),
  };
}

/** Deeper than any real query; keeps the recursive walk below far from the stack limit. */
const MAX_DEPTH = 64;

/**
 * Refuses, before parsing, what no FetchXML needs and what would cost the server: a DTD (Dataverse
 * reads FetchXML with DTD processing prohibited, so entity expansion cannot blow up) and nesting
 * deeper than MAX_DEPTH.
 */
function checkShape(text: string): void {
  if (/<!DOCTYPE|<!ENTITY/i.test(text))
    throw new FetchXmlSyntaxError(
      'a DOCTYPE or ENTITY declaration is not allowed (DTD processing is prohibited).',
    );
  let depth = 0;
  for (const tag of text.matchAll(/<(\/?)[A-Za-z][^>]*?(\/?)>/g)) {
    if (tag[1]) depth--;
    else if (!tag[2]) depth++;
    if (depth > MAX_DEPTH) throw new FetchXmlSyntaxError(`elements are nested more than ${MAX_DEPTH} deep.`);
  }
}

/** Dataverse's limits: 15 link-entities, 500 conditions and link-entities together. */
function checkLimits(root: XmlNode): void {
  let links = 0;
  let conditions = 0;
  const walk = (node: XmlNode): void => {
    if (node.name === 'link-entity') links++;
    if (node.name === 'condition') conditions++;
    node.children.forEach(walk);
  };
  walk(root);
  if (links > QUERY_LIMITS.linkEntities) throw new QueryLimitError('linkEntities', links);
  if (links + conditions > QUERY_LIMITS.conditions)
    throw new QueryLimitError('conditions', links + conditions);
}

export function parseFetchXml(xml: string): FetchQuery {
  const text = xml.trim();
  if (!text) throw new FetchXmlSyntaxError('the text is empty.');
  checkShape(text);
  const check = XMLValidator.validate(text);
  if (check !== true)
    throw new FetchXmlSyntaxError(`${check.err.msg} (line ${check.err.line}, column ${check.err.col}).`);
  const roots = toNodes(parser.parse(text));
  const fetch = roots[0];
  if (!fetch || fetch.name !== 'fetch' || roots.length !== 1)
    throw new FetchXmlSyntaxError(`the root element must be <fetch>, not <${fetch?.name ?? ''}>.`);
  checkLimits(fetch);
  allowed(fetch, [
    'version',
    'count',
    'page',
    'paging-cookie',
    'utc-offset',
    'aggregate',
    'aggregatelimit',
    'distinct',
    'top',
    'mapping',
    'output-format',
    'min-active-row-version',
    'returntotalrecordcount',
    'no-lock',
    'useraworderby',
    'latematerialize',
    'datasource',
    'options',
  ]);
  const entities = fetch.children.filter((c) => c.name === 'entity');
  const other = fetch.children.find((c) => c.name !== 'entity' && c.name !== 'order');
  if (other) throw new FetchXmlSyntaxError(`<${other.name}> cannot appear in <fetch>.`);
  const entity = entities[0];
  if (!entity || entities.length > 1) throw new FetchXmlSyntaxError('<fetch> needs exactly one <entity>.');
  allowed(entity, ['name', 'enableprefiltering', 'prefilterparametername']);
  const top = wholeNumber(fetch, 'top');
  const page = wholeNumber(fetch, 'page');
  const count = wholeNumber(fetch, 'count');
  // "Page results using FetchXml": top and paging are different ways to limit results and cannot be combined.
  if (top !== undefined && (page !== undefined || count !== undefined)) {
    throw new FetchXmlSyntaxError(
      "the 'top' attribute can't be specified with paging attributes 'page' and 'count'.",
    );
  }
  if (top !== undefined && top > 5000)
    throw new FetchXmlSyntaxError(`top='${top}': the most rows one request returns is 5000.`);
  if (page === 0) throw new FetchXmlSyntaxError("page='0': pages are numbered from 1.");
  if (count === 0) throw new FetchXmlSyntaxError("count='0': a page holds at least one row.");
  const cookie = fetch.attrs['paging-cookie'];
  const body = parseEntityBody(entity);
  // Fetch.xsd also allows <order> directly under <fetch>; it orders the entity.
  const fetchOrders = fetch.children.filter((c) => c.name === 'order').map(parseOrder);
  return {
    entity: { name: required(entity, 'name'), ...body, orders: [...fetchOrders, ...body.orders] },
    top,
    count,
    page,
    pagingCookie: cookie !== undefined && cookie.trim() !== '' ? cookie.trim() : undefined,
    aggregate: bool(fetch, 'aggregate'),
    aggregateLimit: wholeNumber(fetch, 'aggregatelimit'),
    distinct: bool(fetch, 'distinct'),
    returnTotalRecordCount: bool(fetch, 'returntotalrecordcount'),
    rawOrderBy: bool(fetch, 'useraworderby'),
  };
}
