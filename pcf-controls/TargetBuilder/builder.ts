/**
 * The Target Builder's pure mapping: what the marketer has typed (BuilderState, text as typed) ⇄ the
 * domain's TargetQuery ⇄ the list's FetchXML, through dataverse/queries/target.ts, the same text
 * `ideario target` writes and the hourly job moves on.
 */
import { isPropensity, isTargetDays, type TargetQuery } from '../../domain/campaign/target';
import { DEFAULT_HALF_LIFE_DAYS } from '../../domain/interest/decay';
import type { ValueTier } from '../../domain/interest/valuetier';
import * as concept from '../../dataverse/generated/names/idr_marketingconcept';
import * as offer from '../../dataverse/generated/names/idr_offer';
import {
  MOST_LIKELY_LIMIT,
  nthPropensityFetchXml,
  parseTargetFetchXml,
  targetCountFetchXml,
  targetFetchXml,
} from '../../dataverse/queries/target';
import { asGuid, asNumber } from '../shared/values';

/** Typing pauses this long before the count is asked for: one request per pause, not per key. */
export const COUNT_DELAY_MS = 400;

export const TIERS: readonly ValueTier[] = ['mostValuable', 'mostGrowable', 'maintain', 'belowZero'];

export interface ConceptOption {
  readonly id: string;
  readonly name: string;
  readonly halfLifeDays: number;
}

export interface ConceptRow {
  /** Empty until the marketer picks one. */
  readonly conceptId: string;
  readonly minScore: string;
}

/** The form as typed: numbers stay text so a half-typed "12," is not lost. */
export interface BuilderState {
  readonly concepts: readonly ConceptRow[];
  readonly tiers: readonly ValueTier[];
  readonly primaryInterestIds: readonly string[];
  readonly segmentConceptIds: readonly string[];
  readonly lastInteractionDays: string;
  readonly notContactedDays: string;
  /** "Most likely to buy": the offer (empty: no propensity condition)… */
  readonly offerId: string;
  /** …the N most likely to keep, typed in this session (a saved list keeps only the threshold)… */
  readonly keepMostLikely: string;
  /** …and the least propensity kept: the N-th one's when computed, or typed. */
  readonly minPropensity: string;
}

export const EMPTY_STATE: BuilderState = {
  concepts: [],
  tiers: [],
  primaryInterestIds: [],
  segmentConceptIds: [],
  lastInteractionDays: '',
  notContactedDays: '',
  offerId: '',
  keepMostLikely: '',
  minPropensity: '',
};

export interface OfferOption {
  readonly id: string;
  readonly name: string;
}

/** Active offers by name: the picker's choices. */
export const OFFERS_QUERY =
  `?$select=${offer.idr_offerid},${offer.idr_name}` +
  `&$filter=${offer.statecode} eq ${offer.choices.statecode.Active}&$orderby=${offer.idr_name} asc`;

export function toOffers(entities: readonly Record<string, unknown>[]): OfferOption[] {
  return entities.flatMap((entity) => {
    const id = asGuid(entity[offer.idr_offerid]);
    const name = entity[offer.idr_name];
    return id === null ? [] : [{ id, name: typeof name === 'string' ? name : '' }];
  });
}

/** Active concepts by name, with the half-life a minimum "today" needs. */
export const CONCEPTS_QUERY =
  `?$select=${concept.idr_marketingconceptid},${concept.idr_name},${concept.idr_halflifedays}` +
  `&$filter=${concept.statecode} eq ${concept.choices.statecode.Active}&$orderby=${concept.idr_name} asc`;

export function toConcepts(entities: readonly Record<string, unknown>[]): ConceptOption[] {
  return entities.flatMap((entity) => {
    const id = asGuid(entity[concept.idr_marketingconceptid]);
    if (id === null) return [];
    const name = entity[concept.idr_name];
    const halfLife = asNumber(entity[concept.idr_halflifedays]);
    return [
      { id, name: typeof name === 'string' ? name : '', halfLifeDays: halfLife ?? DEFAULT_HALF_LIFE_DAYS },
    ];
  });
}

