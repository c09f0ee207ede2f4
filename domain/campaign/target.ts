/**
 * A campaign target built from interests, without FetchXML: concepts with a minimum score today,
 * value tiers, primary interest, segment membership, last interaction within N days and "not
 * contacted in the last N days". Pure: names are resolved against the catalogue the adapter reads,
 * and the exact "score today" test decays the stored accumulator (FetchXML has no arithmetic, so the
 * adapter's query pre-filters on the stored score, which decay only lowers).
 */
import { scoreAt } from '../interest/decay';
import type { ValueTier } from '../interest/valuetier';
import { InvalidTargetError } from './errors';

export interface ConceptMinimum {
  readonly conceptId: string;
  readonly minScore: number;
  /** The concept's half-life: a minimum "today" is a rank key threshold that moves with it. */
  readonly halfLifeDays: number;
}

/**
 * "Propensity for the offer at least": what a dynamic list keeps of "the N most likely", a threshold
 * (the N-th one's propensity when it was set) rather than a row limit, since Dataverse pages list queries.
 */
export interface OfferMinimum {
  readonly offerId: string;
  readonly minPropensity: number;
}

/** A propensity as a model writes it: a probability, from 0 to 1. */
export function isPropensity(value: number): boolean {
  return Number.isFinite(value) && value >= 0 && value <= 1;
}

/** Every condition must hold (and); each list means "any of". Empty lists and undefined mean no condition. */
export interface TargetQuery {
  readonly concepts: readonly ConceptMinimum[];
  readonly tiers: readonly ValueTier[];
  readonly primaryInterestIds: readonly string[];
  readonly segmentConceptIds: readonly string[];
  readonly lastInteractionWithinDays?: number;
  readonly notContactedDays?: number;
  readonly offer?: OfferMinimum;
}

/** What a marketer types: concept codes or names, tier names, day counts. */
export interface TargetInput {
  readonly concepts?: readonly { readonly concept: string; readonly minScore: number }[];
  readonly tiers?: readonly string[];
  readonly primaryInterests?: readonly string[];
  readonly segments?: readonly string[];
  readonly lastInteractionWithinDays?: number;
  readonly notContactedDays?: number;
}

export interface CatalogueConcept {
  readonly id: string;
  readonly code: string | null;
  readonly name: string;
  readonly halfLifeDays: number;
}

/** The names a tier answers to: its code, its English and its Spanish label (case and accents ignored). */
export const TIER_NAMES: Readonly<Record<ValueTier, readonly string[]>> = {
  mostValuable: ['most-valuable', 'Most valuable', 'Más valiosos'],
  mostGrowable: ['most-growable', 'Most growable', 'Mayor potencial de crecimiento'],
  maintain: ['maintain', 'Maintain', 'Mantener'],
  belowZero: ['below-zero', 'Below zero', 'Bajo cero'],
};

function fold(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[\s_]+/g, '-');
}

export function parseTier(name: string): ValueTier {
  const wanted = fold(name);
  for (const [tier, names] of Object.entries(TIER_NAMES) as [ValueTier, readonly string[]][])
    if (names.some((n) => fold(n) === wanted)) return tier;
  const all = Object.values(TIER_NAMES).map((n) => n[0]);
  throw new InvalidTargetError(
    'value tier',
    name,
    `one of ${all.join(', ')} (or their labels)`,
    `Objetivo: el nivel de valor ${JSON.stringify(name)} no existe; use uno de ${all.join(', ')} (o sus etiquetas).`,
  );
}

function findConcept(catalogue: readonly CatalogueConcept[], text: string): CatalogueConcept {
  const wanted = fold(text);
  const found =
    catalogue.find((c) => c.code !== null && fold(c.code) === wanted) ??
    catalogue.find((c) => fold(c.name) === wanted) ??
    catalogue.find((c) => c.id === text.toLowerCase());
  if (found) return found;
  const known = catalogue.map((c) => c.code ?? c.name).sort();
  const list = known.length ? known.join(', ') : '(no active concept)';
  throw new InvalidTargetError(
    'marketing concept',
    text,
    `an active concept's code or name: ${list}`,
    `Objetivo: el concepto de marketing ${JSON.stringify(text)} no existe o no está activo; use el código o el nombre de uno activo: ${list}.`,
  );
}

/** A day count a target's "within N days" conditions take: a whole number from 1 to 3650. */
export function isTargetDays(value: number): boolean {
  return Number.isInteger(value) && value >= 1 && value <= 3650;
}

