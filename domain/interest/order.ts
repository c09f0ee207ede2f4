/**
 * Shared tie rules for ranking, primary interest and roll-up. Scores that agree to 12 significant
 * digits are ties: float noise from different landmarks or summation order must not decide a rank,
 * while the tie-breakers the user can see (recency, id, code) should.
 */
export function comparableScore(score: number): number {
  return score === 0 ? 0 : Number(score.toPrecision(12));
}

/** Ordinal (code unit) order: the same on every machine and locale, unlike localeCompare. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Descending by time; a missing time counts as oldest. */
export function compareRecency(a: number | undefined | null, b: number | undefined | null): number {
  return (b ?? -Infinity) - (a ?? -Infinity) || 0;
}
