/**
 * The impact ranking: who cares most about a concept at a given time. Only contacts with a positive
 * score are ranked (a negative score is aversion, not impact). Ties are broken by the higher
 * score, then the more recent last interaction, then the contact id ascending (ordinal), so ranks
 * are unique and the same data always gives the same list.
 */
import { type DecayState, scoreAt } from './decay';
import { InvalidScoringInputError } from './errors';
import { comparableScore, compareRecency, compareText } from './order';
import { type EpochMs } from './time';

export interface RankingCandidate {
  readonly contactId: string;
  readonly state: DecayState;
  readonly lastInteractionOn?: EpochMs | null;
}

export interface ConceptRankingCandidate extends RankingCandidate {
  readonly conceptId: string;
}

export interface RankedContact {
  /** 1 = top. */
  readonly rank: number;
  readonly contactId: string;
  readonly score: number;
  readonly lastInteractionOn?: EpochMs | null;
}

export interface RankChange extends RankedContact {
  /** Rank in the earlier snapshot; null when the contact was not in it. */
  readonly previousRank: number | null;
  readonly isNew: boolean;
  /** previousRank − rank: positive moved up, negative moved down, 0 for unchanged or new. */
  readonly movement: number;
}

export interface RankingComparison {
  readonly entries: readonly RankChange[];
  /** In the earlier snapshot but no longer in this one. */
  readonly dropped: readonly RankedContact[];
}

function checkLimit(limit: number): void {
  if (!Number.isInteger(limit) || limit < 0) throw new InvalidScoringInputError('limit', limit);
}

/** Top `limit` contacts of one concept by their score at `at`. States may use different landmarks. */
export function rankContacts(
  candidates: readonly RankingCandidate[],
  halfLifeDays: number,
  at: EpochMs,
  limit: number,
): RankedContact[] {
  checkLimit(limit);
  const scored = candidates
    .map((candidate) => {
      const score = scoreAt(candidate.state, at, halfLifeDays);
      return { candidate, score, key: comparableScore(score) };
    })
    .filter((entry) => entry.score > 0);
  scored.sort(
    (a, b) =>
      b.key - a.key ||
      compareRecency(a.candidate.lastInteractionOn, b.candidate.lastInteractionOn) ||
      compareText(a.candidate.contactId, b.candidate.contactId),
  );
  return scored.slice(0, limit).map(({ candidate, score }, index) => ({
    rank: index + 1,
    contactId: candidate.contactId,
    score,
    lastInteractionOn: candidate.lastInteractionOn ?? null,
  }));
}

/** Top `limit` contacts of every concept in `concepts`; candidates of other concepts are ignored. */
export function rankByConcept(
  candidates: readonly ConceptRankingCandidate[],
  concepts: readonly { readonly id: string; readonly halfLifeDays: number }[],
  at: EpochMs,
  limit: number,
): Map<string, RankedContact[]> {
  const byConcept = new Map<string, ConceptRankingCandidate[]>(concepts.map((c) => [c.id, []]));
  for (const candidate of candidates) byConcept.get(candidate.conceptId)?.push(candidate);
  return new Map(
    concepts.map((c) => [c.id, rankContacts(byConcept.get(c.id) ?? [], c.halfLifeDays, at, limit)]),
  );
}

/** How each entry moved since an earlier snapshot of the same concept's ranking. */
export function compareRankings(
  current: readonly RankedContact[],
  previous: readonly RankedContact[],
): RankingComparison {
  const before = new Map(previous.map((entry) => [entry.contactId, entry]));
  const now = new Set(current.map((entry) => entry.contactId));
  const entries = current.map((entry): RankChange => {
    const earlier = before.get(entry.contactId);
    return earlier === undefined
      ? { ...entry, previousRank: null, isNew: true, movement: 0 }
      : { ...entry, previousRank: earlier.rank, isNew: false, movement: earlier.rank - entry.rank };
  });
  return { entries, dropped: previous.filter((entry) => !now.has(entry.contactId)) };
}
