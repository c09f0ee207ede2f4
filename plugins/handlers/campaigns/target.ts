/**
 * A campaign target from interests (domain/campaign/target.ts) against Dataverse: the query compiled
 * to FetchXML on contact (dataverse/queries/target.ts, shared with the Target Builder control),
 * counted before anything is written, then kept as a static marketing list (members added in
 * batches) or a dynamic one (`list.query`, evaluated by Dataverse whenever the list is used).
 */
import type { BatchOperation, DataverseClient } from '../../../dataverse/client';
import { normalizeGuid } from '../../../dataverse/adapters/keys';
import {
  contact,
  idr_interestprofile,
  idr_marketingconcept,
  idr_offer,
  idr_offerscore,
  list,
  type idr_interestprofileRecord,
  type idr_marketingconceptRecord,
  type contactRecord,
  type idr_offerRecord,
  type idr_offerscoreRecord,
  type listRecord,
  type listWrite,
} from '../../../dataverse/generated';
import type {
  CatalogueConcept,
  OfferMinimum,
  PropensityRanking,
  StoredScore,
  TargetInput,
  TargetQuery,
} from '../../../domain/campaign';
import { targetFetchXml } from '../../../dataverse/queries/target';
import {
  meetsScoresToday,
  rankByPropensity,
  resolveTarget,
  UnknownOfferError,
} from '../../../domain/campaign';
import { DEFAULT_HALF_LIFE_DAYS, rankKeyThreshold } from '../../../domain/interest';
import { idValue, lookupValue, membershipOperation, textValue, timeValue } from '../interests/records';
import { chunk, exclusionListMembers, whereIn } from './read';

/** Members per $batch of AddMemberList actions. */
export const MEMBER_BATCH = 100;

export async function readTargetCatalogue(client: DataverseClient): Promise<CatalogueConcept[]> {
  const M = idr_marketingconcept.columns;
  const rows = await client.retrieveMultiple(idr_marketingconcept.entitySetName, {
    filter: `${M.statecode} eq ${idr_marketingconcept.choices.statecode.Active}`,
    select: [M.idr_marketingconceptid, M.idr_code, M.idr_name, M.idr_halflifedays],
  });
  return (rows as idr_marketingconceptRecord[]).map((r) => ({
    id: textValue(r.idr_marketingconceptid) ?? '',
    code: textValue(r.idr_code),
    name: textValue(r.idr_name) ?? '',
    halfLifeDays: r.idr_halflifedays ?? DEFAULT_HALF_LIFE_DAYS,
  }));
}

export interface TargetCount {
  readonly query: TargetQuery;
  readonly fetchXml: string;
  /** The contacts, sorted by id. */
  readonly contactIds: readonly string[];
}

export interface TargetDeps {
  readonly client: DataverseClient;
  readonly clock: () => Date;
}

/**
 * Resolves the names, runs the query and keeps the contacts whose score today reaches each minimum
 * (and, with `offer`, whose propensity for it reaches its minimum: a condition of the query).
 */
export async function countTarget(
  deps: TargetDeps,
  input: TargetInput,
  offer?: OfferMinimum,
): Promise<TargetCount> {
  const catalogue = await readTargetCatalogue(deps.client);
  const query: TargetQuery = { ...resolveTarget(input, catalogue), ...(offer ? { offer } : {}) };
  const fetchXml = targetFetchXml(query, deps.clock().getTime());
  const rows = (await deps.client.fetchXml(contact.entitySetName, fetchXml)) as contactRecord[];
  const candidates = [...new Set(rows.map((r) => textValue(r.contactid) ?? ''))].filter(Boolean);
  let scores: StoredScore[] = [];
  if (query.concepts.length && candidates.length) {
    const P = idr_interestprofile.columns;
    const concepts = query.concepts
      .map((c) => `${lookupValue(P.idr_concept)} eq ${c.conceptId}`)
      .join(' or ');
    const profiles = await whereIn(
      deps.client,
      idr_interestprofile.entitySetName,
      lookupValue(P.idr_contact),
      candidates,
      [lookupValue(P.idr_contact), lookupValue(P.idr_concept), P.idr_accumulator, P.idr_landmarkon],
      `(${concepts})`,
    );
    scores = (profiles as idr_interestprofileRecord[]).flatMap((r) => {
      const landmark = timeValue(r.idr_landmarkon);
      const accumulator = r.idr_accumulator ?? null;
      const contactId = idValue(r._idr_contact_value);
      const conceptId = idValue(r._idr_concept_value);
      return landmark === null || accumulator === null || !contactId || !conceptId
        ? []
        : [{ contactId, conceptId, accumulator, landmark }];
    });
  }
  const contactIds = meetsScoresToday(query, candidates, scores, catalogue, deps.clock().getTime()).sort();
  return { query, fetchXml, contactIds };
}

