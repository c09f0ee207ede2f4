/**
 * Record addresses as the Web API writes them: `entityset(<guid>)` or an alternate key
 * `entityset(key='value',key2=12)` ("Use an alternate key to reference a record"), found in URLs,
 * `@odata.bind` and `@odata.id` values.
 */
import type { RecordKey } from '../../../dataverse/client';
import { BadRequestError, InvalidEntityReferenceError } from './errors';
import { normalizeGuid } from './values';

export interface RecordAddress {
  readonly entitySet: string;
  readonly key: RecordKey;
}

/** Parses the inside of `( … )`: a bare GUID or comma-separated `name=value` pairs. */
export function parseKey(text: string): RecordKey {
  const trimmed = text.trim();
  const guid = normalizeGuid(trimmed);
  if (guid) return guid;
  const key: Record<string, string | number> = {};
  let i = 0;
  while (i < trimmed.length) {
    const eq = trimmed.indexOf('=', i);
    if (eq < 0) throw new BadRequestError(`Invalid key '(${text})': expected a GUID or name='value' pairs.`);
    const name = trimmed.slice(i, eq).trim();
    i = eq + 1;
    let value: string | number;
    if (trimmed[i] === "'") {
      let out = '';
      i++;
      for (;;) {
        if (i >= trimmed.length) throw new BadRequestError(`Invalid key '(${text})': unterminated string.`);
        const ch = trimmed[i];
        if (ch === "'" && trimmed[i + 1] === "'") {
          out += "'";
          i += 2;
        } else if (ch === "'") {
          i++;
          break;
        } else {
          out += ch;
          i++;
        }
      }
      value = out;
    } else {
      const end = trimmed.indexOf(',', i);
      const raw = trimmed.slice(i, end < 0 ? undefined : end).trim();
      i = end < 0 ? trimmed.length : end;
      const asGuid = normalizeGuid(raw);
      if (asGuid) value = asGuid;
      else if (/^-?\d+(\.\d+)?$/.test(raw)) value = Number(raw);
      else throw new BadRequestError(`Invalid key value '${raw}' in '(${text})': quote text values.`);
    }
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new BadRequestError(`Invalid key '(${text})'.`);
    key[name] = value;
    while (trimmed[i] === ' ') i++;
    if (trimmed[i] === ',') i++;
    else if (i < trimmed.length)
      throw new BadRequestError(`Invalid key '(${text})': expected ',' after ${name}.`);
  }
  if (Object.keys(key).length === 0) throw new BadRequestError(`Invalid key '(${text})'.`);
  return key;
}

/** Index of the `)` that closes the `(` at `open`, skipping quoted text. */
export function closingParen(text: string, open: number): number {
  let inString = false;
  for (let i = open + 1; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (ch === "'" && text[i + 1] === "'") i++;
      else if (ch === "'") inString = false;
    } else if (ch === "'") inString = true;
    else if (ch === ')') return i;
  }
  return -1;
}

/**
 * `/contacts(<id>)`, `contacts(<id>)`, `https://org/api/data/v9.2/contacts(<id>)` or
 * `idr_marketingconcepts(idr_code='X')` → entity set + key.
 */
export function parseRecordAddress(reference: string): RecordAddress {
  let text = reference.trim();
  const api = /\/api\/data\/v\d+(\.\d+)?\//i.exec(text);
  if (api) text = text.slice(api.index + api[0].length);
  text = text.replace(/^\/+/, '');
  const open = text.indexOf('(');
  const close = open < 0 ? -1 : closingParen(text, open);
  if (open <= 0 || close !== text.length - 1) {
    throw new BadRequestError(
      `'${reference}' is not a record address: expected '/<entityset>(<id>)' or '/<entityset>(<key>='<value>')'.`,
    );
  }
  return { entitySet: text.slice(0, open), key: parseKey(text.slice(open + 1, close)) };
}

/**
 * A function's record parameter, `{"@odata.id":"accounts(<id>)"}` ("Use Web API functions": pass a
 * reference to a record), as the entity set and key it names.
 */
export function parseEntityReference(parameter: string, value: unknown): RecordAddress {
  const odataId =
    typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)['@odata.id']
      : undefined;
  if (typeof odataId !== 'string')
    throw new InvalidEntityReferenceError(parameter, value ?? null, 'it has no "@odata.id" text');
  try {
    return parseRecordAddress(odataId);
  } catch (error) {
    if (!(error instanceof BadRequestError)) throw error;
    throw new InvalidEntityReferenceError(parameter, value, `'${odataId}' is not a record address`);
  }
}

/** Writes a key back in URL form. */
export function formatKey(key: RecordKey): string {
  if (typeof key === 'string') return key;
  return Object.entries(key)
    .map(
      ([name, value]) =>
        `${name}=${typeof value === 'number' ? String(value) : `'${value.replace(/'/g, "''")}'`}`,
    )
    .join(',');
}
