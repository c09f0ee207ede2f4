/**
 * Column values as the handlers want them. Each takes any column value, so it reads a typed row
 * (`textValue(row.idr_name)`) and a row no generated type describes (FetchXML's `alias.column`, a
 * request body) alike; where a generated type already says a number or a yes/no, read it as it is.
 */
import type { ColumnValue } from '../../dataverse/client';
import { normalizeGuid } from '../../dataverse/adapters/keys';

/** A text value; an empty string reads as none, as a cleared field does. */
export function textValue(value: ColumnValue | undefined): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

/** A primary key or a lookup's `_<column>_value`, in the one GUID spelling the handlers compare. */
export function idValue(value: ColumnValue | undefined): string | null {
  const present = textValue(value);
  return present === null ? null : normalizeGuid(present);
}

/** A DateTime column (ISO 8601) as epoch milliseconds. */
export function timeValue(value: ColumnValue | undefined): number | null {
  const present = textValue(value);
  if (present === null) return null;
  const ms = Date.parse(present);
  return Number.isNaN(ms) ? null : ms;
}
