/**
 * Column values across the emulator's three representations: Web API JSON (what callers send and
 * read), the stored value (what the engine and its SQL tables hold), and the pipeline's typed
 * `AttributeValue` (what webhook handlers see). Type rules follow the Web API's Edm types
 * ("Web API types and operations"); validation wording follows Dataverse's own messages.
 */
import { normalizeGuid as guidOrNull } from '../../../dataverse/adapters/keys';
import type { Labels, LanguageCode } from '../../solution/model';
import type { ColumnInfo, TableInfo } from './metadata';
import { edmType, isLookup } from './metadata';
import { InvalidValueError, ValidationError } from './errors';
import { EN_US, formatDate, formatMoney, formatNumber, formatTime, type FormatSettings } from './formats';
import { toWall } from './zones';

export interface LookupValue {
  readonly id: string;
  readonly logicalName: string;
}

/** A value as the engine stores it: DateTime as `YYYY-MM-DDTHH:MM:SSZ`, DateOnly as `YYYY-MM-DD`. */
export type StoredValue = string | number | boolean | LookupValue | null;
export type StoredRecord = Record<string, StoredValue>;

const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:\d{2})?$/;
const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** The one `normalizeGuid` (dataverse/adapters/keys), with `undefined` for "no GUID" as the emulator's optional values use. */
export function normalizeGuid(value: string): string | undefined {
  return guidOrNull(value) ?? undefined;
}

export function isLookupValue(value: StoredValue | undefined): value is LookupValue {
  return typeof value === 'object' && value !== null;
}

/** ISO date-time with an offset (or none: UTC) → stored UTC text, seconds precision as Dataverse keeps. */
export function parseDateTime(text: string): string | undefined {
  const match = DATE_TIME.exec(text.trim());
  if (!match) return undefined;
  const ms = Date.parse(match[7] ? text.trim() : `${text.trim()}Z`);
  if (Number.isNaN(ms)) return undefined;
  return formatStoredDateTime(new Date(ms));
}

export function formatStoredDateTime(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}

export function parseDateOnly(text: string): string | undefined {
  const match = DATE_ONLY.exec(text.trim());
  if (!match) return undefined;
  const date = new Date(`${text.trim()}T00:00:00Z`);
  if (Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== text.trim()) return undefined;
  return text.trim();
}

/** Converts one JSON value for a (non-lookup) column, enforcing type, length, range and choice. */
export function convertInput(table: TableInfo, column: ColumnInfo, value: unknown): StoredValue {
  if (value === null) return null;
  const fail = (): never => {
    throw new InvalidValueError(table.logicalName, column.logicalName, edmType(column.type), value);
  };
  const model = column.model;
  switch (column.type) {
    case 'String':
    case 'Memo':
    case 'EntityName': {
      if (typeof value !== 'string') return fail();
      const max = model.maxLength ?? (column.type === 'String' ? 4000 : 1048576);
      if (value.length > max) {
        throw new ValidationError(
          `The length of the '${column.logicalName}' attribute of the '${table.logicalName}' entity exceeded the maximum allowed length of '${max}'.`,
          table.logicalName,
          column.logicalName,
        );
      }
      return value;
    }
    case 'Uniqueidentifier': {
      if (typeof value !== 'string') return fail();
      return normalizeGuid(value) ?? fail();
    }
    case 'Integer':
    case 'BigInt': {
      if (typeof value !== 'number' || !Number.isInteger(value)) return fail();
      const min = model.minValue ?? (column.type === 'Integer' ? -2147483648 : Number.MIN_SAFE_INTEGER);
      const max = model.maxValue ?? (column.type === 'Integer' ? 2147483647 : Number.MAX_SAFE_INTEGER);
      checkRange(table, column, value, min, max);
      return value;
    }
    case 'Decimal':
    case 'Money':
    case 'Double': {
      if (typeof value !== 'number' || !Number.isFinite(value)) return fail();
      const precision = model.precision ?? (column.type === 'Double' ? 5 : 2);
      const rounded = Number(value.toFixed(precision));
      const limit = column.type === 'Money' ? 922337203685477 : 100000000000;
      checkRange(table, column, rounded, model.minValue ?? -limit, model.maxValue ?? limit);
      return rounded;
    }
    case 'Boolean':
      return typeof value === 'boolean' ? value : fail();
    case 'Picklist':
    case 'State':
    case 'Status': {
      if (typeof value !== 'number' || !Number.isInteger(value)) return fail();
      if (column.options.length > 0 && !column.options.some((option) => option.value === value)) {
        throw new ValidationError(
          `The value ${value} of '${column.logicalName}' on record of type '${table.logicalName}' is outside the valid range. ` +
            `Accepted Values: ${column.options.map((option) => option.value).join(',')}`,
          table.logicalName,
          column.logicalName,
        );
      }
      return value;
    }
    case 'DateTime': {
      if (typeof value !== 'string') return fail();
      return parseDateTime(value) ?? fail();
    }
    case 'DateOnly': {
      if (typeof value !== 'string') return fail();
      return parseDateOnly(value) ?? fail();
    }
    case 'Lookup':
    case 'Customer':
    case 'Owner':
    case 'PartyList':
      return fail();
  }
}

