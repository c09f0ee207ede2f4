/**
 * An account's interest is the sum of its contacts' scores per concept. A sum, not a mean or a
 * maximum: three engaged buyers at one company are a stronger signal than one, and a mean would
 * let a one-person account with one keen contact outrank a large account where many are engaged.
 * Negative scores (complaints) count too, so the account total is net interest. The account's
 * primary interest follows the same rule as a contact's (primary.ts).
 */
import { type DecayState, scoreAt } from './decay';
import { type ConceptScore, primaryInterest } from './primary';
import { type EpochMs } from './time';

export interface ContactProfileSnapshot {
  readonly contactId: string;
  readonly conceptId: string;
  readonly state: DecayState;
  readonly lastInteractionOn?: EpochMs | null;
}

export interface RollupConcept {
  readonly id: string;
  readonly code: string;
  readonly halfLifeDays: number;
}

export interface AccountConceptScore extends ConceptScore {
  /** Contacts of the account with a profile for this concept. */
  readonly contactCount: number;
}

export interface AccountRollup {
  /** One entry per concept that any contact has a profile for, in `concepts` order. */
  readonly scores: readonly AccountConceptScore[];
  readonly primaryInterest: AccountConceptScore | null;
}

/** Scores every profile at the same time `at`; profiles of concepts not in `concepts` are ignored. */
export function rollupAccount(
  profiles: readonly ContactProfileSnapshot[],
  concepts: readonly RollupConcept[],
  at: EpochMs,
): AccountRollup {
  const totals = new Map<string, { score: number; last: number | null; contacts: Set<string> }>();
  const known = new Map(concepts.map((c) => [c.id, c]));
  for (const profile of profiles) {
    const concept = known.get(profile.conceptId);
    if (concept === undefined) continue;
    const total = totals.get(concept.id) ?? { score: 0, last: null, contacts: new Set<string>() };
    total.score += scoreAt(profile.state, at, concept.halfLifeDays);
    const last = profile.lastInteractionOn ?? null;
    if (last !== null && (total.last === null || last > total.last)) total.last = last;
    total.contacts.add(profile.contactId);
    totals.set(concept.id, total);
  }
  const scores: AccountConceptScore[] = [];
  for (const concept of concepts) {
    const total = totals.get(concept.id);
    if (total === undefined) continue;
    scores.push({
      conceptId: concept.id,
      conceptCode: concept.code,
      score: total.score,
      lastInteractionOn: total.last,
      contactCount: total.contacts.size,
    });
  }
  return { scores, primaryInterest: primaryInterest(scores) };
}
