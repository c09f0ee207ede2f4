/**
 * How a user's dates, numbers and amounts are written: the Formats of Dynamics 365's Personal Options,
 * kept in the user's usersettings row ("UserSettings table/entity reference",
 * https://learn.microsoft.com/power-apps/developer/data-platform/reference/entities/usersettings).
 * Choosing a region (localeid) sets them all; the columns dateformatstring, dateseparator,
 * timeformatstring, timeseparator, amdesignator, pmdesignator, decimalsymbol and numberseparator hold
 * the user's own changes to it. The region's formats come from Intl (CLDR) for the region's BCP 47 tag.
 * Pure and browser-safe: the form page's script formats and reads values with settings the server made.
 */

/** One region's formats with the user's changes, in the usersettings columns' terms. */
export interface FormatSettings {
  /** usersettings.uilanguageid: the language of choice labels. */
  readonly languageId: number;
  /** usersettings.localeid: the region the formats below come from. */
  readonly localeId: number;
  /** usersettings.dateformatstring with its dateseparator (`M/d/yyyy`, `d/M/yyyy`, `dd.MM.yyyy`). */
  readonly dateFormat: string;
  /** usersettings.timeformatstring with its timeseparator (`h:mm tt`, `H:mm`). */
  readonly timeFormat: string;
  /** usersettings.amdesignator and pmdesignator: what `tt` writes. */
  readonly amDesignator: string;
  readonly pmDesignator: string;
  readonly decimalSymbol: string;
  /** usersettings.numberseparator: the digit group separator. */
  readonly numberSeparator: string;
  /**
   * usersettings.currencyformatcode, Windows' LOCALE_ICURRENCY: 0 `$1.1`, 1 `1.1$`, 2 `$ 1.1`, 3 `1.1 $`
   * (https://learn.microsoft.com/windows/win32/intl/locale-icurrency).
   */
  readonly currencyFormatCode: 0 | 1 | 2 | 3;
}

/**
 * The user's own changes to their region's formats (Personal Options → Formats → Customize): the
 * usersettings columns by their logical names; empty or absent, the region's.
 */
export interface PersonalFormats {
  readonly dateformatstring?: string | null;
  readonly dateseparator?: string | null;
  readonly timeformatstring?: string | null;
  readonly timeseparator?: string | null;
  readonly amdesignator?: string | null;
  readonly pmdesignator?: string | null;
  readonly decimalsymbol?: string | null;
  readonly numberseparator?: string | null;
}

type Region = Omit<FormatSettings, 'languageId' | 'localeId'>;

/**
 * The regions Dataverse offers in Personal Options, by LCID ("[MS-LCID]: Windows Language Code
 * Identifier (LCID) Reference", https://learn.microsoft.com/openspecs/windows_protocols/ms-lcid), with
 * every language Dataverse can be enabled in ("Regional and language options for your environment",
 * https://learn.microsoft.com/power-platform/admin/enable-languages) and their common regional variants.
 */
