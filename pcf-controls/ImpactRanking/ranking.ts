/**
 * From the interest profile dataset to plain rows: the score shown is decayed to `now` from the stored
 * accumulator and landmark with the server's own function (domain/interest/decay.ts), so the ranking
 * is current without a nightly job. Sorting and filtering are expressed as dataset API requests.
 */
import { scoreAt } from '../../domain/interest/decay';
import { contact } from '../../dataverse/generated/contact';
import { idr_interestprofile } from '../../dataverse/generated/idr_interestprofile';
import { idr_marketingconcept } from '../../dataverse/generated/idr_marketingconcept';
import { type CsvCell, toCsv } from '../shared/csv';
import { formatSigned, isoDay } from '../shared/format';
import { asBoolean, asGuid, asNumber, asReference, asTime } from '../shared/values';

const P = idr_interestprofile.columns;
const MC = idr_marketingconcept.columns;

/** The alias of the contact link, whose primary interest the ranking shows. */
export const CONTACT_ALIAS = 'idr_rankcontact';
export const PRIMARY_INTEREST_COLUMN = `${CONTACT_ALIAS}.${contact.columns.idr_primaryinterest}`;

export interface ConceptInfo {
  readonly id: string;
  readonly name: string;
  readonly halfLifeDays: number;
}

/** What the dataset gives for one profile (ComponentFramework's EntityRecord, structurally). */
export interface ProfileRecord {
  getRecordId(): string;
  getValue(column: string): unknown;
  getFormattedValue(column: string): string;
}

export interface RankingRow {
  readonly id: string;
  readonly contactId: string | null;
  readonly contactName: string;
  readonly conceptId: string | null;
  readonly conceptName: string;
  /** Decayed to now; null when the concept (and so its half-life) is unknown. */
  readonly scoreToday: number | null;
  /** Score today minus the score just after the last event: what decay has taken since. */
  readonly trend: number | null;
  readonly lastInteractionOn: number | null;
  readonly inSegment: boolean;
  readonly primaryInterest: string;
  /** 1-based rank by score today among the loaded rows; ties share a rank. */
  readonly rank: number | null;
}

/** The webAPI query of the active concepts, for the picker and the half-lives. */
export const CONCEPTS_QUERY =
  `?$select=${MC.idr_marketingconceptid},${MC.idr_name},${MC.idr_halflifedays}` +
  `&$filter=${MC.statecode} eq 0&$orderby=${MC.idr_name} asc`;

export function toConcepts(entities: readonly Record<string, unknown>[]): ConceptInfo[] {
  const concepts: ConceptInfo[] = [];
  for (const entity of entities) {
    const id = asGuid(entity[MC.idr_marketingconceptid]);
    const halfLifeDays = asNumber(entity[MC.idr_halflifedays]);
    if (id === null) continue;
    const name = entity[MC.idr_name];
    concepts.push({
      id,
      name: typeof name === 'string' ? name : '',
      // Dataverse defaults an empty half-life to 90 days (the column's default in solution/).
      halfLifeDays: halfLifeDays !== null && halfLifeDays > 0 ? halfLifeDays : 90,
    });
  }
  return concepts;
}

function decayed(accumulator: number, landmark: number, at: number, halfLifeDays: number): number {
  return scoreAt({ accumulator, landmark }, at, halfLifeDays);
}

export function toRow(
  record: ProfileRecord,
  concepts: ReadonlyMap<string, ConceptInfo>,
  now: number,
): Omit<RankingRow, 'rank'> {
  const contactRef = asReference(record.getValue(P.idr_contact));
  const conceptRef = asReference(record.getValue(P.idr_concept));
  const concept = conceptRef ? concepts.get(conceptRef.id) : undefined;
  const accumulator = asNumber(record.getValue(P.idr_accumulator));
  const storedScore = asNumber(record.getValue(P.idr_score));
  const scoredOn = asTime(record.getValue(P.idr_scoredon));
  const landmark = asTime(record.getValue(P.idr_landmarkon)) ?? scoredOn;
  const lastInteractionOn = asTime(record.getValue(P.idr_lastinteractionon));
  // A profile written before the accumulator existed still has its score as of scoredOn: decay that.
  const state =
    accumulator !== null && landmark !== null
      ? { accumulator, landmark }
      : storedScore !== null && scoredOn !== null
        ? { accumulator: storedScore, landmark: scoredOn }
        : null;
  let scoreToday: number | null = null;
  let trend: number | null = null;
  if (concept && state) {
    scoreToday = decayed(state.accumulator, state.landmark, now, concept.halfLifeDays);
    if (lastInteractionOn !== null && lastInteractionOn <= now) {
      trend =
        scoreToday - decayed(state.accumulator, state.landmark, lastInteractionOn, concept.halfLifeDays);
    }
  }
  const primary = asReference(record.getValue(PRIMARY_INTEREST_COLUMN));
  return {
    id: record.getRecordId(),
    contactId: contactRef?.id ?? null,
    contactName: contactRef?.name || record.getFormattedValue(P.idr_contact),
    conceptId: conceptRef?.id ?? null,
    conceptName: concept?.name ?? conceptRef?.name ?? record.getFormattedValue(P.idr_concept),
    scoreToday,
    trend,
    lastInteractionOn,
    inSegment: asBoolean(record.getValue(P.idr_insegment)),
    primaryInterest: primary?.name ?? record.getFormattedValue(PRIMARY_INTEREST_COLUMN),
  };
}

