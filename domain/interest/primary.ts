/**
 * A contact's (or account's) primary interest: the concept with the highest current score.
 * Ties go to the concept with the most recent interaction, then to the lower concept code
 * (ordinal), so the same scores always give the same answer. No primary interest when no score is
 * above zero: a contact who only complained about everything is not "interested" in anything.
 */
import { comparableScore, compareRecency, compareText } from './order';
import { type EpochMs, requireFinite } from './time';

export interface ConceptScore {
  readonly conceptId: string;
  readonly conceptCode: string;
  /** Score at the common evaluation time. */
  readonly score: number;
  readonly lastInteractionOn?: EpochMs | null;
}

export function compareInterest(a: ConceptScore, b: ConceptScore): number {
  return (
    comparableScore(b.score) - comparableScore(a.score) ||
    compareRecency(a.lastInteractionOn, b.lastInteractionOn) ||
    compareText(a.conceptCode, b.conceptCode) ||
    compareText(a.conceptId, b.conceptId)
  );
}

export function primaryInterest<T extends ConceptScore>(scores: readonly T[]): T | null {
  let best: T | null = null;
  for (const candidate of scores) {
    requireFinite(`score of concept ${candidate.conceptCode}`, candidate.score);
    if (!(candidate.score > 0)) continue;
    if (best === null || compareInterest(candidate, best) < 0) best = candidate;
  }
  return best;
}