export const LOCALE_TAGS: Readonly<Record<number, string>> = {
  1025: 'ar-SA',
  1026: 'bg-BG',
  1027: 'ca-ES',
  1028: 'zh-TW',
  1029: 'cs-CZ',
  1030: 'da-DK',
  1031: 'de-DE',
  1032: 'el-GR',
  1033: 'en-US',
  1034: 'es-ES',
  1035: 'fi-FI',
  1036: 'fr-FR',
  1037: 'he-IL',
  1038: 'hu-HU',
  1039: 'is-IS',
  1040: 'it-IT',
  1041: 'ja-JP',
  1042: 'ko-KR',
  1043: 'nl-NL',
  1044: 'nb-NO',
  1045: 'pl-PL',
  1046: 'pt-BR',
  1048: 'ro-RO',
  1049: 'ru-RU',
  1050: 'hr-HR',
  1051: 'sk-SK',
  1052: 'sq-AL',
  1053: 'sv-SE',
  1054: 'th-TH',
  1055: 'tr-TR',
  1056: 'ur-PK',
  1057: 'id-ID',
  1058: 'uk-UA',
  1059: 'be-BY',
  1060: 'sl-SI',
  1061: 'et-EE',
  1062: 'lv-LV',
  1063: 'lt-LT',
  1065: 'fa-IR',
  1066: 'vi-VN',
  1067: 'hy-AM',
  1068: 'az-Latn-AZ',
  1069: 'eu-ES',
  1071: 'mk-MK',
  1078: 'af-ZA',
  1079: 'ka-GE',
  1081: 'hi-IN',
  1082: 'mt-MT',
  1086: 'ms-MY',
  1087: 'kk-KZ',
  1089: 'sw-KE',
  1093: 'bn-IN',
  1095: 'gu-IN',
  1097: 'ta-IN',
  1098: 'te-IN',
  1099: 'kn-IN',
  1100: 'ml-IN',
  1102: 'mr-IN',
  1106: 'cy-GB',
  1110: 'gl-ES',
  2049: 'ar-IQ',
  2052: 'zh-CN',
  2055: 'de-CH',
  2057: 'en-GB',
  2058: 'es-MX',
  2060: 'fr-BE',
  2064: 'it-CH',
  2067: 'nl-BE',
  2068: 'nn-NO',
  2070: 'pt-PT',
  2074: 'sr-Latn-RS',
  2077: 'sv-FI',
  2110: 'ms-BN',
  3073: 'ar-EG',
  3076: 'zh-HK',
  3079: 'de-AT',
  3081: 'en-AU',
  3082: 'es-ES',
  3084: 'fr-CA',
  3098: 'sr-Cyrl-RS',
  4097: 'ar-LY',
  4100: 'zh-SG',
  4103: 'de-LU',
  4105: 'en-CA',
  4106: 'es-GT',
  4108: 'fr-CH',
  5121: 'ar-DZ',
  5124: 'zh-MO',
  5127: 'de-LI',
  5129: 'en-NZ',
  5130: 'es-CR',
  5132: 'fr-LU',
  6145: 'ar-MA',
  6153: 'en-IE',
  6154: 'es-PA',
  7169: 'ar-TN',
  7177: 'en-ZA',
  7178: 'es-DO',
  8193: 'ar-OM',
  8201: 'en-JM',
  8202: 'es-VE',
  9217: 'ar-YE',
  10241: 'ar-SY',
  10249: 'en-BZ',
  10250: 'es-CO',
  11265: 'ar-JO',
  11273: 'en-TT',
  11274: 'es-PE',
  12289: 'ar-LB',
  12297: 'en-ZW',
  12298: 'es-AR',
  13313: 'ar-KW',
  13321: 'en-PH',
  13322: 'es-EC',
  14337: 'ar-AE',
  14346: 'es-UY',
  15361: 'ar-BH',
  15370: 'es-PY',
  16385: 'ar-QA',
  16393: 'en-IN',
  16394: 'es-BO',
  17417: 'en-MY',
  17418: 'es-SV',
  18441: 'en-SG',
  18442: 'es-HN',
  19466: 'es-NI',
  20490: 'es-PR',
  21514: 'es-US',
};

/** The locale ids the emulator has formats for. */
export const KNOWN_LOCALES: readonly number[] = Object.keys(LOCALE_TAGS).map(Number);

/** A user with no settings of their own: English (United States), as the Web API answered so far. */
export const DEFAULT_LOCALE = 1033;

// Marks CLDR puts around right-to-left dates, and the narrow spaces it puts before AM: not typed by people.
const INVISIBLE = /[\u200e\u200f\u061c]/g;
const SPACES = /[\u00a0\u202f]/g;

// Reading a region from Intl costs several formatter builds: once per region.
const regions = new Map<number, Region>();

