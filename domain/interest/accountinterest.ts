/**
 * The account's interest per concept (`idr_accountinterest`), kept incrementally: the sum of its
 * contacts' profiles (rollup.ts's definition) changes only by what one contact's profile changed, so
 * scoring an event needs the account's rows, never its other contacts. Forward decay is linear, so
 * the sum of the contacts' accumulators, each re-based to one landmark, IS the account's accumulator;
 * a contact's change adds (after − before) at that landmark. Building the rows from scratch
 * (`rollupAccountInterests`) folds the same function over every profile, so `rescore` and the live
 * path compute the same thing by the same code.
 */
import { type DecayState, scaleByPowerOfTwo, scoreAt, validateHalfLife } from './decay';
import { type ConceptScore, primaryInterest } from './primary';
import type { ContactProfileSnapshot, RollupConcept } from './rollup';
import { DAY_MS, type EpochMs, requireFinite } from './time';

export interface AccountInterestState extends DecayState {
  readonly conceptId: string;
  /** Contacts of the account with a profile for the concept. */
  readonly contactCount: number;
  readonly lastInteractionOn: EpochMs | null;
}

/** What a contact's profile of one concept was and is; null: no profile (yet, or any more). */
export interface ContactProfileChange {
  readonly conceptId: string;
  readonly before: (DecayState & { readonly lastInteractionOn?: EpochMs | null }) | null;
  readonly after: (DecayState & { readonly lastInteractionOn?: EpochMs | null }) | null;
}

/**
 * Differences below this, in points of score, are rounding: the stored score keeps 4 decimals, and
 * the accumulators are stored to 10, so repeated add-and-subtract leaves traces far below it.
 */
export const ACCOUNT_SCORE_TOLERANCE = 1e-6;

function at(state: DecayState, landmark: EpochMs, halfLifeDays: number): number {
  return scaleByPowerOfTwo(state.accumulator, (state.landmark - landmark) / (halfLifeDays * DAY_MS));
}

/**
 * row' = row + (after − before), all at one landmark: the row's, moved forward to the latest landmark
 * involved (moving forward only shrinks |A|, so the sum stays within the bound its parts keep).
 * Null when there is no row and the contact brings nothing to one.
 */
export function applyContactChange(
  row: AccountInterestState | null,
  change: ContactProfileChange,
  halfLifeDays: number,
): AccountInterestState | null {
  validateHalfLife(halfLifeDays, change.conceptId);
  const { before, after } = change;
  if (row === null && after === null) return null;
  const landmarks = [row?.landmark, before?.landmark, after?.landmark].filter(
    (l): l is number => l !== undefined,
  );
  landmarks.forEach((l) => requireFinite('landmark', l));
  const landmark = Math.max(...landmarks);
  const accumulator =
    (row ? at(row, landmark, halfLifeDays) : 0) +
    (after ? at(after, landmark, halfLifeDays) : 0) -
    (before ? at(before, landmark, halfLifeDays) : 0);
  requireFinite('accumulator', accumulator);
  const contactCount = Math.max(0, (row?.contactCount ?? 0) + (after ? 1 : 0) - (before ? 1 : 0));
  const lasts = [row?.lastInteractionOn, after?.lastInteractionOn].filter(
    (l): l is number => typeof l === 'number',
  );
  return {
    conceptId: change.conceptId,
    // No contact left: exactly zero, not the rounding the subtractions leave.
    accumulator: contactCount === 0 ? 0 : accumulator,
    landmark,
    contactCount,
    // A maximum cannot be lowered by a contact leaving (erase): rescore rewrites it from the profiles.
    lastInteractionOn: contactCount === 0 || lasts.length === 0 ? null : Math.max(...lasts),
  };
}

/** The rows of one account from its contacts' profiles: the same fold as the incremental path. */
export function rollupAccountInterests(
  profiles: readonly ContactProfileSnapshot[],
  concepts: readonly RollupConcept[],
): AccountInterestState[] {
  const rows = new Map<string, AccountInterestState>();
  const known = new Map(concepts.map((c) => [c.id, c]));
  for (const profile of profiles) {
    const concept = known.get(profile.conceptId);
    if (!concept) continue;
    const next = applyContactChange(
      rows.get(concept.id) ?? null,
      {
        conceptId: concept.id,
        before: null,
        after: { ...profile.state, lastInteractionOn: profile.lastInteractionOn ?? null },
      },
      concept.halfLifeDays,
    );
    if (next) rows.set(concept.id, next);
  }
  return concepts.flatMap((c) => rows.get(c.id) ?? []);
}

/** The account's primary interest from its rows, every row scored at `now` (primary.ts's rule). */
export function accountPrimaryInterest(
  rows: readonly AccountInterestState[],
  concepts: readonly RollupConcept[],
  now: EpochMs,
): ConceptScore | null {
  const known = new Map(concepts.map((c) => [c.id, c]));
  return primaryInterest(
    rows.flatMap((row) => {
      const concept = known.get(row.conceptId);
      return concept
        ? [
            {
              conceptId: concept.id,
              conceptCode: concept.code,
              score: scoreAt(row, now, concept.halfLifeDays),
              lastInteractionOn: row.lastInteractionOn,
            },
          ]
        : [];
    }),
  );
}

/**
 * Whether two rows mean different things: the same scores can sit against different landmarks, so
 * the accumulators are compared at the later one, in points of score.
 */
export function accountInterestDiffers(
  a: AccountInterestState,
  b: AccountInterestState,
  halfLifeDays: number,
): boolean {
  const landmark = Math.max(a.landmark, b.landmark);
  const x = at(a, landmark, halfLifeDays);
  const y = at(b, landmark, halfLifeDays);
  return (
    Math.abs(x - y) > ACCOUNT_SCORE_TOLERANCE * Math.max(1, Math.abs(x), Math.abs(y)) ||
    a.contactCount !== b.contactCount ||
    (a.lastInteractionOn ?? null) !== (b.lastInteractionOn ?? null)
  );
}
