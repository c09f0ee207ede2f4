/**
 * Customer value tiers after one-to-one marketing (Peppers & Rogers): most valuable customers
 * (MVCs) have the highest actual value; most growable customers (MGCs) the highest unrealised
 * potential; below-zero customers cost more than they bring; everyone else is maintained.
 *
 * The rule, first match wins:
 *  1. actual value < belowZeroUnder                → belowZero   (they cost money, whatever their potential)
 *  2. actual value ≥ mostValuableFrom              → mostValuable
 *  3. net interest < belowZeroInterestUnder        → belowZero   (not an MVC, and complaints outweigh interest)
 *  4. potential ≥ mostGrowableFrom                 → mostGrowable
 *  5. otherwise                                    → maintain
 * Units are the caller's: actual value is usually revenue in the base currency; potential may be an
 * estimated value or the sum of positive interest scores (interestPotential); the defaults assume
 * the latter and are a starting point to tune per organisation.
 */
import { InvalidTierThresholdsError } from './errors';
import { requireFinite } from './time';

export type ValueTier = 'mostValuable' | 'mostGrowable' | 'maintain' | 'belowZero';

export interface ValueInputs {
  readonly actualValue: number;
  readonly potentialValue: number;
  /** Sum of signed interest scores; omit when unknown. */
  readonly netInterest?: number | null;
}

export interface ValueTierThresholds {
  readonly mostValuableFrom: number;
  readonly mostGrowableFrom: number;
  readonly belowZeroUnder: number;
  readonly belowZeroInterestUnder: number;
}

export const DEFAULT_VALUE_TIER_THRESHOLDS: ValueTierThresholds = {
  mostValuableFrom: 100_000,
  mostGrowableFrom: 100,
  belowZeroUnder: 0,
  belowZeroInterestUnder: 0,
};

export function resolveTierThresholds(overrides: Partial<ValueTierThresholds> = {}): ValueTierThresholds {
  const thresholds = { ...DEFAULT_VALUE_TIER_THRESHOLDS, ...overrides };
  for (const [field, value] of Object.entries(thresholds)) {
    if (!Number.isFinite(value)) throw new InvalidTierThresholdsError(field, value, 'a finite number');
  }
  if (thresholds.mostValuableFrom <= thresholds.belowZeroUnder) {
    throw new InvalidTierThresholdsError(
      'mostValuableFrom',
      thresholds.mostValuableFrom,
      `more than belowZeroUnder (${thresholds.belowZeroUnder})`,
    );
  }
  return thresholds;
}

export function valueTier(inputs: ValueInputs, overrides: Partial<ValueTierThresholds> = {}): ValueTier {
  const t = resolveTierThresholds(overrides);
  const actual = requireFinite('actualValue', inputs.actualValue);
  const potential = requireFinite('potentialValue', inputs.potentialValue);
  const net = inputs.netInterest ?? null;
  if (net !== null) requireFinite('netInterest', net);
  if (actual < t.belowZeroUnder) return 'belowZero';
  if (actual >= t.mostValuableFrom) return 'mostValuable';
  if (net !== null && net < t.belowZeroInterestUnder) return 'belowZero';
  if (potential >= t.mostGrowableFrom) return 'mostGrowable';
  return 'maintain';
}

/** Sum of the positive scores: interest that could still turn into business. */
export function interestPotential(scores: readonly number[]): number {
  return scores.reduce((sum, score) => (score > 0 ? sum + score : sum), 0);
}

export function netInterest(scores: readonly number[]): number {
  return scores.reduce((sum, score) => sum + score, 0);
}
