/**
 * Features and labels of the propensity model, computed "as of" a cutoff from the events before it,
 * so that training on a past cutoff sees exactly what scoring today sees.
 */
import { directScore } from '../interest/decay';
import { DAY_MS, type EpochMs } from '../interest/time';
import type { ContactHistory, HistoryEvent, Offer } from './types';

export const FEATURE_NAMES = [
  'interestSum',
  'interestMax',
  'interestMin',
  'otherInterest',
  'tierMostValuable',
  'tierMostGrowable',
  'tierBelowZero',
  'daysSinceLastInteraction',
  'interactions90d',
  'pastOrdersOfOffer',
  'daysSinceOrderOfOffer',
  'pastOrdersOfOthers',
  'acceptedPresentations',
  'declinedPresentations',
] as const;
export type FeatureName = (typeof FEATURE_NAMES)[number];

/** Half-life in days per concept id; a concept missing here is not scored. */
export type HalfLives = ReadonlyMap<string, number>;

/** Decayed interest per concept at `cutoff`, from the events strictly before it. */
export function interestAt(
  events: readonly HistoryEvent[],
  cutoff: EpochMs,
  halfLives: HalfLives,
): Map<string, number> {
  const byConcept = new Map<string, { occurredOn: number; points: number }[]>();
  for (const event of events) {
    if (event.occurredOn >= cutoff) continue;
    for (const delta of event.deltas) {
      let list = byConcept.get(delta.conceptId);
      if (!list) byConcept.set(delta.conceptId, (list = []));
      list.push({ occurredOn: event.occurredOn, points: delta.points });
    }
  }
  const scores = new Map<string, number>();
  for (const [conceptId, timed] of byConcept) {
    const halfLife = halfLives.get(conceptId);
    if (halfLife !== undefined) scores.set(conceptId, directScore(timed, cutoff, halfLife));
  }
  return scores;
}

/** log(1 + x) of the positive part: scores and counts are heavy-tailed, the model wants them tamed. */
const soft = (x: number): number => Math.log1p(Math.max(0, x));

/** The contact's interest in the offer's concepts at `cutoff`: the baseline ranks by its sum. */
export function offerInterest(interest: ReadonlyMap<string, number>, offer: Offer): number {
  let sum = 0;
  for (const conceptId of offer.conceptIds) sum += Math.max(0, interest.get(conceptId) ?? 0);
  return sum;
}

export function featuresAt(
  history: ContactHistory,
  offer: Offer,
  cutoff: EpochMs,
  halfLives: HalfLives,
  interest: ReadonlyMap<string, number> = interestAt(history.events, cutoff, halfLives),
): number[] {
  const served = offer.conceptIds.map((id) => Math.max(0, interest.get(id) ?? 0));
  let other = 0;
  for (const [conceptId, score] of interest)
    if (!offer.conceptIds.includes(conceptId)) other += Math.max(0, score);
  let last = -Infinity;
  let recent = 0;
  let ordersOfOffer = 0;
  let lastOrderOfOffer = -Infinity;
  let ordersOfOthers = 0;
  let accepted = 0;
  let declined = 0;
  for (const event of history.events) {
    if (event.occurredOn >= cutoff) continue;
    last = Math.max(last, event.occurredOn);
    if (event.occurredOn >= cutoff - 90 * DAY_MS) recent++;
    if (event.orderedOffer) {
      if (event.orderedOffer === offer.id) {
        ordersOfOffer++;
        lastOrderOfOffer = Math.max(lastOrderOfOffer, event.occurredOn);
      } else ordersOfOthers++;
    }
    if (event.presented?.offerId === offer.id) {
      if (event.presented.outcome === 'accepted') accepted++;
      if (event.presented.outcome === 'declined') declined++;
    }
  }
  // no interaction at all reads as a year of silence, the longest the demo history spans
  const daysSince = (time: number): number =>
    time === -Infinity ? 365 : Math.min(365, (cutoff - time) / DAY_MS);
  return [
    soft(served.reduce((a, b) => a + b, 0)),
    soft(Math.max(0, ...served)),
    soft(served.length > 0 ? Math.min(...served) : 0),
    soft(other),
    history.tier === 'mostValuable' ? 1 : 0,
    history.tier === 'mostGrowable' ? 1 : 0,
    history.tier === 'belowZero' ? 1 : 0,
    soft(daysSince(last)),
    soft(recent),
    soft(ordersOfOffer),
    soft(daysSince(lastOrderOfOffer)),
    soft(ordersOfOthers),
    soft(accepted),
    soft(declined),
  ];
}

/** 1 when the contact ordered the offer in (cutoff, cutoff + labelDays], else 0. */
export function labelAfter(history: ContactHistory, offer: Offer, cutoff: EpochMs): 0 | 1 {
  const end = cutoff + offer.labelDays * DAY_MS;
  return history.events.some(
    (e) => e.orderedOffer === offer.id && e.occurredOn >= cutoff && e.occurredOn < end,
  )
    ? 1
    : 0;
}
