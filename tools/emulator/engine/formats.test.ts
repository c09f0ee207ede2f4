import {
  EN_US,
  formatDate,
  formatMoney,
  formatNumber,
  formatSettingsFor,
  formatTime,
  parseDate,
  parseDateTime,
  parseNumber,
  withPersonalFormats,
  type FormatSettings,
} from './formats';

function region(localeId: number): FormatSettings {
  const settings = formatSettingsFor(localeId);
  if (!settings) throw new Error(`the emulator has no formats for the locale ${localeId}`);
  return settings;
}

const spain = () => region(3082);

const EUR = { symbol: '€', precision: 2 };

describe('English (United States), a user without settings of their own', () => {
  it('writes dates month first and times on a 12-hour clock', () => {
    expect(formatDate(2026, 12, 7, EN_US)).toBe('12/7/2026');
    expect(`${formatDate(2026, 12, 7, EN_US)} ${formatTime(17, 47, EN_US)}`).toBe('12/7/2026 5:47 PM');
    expect(formatTime(0, 5, EN_US)).toBe('12:05 AM');
    expect(formatTime(12, 0, EN_US)).toBe('12:00 PM');
  });

  it('groups thousands with commas and writes decimals with a point', () => {
    expect(formatNumber(8400, EN_US, { min: 0, max: 0 })).toBe('8,400');
    expect(formatNumber(1234567.5, EN_US, { min: 2, max: 2 })).toBe('1,234,567.50');
    expect(formatNumber(-12.345, EN_US, { min: 2, max: 2 })).toBe('-12.35');
  });

  it('puts the currency symbol before the amount', () => {
    expect(formatMoney(8400, EN_US, EUR)).toBe('€8,400.00');
    expect(formatMoney(-600, EN_US, { symbol: '$', precision: 2 })).toBe('-$600.00');
    expect(formatMoney(1500, EN_US, { symbol: '¥', precision: 0 })).toBe('¥1,500');
  });
});

describe('Spanish (Spain)', () => {
  it('writes dates day first and times on a 24-hour clock', () => {
    expect(formatDate(2026, 12, 7, spain())).toBe('7/12/2026');
    expect(`${formatDate(2026, 12, 7, spain())} ${formatTime(17, 47, spain())}`).toBe('7/12/2026 17:47');
    expect(formatTime(9, 5, spain())).toBe('9:05');
  });

  it('groups thousands with points and writes decimals with a comma', () => {
    expect(formatNumber(8400, spain(), { min: 0, max: 0 })).toBe('8.400');
    expect(formatNumber(1234567.5, spain(), { min: 2, max: 2 })).toBe('1.234.567,50');
    expect(formatNumber(12.5, spain(), { min: 0, max: 2 })).toBe('12,5');
  });

  it('puts the currency symbol after the amount, a space between', () => {
    expect(formatMoney(600, spain(), EUR)).toBe('600,00 €');
    expect(formatMoney(8400, spain(), EUR)).toBe('8.400,00 €');
    expect(formatMoney(-2520.5, spain(), EUR)).toBe('-2.520,50 €');
  });

  it('labels choices in Spanish when the user interface language is Spanish', () => {
    expect(formatSettingsFor(3082)?.languageId).toBe(3082);
    // Spanish formats with English labels: a region and a language chosen apart, as Personal Options allows.
    expect(formatSettingsFor(3082, 1033)).toMatchObject({ localeId: 3082, languageId: 1033 });
  });
});

describe('the other regions Dataverse offers, from their BCP 47 tags', () => {
  it('writes French (France), German (Germany) and English (United Kingdom) dates, times and amounts', () => {
    const write = (localeId: number) => {
      const s = region(localeId);
      return `${formatDate(2027, 5, 3, s)} ${formatTime(17, 47, s)} · ${formatMoney(8400.5, s, EUR)}`;
    };
    expect(write(1036)).toBe('03/05/2027 17:47 · 8 400,50 €');
    expect(write(1031)).toBe('3.5.2027 17:47 · 8.400,50 €');
    expect(write(2057)).toBe('03/05/2027 17:47 · €8,400.50');
    expect(write(1041)).toBe('2027/5/3 17:47 · €8,400.50');
  });

  it('keeps the labels in the user interface language while the formats follow the region', () => {
    expect(formatSettingsFor(1036, 3082)).toMatchObject({ localeId: 1036, languageId: 3082 });
  });

  it('has no formats for a locale id Dataverse does not offer', () => {
    expect(formatSettingsFor(9999)).toBeUndefined();
  });
});