export interface MaterialiseProgress {
  readonly done: number;
  readonly total: number;
}

/** A new static marketing list holding the target's contacts, added in batches. */
export async function createStaticList(
  client: DataverseClient,
  name: string,
  contactIds: readonly string[],
  onProgress?: (progress: MaterialiseProgress) => void,
): Promise<string> {
  const listId = await client.create(list.entitySetName, {
    listname: name,
    createdfromcode: list.choices.createdfromcode.Contact,
    type: false,
  } satisfies listWrite);
  let done = 0;
  for (const part of chunk(contactIds, MEMBER_BATCH)) {
    const ops: BatchOperation[] = part.map((id) => membershipOperation('add', listId, id));
    await client.executeBatch(ops, { atomic: true });
    done += part.length;
    onProgress?.({ done, total: contactIds.length });
  }
  return listId;
}

/** A dynamic marketing list: Dataverse runs its query whenever a campaign uses it. */
export async function createDynamicList(
  client: DataverseClient,
  name: string,
  fetchXml: string,
): Promise<string> {
  return client.create(list.entitySetName, {
    listname: name,
    createdfromcode: list.choices.createdfromcode.Contact,
    type: true,
    query: fetchXml,
  } satisfies listWrite);
}

const quoted = (value: string) => `['"]${value}['"]`;
/** One of Ideario's profile links in a stored query (they hold no nested link): its concept, minimum and key threshold. */
const PROFILE_LINK = new RegExp(
  `<link-entity\\b[^>]*\\bname=${quoted(idr_interestprofile.logicalName)}[^>]*>[\\s\\S]*?</link-entity>`,
  'g',
);
const conditionPattern = (attribute: string, operator: string) =>
  new RegExp(
    `(<condition\\b[^>]*\\battribute=${quoted(attribute)}[^>]*\\boperator=${quoted(operator)}[^>]*\\bvalue=)(['"])([^'"]*)\\2`,
  );

/**
 * The dynamic list's query with each minimum score moved to `now`: a stored query cannot decay a score,
 * so its rank key threshold is set again (hourly, by the triggers job). Unchanged text when nothing moved.
 */
export function queryAsOf(fetchXml: string, halfLives: ReadonlyMap<string, number>, now: number): string {
  const P = idr_interestprofile.columns;
  return fetchXml.replace(PROFILE_LINK, (link) => {
    const concept = normalizeGuid(conditionPattern(P.idr_concept, 'eq').exec(link)?.[3] ?? '');
    const minScore = Number(conditionPattern(P.idr_score, 'ge').exec(link)?.[3]);
    const halfLife = concept === null ? undefined : halfLives.get(concept);
    if (halfLife === undefined || !Number.isFinite(minScore)) return link;
    const threshold = rankKeyThreshold(minScore, halfLife, now);
    if (threshold === null) return link;
    return link.replace(
      conditionPattern(P.idr_rankkey, 'ge'),
      (_whole, head: string, quote: string) => `${head}${quote}${threshold}${quote}`,
    );
  });
}

