/**
 * Web API URLs → what they address. Handles the resource paths the Web API has
 * ("Perform operations using the Web API"): entity sets, `(id)` and `(key='value')` segments,
 * properties, `$ref`, `$count`, bound and unbound operations, `$batch` and `$metadata`.
 */
import type { RecordKey } from '../../../dataverse/client';
import { BadRequestError } from '../engine/errors';
import { closingParen, parseEntityReference, parseKey } from '../engine/keys';

export interface Segment {
  readonly name: string;
  /** The text inside `( … )`, when the segment has one (may be empty: `WhoAmI()`). */
  readonly args?: string;
}

const NAMESPACE = 'Microsoft.Dynamics.CRM.';

/** Splits a path on `/` outside quotes and parentheses, then percent-decodes each segment. */
export function splitPath(path: string): Segment[] {
  const segments: Segment[] = [];
  let i = 0;
  while (i < path.length) {
    if (path[i] === '/') {
      i++;
      continue;
    }
    let name = '';
    let args: string | undefined;
    while (i < path.length && path[i] !== '/' && path[i] !== '(') name += path[i++];
    if (path[i] === '(') {
      const close = closingParen(path, i);
      if (close < 0) throw new BadRequestError(`Unbalanced parentheses in '${decode(path)}'.`);
      args = decode(path.slice(i + 1, close));
      i = close + 1;
    }
    segments.push({ name: decode(name), args });
  }
  return segments;
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw new BadRequestError(`Invalid percent-encoding in '${text}'.`);
  }
}

/**
 * Query string → map, as Dataverse reads it: `%xx` decoded and `+` a space, so form-encoded queries
 * (curl --data-urlencode, URLSearchParams) work and a literal plus must be sent as `%2B` ("Filter rows
 * using OData", URL encode special characters: `contains(name,'+123')` must be `contains(name,'%2B123')`).
 */
export function parseQuery(query: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of query.replace(/^\?/, '').split('&')) {
    if (!part) continue;
    const eq = part.indexOf('=');
    const formDecode = (text: string) => decode(text.replace(/\+/g, ' '));
    const name = formDecode(eq < 0 ? part : part.slice(0, eq));
    out.set(name, eq < 0 ? '' : formDecode(part.slice(eq + 1)));
  }
  return out;
}

export type Route =
  | { kind: 'serviceDocument' }
  | { kind: 'metadata' }
  | { kind: 'batch' }
  | { kind: 'operation'; name: string; args?: string }
  | { kind: 'collection'; entitySet: string }
  | { kind: 'count'; entitySet: string }
  | { kind: 'collectionOperation'; entitySet: string; name: string; args?: string }
  | { kind: 'record'; entitySet: string; key: RecordKey }
  | { kind: 'property'; entitySet: string; key: RecordKey; property: string }
  | { kind: 'reference'; entitySet: string; key: RecordKey; navigation: string }
  | { kind: 'recordOperation'; entitySet: string; key: RecordKey; name: string; args?: string };

function operationName(name: string): string | undefined {
  return name.startsWith(NAMESPACE) ? name.slice(NAMESPACE.length) : undefined;
}

/**
 * Routes a path relative to the service root. `isEntitySet` tells entity sets from unbound operations,
 * which share the first segment's position.
 */
export function route(path: string, isEntitySet: (name: string) => boolean): Route {
  const segments = splitPath(path);
  const [first, second, third, ...rest] = segments;
  if (!first) return { kind: 'serviceDocument' };
  if (rest.length > 0) throw new BadRequestError(`The emulator does not support the path '${path}'.`);
  if (first.name === '$metadata' && !second) return { kind: 'metadata' };
  if (first.name === '$batch' && !second) return { kind: 'batch' };
  const unbound = operationName(first.name) ?? (isEntitySet(first.name) ? undefined : first.name);
  if (unbound !== undefined) {
    if (second) throw new BadRequestError(`Resource not found for the segment '${second.name}'.`);
    return { kind: 'operation', name: unbound, args: first.args };
  }
  const entitySet = first.name;
  if (first.args === undefined) {
    if (!second) return { kind: 'collection', entitySet };
    if (third) throw new BadRequestError(`Resource not found for the segment '${third.name}'.`);
    if (second.name === '$count') return { kind: 'count', entitySet };
    const name = operationName(second.name);
    if (name) return { kind: 'collectionOperation', entitySet, name, args: second.args };
    throw new BadRequestError(`Resource not found for the segment '${second.name}'.`);
  }
  const key = parseKey(first.args);
  if (!second) return { kind: 'record', entitySet, key };
  const name = operationName(second.name);
  if (name) {
    if (third) throw new BadRequestError(`Resource not found for the segment '${third.name}'.`);
    return { kind: 'recordOperation', entitySet, key, name, args: second.args };
  }
  if (third) {
    if (third.name !== '$ref')
      throw new BadRequestError(`Resource not found for the segment '${third.name}'.`);
    return { kind: 'reference', entitySet, key, navigation: second.name };
  }
  return { kind: 'property', entitySet, key, property: second.name };
}

