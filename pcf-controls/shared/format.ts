/** Locale-aware text for the controls: numbers, dates and "{0}" placeholders. */
const LOCALES: Readonly<Record<number, string>> = { 1033: 'en-US', 3082: 'es-ES' };

/** The BCP 47 locale of a Dataverse language id (LCID); English when the language is not one we ship. */
export function localeOf(languageId: number): string {
  return LOCALES[languageId] ?? 'en-US';
}

/** The decimal symbol of a locale: `,` in es-ES. */
export function decimalSymbolOf(locale: string): string {
  return (1.5).toLocaleString(locale).charAt(1);
}

export function formatText(template: string, ...args: readonly (string | number)[]): string {
  return template.replace(/\{(\d+)\}/g, (match, index: string) => {
    const value = args[Number(index)];
    return value === undefined ? match : String(value);
  });
}

export function formatNumber(value: number, locale: string, fractionDigits = 1): string {
  return new Intl.NumberFormat(locale, {
    minimumFractionDigits: fractionDigits,
    maximumFractionDigits: fractionDigits,
  }).format(value);
}

/** A signed change, "+2.0" or "−1.5", so a trend reads at a glance. */
export function formatSigned(value: number, locale: string, fractionDigits = 1): string {
  const text = formatNumber(Math.abs(value), locale, fractionDigits);
  if (Math.abs(value) < 0.5 * 10 ** -fractionDigits) return formatNumber(0, locale, fractionDigits);
  return value > 0 ? `+${text}` : `\u2212${text}`;
}

/** A moment (epoch ms) as a date in the user's time zone, or a date-only value with timeZone 'UTC'. */
export function formatDate(epochMs: number, locale: string, timeZone?: string): string {
  return new Intl.DateTimeFormat(locale, {
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    ...(timeZone ? { timeZone } : {}),
  }).format(new Date(epochMs));
}

/** YYYY-MM-DD in UTC, for exports that spreadsheets read as dates whatever the locale. */
export function isoDay(epochMs: number): string {
  return new Date(epochMs).toISOString().slice(0, 10);
}
