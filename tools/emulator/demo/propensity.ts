/**
 * A purchase history with a known ground truth, for the propensity model's acceptance test, its
 * benchmark and the demo: simulated customers with hidden affinities per concept interact with those
 * concepts (what the interest engine sees, noisily) and buy each offer with a daily probability that
 * depends on their affinity for *all* the concepts the offer serves and on their value tier (what a
 * single interest score cannot see). A model that learns from the history should therefore order the
 * later period better than interest alone; if it does not, the model is broken.
 */
import { DAY_MS, type EpochMs, type ValueTier } from '../../../domain/interest';
import type { ContactHistory, HistoryEvent, Offer, OfferOutcome } from '../../../domain/offer';
import { Draw, seededRandom } from './random';

export interface SyntheticOffer {
  readonly code: string;
  readonly name: string;
  readonly value: number;
  /** Indexes into the concept list. */
  readonly concepts: readonly number[];
}

export const SYNTHETIC_OFFERS: readonly SyntheticOffer[] = [
  { code: 'CLOUD-MIGRATION', name: 'Cloud migration assessment', value: 1200, concepts: [0, 1] },
  { code: 'SECURITY-AUDIT', name: 'Security audit', value: 800, concepts: [2, 3] },
  { code: 'TRAINING-DAY', name: 'Training day', value: 300, concepts: [4] },
];

export interface SyntheticHistoryOptions {
  readonly seed: number;
  readonly contacts: number;
  readonly now: EpochMs;
  readonly days?: number;
  readonly concepts?: number;
  readonly halfLifeDays?: number;
  readonly labelDays?: number;
}

export interface SyntheticHistory {
  readonly conceptIds: readonly string[];
  readonly halfLives: ReadonlyMap<string, number>;
  readonly offers: readonly Offer[];
  readonly histories: readonly ContactHistory[];
  /** The hidden affinity of each contact per concept (the ground truth, for inspection). */
  readonly affinities: readonly (readonly number[])[];
}

const TIER_EFFECT: Readonly<Record<ValueTier, number>> = {
  mostValuable: 1,
  mostGrowable: 0.6,
  maintain: 0,
  belowZero: -1.5,
};

export function syntheticOfferHistory(options: SyntheticHistoryOptions): SyntheticHistory {
  const draw = new Draw(seededRandom(options.seed));
  const days = options.days ?? 365;
  const conceptCount = options.concepts ?? 6;
  const conceptIds = Array.from({ length: conceptCount }, (_, k) => `concept-${k}`);
  const halfLives = new Map(conceptIds.map((id) => [id, options.halfLifeDays ?? 30]));
  const offers: Offer[] = SYNTHETIC_OFFERS.map((spec) => ({
    id: `offer-${spec.code}`,
    code: spec.code,
    name: spec.name,
    value: spec.value,
    priority: 0,
    validFrom: null,
    validTo: null,
    labelDays: options.labelDays ?? 30,
    conceptIds: spec.concepts.map((k) => conceptIds[k % conceptCount] ?? 'concept-0'),
    eligibleTiers: new Set<ValueTier>(['mostValuable', 'mostGrowable', 'maintain']),
    argumentsEn: `${spec.name}: what it brings.`,
    argumentsEs: `${spec.name}: lo que aporta.`,
  }));
  const start = options.now - days * DAY_MS;
  const histories: ContactHistory[] = [];
  const affinities: number[][] = [];
  for (let c = 0; c < options.contacts; c++) {
    const tier = draw.weighted<ValueTier>([
      ['mostValuable', 10],
      ['mostGrowable', 25],
      ['maintain', 55],
      ['belowZero', 10],
    ]);
    const affinity = conceptIds.map(() => (draw.chance(0.4) ? 0.2 + 0.8 * draw.next() : 0.03));
    const activity = 0.5 + draw.next();
    const events: HistoryEvent[] = [];
    const lastBought = new Map<string, number>();
    for (let d = 0; d < days; d++) {
      const day = start + d * DAY_MS;
      affinity.forEach((a, k) => {
        if (draw.chance(0.08 * a * activity))
          events.push({
            occurredOn: day + draw.int(8, 20) * 3_600_000,
            deltas: [{ conceptId: conceptIds[k] ?? 'concept-0', points: 5 + Math.round(10 * draw.next()) }],
          });
      });
      offers.forEach((offer, o) => {
        const served = (SYNTHETIC_OFFERS[o]?.concepts ?? []).map((k) => affinity[k % conceptCount] ?? 0);
        const need = Math.min(...served);
        const mean = served.reduce((s, a) => s + a, 0) / served.length;
        const recently = (lastBought.get(offer.id) ?? -Infinity) > day - 90 * DAY_MS;
        const hazard = 0.0009 * Math.exp(1.5 * mean + 2.5 * need + TIER_EFFECT[tier]) * (recently ? 0.1 : 1);
        const at = day + draw.int(9, 19) * 3_600_000;
        if (draw.chance(0.004)) {
          const accepted = draw.chance(Math.min(0.9, 20 * hazard));
          const outcome: OfferOutcome = accepted ? 'accepted' : draw.chance(0.6) ? 'declined' : 'later';
          events.push({ occurredOn: at, deltas: [], presented: { offerId: offer.id, outcome } });
          if (accepted) {
            events.push({ occurredOn: at + 60_000, deltas: [], orderedOffer: offer.id });
            lastBought.set(offer.id, day);
          }
        } else if (draw.chance(hazard)) {
          events.push({ occurredOn: at, deltas: [], orderedOffer: offer.id });
          lastBought.set(offer.id, day);
        }
      });
    }
    events.sort((a, b) => a.occurredOn - b.occurredOn);
    histories.push({ contactId: `contact-${c}`, tier, events });
    affinities.push(affinity);
  }
  return { conceptIds, halfLives, offers, histories, affinities };
}