/** `Prefer` header → preferences; values may be quoted and hold commas. */
export function parsePrefer(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  if (!header) return out;
  let current = '';
  let quoted = false;
  const flush = () => {
    const item = current.trim();
    current = '';
    if (!item) return;
    const eq = item.indexOf('=');
    const name = (eq < 0 ? item : item.slice(0, eq)).trim().toLowerCase();
    const value =
      eq < 0
        ? ''
        : item
            .slice(eq + 1)
            .trim()
            .replace(/^"|"$/g, '');
    out.set(name, value);
  };
  for (const ch of header) {
    if (ch === '"') quoted = !quoted;
    if (ch === ',' && !quoted) flush();
    else current += ch;
  }
  flush();
  return out;
}

/** `$expand=a($select=x,y),b` → items, splitting on commas outside parentheses. */
export function parseExpand(text: string): { property: string; select?: string[] }[] {
  const items: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of text) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      items.push(current);
      current = '';
    } else current += ch;
  }
  items.push(current);
  return items
    .map((item) => item.trim())
    .filter(Boolean)
    .map((item) => {
      const open = item.indexOf('(');
      if (open < 0) return { property: item };
      const property = item.slice(0, open).trim();
      const options = item.slice(open + 1, item.lastIndexOf(')'));
      let select: string[] | undefined;
      for (const option of options.split(';')) {
        const [name, value] = option.split('=');
        if (name?.trim() === '$select' && value)
          select = value
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean);
        else if (name?.trim())
          throw new BadRequestError(
            `The emulator supports only $select inside $expand, not '${name.trim()}'.`,
          );
      }
      return { property, select };
    });
}

/** Splits `a=1,b='x,y'` on commas outside quotes, brackets and braces. */
function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quoted = false;
  let current = '';
  for (const ch of text) {
    if (ch === "'") quoted = !quoted;
    else if (!quoted && (ch === '(' || ch === '[' || ch === '{')) depth++;
    else if (!quoted && (ch === ')' || ch === ']' || ch === '}')) depth--;
    if (ch === ',' && depth === 0 && !quoted) {
      parts.push(current);
      current = '';
    } else current += ch;
  }
  if (current.trim() !== '') parts.push(current);
  return parts;
}

const DATE_TIME_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?(Z|[+-]\d{2}:\d{2})$/;
const GUID_LITERAL = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * One OData literal as a function parameter value: 'text', 12, 1.5, true, null, a GUID, a
 * DateTimeOffset (kept as its ISO 8601 text), JSON, or an enum member (its member names).
 */
export function parseFunctionLiteral(name: string, text: string): unknown {
  const value = text.trim();
  if (value.startsWith("'") && value.endsWith("'") && value.length >= 2)
    return value.slice(1, -1).replace(/''/g, "'");
  if (value === 'true' || value === 'false') return value === 'true';
  if (value === 'null') return null;
  if (/^-?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(value)) return Number(value);
  if (GUID_LITERAL.test(value)) return value.toLowerCase();
  // Edm.DateTimeOffset is written bare: 2024-03-01T09:30:00Z, 2024-03-01T10:30:00.000+01:00 (OData ABNF).
  if (DATE_TIME_OFFSET.test(value) && !Number.isNaN(Date.parse(value))) return value;
  // "Use Web API functions" writes its record reference with single quotes: {'@odata.id':'accounts(<id>)'}.
  const quoted = /^\{\s*'@odata\.id'\s*:\s*'(.*)'\s*\}$/.exec(value);
  if (quoted) {
    const reference = { '@odata.id': quoted[1] };
    parseEntityReference(name, reference);
    return reference;
  }
  if (value.startsWith('[') || value.startsWith('{')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(value) as unknown;
    } catch {
      throw new BadRequestError(`The value of the function parameter '${name}' is not valid JSON: ${value}`);
    }
    // A record ("Use Web API functions"): {"@odata.id":"accounts(<id>)"}; its address must parse.
    if (typeof parsed === 'object' && parsed !== null && '@odata.id' in parsed)
      parseEntityReference(name, parsed);
    return parsed;
  }
  // An enumeration member: Microsoft.Dynamics.CRM.EntityFilters'Entity'.
  const member = /^[\w.]+'([^']*)'$/.exec(value);
  if (member) return member[1];
  throw new BadRequestError(
    `The value of the function parameter '${name}' is not an OData literal: ${value}`,
  );
}

/**
 * A function's parameters, as "Use Web API functions" passes them: inline (`Fn(Count=3)`) or as
 * parameter aliases resolved from the query string (`Fn(Name=@p1)?@p1='x'`).
 */
export function functionParameters(
  args: string | undefined,
  query: ReadonlyMap<string, string>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const part of splitTopLevel(args ?? '')) {
    const eq = part.indexOf('=');
    if (eq < 0)
      throw new BadRequestError(`A function parameter must be written Name=value, not '${part.trim()}'.`);
    const name = part.slice(0, eq).trim();
    let value = part.slice(eq + 1).trim();
    if (value.startsWith('@')) {
      const aliased = query.get(value);
      if (aliased === undefined)
        throw new BadRequestError(
          `The parameter alias ${value} of '${name}' has no value in the query string.`,
        );
      value = aliased;
    }
    out[name] = parseFunctionLiteral(name, value);
  }
  return out;
}