/** Rows in dataset order, each ranked by score today among all rows (equal scores share a rank). */
export function toRankingRows(
  records: readonly ProfileRecord[],
  concepts: ReadonlyMap<string, ConceptInfo>,
  now: number,
): RankingRow[] {
  const rows = records.map((record) => toRow(record, concepts, now));
  const scores = rows
    .map((row) => row.scoreToday)
    .filter((score): score is number => score !== null)
    .sort((a, b) => b - a);
  const rankOf = new Map<number, number>();
  scores.forEach((score, index) => {
    if (!rankOf.has(score)) rankOf.set(score, index + 1);
  });
  return rows.map((row) => ({ ...row, rank: row.scoreToday === null ? null : rankOf.get(row.scoreToday)! }));
}

export type SortKey = 'score' | 'contact' | 'lastInteraction';
export type SortDirection = 'ascending' | 'descending';

export interface SortRequest {
  readonly key: SortKey;
  readonly direction: SortDirection;
}

/**
 * The dataset sorting for a column. Score sorts on the rank key (domain/interest/decay.ts rankKey), which
 * orders a concept's profiles by score today whatever their landmarks; the accumulator would only among
 * profiles that share one.
 */
const SORT_COLUMNS: Readonly<Record<SortKey, string>> = {
  score: P.idr_rankkey,
  contact: P.idr_contact,
  lastInteraction: P.idr_lastinteractionon,
};

export const DEFAULT_SORT: SortRequest = { key: 'score', direction: 'descending' };

export function toSortStatus(request: SortRequest): { name: string; sortDirection: 0 | 1 }[] {
  return [{ name: SORT_COLUMNS[request.key], sortDirection: request.direction === 'descending' ? 1 : 0 }];
}

export function fromSortStatus(sorting: readonly { name: string; sortDirection: number }[]): SortRequest {
  const first = sorting.find((s) => s.sortDirection !== -1);
  if (!first) return DEFAULT_SORT;
  const key = (Object.keys(SORT_COLUMNS) as SortKey[]).find((k) => SORT_COLUMNS[k] === first.name);
  return key ? { key, direction: first.sortDirection === 1 ? 'descending' : 'ascending' } : DEFAULT_SORT;
}

export interface RankingQuery {
  /** One concept's ranking; null for every concept (the heat map). */
  readonly conceptId: string | null;
  readonly segmentOnly: boolean;
  /** Part of the contact's name (the profile's name starts with it). */
  readonly search: string;
}

export interface FilterRequest {
  filterOperator: 0;
  conditions: { attributeName: string; conditionOperator: 0 | 49; value: string }[];
}

/** The dataset filter for a query: concept equal, in segment, name like %search%. */
export function toFilter(query: RankingQuery): FilterRequest {
  const conditions: FilterRequest['conditions'] = [];
  if (query.conceptId)
    conditions.push({ attributeName: P.idr_concept, conditionOperator: 0, value: query.conceptId });
  if (query.segmentOnly)
    conditions.push({ attributeName: P.idr_insegment, conditionOperator: 0, value: '1' });
  const search = query.search.trim().replace(/[%_[\]]/g, '');
  if (search !== '')
    conditions.push({ attributeName: P.idr_name, conditionOperator: 49, value: `%${search}%` });
  return { filterOperator: 0, conditions };
}

/** Rows from the end of the loaded ones at which the next page is asked for while scrolling. */
export const LOAD_AHEAD_ROWS = 20;

export interface PagingState {
  readonly lastRenderedIndex: number;
  readonly loadedCount: number;
  readonly hasNextPage: boolean;
  readonly loading: boolean;
}