function checkRange(table: TableInfo, column: ColumnInfo, value: number, min: number, max: number): void {
  if (value < min || value > max) {
    throw new ValidationError(
      `The value ${value} of '${column.logicalName}' on record of type '${table.logicalName}' is outside the valid range. Accepted Values: ${min} to ${max}`,
      table.logicalName,
      column.logicalName,
    );
  }
}

/** The JSON a read returns for a stored value (lookups are handled by the caller: `_x_value`). */
export function toJson(value: StoredValue): string | number | boolean | null {
  if (isLookupValue(value)) return value.id;
  return value;
}

export interface FormatOptions {
  /** The symbol of the row's currency (else the base currency's). */
  currencySymbol: string;
  /** The row's currency's decimals (transactioncurrency.currencyprecision), when known. */
  currencyPrecision?: number;
  /** The calling user's formats and language (usersettings); absent: English (United States). */
  settings?: FormatSettings;
  /** The calling user's IANA time zone (usersettings.timezonecode, else the organization's); absent: UTC. */
  timeZone?: string;
}

/**
 * The `OData.Community.Display.V1.FormattedValue` Dataverse returns: in the calling user's language and
 * formats (usersettings uilanguageid, localeid…), date and time in the user's time zone.
 */
export function formatValue(
  column: ColumnInfo,
  value: StoredValue,
  options: FormatOptions,
): string | undefined {
  if (value === null) return undefined;
  const settings = options.settings ?? EN_US;
  const label = (labels: Labels): string | undefined =>
    labels[settings.languageId as LanguageCode] ?? labels[1033];
  switch (column.type) {
    case 'Picklist':
    case 'State':
    case 'Status': {
      const option = column.options.find((o) => o.value === value);
      return option
        ? (label(option.label) ?? option.identifier)
        : typeof value === 'number'
          ? String(value)
          : undefined;
    }
    case 'Boolean': {
      const option = column.options.find((o) => o.value === (value ? 1 : 0));
      return (option && label(option.label)) ?? (value ? 'Yes' : 'No');
    }
    case 'Integer':
    case 'BigInt':
      return typeof value === 'number' ? formatNumber(value, settings, { min: 0, max: 0 }) : undefined;
    case 'Decimal':
    case 'Double': {
      if (typeof value !== 'number') return undefined;
      const digits = column.model.precision ?? 2;
      return formatNumber(value, settings, { min: column.type === 'Decimal' ? digits : 0, max: digits });
    }
    case 'Money': {
      if (typeof value !== 'number') return undefined;
      // Every money column here takes its decimals from the currency (AccuracySource 2, Dataverse's default).
      const precision = options.currencyPrecision ?? column.model.precision ?? 2;
      return formatMoney(value, settings, { symbol: options.currencySymbol, precision });
    }
    case 'DateTime': {
      if (typeof value !== 'string') return undefined;
      // A User Local column is shown in the user's time zone; a Time Zone Independent one as stored
      // ("Behavior and format of the Date and Time column", Power Apps docs).
      const instant = new Date(value);
      const date =
        column.model.dateBehavior === 'TimeZoneIndependent' ? instant : toWall(instant, options.timeZone);
      const day = formatDate(date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate(), settings);
      // Format "Date Only" shows the day alone (the same document's "Date only" format).
      if (column.model.format === 'date') return day;
      return `${day} ${formatTime(date.getUTCHours(), date.getUTCMinutes(), settings)}`;
    }
    case 'DateOnly': {
      if (typeof value !== 'string') return undefined;
      const [y = 0, m = 0, d = 0] = value.split('-').map(Number);
      return formatDate(y, m, d, settings);
    }
    default:
      return undefined;
  }
}

/** Value bound into SQL for a stored value (lookups: the id; booleans: 0/1). */
export function toSqlValue(value: StoredValue): string | number | null {
  if (value === null) return null;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (isLookupValue(value)) return value.id;
  return value;
}

/** The SQL column that keeps a polymorphic lookup's target table. */
export function targetColumn(column: string): string {
  return `${column}__target`;
}

/** Reads a stored value back from a SQL row. */
export function fromSqlRow(column: ColumnInfo, row: Record<string, unknown>): StoredValue {
  const raw = row[column.logicalName];
  if (raw === null || raw === undefined) return null;
  if (column.type === 'Boolean') return raw === 1 || raw === true;
  if (isLookup(column.type)) {
    const target = column.polymorphic ? row[targetColumn(column.logicalName)] : column.targets[0];
    return {
      id: typeof raw === 'string' ? raw : '',
      logicalName: typeof target === 'string' ? target : (column.targets[0] ?? ''),
    };
  }
  if (typeof raw === 'bigint') return Number(raw);
  if (typeof raw === 'string' || typeof raw === 'number') return raw;
  return null;
}

export function sameValue(a: StoredValue | undefined, b: StoredValue | undefined): boolean {
  if (isLookupValue(a ?? null) || isLookupValue(b ?? null)) {
    return (
      isLookupValue(a ?? null) && isLookupValue(b ?? null) && (a as LookupValue).id === (b as LookupValue).id
    );
  }
  return (a ?? null) === (b ?? null);
}
