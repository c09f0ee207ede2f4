import fc from 'fast-check';
import {
  addDays,
  compareDates,
  dateOnly,
  dateOnlyFromDate,
  daysBetween,
  daysInMonth,
  formatDateOnly,
  fromDayNumber,
  isLeapYear,
  isValidDate,
  parseDateOnly,
  toDayNumber,
  toLocalDate,
  toUtcDate,
  tryParseDateOnly,
} from './dateonly';
import { InvalidDateOnlyError, InvalidTimeZoneError } from './errors';

const d = parseDateOnly;

describe('parse and format', () => {
  it('round-trips YYYY-MM-DD', () => {
    expect(formatDateOnly(d('2026-03-28'))).toBe('2026-03-28');
    expect(formatDateOnly(dateOnly(1753, 1, 1))).toBe('1753-01-01');
    expect(d('2026-03-28')).toEqual({ year: 2026, month: 3, day: 28 });
  });

  it('rejects days that do not exist, naming the problem', () => {
    expect(() => d('2026-02-29')).toThrow(InvalidDateOnlyError);
    expect(() => d('2026-02-29')).toThrow('2026 is not a leap year');
    expect(() => d('2026-13-01')).toThrow('month must be 1–12');
    expect(() => d('2026-04-31')).toThrow('1–30');
    expect(() => d('28/03/2026')).toThrow('YYYY-MM-DD');
    expect(() => d('2026-3-28')).toThrow(InvalidDateOnlyError);
  });

  it('accepts exactly the whole year 1–9999, month 1–12 and day within that month', () => {
    const part = fc.oneof(
      fc.integer({ min: -1, max: 32 }),
      fc.integer({ min: -2, max: 10_001 }),
      fc.double({ noDefaultInfinity: false }),
    );
    fc.assert(
      fc.property(part, part, part, (year, month, day) => {
        const whole = [year, month, day].every(Number.isInteger);
        const exists =
          whole &&
          year >= 1 &&
          year <= 9999 &&
          month >= 1 &&
          month <= 12 &&
          day >= 1 &&
          day <= daysInMonth(year, month);
        expect(isValidDate(year, month, day)).toBe(exists);
        if (!exists) expect(() => dateOnly(year, month, day)).toThrow(InvalidDateOnlyError);
      }),
    );
    expect(() => dateOnly(2026, 2, 28.5)).toThrow('the day must be 1–28 in that month');
    expect(() => dateOnly(2026, Number.NaN, 1)).toThrow('the month must be 1–12');
  });

  it('tryParse gives null for empty or bad text instead of throwing', () => {
    expect(tryParseDateOnly(null)).toBeNull();
    expect(tryParseDateOnly('')).toBeNull();
    expect(tryParseDateOnly('2026-02-30')).toBeNull();
    expect(tryParseDateOnly(' 2024-02-29 ')).toEqual({ year: 2024, month: 2, day: 29 });
  });
});

describe('leap years', () => {
  it('follows the Gregorian rule', () => {
    expect([2024, 2000, 1600].map(isLeapYear)).toEqual([true, true, true]);
    expect([2026, 1900, 2100].map(isLeapYear)).toEqual([false, false, false]);
    expect(daysInMonth(2024, 2)).toBe(29);
    expect(daysInMonth(2100, 2)).toBe(28);
  });

  it('counts the leap day in stays and additions', () => {
    expect(daysBetween(d('2024-02-28'), d('2024-03-01'))).toBe(2);
    expect(daysBetween(d('2026-02-28'), d('2026-03-01'))).toBe(1);
    expect(daysBetween(d('2100-02-28'), d('2100-03-01'))).toBe(1);
    expect(daysBetween(d('2000-02-28'), d('2000-03-01'))).toBe(2);
    expect(formatDateOnly(addDays(d('2024-02-28'), 1))).toBe('2024-02-29');
    expect(formatDateOnly(addDays(d('2024-12-31'), 1))).toBe('2025-01-01');
    expect(daysBetween(d('2024-01-01'), d('2025-01-01'))).toBe(366);
  });
});

describe('day numbers', () => {
  it('count from 1970-01-01 like the UTC calendar', () => {
    expect(toDayNumber(d('1970-01-01'))).toBe(0);
    expect(toDayNumber(d('1969-12-31'))).toBe(-1);
    expect(toDayNumber(d('2026-03-28'))).toBe(Date.UTC(2026, 2, 28) / 86_400_000);
  });

  it('agree with the UTC calendar and round-trip for every day from 1753 to 9999', () => {
    const min = toDayNumber(d('1753-01-01'));
    const max = toDayNumber(d('9999-12-31'));
    fc.assert(
      fc.property(fc.integer({ min, max }), (n) => {
        const date = fromDayNumber(n);
        const utc = new Date(n * 86_400_000);
        expect([date.year, date.month, date.day]).toEqual([
          utc.getUTCFullYear(),
          utc.getUTCMonth() + 1,
          utc.getUTCDate(),
        ]);
        expect(toDayNumber(date)).toBe(n);
      }),
    );
  });

  it('addDays and daysBetween are inverse', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -50_000, max: 50_000 }),
        fc.integer({ min: -3000, max: 3000 }),
        (start, n) => {
          const from = fromDayNumber(start);
          expect(daysBetween(from, addDays(from, n))).toBe(n);
          expect(compareDates(from, addDays(from, n))).toBe(-Math.sign(n) || 0);
        },
      ),
    );
  });

  it('refuses fractional day counts rather than drifting', () => {
    expect(() => addDays(d('2026-03-28'), 1.5)).toThrow(InvalidDateOnlyError);
  });
});