/** What stops the state from being a query; `row` is 1-based, as the labels number them. */
export type Problem =
  | { readonly kind: 'concept'; readonly row: number }
  | { readonly kind: 'minScore'; readonly row: number }
  | { readonly kind: 'days'; readonly field: 'lastInteraction' | 'notContacted' }
  | { readonly kind: 'keepMostLikely' }
  | { readonly kind: 'minPropensity' };

export type Mapped =
  | { readonly ok: true; readonly query: TargetQuery }
  | { readonly ok: false; readonly problems: readonly Problem[] };

/** A number as typed in English or Spanish ("12.5", "12,5"); null when it is not one. */
export function typedNumber(text: string): number | null {
  const trimmed = text.trim().replace(',', '.');
  if (!/^\d+(\.\d+)?$/.test(trimmed)) return null;
  return Number(trimmed);
}

function days(text: string): number | undefined | null {
  if (text.trim() === '') return undefined;
  const value = typedNumber(text);
  return value !== null && isTargetDays(value) ? value : null;
}

/** The state as a TargetQuery, with the limits resolveTarget keeps for the CLI, or what is wrong. */
export function toQuery(state: BuilderState, concepts: readonly ConceptOption[]): Mapped {
  const halfLife = new Map(concepts.map((c) => [c.id, c.halfLifeDays]));
  const problems: Problem[] = [];
  const minimums: TargetQuery['concepts'][number][] = [];
  state.concepts.forEach((row, index) => {
    const halfLifeDays = halfLife.get(row.conceptId);
    if (halfLifeDays === undefined) problems.push({ kind: 'concept', row: index + 1 });
    const minScore = typedNumber(row.minScore);
    if (minScore === null || minScore <= 0) problems.push({ kind: 'minScore', row: index + 1 });
    if (halfLifeDays !== undefined && minScore !== null && minScore > 0)
      minimums.push({ conceptId: row.conceptId, minScore, halfLifeDays });
  });
  const lastInteractionWithinDays = days(state.lastInteractionDays);
  if (lastInteractionWithinDays === null) problems.push({ kind: 'days', field: 'lastInteraction' });
  const notContactedDays = days(state.notContactedDays);
  if (notContactedDays === null) problems.push({ kind: 'days', field: 'notContacted' });
  let offerMinimum: TargetQuery['offer'];
  if (state.offerId !== '') {
    if (state.keepMostLikely.trim() !== '' && mostLikelyCount(state) === null)
      problems.push({ kind: 'keepMostLikely' });
    const minPropensity = typedNumber(state.minPropensity);
    // Empty while "the N most likely" is being worked out: the offer condition waits for its threshold.
    if (minPropensity !== null && isPropensity(minPropensity))
      offerMinimum = { offerId: state.offerId, minPropensity };
    else if (state.minPropensity.trim() !== '' || state.keepMostLikely.trim() === '')
      problems.push({ kind: 'minPropensity' });
  }
  if (problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
    query: {
      concepts: minimums,
      tiers: TIERS.filter((t) => state.tiers.includes(t)),
      primaryInterestIds: [...state.primaryInterestIds],
      segmentConceptIds: [...state.segmentConceptIds],
      lastInteractionWithinDays: lastInteractionWithinDays ?? undefined,
      notContactedDays: notContactedDays ?? undefined,
      ...(offerMinimum ? { offer: offerMinimum } : {}),
    },
  };
}

/** The N of "keep about the N most likely" when the offer and a valid N are there; null otherwise. */
export function mostLikelyCount(state: BuilderState): number | null {
  if (state.offerId === '' || state.keepMostLikely.trim() === '') return null;
  const n = typedNumber(state.keepMostLikely);
  return n !== null && Number.isInteger(n) && n >= 1 && n <= MOST_LIKELY_LIMIT ? n : null;
}

/** A propensity in the user's decimal format, every digit kept: the N-th contact must pass `ge` again. */
export function propensityText(value: number, decimalSymbol = '.'): string {
  const text = String(value).includes('e') ? value.toFixed(20).replace(/0+$/, '') : String(value);
  return text.replace('.', decimalSymbol);
}

