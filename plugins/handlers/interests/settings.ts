/**
 * Settings and runtime knobs of the IdearioInterests handlers. The settings come from the host's
 * environment (app settings on Azure), read by the wiring code and passed in; see README.md.
 *
 * The concept limit is the solution's environment variable idr_MaxActiveConcepts, read from the host
 * setting of the same name rather than from Dataverse on every guarded save (a sync step must answer
 * fast); `ideario deploy` sets the Dataverse value, so admins set one name in both places.
 */
import {
  DEFAULT_VALUE_TIER_THRESHOLDS,
  resolveTierThresholds,
  type ValueTierThresholds,
} from '../../../domain/interest';
import { CatalogCache, sharedCatalogCache } from './catalog';
import { InterestsSettingError } from './errors';

export const INTERESTS_ENVIRONMENT_VARIABLES = {
  maxActiveConcepts: 'idr_MaxActiveConcepts',
  /** Minutes between two runs of the segment re-check (default 60). */
  recheckMinutes: 'IDEARIO_SEGMENT_RECHECK_MINUTES',
  /** Value tier thresholds (domain/interest/valuetier.ts); each defaults to the domain's value. */
  mostValuableFrom: 'IDEARIO_VALUE_TIER_MOST_VALUABLE_FROM',
  mostGrowableFrom: 'IDEARIO_VALUE_TIER_MOST_GROWABLE_FROM',
  belowZeroUnder: 'IDEARIO_VALUE_TIER_BELOW_ZERO_UNDER',
  belowZeroInterestUnder: 'IDEARIO_VALUE_TIER_BELOW_ZERO_INTEREST_UNDER',
} as const;

export interface InterestsSettings {
  readonly maxActiveConcepts: number;
  readonly recheckEveryMs: number;
  readonly valueTierThresholds: ValueTierThresholds;
}

export const DEFAULT_INTERESTS_SETTINGS: Readonly<InterestsSettings> = Object.freeze({
  maxActiveConcepts: 30,
  recheckEveryMs: 3_600_000,
  valueTierThresholds: DEFAULT_VALUE_TIER_THRESHOLDS,
});

const RECHECK_MINUTES = [1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30, 60, 120, 180, 240, 360, 480, 720, 1440];

export function readMaxActiveConcepts(env: Readonly<Record<string, string | undefined>>): number {
  const name = INTERESTS_ENVIRONMENT_VARIABLES.maxActiveConcepts;
  const raw = env[name]?.trim();
  if (!raw) return DEFAULT_INTERESTS_SETTINGS.maxActiveConcepts;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < 1) {
    throw new InterestsSettingError(name, raw, 'use a whole number of concepts, at least 1 (default 30)');
  }
  return value;
}

export function readRecheckEveryMs(env: Readonly<Record<string, string | undefined>>): number {
  const name = INTERESTS_ENVIRONMENT_VARIABLES.recheckMinutes;
  const raw = env[name]?.trim();
  if (!raw) return DEFAULT_INTERESTS_SETTINGS.recheckEveryMs;
  const minutes = Number(raw);
  if (!RECHECK_MINUTES.includes(minutes)) {
    throw new InterestsSettingError(
      name,
      raw,
      `use a number of minutes that divides an hour or a day (${RECHECK_MINUTES.join(', ')})`,
    );
  }
  return minutes * 60_000;
}

const TIER_FIELDS = [
  'mostValuableFrom',
  'mostGrowableFrom',
  'belowZeroUnder',
  'belowZeroInterestUnder',
] as const;

export function readValueTierThresholds(
  env: Readonly<Record<string, string | undefined>>,
): ValueTierThresholds {
  const overrides: Partial<Record<keyof ValueTierThresholds, number>> = {};
  for (const field of TIER_FIELDS) {
    const name = INTERESTS_ENVIRONMENT_VARIABLES[field];
    const raw = env[name]?.trim();
    if (!raw) continue;
    const value = Number(raw);
    if (!Number.isFinite(value)) {
      throw new InterestsSettingError(
        name,
        raw,
        `use a number (default ${DEFAULT_VALUE_TIER_THRESHOLDS[field]})`,
      );
    }
    overrides[field] = value;
  }
  const merged = { ...DEFAULT_VALUE_TIER_THRESHOLDS, ...overrides };
  // Checked here too (resolveTierThresholds refuses it) so the message names the variable to change.
  if (merged.mostValuableFrom <= merged.belowZeroUnder) {
    throw new InterestsSettingError(
      INTERESTS_ENVIRONMENT_VARIABLES.mostValuableFrom,
      String(merged.mostValuableFrom),
      `use a number above ${INTERESTS_ENVIRONMENT_VARIABLES.belowZeroUnder} (${merged.belowZeroUnder})`,
    );
  }
  return resolveTierThresholds(overrides);
}

export function readInterestsSettings(env: Readonly<Record<string, string | undefined>>): InterestsSettings {
  return {
    maxActiveConcepts: readMaxActiveConcepts(env),
    recheckEveryMs: readRecheckEveryMs(env),
    valueTierThresholds: readValueTierThresholds(env),
  };
}

/** Settings read when first needed, so a bad value fails the run that needs it, with its message. */
export function settingsFromEnvironment(
  env: Readonly<Record<string, string | undefined>>,
): () => InterestsSettings {
  let settings: InterestsSettings | undefined;
  return () => (settings ??= readInterestsSettings(env));
}

/** How the handlers behave, beyond the settings: everything a test or the wiring may replace. */
export interface InterestsOptions {
  /** Resolved when first needed, so a bad value fails the run that needs it, with its message. */
  readonly settings?: () => InterestsSettings;
  /** Interval of the segment re-check; `settings().recheckEveryMs` unless given. */
  readonly recheckEveryMs?: number;
  /** Concepts and rules per organisation; the host-wide cache unless given. */
  readonly cache?: CatalogCache;
  /** Attempts at scoring one event when its profiles keep changing (412); default 20. */
  readonly maxAttempts?: number;
  /** Waits between attempts; real timers unless a test passes its own. */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Spreads the waits of events that collided; randomness is passed in. */
  readonly random?: () => number;
}

export interface ResolvedOptions {
  readonly settings: () => InterestsSettings;
  readonly recheckEveryMs?: number;
  readonly cache: CatalogCache;
  readonly maxAttempts: number;
  readonly sleep: (ms: number) => Promise<void>;
  readonly random: () => number;
}

export const DEFAULT_MAX_ATTEMPTS = 20;

export function resolveOptions(options: InterestsOptions = {}): ResolvedOptions {
  return {
    settings: options.settings ?? (() => DEFAULT_INTERESTS_SETTINGS),
    recheckEveryMs: options.recheckEveryMs,
    cache: options.cache ?? sharedCatalogCache,
    maxAttempts: options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
    sleep: options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
    random: options.random ?? Math.random,
  };
}

/** Exponential back-off with full jitter ("Exponential Backoff And Jitter", AWS Architecture Blog). */
export function backoffMs(attempt: number, random: () => number, baseMs = 20, capMs = 2_000): number {
  return Math.floor(random() * Math.min(capMs, baseMs * 2 ** attempt));
}

export { CatalogCache };