describe('reading a JS Date', () => {
  it('across the spring-forward change in Europe/Madrid a stay keeps its nights', () => {
    // Local midnights 2026-03-28 (UTC+1) and 2026-03-30 (UTC+2) are only 47 hours apart.
    const arrival = new Date('2026-03-27T23:00:00Z');
    const departure = new Date('2026-03-29T22:00:00Z');
    expect((departure.getTime() - arrival.getTime()) / 3_600_000).toBe(47);
    const madrid = { timeZone: 'Europe/Madrid' };
    const a = dateOnlyFromDate(arrival, madrid);
    const b = dateOnlyFromDate(departure, madrid);
    expect([formatDateOnly(a), formatDateOnly(b)]).toEqual(['2026-03-28', '2026-03-30']);
    expect(daysBetween(a, b)).toBe(2);
  });

  it('across the fall-back change in Europe/Madrid a stay keeps its nights', () => {
    // Local midnights 2026-10-24 (UTC+2) and 2026-10-26 (UTC+1) are 49 hours apart.
    const madrid = { timeZone: 'Europe/Madrid' };
    const a = dateOnlyFromDate(new Date('2026-10-23T22:00:00Z'), madrid);
    const b = dateOnlyFromDate(new Date('2026-10-25T23:00:00Z'), madrid);
    expect([formatDateOnly(a), formatDateOnly(b)]).toEqual(['2026-10-24', '2026-10-26']);
    expect(daysBetween(a, b)).toBe(2);
  });

  it('in the southern hemisphere too (America/Santiago, DST ends in April)', () => {
    const zone = { timeZone: 'America/Santiago' };
    const a = dateOnlyFromDate(new Date('2026-04-04T03:00:00Z'), zone);
    const b = dateOnlyFromDate(new Date('2026-04-06T04:00:00Z'), zone);
    expect(daysBetween(a, b)).toBe(2);
  });

  it('reads the same instant as different days in different interpretations', () => {
    const lateEvening = new Date('2026-03-28T23:30:00Z');
    expect(formatDateOnly(dateOnlyFromDate(lateEvening, 'utc'))).toBe('2026-03-28');
    expect(formatDateOnly(dateOnlyFromDate(lateEvening, { timeZone: 'Europe/Madrid' }))).toBe('2026-03-29');
    expect(formatDateOnly(dateOnlyFromDate(lateEvening, { timeZone: 'America/New_York' }))).toBe(
      '2026-03-28',
    );
  });

  it('local interpretation matches the local midnight a form control gives, whatever the machine zone', () => {
    for (const text of ['2026-03-28', '2026-03-30', '2026-10-25', '2024-02-29', '0099-06-01']) {
      expect(formatDateOnly(dateOnlyFromDate(toLocalDate(d(text)), 'local'))).toBe(text);
    }
    expect(
      daysBetween(
        dateOnlyFromDate(new Date(2026, 2, 28), 'local'),
        dateOnlyFromDate(new Date(2026, 2, 30), 'local'),
      ),
    ).toBe(2);
    expect(toUtcDate(d('2026-03-28')).toISOString()).toBe('2026-03-28T00:00:00.000Z');
  });

  it('rejects unknown zones and invalid dates with their own errors', () => {
    expect(() => dateOnlyFromDate(new Date(), { timeZone: 'Romance Standard Time' })).toThrow(
      InvalidTimeZoneError,
    );
    expect(() => dateOnlyFromDate(new Date('nope'), 'utc')).toThrow(InvalidDateOnlyError);
  });
});

describe('day numbers against the calendar arithmetic', () => {
  /** Days from civil ("chrono-Compatible Low-Level Date Algorithms", H. Hinnant): pure integer arithmetic, no Date. */
  const civilDayNumber = (year: number, month: number, day: number): number => {
    const y = month <= 2 ? year - 1 : year;
    const era = Math.floor(y / 400);
    const yearOfEra = y - era * 400;
    const dayOfYear = Math.floor((153 * ((month + 9) % 12) + 2) / 5) + day - 1;
    return (
      era * 146_097 +
      yearOfEra * 365 +
      Math.floor(yearOfEra / 4) -
      Math.floor(yearOfEra / 100) +
      dayOfYear -
      719_468
    );
  };

  it('match for every day of years 1–120 (where Date.UTC would read 1900s), around 1970, and 9900–9999', () => {
    const years = [
      ...Array.from({ length: 120 }, (_, i) => i + 1),
      ...Array.from({ length: 61 }, (_, i) => i + 1940),
      ...Array.from({ length: 100 }, (_, i) => i + 9900),
    ];
    const wrong: string[] = [];
    for (const year of years) {
      for (let month = 1; month <= 12; month++) {
        for (let day = 1; day <= daysInMonth(year, month); day++) {
          const n = civilDayNumber(year, month, day);
          const back = fromDayNumber(n);
          if (
            toDayNumber({ year, month, day }) !== n ||
            formatDateOnly(back) !== formatDateOnly({ year, month, day })
          )
            wrong.push(`${year}-${month}-${day}`);
        }
      }
    }
    expect(wrong).toEqual([]);
    expect(() => fromDayNumber(civilDayNumber(9999, 12, 31) + 1)).toThrow('the year must be 1–9999');
    expect(() => fromDayNumber(civilDayNumber(1, 1, 1) - 1)).toThrow('the year must be 1–9999');
    expect(() => toDayNumber({ year: 2026, month: 2, day: 29 })).toThrow('2026 is not a leap year');
    expect(() => toDayNumber({ year: 2026.5, month: 1, day: 1 })).toThrow(InvalidDateOnlyError);
  });
});