/** Moves every active dynamic list's minimum scores to `now` (queryAsOf); returns how many lists changed. */
export async function refreshDynamicTargets(client: DataverseClient, now: number): Promise<number> {
  const l = list.columns;
  const lists = (await client.retrieveMultiple(list.entitySetName, {
    filter: `${l.type} eq true and ${l.statecode} eq ${list.choices.statecode.Active} and contains(${l.query},'${idr_interestprofile.columns.idr_rankkey}')`,
    select: [l.listid, l.query],
  })) as listRecord[];
  if (lists.length === 0) return 0;
  const halfLives = new Map(
    (await readTargetCatalogue(client)).map((c) => [c.id.toLowerCase(), c.halfLifeDays]),
  );
  let changed = 0;
  for (const row of lists) {
    const id = textValue(row.listid);
    const query = textValue(row.query);
    if (!id || !query) continue;
    const moved = queryAsOf(query, halfLives, now);
    if (moved === query) continue;
    await client.update(list.entitySetName, id, { query: moved } satisfies listWrite);
    changed++;
  }
  return changed;
}

export interface OfferPropensities {
  readonly offer: { readonly id: string; readonly code: string; readonly name: string };
  /** Each scored contact's propensity for the offer. */
  readonly propensities: ReadonlyMap<string, number>;
}

/** Rows per page of offer scores: one request per 5,000 scored contacts. */
export const SCORE_PAGE = 5000;

/** The active offer with this code, case as typed or not; UnknownOfferError names the active ones. */
export async function readActiveOffer(
  client: DataverseClient,
  code: string,
): Promise<OfferPropensities['offer']> {
  const O = idr_offer.columns;
  const offers = (await client.retrieveMultiple(idr_offer.entitySetName, {
    filter: `${O.statecode} eq ${idr_offer.choices.statecode.Active}`,
    select: [O.idr_offerid, O.idr_code, O.idr_name],
  })) as idr_offerRecord[];
  const wanted = code.trim().toLowerCase();
  const match = offers.find((row) => (textValue(row.idr_code) ?? '').toLowerCase() === wanted);
  const id = match ? textValue(match.idr_offerid) : null;
  if (!match || !id)
    throw new UnknownOfferError(
      code,
      offers
        .map((row) => textValue(row.idr_code))
        .filter((v): v is string => v !== null)
        .sort(),
    );
  return { id, code: textValue(match.idr_code) ?? code, name: textValue(match.idr_name) ?? '' };
}

/** The active offer with this code (case as typed or not) and every contact's propensity for it, read in pages. */
export async function readOfferPropensities(
  client: DataverseClient,
  code: string,
): Promise<OfferPropensities> {
  const offer = await readActiveOffer(client, code);
  const id = offer.id;
  const S = idr_offerscore.columns;
  const rows = (await client.retrieveMultiple(idr_offerscore.entitySetName, {
    filter: `${lookupValue(S.idr_offer)} eq ${id} and ${S.statecode} eq ${idr_offerscore.choices.statecode.Active}`,
    select: [lookupValue(S.idr_contact), S.idr_propensity],
    pageSize: SCORE_PAGE,
  })) as idr_offerscoreRecord[];
  // One score per contact and offer (the idr_key_contactoffer alternate key).
  const propensities = new Map<string, number>();
  for (const row of rows) {
    const contactId = idValue(row._idr_contact_value);
    const propensity = row.idr_propensity ?? null;
    if (contactId && propensity !== null) propensities.set(contactId, propensity);
  }
  return { offer, propensities };
}

/** The counted target ordered by the offer's propensity and cut to the `top` most likely. */
export async function rankTargetByOffer(
  client: DataverseClient,
  contactIds: readonly string[],
  offerCode: string,
  top?: number,
): Promise<PropensityRanking & { readonly offer: OfferPropensities['offer'] }> {
  const { offer, propensities } = await readOfferPropensities(client, offerCode);
  const never = top === undefined ? new Set<string>() : await exclusionListMembers(client);
  return { ...rankByPropensity(contactIds, propensities, top, never), offer };
}
