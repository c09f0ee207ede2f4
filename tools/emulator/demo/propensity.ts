/**
 * A purchase history with a known ground truth, for the propensity model's acceptance test, its
 * benchmark and the demo: simulated customers with hidden affinities per concept interact with those
 * concepts (what the interest engine sees, noisily) and buy each offer with a daily probability that
 * depends on their affinity for *all* the concepts the offer serves and on their value tier (what a
 * single interest score cannot see). A model that learns from the history should therefore order the
 * later period better than interest alone; if it does not, the model is broken.
 */
import type { BatchOperation, EntityRecord } from '../../../dataverse/client';
import {
  contact,
  EventType,
  idr_interaction,
  idr_marketingconcept,
  idr_offer,
  idr_offerconcept,
  OfferOutcome as OfferOutcomeChoice,
  ProcessingStatus,
  ValueTier,
} from '../../../dataverse/generated';
import { DAY_MS, type EpochMs, type ValueTier as Tier } from '../../../domain/interest';
import type { ContactHistory, HistoryEvent, Offer, OfferOutcome } from '../../../domain/offer';
import { Draw, seededRandom } from '../../../domain/random';

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

const ID_PREFIX = { concept: '0c', offer: '0f', contact: '0b' } as const;

/** Readable, valid GUIDs, so the history can be written to an environment as it is. */
export function syntheticId(kind: keyof typeof ID_PREFIX, n: number): string {
  return `${ID_PREFIX[kind]}000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
}

const TIER_EFFECT: Readonly<Record<Tier, number>> = {
  mostValuable: 1,
  mostGrowable: 0.6,
  maintain: 0,
  belowZero: -1.5,
};

export function syntheticOfferHistory(options: SyntheticHistoryOptions): SyntheticHistory {
  const draw = new Draw(seededRandom(options.seed));
  const days = options.days ?? 365;
  const conceptCount = options.concepts ?? 6;
  const conceptIds = Array.from({ length: conceptCount }, (_, k) => syntheticId('concept', k));
  const halfLives = new Map(conceptIds.map((id) => [id, options.halfLifeDays ?? 30]));
  const offers: Offer[] = SYNTHETIC_OFFERS.map((spec) => ({
    id: syntheticId('offer', SYNTHETIC_OFFERS.indexOf(spec)),
    code: spec.code,
    name: spec.name,
    value: spec.value,
    priority: 0,
    validFrom: null,
    validTo: null,
    labelDays: options.labelDays ?? 30,
    conceptIds: spec.concepts.map((k) => conceptIds[k % conceptCount] ?? syntheticId('concept', 0)),
    eligibleTiers: new Set<Tier>(['mostValuable', 'mostGrowable', 'maintain']),
    argumentsEn: `${spec.name}: what it brings.`,
    argumentsEs: `${spec.name}: lo que aporta.`,
  }));
  const start = options.now - days * DAY_MS;
  const histories: ContactHistory[] = [];
  const affinities: number[][] = [];
  for (let c = 0; c < options.contacts; c++) {
    const tier = draw.weighted<Tier>([
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
            deltas: [
              {
                conceptId: conceptIds[k] ?? syntheticId('concept', 0),
                points: 5 + Math.round(10 * draw.next()),
              },
            ],
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
    histories.push({ contactId: syntheticId('contact', c), tier, events });
    affinities.push(affinity);
  }
  return { conceptIds, halfLives, offers, histories, affinities };
}

const bind = (column: string, entitySet: string, id: string): Record<string, string> => ({
  [`${column}@odata.bind`]: `/${entitySet}(${id})`,
});
const TIER_CHOICE: Readonly<Record<Tier, number>> = {
  mostValuable: ValueTier.MostValuable,
  mostGrowable: ValueTier.MostGrowable,
  maintain: ValueTier.Maintain,
  belowZero: ValueTier.BelowZero,
};
const OUTCOME_CHOICE: Readonly<Record<OfferOutcome, number>> = {
  accepted: OfferOutcomeChoice.Accepted,
  declined: OfferOutcomeChoice.Declined,
  later: OfferOutcomeChoice.Later,
};

/**
 * The history as Web API creates, in dependency order (concepts, offers and their concepts, contacts,
 * interactions already Scored with their explanation), for an emulator or a test environment.
 */
export function syntheticOperations(history: SyntheticHistory): BatchOperation[] {
  const MC = idr_marketingconcept.columns;
  const OC = idr_offer.columns;
  const IC = idr_interaction.columns;
  const ops: BatchOperation[] = [];
  const create = (entitySet: string, record: EntityRecord): void => {
    ops.push({ kind: 'create', entitySet, record });
  };
  history.conceptIds.forEach((id, k) =>
    create(idr_marketingconcept.entitySetName, {
      [MC.idr_marketingconceptid]: id,
      [MC.idr_name]: `Synthetic concept ${k}`,
      [MC.idr_code]: `SYN-${k}`,
      [MC.idr_halflifedays]: history.halfLives.get(id) ?? 30,
      [MC.idr_enterthreshold]: 20,
      [MC.idr_exitthreshold]: 10,
    }),
  );
  for (const offer of history.offers) {
    create(idr_offer.entitySetName, {
      [OC.idr_offerid]: offer.id,
      [OC.idr_name]: offer.name,
      [OC.idr_code]: offer.code,
      [OC.idr_value]: offer.value,
      [OC.idr_priority]: offer.priority,
      [OC.idr_labeldays]: offer.labelDays,
      [OC.idr_arguments]: offer.argumentsEn,
      [OC.idr_argumentses]: offer.argumentsEs,
    });
    for (const conceptId of offer.conceptIds)
      create(idr_offerconcept.entitySetName, {
        [idr_offerconcept.columns.idr_name]: `${offer.code} · ${conceptId}`,
        ...bind(idr_offerconcept.columns.idr_offer, idr_offer.entitySetName, offer.id),
        ...bind(idr_offerconcept.columns.idr_concept, idr_marketingconcept.entitySetName, conceptId),
      });
  }
  history.histories.forEach((h, c) =>
    create(contact.entitySetName, {
      [contact.columns.contactid]: h.contactId,
      [contact.columns.firstname]: 'Synthetic',
      [contact.columns.lastname]: `Customer ${c}`,
      ...(h.tier ? { [contact.columns.idr_valuetier]: TIER_CHOICE[h.tier] } : {}),
    }),
  );
  for (const h of history.histories) {
    h.events.forEach((event, i) => {
      const offerId = event.orderedOffer ?? event.presented?.offerId ?? null;
      const type = event.orderedOffer
        ? EventType.OrderConfirmed
        : event.presented
          ? EventType.OfferPresented
          : EventType.WebVisit;
      create(idr_interaction.entitySetName, {
        [IC.idr_name]: `Synthetic ${i}`,
        [IC.idr_source]: 'synthetic',
        [IC.idr_externalid]: `${h.contactId}-${i}`,
        [IC.idr_eventtype]: type,
        [IC.idr_occurredon]: new Date(event.occurredOn).toISOString(),
        [IC.idr_processingstatus]: ProcessingStatus.Scored,
        [IC.idr_applieddeltas]: JSON.stringify(
          event.deltas.map((d) => ({
            rule: d.conceptId,
            ruleName: 'Synthetic visit',
            concept: d.conceptId,
            conceptName: d.conceptId,
            points: d.points,
          })),
        ),
        ...bind(IC.idr_contact, contact.entitySetName, h.contactId),
        ...(offerId ? bind(IC.idr_offer, idr_offer.entitySetName, offerId) : {}),
        ...(event.presented?.outcome
          ? { [IC.idr_offeroutcome]: OUTCOME_CHOICE[event.presented.outcome] }
          : {}),
      });
    });
  }
  return ops;
}
