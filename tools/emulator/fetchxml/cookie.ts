/**
 * FetchXML paging cookies as "Page results using FetchXml" shows them. The inner cookie
 * (`<cookie page="1"><fullname last="…" first="…" /><contactid last="{…}" first="{…}" /></cookie>`)
 * holds the first and last row's sort values; the Web API wraps it in
 * `<cookie pagenumber="2" pagingcookie="<inner, URL-encoded twice>" istracking="False" />`, and the
 * caller sends the inner one back in `<fetch paging-cookie>` with the next page number.
 */
import { XMLParser } from 'fast-xml-parser';
import { PagingCookieMismatchError } from './errors';

export type CookieValue = string | number | null;

export interface CookieKey {
  /** The element name: the column's logical name. */
  readonly name: string;
  readonly kind: 'text' | 'number' | 'guid';
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** What .NET's encoder writes: RFC 3986 unreserved characters kept, the rest as lower-case `%xx` of UTF-8. */
function urlEncode(text: string): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const char = String.fromCharCode(byte);
    out += /[A-Za-z0-9\-_.~]/.test(char) ? char : `%${byte.toString(16).padStart(2, '0')}`;
  }
  return out;
}

function formatValue(key: CookieKey, value: CookieValue): string | undefined {
  if (value === null) return undefined;
  if (key.kind === 'guid') return `{${String(value).toUpperCase()}}`;
  return String(value);
}

export function innerCookie(
  page: number,
  keys: readonly CookieKey[],
  first: readonly CookieValue[],
  last: readonly CookieValue[],
): string {
  const parts = keys.map((key, i) => {
    const l = formatValue(key, last[i] ?? null);
    const f = formatValue(key, first[i] ?? null);
    return `<${key.name}${l === undefined ? '' : ` last="${escapeXml(l)}"`}${f === undefined ? '' : ` first="${escapeXml(f)}"`} />`;
  });
  return `<cookie page="${page}">${parts.join('')}</cookie>`;
}

/** The value of `@Microsoft.Dynamics.CRM.fetchxmlpagingcookie` for the page after `page`. */
export function pagingCookieAnnotation(page: number, inner: string): string {
  return `<cookie pagenumber="${page + 1}" pagingcookie="${urlEncode(urlEncode(inner))}" istracking="False" />`;
}

export interface ParsedCookie {
  readonly page: number;
  readonly keys: readonly string[];
  readonly last: readonly (string | undefined)[];
}

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseAttributeValue: false,
  parseTagValue: false,
});

/** Reads the `paging-cookie` a caller sent; throws PagingCookieMismatchError when it is not an inner cookie. */
export function parseCookie(text: string): ParsedCookie {
  let cookie = text.trim();
  for (let i = 0; i < 2 && cookie.startsWith('%'); i++) {
    try {
      cookie = decodeURIComponent(cookie);
    } catch {
      break;
    }
  }
  const invalid = (why: string): never => {
    throw new PagingCookieMismatchError(`The paging-cookie ${why}.`);
  };
  if (/^<cookie\s+pagenumber=/.test(cookie))
    invalid('is the whole annotation; send its pagingcookie attribute, URL-decoded twice');
  let parsed: unknown;
  try {
    parsed = parser.parse(cookie);
  } catch {
    return invalid('is not XML');
  }
  const root = Array.isArray(parsed) ? (parsed[0] as Record<string, unknown> | undefined) : undefined;
  const children = root?.cookie;
  const attrs = root?.[':@'] as Record<string, string> | undefined;
  const page = Number(attrs?.page);
  if (!Array.isArray(children) || !Number.isInteger(page) || page < 1)
    return invalid("is not a <cookie page='n'> element");
  const keys: string[] = [];
  const last: (string | undefined)[] = [];
  for (const item of children as Record<string, unknown>[]) {
    const name = Object.keys(item).find((k) => k !== ':@');
    if (!name || name === '#text') continue;
    keys.push(name);
    last.push((item[':@'] as Record<string, string> | undefined)?.last);
  }
  return { page, keys, last };
}

/** The cookie's `last` text back as the value SQL compares with. */
export function cookieValue(key: CookieKey, text: string | undefined): CookieValue {
  if (text === undefined) return null;
  if (key.kind === 'number') {
    const n = Number(text);
    if (!Number.isFinite(n))
      throw new PagingCookieMismatchError(
        `The paging-cookie value '${text}' of ${key.name} is not a number.`,
      );
    return n;
  }
  if (key.kind === 'guid') return text.replace(/[{}]/g, '').toLowerCase();
  return text;
}
