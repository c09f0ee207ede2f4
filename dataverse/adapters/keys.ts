/**
 * RecordKey -> the text between the parentheses of a Web API URL: a GUID, or alternate key pairs
 * `col='text',col2=5` ("Use an alternate key to reference a record"). String values are OData string
 * literals (quotes doubled) and percent-encoded, so `/`, `#`, `&`, `,` or `%` in a value keep their meaning.
 */
import type { FunctionRecordReference, RecordKey } from '../client';
import { InvalidRecordKeyError } from './errors';

const GUID = /^\{?([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\}?$/i;

export function isGuid(value: string): boolean {
  return GUID.test(value);
}

/** Lower-case GUID without braces, or null when the text is not one. */
export function normalizeGuid(value: string): string | null {
  const match = GUID.exec(value.trim());
  return match ? match[1].toLowerCase() : null;
}

function literal(entitySet: string, column: string, value: string | number): string {
  if (typeof value === 'number') {
    if (!Number.isFinite(value))
      throw new InvalidRecordKeyError(entitySet, `${column} is ${value}, not a finite number`);
    return String(value);
  }
  return `'${encodeURIComponent(value.replace(/'/g, "''"))}'`;
}

export function formatKey(entitySet: string, key: RecordKey): string {
  if (typeof key === 'string') {
    const guid = normalizeGuid(key);
    if (!guid) {
      throw new InvalidRecordKeyError(
        entitySet,
        `'${key}' is not a GUID; pass alternate keys as an object such as { accountnumber: 'A-100' }`,
      );
    }
    return guid;
  }
  const pairs = Object.entries(key);
  if (pairs.length === 0) throw new InvalidRecordKeyError(entitySet, 'the alternate key has no columns');
  return pairs.map(([column, value]) => `${column}=${literal(entitySet, column, value)}`).join(',');
}

/** For messages: `accounts(accountnumber='A-100')`. */
export function describeRecord(entitySet: string, key: RecordKey): string {
  if (typeof key === 'string') return `${entitySet}(${key})`;
  const pairs = Object.entries(key).map(([c, v]) => `${c}=${typeof v === 'number' ? v : `'${v}'`}`);
  return `${entitySet}(${pairs.join(',')})`;
}

/** A record as a function parameter ("Use Web API functions"): `{"@odata.id":"accounts(<id>)"}`. */
export function recordReference(reference: FunctionRecordReference): { '@odata.id': string } {
  return { '@odata.id': `${reference.entitySet}(${formatKey(reference.entitySet, reference.id)})` };
}