function checkDays(field: string, campo: string, value: number | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!isTargetDays(value))
    throw new InvalidTargetError(
      field,
      value,
      'a whole number of days from 1 to 3650',
      `Objetivo: ${campo} ${JSON.stringify(value)} no es válido; use un número entero de días de 1 a 3650.`,
    );
  return value;
}

/** Resolves names against the active catalogue; throws InvalidTargetError (en + es) for the first bad input. */
export function resolveTarget(input: TargetInput, catalogue: readonly CatalogueConcept[]): TargetQuery {
  const concepts = (input.concepts ?? []).map(({ concept, minScore }) => {
    if (!Number.isFinite(minScore) || minScore <= 0)
      throw new InvalidTargetError(
        'minimum score',
        minScore,
        'a number above 0',
        `Objetivo: la puntuación mínima ${JSON.stringify(minScore)} no es válida; use un número mayor que 0.`,
      );
    const found = findConcept(catalogue, concept);
    return { conceptId: found.id, minScore, halfLifeDays: found.halfLifeDays };
  });
  return {
    concepts,
    tiers: [...new Set((input.tiers ?? []).map(parseTier))],
    primaryInterestIds: (input.primaryInterests ?? []).map((c) => findConcept(catalogue, c).id),
    segmentConceptIds: (input.segments ?? []).map((c) => findConcept(catalogue, c).id),
    lastInteractionWithinDays: checkDays(
      'last interaction within (days)',
      'la última interacción en (días)',
      input.lastInteractionWithinDays,
    ),
    notContactedDays: checkDays('not contacted in (days)', 'sin contactar en (días)', input.notContactedDays),
  };
}

/** A profile as stored: the forward-decay accumulator against its landmark. */
export interface StoredScore {
  readonly contactId: string;
  readonly conceptId: string;
  readonly accumulator: number;
  readonly landmark: number;
}

/**
 * The contacts among `candidates` whose score TODAY (decayed to `now`) reaches each concept's
 * minimum; the query's other conditions are the adapter's FetchXML.
 */
export function meetsScoresToday(
  query: TargetQuery,
  candidates: readonly string[],
  scores: readonly StoredScore[],
  catalogue: readonly CatalogueConcept[],
  now: number,
): string[] {
  if (query.concepts.length === 0) return [...candidates];
  const halfLife = new Map(catalogue.map((c) => [c.id, c.halfLifeDays]));
  const today = new Map<string, number>();
  for (const s of scores) {
    const t = halfLife.get(s.conceptId);
    if (t === undefined) continue;
    today.set(`${s.contactId}|${s.conceptId}`, scoreAt(s, now, t));
  }
  return candidates.filter((id) =>
    query.concepts.every((c) => (today.get(`${id}|${c.conceptId}`) ?? 0) >= c.minScore),
  );
}

export interface PropensityRanking {
  /** The kept contacts, most likely first. */
  readonly contactIds: readonly string[];
  /** Candidates with a score for the offer. */
  readonly scored: number;
  /** Highest and lowest propensity among the kept scored contacts. */
  readonly highest?: number;
  readonly lowest?: number;
  /** Candidates left out before the cut: no campaign may contact them (an exclusion list). */
  readonly leftOut: number;
}

/**
 * Orders the target from most to least likely to take the offer and keeps the first `top`. Equal
 * propensities go by contact id, so a rerun keeps the same people; contacts the model has not scored
 * come after every scored one (their likelihood is unknown, not zero). Members of an exclusion list are
 * left out first: no campaign contacts them, whatever the channel.
 */
export function rankByPropensity(
  candidates: readonly string[],
  propensities: ReadonlyMap<string, number>,
  top?: number,
  neverContacted: ReadonlySet<string> = new Set(),
): PropensityRanking {
  const byId = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  const all = [...new Set(candidates)];
  // Kept among the "N most likely", they would fall at distribution and leave fewer than N reached.
  const unique = all.filter((id) => !neverContacted.has(id));
  const scored = unique.filter((id) => propensities.has(id));
  scored.sort((a, b) => (propensities.get(b) ?? 0) - (propensities.get(a) ?? 0) || byId(a, b));
  const unscored = unique.filter((id) => !propensities.has(id)).sort(byId);
  const kept = [...scored, ...unscored].slice(0, top ?? unique.length);
  const values = kept.flatMap((id) => {
    const p = propensities.get(id);
    return p === undefined ? [] : [p];
  });
  return {
    contactIds: kept,
    scored: scored.length,
    highest: values.length ? values[0] : undefined,
    lowest: values.length ? values[values.length - 1] : undefined,
    leftOut: all.length - unique.length,
  };
}