function regionOf(tag: string): Region {
  const locale = `${tag}-u-nu-latn`;
  // 7 March: a padded day or month shows as `07` or `03`.
  const dateFormat = new Intl.DateTimeFormat(locale, { year: 'numeric', month: 'numeric', day: 'numeric' })
    .formatToParts(new Date(2026, 2, 7))
    .map((p) =>
      p.type === 'year'
        ? 'yyyy'
        : p.type === 'month'
          ? 'M'.repeat(p.value.length)
          : p.type === 'day'
            ? 'd'.repeat(p.value.length)
            : p.value.replace(INVISIBLE, '').replace(SPACES, ' '),
    )
    .join('');
  const clock = new Intl.DateTimeFormat(locale, { hour: 'numeric', minute: '2-digit' });
  const twelve = clock.resolvedOptions().hourCycle === 'h12' || clock.resolvedOptions().hourCycle === 'h11';
  const timeParts = clock.formatToParts(new Date(2026, 11, 7, 9, 5));
  const timeFormat = timeParts
    .map((p) =>
      p.type === 'hour'
        ? (twelve ? 'h' : 'H').repeat(p.value.length)
        : p.type === 'minute'
          ? 'mm'
          : p.type === 'dayPeriod'
            ? 'tt'
            : p.value.replace(INVISIBLE, '').replace(SPACES, ' '),
    )
    .join('');
  const period = (hour: number) =>
    new Intl.DateTimeFormat(locale, { hour: 'numeric', hour12: true })
      .formatToParts(new Date(2026, 11, 7, hour))
      .find((p) => p.type === 'dayPeriod')
      ?.value.replace(SPACES, ' ') ?? '';
  const numberParts = new Intl.NumberFormat(locale).formatToParts(1234567.5);
  const part = (type: string, fallback: string) =>
    numberParts.find((p) => p.type === type)?.value.replace(SPACES, ' ') ?? fallback;
  const money = new Intl.NumberFormat(locale, { style: 'currency', currency: 'EUR' })
    .formatToParts(1)
    .filter((p) => p.value.replace(INVISIBLE, '') !== '');
  const symbolAt = money.findIndex((p) => p.type === 'currency');
  const numberAt = money.findIndex((p) => p.type === 'integer');
  const spaced = money.some((p) => p.type === 'literal' && p.value.trim() === '');
  const after = symbolAt > numberAt;
  return {
    dateFormat,
    timeFormat,
    amDesignator: twelve ? period(9) : period(9) || 'AM',
    pmDesignator: twelve ? period(17) : period(17) || 'PM',
    decimalSymbol: part('decimal', '.'),
    numberSeparator: part('group', ','),
    currencyFormatCode: after ? (spaced ? 3 : 1) : spaced ? 2 : 0,
  };
}

/** The formats of a region (`localeId`) with labels in `languageId`; undefined for a region not known. */
export function formatSettingsFor(localeId: number, languageId = localeId): FormatSettings | undefined {
  const tag = LOCALE_TAGS[localeId];
  if (!tag) return undefined;
  let region = regions.get(localeId);
  if (!region) {
    region = regionOf(tag);
    regions.set(localeId, region);
  }
  return { ...region, localeId, languageId };
}

export const EN_US: FormatSettings = formatSettingsFor(DEFAULT_LOCALE) as FormatSettings;

// Between day, month and year (or hours and minutes): what a separator column replaces.
const DATE_SEPARATORS = /(?<=[yMd])[^yMd]+(?=[yMd])/g;
const TIME_SEPARATOR = /(?<=[Hh])[^Hhm]+(?=m)/;

/**
 * A region's formats with the user's own changes: a dateformatstring's `/` is the date separator, as in
 * .NET's custom date formats ("Custom date and time format strings": the "/" custom format specifier),
 * and a dateseparator or timeseparator replaces what stands between the parts.
 */