describe("a user's own changes to their region's formats", () => {
  it('writes dates with their date format and separator, and times with their time format', () => {
    const own = withPersonalFormats(EN_US, {
      dateformatstring: 'dd/MM/yyyy',
      dateseparator: '.',
      timeformatstring: 'HH:mm',
    });
    expect(formatDate(2026, 3, 7, own)).toBe('07.03.2026');
    expect(formatTime(9, 5, own)).toBe('09:05');
    // A separator alone changes what stands between the region's parts.
    const dashed = withPersonalFormats(spain(), { dateseparator: '-', timeseparator: '.' });
    expect(`${formatDate(2026, 12, 7, dashed)} ${formatTime(17, 47, dashed)}`).toBe('7-12-2026 17.47');
  });

  it('writes and reads numbers with their decimal and digit grouping symbols', () => {
    const own = withPersonalFormats(EN_US, { decimalsymbol: ',', numberseparator: "'" });
    expect(formatMoney(8400, own, EUR)).toBe("€8'400,00");
    expect(parseNumber("8'400,50", own, '€')).toBe(8400.5);
  });

  it("writes their AM and PM designators, and leaves empty columns to the region's", () => {
    const own = withPersonalFormats(EN_US, {
      amdesignator: 'a.m.',
      pmdesignator: 'p.m.',
      dateformatstring: '',
    });
    expect(`${formatDate(2026, 12, 7, own)} ${formatTime(17, 47, own)}`).toBe('12/7/2026 5:47 p.m.');
  });
});

describe('reading a date the user typed', () => {
  it('reads it in their date format, and ISO yyyy-mm-dd in any region', () => {
    expect(parseDate('12/7/2026', EN_US)).toEqual({ year: 2026, month: 12, day: 7 });
    expect(parseDate('7/12/2026', spain())).toEqual({ year: 2026, month: 12, day: 7 });
    expect(parseDate('07.12.26', region(1031))).toEqual({ year: 2026, month: 12, day: 7 });
    expect(parseDate('2026-12-07', spain())).toEqual({ year: 2026, month: 12, day: 7 });
    const own = withPersonalFormats(EN_US, { dateformatstring: 'yyyy/MM/dd' });
    expect(parseDate('2026/12/07', own)).toEqual({ year: 2026, month: 12, day: 7 });
  });

  it('refuses what is not a date, or a day the month does not have', () => {
    expect(parseDate('tomorrow', EN_US)).toBeUndefined();
    expect(parseDate('31/2/2026', spain())).toBeUndefined();
    expect(parseDate('13/7/2026', EN_US)).toBeUndefined();
    expect(parseDate('7/12', spain())).toBeUndefined();
  });

  it('reads a date and time in their formats, a date alone as midnight', () => {
    expect(parseDateTime('12/7/2026 5:47 PM', EN_US)).toEqual({
      year: 2026,
      month: 12,
      day: 7,
      hours: 17,
      minutes: 47,
    });
    expect(parseDateTime('12/7/2026 12:05 am', EN_US)).toMatchObject({ hours: 0, minutes: 5 });
    expect(parseDateTime('7/12/2026 17:47', spain())).toMatchObject({ day: 7, month: 12, hours: 17 });
    expect(parseDateTime('2026-12-07T09:30', spain())).toMatchObject({ day: 7, hours: 9, minutes: 30 });
    expect(parseDateTime('7/12/2026', spain())).toMatchObject({ hours: 0, minutes: 0 });
    expect(parseDateTime('7/12/2026 25:00', spain())).toBeUndefined();
    expect(parseDateTime('soon', spain())).toBeUndefined();
  });
});

describe('reading an amount the user typed', () => {
  it('takes plain numbers in either region', () => {
    expect(parseNumber('600', EN_US, '€')).toBe(600);
    expect(parseNumber('600', spain(), '€')).toBe(600);
    expect(parseNumber('600.5', spain(), '€')).toBe(600.5);
    expect(parseNumber('-12.25', EN_US)).toBe(-12.25);
  });

  it('takes an amount written in the user format, with or without its symbol', () => {
    expect(parseNumber('€8,400.00', EN_US, '€')).toBe(8400);
    expect(parseNumber('8.400,00 €', spain(), '€')).toBe(8400);
    expect(parseNumber('600,5', spain(), '€')).toBe(600.5);
    expect(parseNumber('1.234', spain(), '€')).toBe(1234);
  });

  it('refuses what is not a number', () => {
    expect(parseNumber('six hundred', EN_US, '€')).toBeUndefined();
    expect(parseNumber('600,5', EN_US, '€')).toBeUndefined();
    expect(parseNumber('', EN_US, '€')).toBeUndefined();
  });
});