/**
 * The Web API read of the N-th most likely contact's propensity for the offer among those meeting the
 * state's other conditions (nthPropensityFetchXml), or null when the state has none to compute.
 */
export function nthPropensityRequest(
  state: BuilderState,
  concepts: readonly ConceptOption[],
  now: number,
): string | null {
  const n = mostLikelyCount(state);
  const mapped = toQuery({ ...state, minPropensity: '', keepMostLikely: '', offerId: '' }, concepts);
  if (n === null || !mapped.ok) return null;
  return `?fetchXml=${encodeURIComponent(nthPropensityFetchXml(mapped.query, state.offerId, n, now))}`;
}

/** The conditions of a query, minimum scores written with the user's decimal symbol (`12,5` in Spanish). */
export function fromQuery(query: TargetQuery, decimalSymbol = '.'): BuilderState {
  return {
    concepts: query.concepts.map((c) => ({
      conceptId: c.conceptId,
      minScore: String(c.minScore).replace('.', decimalSymbol),
    })),
    tiers: [...query.tiers],
    primaryInterestIds: [...query.primaryInterestIds],
    segmentConceptIds: [...query.segmentConceptIds],
    lastInteractionDays: query.lastInteractionWithinDays ? String(query.lastInteractionWithinDays) : '',
    notContactedDays: query.notContactedDays ? String(query.notContactedDays) : '',
    offerId: query.offer?.offerId ?? '',
    keepMostLikely: '',
    minPropensity: query.offer ? propensityText(query.offer.minPropensity, decimalSymbol) : '',
  };
}

export function hasConditions(query: TargetQuery): boolean {
  return (
    query.concepts.length +
      query.tiers.length +
      query.primaryInterestIds.length +
      query.segmentConceptIds.length >
      0 ||
    query.lastInteractionWithinDays !== undefined ||
    query.notContactedDays !== undefined ||
    query.offer !== undefined
  );
}

/** The list's query as the builder meets it: none yet, one it wrote (its conditions), or another one. */
export type StoredQuery =
  | { readonly kind: 'none' }
  | { readonly kind: 'target'; readonly state: BuilderState }
  | { readonly kind: 'unreadable'; readonly fetchXml: string };

export function readStoredQuery(
  fetchXml: string | null,
  concepts: readonly ConceptOption[],
  decimalSymbol = '.',
): StoredQuery {
  if (fetchXml === null || fetchXml.trim() === '') return { kind: 'none' };
  const query = parseTargetFetchXml(fetchXml, new Map(concepts.map((c) => [c.id, c.halfLifeDays])));
  return query === null
    ? { kind: 'unreadable', fetchXml }
    : { kind: 'target', state: fromQuery(query, decimalSymbol) };
}

/** The `query` column's value: the target's contacts with minimum scores as of `now`. */
export function queryText(query: TargetQuery, now: number): string {
  return targetFetchXml(query, now);
}

/**
 * Dataverse counts at most 50,000 rows in an aggregate and refuses more with AggregateQueryRecordLimit
 * ("Aggregate data using FetchXml", Limitations; "Web service error codes": 0x8004E023). Views in the
 * same place show "5000+", so past the limit the count says "50,000+" instead of an error.
 */
export const AGGREGATE_LIMIT = 50_000;
const AGGREGATE_LIMIT_CODE = 0x8004e023;

/** True when a webAPI failure (`{ errorCode, message }`, errorCode the Dataverse code as a number) is that refusal. */
export function isAggregateLimit(error: unknown): boolean {
  if (typeof error !== 'object' || error === null || !('errorCode' in error)) return false;
  const code = error.errorCode;
  return typeof code === 'number' && code >>> 0 === AGGREGATE_LIMIT_CODE;
}

/** The options of a Web API read counting the target's contacts (one aggregate row). */
export function countRequest(query: TargetQuery, now: number): string {
  return `?fetchXml=${encodeURIComponent(targetCountFetchXml(query, now))}`;
}
