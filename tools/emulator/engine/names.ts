/**
 * Name composites Dataverse computes itself: `fullname` of contact, lead and systemuser from the
 * name parts, and `yomifullname` from the phonetic parts where the table has them. The format is the
 * organisation's full-name convention (Organization.FullNameConventionCode); the emulator uses
 * "First Last" (UserSettingsFullNameConventionCode.FirstLast = 1, Dataverse SDK reference).
 */
import type { TableInfo } from './metadata';
import type { StoredRecord } from './values';

/** Each composite and the parts it is made of, in display order. */
const COMPOSITES: readonly { target: string; parts: readonly [string, string] }[] = [
  { target: 'fullname', parts: ['firstname', 'lastname'] },
  { target: 'yomifullname', parts: ['yomifirstname', 'yomilastname'] },
];

function text(value: unknown): string {
  return typeof value === 'string' ? value.trim() : '';
}

/** "Ana" + "Vidal" → "Ana Vidal"; a missing part is left out, no part at all gives null. */
export function composeFullName(first: unknown, last: unknown): string | null {
  const joined = [text(first), text(last)].filter((p) => p !== '').join(' ');
  return joined === '' ? null : joined;
}

/**
 * The composites to write when `changes` touch a name part; `before` is the stored row of an update.
 * A write that names no part keeps whatever the composite holds (rows imported with only `fullname`).
 */
export function computedNames(
  table: TableInfo,
  changes: StoredRecord,
  before: StoredRecord | undefined,
): StoredRecord {
  const out: StoredRecord = {};
  for (const { target, parts } of COMPOSITES) {
    if (!table.columns.has(target) || !parts.every((p) => table.columns.has(p))) continue;
    if (!parts.some((p) => p in changes)) continue;
    const [first, last] = parts.map((p) => (p in changes ? changes[p] : before?.[p]));
    out[target] = composeFullName(first, last);
  }
  return out;
}
