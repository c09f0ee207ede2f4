/**
 * How a user's dates, numbers and amounts are written: the Formats of Dynamics 365's Personal Options,
 * kept in the user's usersettings row ("UserSettings table/entity reference": localeid, uilanguageid,
 * dateformatstring, timeformatstring, decimalsymbol, numberseparator, currencyformatcode). Choosing a
 * region sets them all: the emulator keeps localeid and uilanguageid and derives the rest from the region.
 * Pure and browser-safe: the form page's script formats and reads amounts with it too.
 */

/** One region's formats, in the usersettings columns' terms. */
export interface FormatSettings {
  /** usersettings.uilanguageid: the language of choice labels. */
  readonly languageId: number;
  /** usersettings.localeid: the region the formats below come from. */
  readonly localeId: number;
  /** usersettings.dateformatstring (`M/d/yyyy`, `d/M/yyyy`). */
  readonly dateFormat: string;
  /** usersettings.timeformatstring (`h:mm tt`, `H:mm`). */
  readonly timeFormat: string;
  readonly decimalSymbol: string;
  /** usersettings.numberseparator: the digit group separator. */
  readonly numberSeparator: string;
  /**
   * usersettings.currencyformatcode, Windows' LOCALE_ICURRENCY: 0 `$1.1`, 1 `1.1$`, 2 `$ 1.1`, 3 `1.1 $`
   * (https://learn.microsoft.com/windows/win32/intl/locale-icurrency).
   */
  readonly currencyFormatCode: 0 | 1 | 2 | 3;
}

type Region = Omit<FormatSettings, 'languageId' | 'localeId'>;

// English (United States): 12/7/2026 5:47 PM, 1,234.50, $1,234.50.
const UNITED_STATES: Region = {
  dateFormat: 'M/d/yyyy',
  timeFormat: 'h:mm tt',
  decimalSymbol: '.',
  numberSeparator: ',',
  currencyFormatCode: 0,
};

const REGIONS: Readonly<Record<number, Region>> = {
  1033: UNITED_STATES,
  // Spanish (Spain, international sort): 7/12/2026 17:47, 1.234,50, 1.234,50 €.
  3082: {
    dateFormat: 'd/M/yyyy',
    timeFormat: 'H:mm',
    decimalSymbol: ',',
    numberSeparator: '.',
    currencyFormatCode: 3,
  },
};

/** The locale ids the emulator has formats for. */
export const KNOWN_LOCALES: readonly number[] = Object.keys(REGIONS).map(Number);

/** A user with no settings of their own: English (United States), as the Web API answered so far. */
export const DEFAULT_LOCALE = 1033;

/** The formats of a region (`localeId`) with labels in `languageId`; undefined for a region not known. */
export function formatSettingsFor(localeId: number, languageId = localeId): FormatSettings | undefined {
  const region = REGIONS[localeId];
  return region ? { ...region, localeId, languageId } : undefined;
}

export const EN_US: FormatSettings = {
  ...UNITED_STATES,
  localeId: DEFAULT_LOCALE,
  languageId: DEFAULT_LOCALE,
};

/** A number with `min`..`max` decimals, grouped in thousands, in the user's separators. */
export function formatNumber(
  value: number,
  settings: FormatSettings,
  decimals: { min: number; max: number },
): string {
  // en-US digits are stable across ICU versions; the user's separators replace its own.
  const text = value.toLocaleString('en-US', {
    minimumFractionDigits: decimals.min,
    maximumFractionDigits: decimals.max,
  });
  return text.replace(/[,.]/g, (c) => (c === ',' ? settings.numberSeparator : settings.decimalSymbol));
}

/** An amount with its currency symbol placed as the user's currency format says; `-` before it all. */
export function formatMoney(
  value: number,
  settings: FormatSettings,
  currency: { symbol: string; precision: number },
): string {
  const digits = formatNumber(Math.abs(value), settings, {
    min: currency.precision,
    max: currency.precision,
  });
  const { symbol } = currency;
  const text = [`${symbol}${digits}`, `${digits}${symbol}`, `${symbol} ${digits}`, `${digits} ${symbol}`][
    settings.currencyFormatCode
  ];
  return `${value < 0 ? '-' : ''}${text}`;
}

/** A calendar date (year, month 1–12, day) in the user's date format. */
export function formatDate(year: number, month: number, day: number, settings: FormatSettings): string {
  return settings.dateFormat.replace(/yyyy|MM|M|dd|d/g, (token) => {
    switch (token) {
      case 'yyyy':
        return String(year);
      case 'MM':
        return String(month).padStart(2, '0');
      case 'M':
        return String(month);
      case 'dd':
        return String(day).padStart(2, '0');
      default:
        return String(day);
    }
  });
}

/** A time of day in the user's time format (`tt` → AM/PM). */
export function formatTime(hours: number, minutes: number, settings: FormatSettings): string {
  const h12 = hours % 12 === 0 ? 12 : hours % 12;
  return settings.timeFormat.replace(/HH|H|hh|h|mm|tt/g, (token) => {
    switch (token) {
      case 'HH':
        return String(hours).padStart(2, '0');
      case 'H':
        return String(hours);
      case 'hh':
        return String(h12).padStart(2, '0');
      case 'h':
        return String(h12);
      case 'mm':
        return String(minutes).padStart(2, '0');
      default:
        return hours < 12 ? 'AM' : 'PM';
    }
  });
}

/**
 * A number as a user types it: plain digits (`600`, `600.5`), or written in their own format with or
 * without the currency symbol (`8.400,00 €`, `€8,400.00`). Undefined when it is not a number.
 */
export function parseNumber(text: string, settings: FormatSettings, symbol = ''): number | undefined {
  let raw = text.replace(/\s/g, '');
  if (symbol) raw = raw.split(symbol).join('');
  if (raw === '') return undefined;
  const { decimalSymbol, numberSeparator } = settings;
  const grouped = new RegExp(
    `^-?\\d{1,3}(${escapeRegExp(numberSeparator)}\\d{3})+(${escapeRegExp(decimalSymbol)}\\d*)?$`,
  );
  let plain: string;
  if (grouped.test(raw) || raw.includes(decimalSymbol)) {
    // Written in the user's format: drop the group separators, read their decimal symbol.
    plain = raw.split(numberSeparator).join('').replace(decimalSymbol, '.');
  } else plain = raw;
  if (!/^-?(\d+\.?\d*|\.\d+)$/.test(plain)) return undefined;
  return Number(plain);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
