/**
 * Host settings of the group-quotation handlers and sweep, read from the host's environment (app
 * settings on Azure) by the wiring code and passed in. See README.md in this folder.
 */
import { type Language, languageFromTag } from '../../../domain/quotation';
import { InvalidTimeZoneError } from '../../../domain/quotation/errors';
import { dateOnlyFromDate } from '../../../domain/quotation';

export const GROUPQUOTES_ENVIRONMENT_VARIABLES = {
  /** Same name as the solution's environment variable, so admins set one name in both places. */
  handoffUrl: 'idr_ErpHandoffUrl',
  /** IANA zone whose calendar gives "today" (default UTC). */
  timeZone: 'IDEARIO_TIME_ZONE',
  /** `en` or `es`: the language of texts for staff (issues, tasks, calls); default `en`. */
  language: 'IDEARIO_LANGUAGE',
  /** Hours between two runs of the follow-up sweep (default 1). */
  sweepHours: 'IDEARIO_SWEEP_HOURS',
} as const;

export interface GroupQuotesSettings {
  timeZone: string;
  language: Language;
  /** The ERP/PMS endpoint; null = handoffs wait until it is set. */
  handoffUrl: string | null;
}

export const DEFAULT_SETTINGS: Readonly<GroupQuotesSettings> = Object.freeze({
  timeZone: 'UTC',
  language: 'en',
  handoffUrl: null,
});

/** A setting holds a value that cannot be used; names the variable and what is allowed. */
export class GroupQuotesConfigError extends Error {
  constructor(
    readonly variable: string,
    readonly value: string,
    readonly allowed: string,
  ) {
    super(`${variable} is '${value}'; ${allowed}.`);
    this.name = 'GroupQuotesConfigError';
  }
}

export function readGroupQuotesSettings(
  env: Readonly<Record<string, string | undefined>>,
): GroupQuotesSettings {
  const names = GROUPQUOTES_ENVIRONMENT_VARIABLES;
  const timeZone = env[names.timeZone]?.trim() || DEFAULT_SETTINGS.timeZone;
  try {
    dateOnlyFromDate(new Date(0), { timeZone });
  } catch (error) {
    if (error instanceof InvalidTimeZoneError)
      throw new GroupQuotesConfigError(
        names.timeZone,
        timeZone,
        'use an IANA time zone name such as Europe/Madrid',
      );
    throw error;
  }
  const rawLanguage = env[names.language]?.trim();
  const language = rawLanguage ? languageFromTag(rawLanguage) : DEFAULT_SETTINGS.language;
  const handoffUrl = env[names.handoffUrl]?.trim() || null;
  if (handoffUrl !== null && !/^https?:\/\/[^/\s]+/i.test(handoffUrl)) {
    throw new GroupQuotesConfigError(
      names.handoffUrl,
      handoffUrl,
      'use the http(s) URL the ERP/PMS receives quotations on',
    );
  }
  return { timeZone, language, handoffUrl };
}

/** The sweep interval in milliseconds from IDEARIO_SWEEP_HOURS (1, 2, 3, 4, 6, 8, 12 or 24). */
export function sweepIntervalMs(env: Readonly<Record<string, string | undefined>>): number {
  const name = GROUPQUOTES_ENVIRONMENT_VARIABLES.sweepHours;
  const raw = env[name]?.trim();
  if (!raw) return 3_600_000;
  const hours = Number(raw);
  if (!Number.isInteger(hours) || hours < 1 || 24 % hours !== 0) {
    throw new GroupQuotesConfigError(
      name,
      raw,
      'use a whole number of hours that divides a day (1, 2, 3, 4, 6, 8, 12, 24)',
    );
  }
  return hours * 3_600_000;
}

/** Settings resolved when first needed, so a bad value fails the run that needs it, with its message. */
export type SettingsSource = () => GroupQuotesSettings;

export function settingsFromEnvironment(env: Readonly<Record<string, string | undefined>>): SettingsSource {
  let settings: GroupQuotesSettings | undefined;
  return () => (settings ??= readGroupQuotesSettings(env));
}
