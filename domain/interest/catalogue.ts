/**
 * The two rules that keep the concept catalogue usable, shared by the concept form (which explains
 * them before saving) and the catalogue guard on the server (which refuses API callers).
 */

/** Most active marketing concepts when the environment variable has no usable value. */
export const DEFAULT_MAX_ACTIVE_CONCEPTS = 30;

/** True when a contact who just entered the segment would leave it at once. */
export function thresholdsConflict(enter: number | null, exit: number | null): boolean {
  return enter !== null && exit !== null && exit > enter;
}

/** True when one more active concept would exceed `maxActive` (`activeOthers` excludes this one). */
export function activeLimitReached(activeOthers: number, maxActive: number): boolean {
  return activeOthers >= maxActive;
}

/** A whole number ≥ 1 from an environment variable's text, or null when it holds none. */
export function parseMaxActiveConcepts(text: string | null | undefined): number | null {
  if (text === null || text === undefined || !/^\s*\d+\s*$/.test(text)) return null;
  const value = Number(text);
  return Number.isSafeInteger(value) && value >= 1 ? value : null;
}
