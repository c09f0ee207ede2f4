/**
 * What the emulator's PCF host gives controls as `context.formatting` and
 * `context.userSettings.getTimeZoneOffsetMinutes`: the page user's formats and Dataverse time zone
 * (usersettings), not the browser's.
 */
import {
  formatDate,
  formatMoney,
  formatNumber,
  formatTime,
  type FormatSettings,
  LOCALE_TAGS,
} from '../../../engine/formats';
import { toWall } from '../../../engine/zones';

/** PCF `formatting` in the user's formats (region and their own changes), as the form's fields show values. */
export const formatting = (settings: FormatSettings) => {
  const date = (value: Date) =>
    formatDate(value.getFullYear(), value.getMonth() + 1, value.getDate(), settings);
  const time = (value: Date) => formatTime(value.getHours(), value.getMinutes(), settings);
  return {
    formatDecimal: (value: number, precision?: number) =>
      formatNumber(value, settings, { min: precision ?? 0, max: precision ?? 3 }),
    formatInteger: (value: number) => formatNumber(Math.round(value), settings, { min: 0, max: 0 }),
    formatCurrency: (value: number, precision?: number, symbol?: string) =>
      formatMoney(value, settings, { symbol: symbol ?? '', precision: precision ?? 2 }),
    formatDateShort: (value: Date, includeTime?: boolean) =>
      includeTime ? `${date(value)} ${time(value)}` : date(value),
    formatDateLong: (value: Date) =>
      value.toLocaleDateString(LOCALE_TAGS[settings.localeId] ?? 'en-US', { dateStyle: 'long' }),
    formatTime: (value: Date) => time(value),
  };
};

/** Minutes the user's time zone is ahead of UTC at `at` (Madrid in summer: 120). */
export function timeZoneOffsetMinutes(at: Date, timeZone: string): number {
  return Math.round((toWall(at, timeZone).getTime() - at.getTime()) / 60_000);
}
