/** The languages salespeople and agents read, and how values are written in each. */
import { type DateOnly, toUtcDate } from './dateonly';
import { DEFAULT_PRECISION } from './pricing';

export type Language = 'en' | 'es';
export const LANGUAGES: readonly Language[] = ['en', 'es'];

const LOCALES: Record<Language, string> = { en: 'en-GB', es: 'es-ES' };

/** A BCP 47 tag ("es-MX", "en-US") to a supported language; anything else reads English. */
export function languageFromTag(tag: string | null | undefined): Language {
  return tag?.trim().toLowerCase().split(/[-_]/)[0] === 'es' ? 'es' : 'en';
}

/**
 * A Windows LCID (Dataverse `userSettings.languageId`, e.g. 3082 es-ES, 2058 es-MX, 1033 en-US)
 * to a supported language: the low 10 bits are the primary language, 0x0A is Spanish
 * ("[MS-LCID]: Windows Language Code Identifier Reference").
 */
export function languageFromLcid(lcid: number | null | undefined): Language {
  return typeof lcid === 'number' && Number.isInteger(lcid) && (lcid & 0x3ff) === 0x0a ? 'es' : 'en';
}

// Every formatter made, by language and kind (dates, numbers, a currency…): making one is slow.
const formats = new Map<string, unknown>();

function cached<T>(key: string, make: () => T): T {
  if (!formats.has(key)) formats.set(key, make());
  return formats.get(key) as T;
}

export function formatDate(date: DateOnly, language: Language): string {
  // UTC in and out, so the machine's zone cannot shift the day.
  return cached(
    `${language}:date`,
    () =>
      new Intl.DateTimeFormat(LOCALES[language], {
        day: 'numeric',
        month: 'long',
        year: 'numeric',
        timeZone: 'UTC',
      }),
  ).format(toUtcDate(date));
}

export function formatNumber(value: number, language: Language): string {
  return cached(
    `${language}:n`,
    () => new Intl.NumberFormat(LOCALES[language], { maximumFractionDigits: 10 }),
  ).format(value);
}

/**
 * An amount with the currency's decimals: "€12,345.50" / "12.345,50 €". An unknown or missing
 * ISO 4217 code gives the number followed by the code, if any.
 */
export function formatMoney(
  amount: number,
  language: Language,
  currencyCode?: string | null,
  precision = DEFAULT_PRECISION,
): string {
  const digits = { minimumFractionDigits: precision, maximumFractionDigits: precision };
  if (currencyCode && /^[A-Za-z]{3}$/.test(currencyCode)) {
    const code = currencyCode.toUpperCase();
    try {
      return cached(
        `${language}:${code}:${precision}`,
        () => new Intl.NumberFormat(LOCALES[language], { style: 'currency', currency: code, ...digits }),
      ).format(amount);
    } catch {
      // An unknown code falls through to the plain form below.
    }
  }
  const plain = cached(
    `${language}:plain:${precision}`,
    () => new Intl.NumberFormat(LOCALES[language], digits),
  ).format(amount);
  return currencyCode ? `${plain} ${currencyCode}` : plain;
}

/** "25%" / "25 %": the language's own percent sign placement. */
export function formatPercent(percent: number, language: Language): string {
  return cached(
    `${language}:%`,
    () => new Intl.NumberFormat(LOCALES[language], { style: 'percent', maximumFractionDigits: 4 }),
  ).format(percent / 100);
}
