import {
  EN_US,
  formatDate,
  formatMoney,
  formatNumber,
  formatSettingsFor,
  formatTime,
  parseNumber,
  type FormatSettings,
} from './formats';

function spain(): FormatSettings {
  const settings = formatSettingsFor(3082);
  if (!settings) throw new Error('the emulator has no formats for Spanish (Spain)');
  return settings;
}

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

it('has no formats for a region the emulator does not know', () => {
  expect(formatSettingsFor(1041)).toBeUndefined();
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
