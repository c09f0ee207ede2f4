/**
 * Calendar dates without a time of day, as Dataverse stores DateOnly columns ("Behavior and format
 * of the Date and Time column", Microsoft Learn: Date only = no time zone conversion, no time part).
 *
 * Arithmetic runs on day numbers (days since 1970-01-01 in the proleptic Gregorian calendar), never
 * on local time, so a stay across a daylight-saving change keeps its number of nights.
 */
import { InvalidDateOnlyError, InvalidTimeZoneError } from './errors';

export interface DateOnly {
  readonly year: number;
  readonly month: number;
  readonly day: number;
}

/** How to read the calendar date out of a JS `Date` (an instant). */
export type DateInterpretation =
  /** The runtime's local calendar: what a form's date-only control hands back (local midnight). */
  | 'local'
  /** The UTC calendar: a Web API `…T00:00:00Z` value. */
  | 'utc'
  /** The calendar of an IANA zone, e.g. the organisation's, for "today" on a server. */
  | { timeZone: string };

const MIN_YEAR = 1;
const MAX_YEAR = 9999;

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

export function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

export function isValidDate(year: number, month: number, day: number): boolean {
  return invalidReason(year, month, day) === null;
}

const DAY_MS = 86_400_000;

/**
 * Milliseconds at UTC midnight of a calendar date. ECMAScript time values count days on the proleptic
 * Gregorian calendar with no leap seconds ("Time Values and Time Range", ECMA-262 §21.4.1), so this
 * is exact day arithmetic; setUTCFullYear, because Date.UTC maps years 0–99 to 1900–1999.
 */
function utcMidnight(year: number, month: number, day: number): number {
  return new Date(0).setUTCFullYear(year, month - 1, day);
}

/** True when `value` is a DateOnly that names a real calendar day. */
export function isDateOnly(value: unknown): value is DateOnly {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v.year === 'number' &&
    typeof v.month === 'number' &&
    typeof v.day === 'number' &&
    isValidDate(v.year, v.month, v.day)
  );
}

/** UTC midnight of a day that exists; throws InvalidDateOnlyError, saying why, for one that does not. */
function validMidnight(year: number, month: number, day: number): number {
  const reason = invalidReason(year, month, day);
  if (reason !== null) throw new InvalidDateOnlyError(`${year}-${month}-${day}`, reason);
  return utcMidnight(year, month, day);
}

/** Builds a date; throws InvalidDateOnlyError for a day that does not exist (2026-02-29). */
export function dateOnly(year: number, month: number, day: number): DateOnly {
  validMidnight(year, month, day);
  return Object.freeze({ year, month, day });
}

/**
 * Why a date does not exist, or null when it does: the one check behind isValidDate and every error's
 * reason, so a form script carries the rule once.
 */