export function shouldLoadNextPage(state: PagingState): boolean {
  return (
    state.hasNextPage && !state.loading && state.lastRenderedIndex >= state.loadedCount - LOAD_AHEAD_ROWS
  );
}

export interface HeatMap {
  readonly concepts: readonly { id: string; name: string }[];
  readonly contacts: readonly { id: string; name: string; total: number }[];
  /** cells[contact][concept]: score today, null where the contact has no profile. */
  readonly cells: readonly (readonly (number | null)[])[];
  readonly max: number;
  /** Contacts left out beyond `maxContacts`. */
  readonly hiddenContacts: number;
}

/** Contacts × concepts of the loaded rows; contacts by total score today, concepts by name. */
export function toHeatMap(rows: readonly RankingRow[], maxContacts: number): HeatMap {
  const conceptNames = new Map<string, string>();
  const byContact = new Map<string, { name: string; scores: Map<string, number> }>();
  for (const row of rows) {
    if (row.contactId === null || row.conceptId === null || row.scoreToday === null) continue;
    conceptNames.set(row.conceptId, row.conceptName);
    const entry = byContact.get(row.contactId) ?? {
      name: row.contactName,
      scores: new Map<string, number>(),
    };
    entry.scores.set(row.conceptId, (entry.scores.get(row.conceptId) ?? 0) + row.scoreToday);
    byContact.set(row.contactId, entry);
  }
  const concepts = [...conceptNames]
    .map(([id, name]) => ({ id, name }))
    .sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
  const ranked = [...byContact]
    .map(([id, entry]) => ({
      id,
      name: entry.name,
      total: [...entry.scores.values()].reduce((sum, score) => sum + score, 0),
      scores: entry.scores,
    }))
    .sort((a, b) => b.total - a.total || a.name.localeCompare(b.name));
  const shown = ranked.slice(0, maxContacts);
  const cells = shown.map((c) => concepts.map((concept) => c.scores.get(concept.id) ?? null));
  const max = cells.flat().reduce<number>((m, score) => (score !== null && score > m ? score : m), 0);
  return {
    concepts,
    contacts: shown.map(({ id, name, total }) => ({ id, name, total })),
    cells,
    max,
    hiddenContacts: ranked.length - shown.length,
  };
}

/** 0 (none) to 4 (the highest score shown): the shade of a heat map cell. */
export function heatLevel(score: number | null, max: number): 0 | 1 | 2 | 3 | 4 {
  if (score === null || score <= 0 || max <= 0) return 0;
  return Math.min(4, Math.max(1, Math.ceil((score / max) * 4))) as 1 | 2 | 3 | 4;
}

export interface CsvHeaders {
  readonly rank: string;
  readonly contact: string;
  readonly concept: string;
  readonly scoreToday: string;
  readonly trend: string;
  readonly lastInteraction: string;
  readonly segment: string;
  readonly primaryInterest: string;
  readonly yes: string;
  readonly no: string;
}

const round = (value: number | null): number | null =>
  value === null ? null : Math.round(value * 100) / 100;

/** The ranking exactly as shown (same rows, same order), numbers with two decimals, dates as YYYY-MM-DD. */
export function rankingCsv(rows: readonly RankingRow[], headers: CsvHeaders): string {
  return toCsv(
    [
      headers.rank,
      headers.contact,
      headers.concept,
      headers.scoreToday,
      headers.trend,
      headers.lastInteraction,
      headers.segment,
      headers.primaryInterest,
    ],
    rows.map((row): CsvCell[] => [
      row.rank,
      row.contactName,
      row.conceptName,
      round(row.scoreToday),
      round(row.trend),
      row.lastInteractionOn === null ? null : isoDay(row.lastInteractionOn),
      row.inSegment ? headers.yes : headers.no,
      row.primaryInterest,
    ]),
  );
}

export function heatMapCsv(map: HeatMap, contactHeader: string): string {
  return toCsv(
    [contactHeader, ...map.concepts.map((c) => c.name)],
    map.contacts.map((c, i) => [c.name, ...map.cells[i].map(round)]),
  );
}

export type TrendTone = 'fall' | 'rise' | 'flat';

/** How a trend reads as shown (one decimal): a change that rounds to nothing is neither a fall nor a rise. */
export function trendTone(trend: number, locale: string): TrendTone {
  const shown = formatSigned(trend, locale);
  if (shown.startsWith('\u2212')) return 'fall';
  return shown.startsWith('+') ? 'rise' : 'flat';
}