export function withPersonalFormats(settings: FormatSettings, own: PersonalFormats): FormatSettings {
  const given = (value: string | null | undefined) => (value ? value : undefined);
  const dateSeparator = given(own.dateseparator);
  let dateFormat = given(own.dateformatstring)?.replace(/\//g, dateSeparator ?? '/') ?? settings.dateFormat;
  if (dateSeparator) dateFormat = dateFormat.replace(DATE_SEPARATORS, dateSeparator);
  const timeSeparator = given(own.timeseparator);
  let timeFormat = given(own.timeformatstring) ?? settings.timeFormat;
  if (timeSeparator) timeFormat = timeFormat.replace(TIME_SEPARATOR, timeSeparator);
  return {
    ...settings,
    dateFormat,
    timeFormat,
    amDesignator: given(own.amdesignator) ?? settings.amDesignator,
    pmDesignator: given(own.pmdesignator) ?? settings.pmDesignator,
    decimalSymbol: given(own.decimalsymbol) ?? settings.decimalSymbol,
    numberSeparator: given(own.numberseparator) ?? settings.numberSeparator,
  };
}
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

/** A time of day in the user's time format (`tt` → their AM or PM designator). */
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
        return hours < 12 ? settings.amDesignator : settings.pmDesignator;
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

/** A calendar day as a person reads it: year, month 1–12, day of the month. */
export interface CalendarDate {
  readonly year: number;
  readonly month: number;
  readonly day: number;
}

function calendarDate(year: number, month: number, day: number): CalendarDate | undefined {
  const full = year < 100 ? 2000 + year : year;
  const check = new Date(Date.UTC(full, month - 1, day));
  // 31/2 or 13/1 roll over into another day: not a date.
  if (check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day || full > 9999) return undefined;
  return { year: full, month, day };
}

/** The order day, month and year come in the user's date format (`d/M/yyyy` → d, M, y). */
function fieldOrder(dateFormat: string): ('y' | 'M' | 'd')[] {
  const order = dateFormat.match(/y+|M+|d+/g)?.map((token) => token[0] as 'y' | 'M' | 'd') ?? [];
  return order.length === 3 ? order : ['M', 'd', 'y'];
}

function readDate(numbers: readonly number[], settings: FormatSettings): CalendarDate | undefined {
  const at = (field: 'y' | 'M' | 'd') => numbers[fieldOrder(settings.dateFormat).indexOf(field)] ?? NaN;
  return calendarDate(at('y'), at('M'), at('d'));
}

const ISO_DATE = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T\s]+(.*))?$/i;

/**
 * A date as a user types it: in their date format, whatever separates its parts (`7/12/2026`,
 * `7.12.26` for d/M/yyyy), or ISO `2026-12-07`. Undefined when it is not a date.
 */
export function parseDate(text: string, settings: FormatSettings): CalendarDate | undefined {
  const raw = text.replace(INVISIBLE, '').trim();
  const iso = ISO_DATE.exec(raw);
  if (iso) return iso[4] ? undefined : calendarDate(Number(iso[1]), Number(iso[2]), Number(iso[3]));
  if (!/^\d{1,4}\D{1,3}\d{1,4}\D{1,3}\d{1,4}\D?$/.test(raw)) return undefined;
  return readDate((raw.match(/\d+/g) ?? []).map(Number), settings);
}

/** A date and time of day as a person reads it (hours 0–23). */
export interface CalendarDateTime extends CalendarDate {
  readonly hours: number;
  readonly minutes: number;
}

/**
 * A date and time as a user types it: their date format then their time format (`12/7/2026 5:47 PM`,
 * `7/12/2026 17:47`), or ISO (`2026-12-07 17:47`); a date alone is midnight. Undefined when it is not one.
 */
export function parseDateTime(text: string, settings: FormatSettings): CalendarDateTime | undefined {
  let raw = text.replace(INVISIBLE, '').replace(SPACES, ' ').trim().toLowerCase();
  let pm: boolean | undefined;
  for (const [designator, after] of [
    [settings.pmDesignator, true],
    [settings.amDesignator, false],
    ['pm', true],
    ['am', false],
  ] as const) {
    const word = designator.toLowerCase();
    if (word && raw.includes(word)) {
      pm = after;
      raw = raw.replace(word, ' ').trim();
      break;
    }
  }
  const iso = ISO_DATE.exec(raw);
  let date: CalendarDate | undefined;
  let time: string;
  if (iso) {
    date = calendarDate(Number(iso[1]), Number(iso[2]), Number(iso[3]));
    time = iso[4] ?? '';
  } else {
    const found = /^(\d{1,4}\D{1,3}\d{1,4}\D{1,3}\d{1,4})\.?(?:\s+(.*))?$/.exec(raw);
    if (!found) return undefined;
    date = readDate((found[1]?.match(/\d+/g) ?? []).map(Number), settings);
    time = found[2] ?? '';
  }
  if (!date) return undefined;
  if (time === '') return pm === undefined ? { ...date, hours: 0, minutes: 0 } : undefined;
  const clock = /^(\d{1,2})(?:\D(\d{2}))?$/.exec(time.trim());
  if (!clock) return undefined;
  let hours = Number(clock[1]);
  const minutes = Number(clock[2] ?? 0);
  if (pm !== undefined) {
    if (hours < 1 || hours > 12) return undefined;
    hours = (hours % 12) + (pm ? 12 : 0);
  }
  if (hours > 23 || minutes > 59) return undefined;
  return { ...date, hours, minutes };
}