function invalidReason(year: number, month: number, day: number): string | null {
  if (!Number.isInteger(year) || year < MIN_YEAR || year > MAX_YEAR)
    return `the year must be ${MIN_YEAR}–${MAX_YEAR}`;
  if (!Number.isInteger(month) || month < 1 || month > 12) return 'the month must be 1–12';
  // Day 0 of the next month is the last of this one (the year and month are valid here): no month table.
  const days = new Date(utcMidnight(year, month + 1, 0)).getUTCDate();
  if (Number.isInteger(day) && day >= 1 && day <= days) return null;
  return day === 29 && month === 2 ? `${year} is not a leap year` : `the day must be 1–${days} in that month`;
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Reads `YYYY-MM-DD` (the Web API's DateOnly format); throws InvalidDateOnlyError otherwise. */
export function parseDateOnly(text: string): DateOnly {
  const match = ISO_DATE.exec(text);
  if (!match) throw new InvalidDateOnlyError(text, 'it is not written YYYY-MM-DD, e.g. 2026-03-28');
  return dateOnly(Number(match[1]), Number(match[2]), Number(match[3]));
}

/** Like parseDateOnly, but `null` for empty or malformed text: for values that may be missing. */
export function tryParseDateOnly(text: string | null | undefined): DateOnly | null {
  if (text === null || text === undefined) return null;
  const match = ISO_DATE.exec(text.trim());
  if (!match) return null;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  return isValidDate(year, month, day) ? dateOnly(year, month, day) : null;
}

export function formatDateOnly(date: DateOnly): string {
  return [date.year, date.month, date.day].map((n, i) => String(n).padStart(i ? 2 : 4, '0')).join('-');
}

const zoneFormatters = new Map<string, Intl.DateTimeFormat>();

function zoneFormatter(timeZone: string): Intl.DateTimeFormat {
  let formatter = zoneFormatters.get(timeZone);
  if (!formatter) {
    try {
      formatter = new Intl.DateTimeFormat('en-US', {
        timeZone,
        calendar: 'gregory',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
      });
    } catch {
      throw new InvalidTimeZoneError(timeZone);
    }
    zoneFormatters.set(timeZone, formatter);
  }
  return formatter;
}

/**
 * The calendar date an instant falls on in this machine's zone: what a form reads. Apart from
 * dateOnlyFromDate so a form script does not carry the time-zone lookup it never uses.
 */
export function localDateOnly(date: Date): DateOnly {
  if (Number.isNaN(date.getTime()))
    throw new InvalidDateOnlyError('Invalid Date', 'the Date holds no point in time');
  return dateOnly(date.getFullYear(), date.getMonth() + 1, date.getDate());
}

/** The calendar date an instant falls on, read in the given interpretation. */
export function dateOnlyFromDate(date: Date, interpretation: DateInterpretation): DateOnly {
  if (interpretation === 'local') return localDateOnly(date);
  if (Number.isNaN(date.getTime()))
    throw new InvalidDateOnlyError('Invalid Date', 'the Date holds no point in time');
  if (interpretation === 'utc')
    return dateOnly(date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate());
  const parts = zoneFormatter(interpretation.timeZone).formatToParts(date);
  const part = (type: Intl.DateTimeFormatPartTypes): number =>
    Number(parts.find((p) => p.type === type)?.value);
  return dateOnly(part('year'), part('month'), part('day'));
}

/** Local midnight of the date: what a form's date-only control expects in `setValue`. */
export function toLocalDate(date: DateOnly): Date {
  const result = new Date(2000, 0, 1);
  // setFullYear, because the Date constructor maps years 0–99 to 1900–1999.
  result.setFullYear(date.year, date.month - 1, date.day);
  return result;
}

/** UTC midnight of the date. */
export function toUtcDate(date: DateOnly): Date {
  return new Date(toDayNumber(date) * DAY_MS);
}

/** Days since 1970-01-01 (negative before it), counted on the proleptic Gregorian calendar. */
export function toDayNumber(date: DateOnly): number {
  return validMidnight(date.year, date.month, date.day) / DAY_MS;
}

export function fromDayNumber(dayNumber: number): DateOnly {
  if (!Number.isInteger(dayNumber))
    throw new InvalidDateOnlyError(String(dayNumber), 'a day number must be a whole number');
  return dateOfDay(dayNumber);
}

/** fromDayNumber for a day number known to be whole: addDays' sum of two is, and the form script skips the check's text. */
function dateOfDay(dayNumber: number): DateOnly {
  const date = new Date(dayNumber * DAY_MS);
  return dateOnly(date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate());
}

export function addDays(date: DateOnly, days: number): DateOnly {
  // Written as validMidnight writes a date: formatDateOnly would ship in the form scripts for this message alone.
  if (!Number.isInteger(days))
    throw new InvalidDateOnlyError(
      `${date.year}-${date.month}-${date.day}`,
      `cannot add ${days} days: not a whole number`,
    );
  return dateOfDay(toDayNumber(date) + days);
}

/** `to − from` in days: the number of nights from arrival `from` to departure `to`. */
export function daysBetween(from: DateOnly, to: DateOnly): number {
  return toDayNumber(to) - toDayNumber(from);
}

export function compareDates(a: DateOnly, b: DateOnly): number {
  return Math.sign(toDayNumber(a) - toDayNumber(b));
}

export function isSameDate(a: DateOnly, b: DateOnly): boolean {
  return a.year === b.year && a.month === b.month && a.day === b.day;
}

/** Same day, both missing, or not: for comparing nullable stored dates. */
export function sameOptionalDate(a: DateOnly | null | undefined, b: DateOnly | null | undefined): boolean {
  if (!a || !b) return !a && !b;
  return isSameDate(a, b);
}

export function isBefore(a: DateOnly, b: DateOnly): boolean {
  return compareDates(a, b) < 0;
}

export function isAfter(a: DateOnly, b: DateOnly): boolean {
  return compareDates(a, b) > 0;
}

export function laterOf(a: DateOnly, b: DateOnly): DateOnly {
  return isAfter(b, a) ? b : a;
}

export function earlierOf(a: DateOnly, b: DateOnly): DateOnly {
  return isBefore(b, a) ? b : a;
}
