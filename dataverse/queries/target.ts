/**
 * A campaign target (domain/campaign/target.ts) as FetchXML on contact, written and read back here
 * only, so the CLI, the webhook host's hourly job and the Target Builder control (a PCF bundle: names
 * come from generated/names, imported as namespaces) keep one query text. One `any` link per profile
 * condition and `not any` links for "not contacted": "Filter on values in related records",
 * https://learn.microsoft.com/power-apps/developer/data-platform/fetchxml/filter-rows#filter-on-values-in-related-records
 */
import type { TargetQuery } from '../../domain/campaign/target';
import { rankKeyThreshold } from '../../domain/interest/decay';
import type { ValueTier as Tier } from '../../domain/interest/valuetier';
import { ValueTier } from '../generated/choices';
import * as activityparty from '../generated/names/activityparty';
import * as contact from '../generated/names/contact';
import * as email from '../generated/names/email';
import * as offerscore from '../generated/names/idr_offerscore';
import * as profile from '../generated/names/idr_interestprofile';
import * as phonecall from '../generated/names/phonecall';

export const TIER_CHOICES: Readonly<Record<Tier, number>> = {
  mostValuable: ValueTier.MostValuable,
  mostGrowable: ValueTier.MostGrowable,
  maintain: ValueTier.Maintain,
  belowZero: ValueTier.BelowZero,
};

function xml(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/'/g, '&apos;');
}

/** A number as FetchXML's decimal text: never in exponent form (a propensity of 1e-7 is 0.0000001). */
function numberText(value: number): string {
  const text = String(value);
  return /e/i.test(text) ? value.toFixed(20).replace(/\.?0+$/, '') : text;
}

function condition(attribute: string, operator: string, value?: string | number): string {
  if (value === undefined) return `<condition attribute='${attribute}' operator='${operator}' />`;
  const text = typeof value === 'number' ? numberText(value) : value;
  return `<condition attribute='${attribute}' operator='${operator}' value='${xml(text)}' />`;
}

function inValues(attribute: string, values: readonly (string | number)[]): string {
  return `<condition attribute='${attribute}' operator='in'>${values.map((v) => `<value>${xml(String(v))}</value>`).join('')}</condition>`;
}

function profileLink(conditions: readonly string[]): string {
  return (
    `<link-entity name='${profile.logicalName}' from='${profile.idr_contact}' to='${contact.contactid}' link-type='any'>` +
    `<filter>${condition(profile.statecode, 'eq', profile.choices.statecode.Active)}${conditions.join('')}</filter></link-entity>`
  );
}

/**
 * A profile's "score today at least the minimum" as FetchXML: its rank key against the key threshold
 * of `now` (domain rankKeyThreshold), or, on a row written before rank keys (`ideario rescore` fills
 * them), the stored score. The minimum stays in the stored-score condition, so refreshDynamicTargets
 * can move the threshold to a later day.
 */
function minimumToday(minScore: number, halfLifeDays: number, now: number): string {
  const stored = `<filter type='and'>${condition(profile.idr_rankkey, 'null')}${condition(profile.idr_score, 'ge', minScore)}</filter>`;
  const threshold = rankKeyThreshold(minScore, halfLifeDays, now);
  if (threshold === null) return condition(profile.idr_score, 'ge', minScore);
  return `<filter type='or'>${condition(profile.idr_rankkey, 'ge', threshold)}${stored}</filter>`;
}

const LIST_HEAD = `<attribute name='${contact.contactid}' /><order attribute='${contact.contactid}' />`;
const COUNT_HEAD = `<attribute name='${contact.contactid}' alias='count' aggregate='countcolumn' distinct='true' />`;

/** The contact's own conditions (a filter) and the links to related rows, as the list query holds them. */
function conditionsOf(query: TargetQuery, now: number): string {
  const parts: string[] = [condition(contact.statecode, 'eq', contact.choices.statecode.Active)];
  if (query.tiers.length)
    parts.push(
      inValues(
        contact.idr_valuetier,
        query.tiers.map((t) => TIER_CHOICES[t]),
      ),
    );
  if (query.primaryInterestIds.length)
    parts.push(inValues(contact.idr_primaryinterest, query.primaryInterestIds));
  const links: string[] = [];
  for (const c of query.concepts)
    links.push(
      profileLink([
        condition(profile.idr_concept, 'eq', c.conceptId),
        minimumToday(c.minScore, c.halfLifeDays, now),
      ]),
    );
  if (query.segmentConceptIds.length)
    links.push(
      profileLink([
        inValues(profile.idr_concept, query.segmentConceptIds),
        condition(profile.idr_insegment, 'eq', 1),
      ]),
    );
  if (query.lastInteractionWithinDays)
    links.push(
      profileLink([condition(profile.idr_lastinteractionon, 'last-x-days', query.lastInteractionWithinDays)]),
    );
  if (query.notContactedDays)
    for (const table of [email, phonecall])
      links.push(
        `<link-entity name='${activityparty.logicalName}' from='${activityparty.partyid}' to='${contact.contactid}' link-type='not any'>` +
          `<filter>${condition(activityparty.participationtypemask, 'eq', activityparty.choices.participationtypemask.ToRecipient)}</filter>` +
          `<link-entity name='${table.logicalName}' from='${table.activityid}' to='${activityparty.activityid}' link-type='inner'>` +
          `<filter>${condition(table.scheduledstart, 'last-x-days', query.notContactedDays)}</filter></link-entity></link-entity>`,
      );
  if (query.offer)
    links.push(
      `<link-entity name='${offerscore.logicalName}' from='${offerscore.idr_contact}' to='${contact.contactid}' link-type='any'>` +
        `<filter>${condition(offerscore.statecode, 'eq', offerscore.choices.statecode.Active)}` +
        `${condition(offerscore.idr_offer, 'eq', query.offer.offerId)}` +
        `${condition(offerscore.idr_propensity, 'ge', query.offer.minPropensity)}</filter></link-entity>`,
    );
  return `<filter type='and'>${parts.join('')}</filter>${links.join('')}`;
}

function build(query: TargetQuery, now: number, aggregate: boolean): string {
  return (
    `<fetch version='1.0' mapping='logical'${aggregate ? " aggregate='true'" : ''}><entity name='${contact.logicalName}'>` +
    `${aggregate ? COUNT_HEAD : LIST_HEAD}${conditionsOf(query, now)}</entity></fetch>`
  );
}

/** FetchXML for the query's contacts, a minimum score compared with the score at `now`: a dynamic list's `query`. */
export function targetFetchXml(query: TargetQuery, now: number): string {
  return build(query, now, false);
}

/**
 * The same conditions counted by Dataverse: one aggregate row whose `count` is the number of contacts.
 * Aggregates stop at 50,000 rows (AggregateQueryRecordLimit): "Aggregate data using FetchXml",
 * https://learn.microsoft.com/power-apps/developer/data-platform/fetchxml/aggregate-data
 */
export function targetCountFetchXml(query: TargetQuery, now: number): string {
  return build(query, now, true);
}

/** Dataverse pages a query by page number only within its first 50,000 rows: "the N most likely" stops there. */
export const MOST_LIKELY_LIMIT = 50_000;

/**
 * The offer score of the `n`-th most likely contact among those matching the query's other conditions:
 * one row, its `idr_propensity` the least a "keep the n most likely" condition needs. Rooted at the
 * scores so the order is the entity's own (ties by score id, a unique column, so pages are stable);
 * paged with `count` and `page` because `top` cannot be combined with paging, and simple paging reaches
 * 50,000 rows: "Page results using FetchXml",
 * https://learn.microsoft.com/power-apps/developer/data-platform/fetchxml/page-results
 */
export function nthPropensityFetchXml(query: TargetQuery, offerId: string, n: number, now: number): string {
  const others: TargetQuery = { ...query, offer: undefined };
  return (
    `<fetch version='1.0' mapping='logical' count='1' page='${n}'><entity name='${offerscore.logicalName}'>` +
    `<attribute name='${offerscore.idr_propensity}' />` +
    `<order attribute='${offerscore.idr_propensity}' descending='true' /><order attribute='${offerscore.idr_offerscoreid}' />` +
    `<filter type='and'>${condition(offerscore.statecode, 'eq', offerscore.choices.statecode.Active)}` +
    `${condition(offerscore.idr_offer, 'eq', offerId)}${condition(offerscore.idr_propensity, 'not-null')}</filter>` +
    `<link-entity name='${contact.logicalName}' from='${contact.contactid}' to='${offerscore.idr_contact}' link-type='inner'>` +
    `${conditionsOf(others, now)}</link-entity></entity></fetch>`
  );
}

/** The propensity of a nthPropensityFetchXml answer; null when fewer than n contacts have a score. */
export function nthPropensityOf(rows: readonly Record<string, unknown>[]): number | null {
  const value = rows[0]?.[offerscore.idr_propensity];
  const n = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : NaN;
  return Number.isFinite(n) ? n : null;
}

/** The `count` of a targetCountFetchXml answer (Dataverse returns one row; none means zero). */
export function countOf(rows: readonly Record<string, unknown>[]): number {
  const value = rows[0]?.count;
  return typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : 0;
}

const GUID = /\{?([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\}?/gi;
const RANK_KEY_VALUE = new RegExp(`(attribute='${profile.idr_rankkey}' operator='ge' value=')[^']*'`, 'g');

/**
 * One spelling of a query for comparison: quotes as we write them (the Dynamics editor writes double
 * quotes), no whitespace between elements, ids lowercase without braces, rank key thresholds (which
 * the hourly job moves) blanked.
 */
function canonical(fetchXml: string): string {
  return fetchXml
    .replace(/"/g, "'")
    .replace(/>\s+</g, '><')
    .replace(/\s+\/>/g, ' />')
    .trim()
    .replace(GUID, (_whole, id: string) => id.toLowerCase())
    .replace(RANK_KEY_VALUE, "$1'");
}

const PROFILE_LINK = new RegExp(
  `<link-entity name='${profile.logicalName}'[^>]*>([\\s\\S]*?)</link-entity>`,
  'g',
);

function values(text: string, attribute: string): string[] {
  const found = new RegExp(
    `<condition attribute='${attribute}' operator='in'>((?:<value>[^<]*</value>)*)</condition>`,
  ).exec(text);
  return found ? [...found[1].matchAll(/<value>([^<]*)<\/value>/g)].map((m) => m[1]) : [];
}

function value(text: string, attribute: string, operator: string): string | undefined {
  return new RegExp(`<condition attribute='${attribute}' operator='${operator}' value='([^']*)' />`).exec(
    text,
  )?.[1];
}

const OFFER_LINK = new RegExp(
  `<link-entity name='${offerscore.logicalName}'[^>]*>([\\s\\S]*?)</link-entity>`,
);

const dayCount = (text: string | undefined): number | undefined =>
  text === undefined ? undefined : Number(text);

/**
 * Reads back a query targetFetchXml wrote (whatever day its thresholds were last moved to), with each
 * concept's half-life from `halfLifeDays`. Null for any other query (written in the Dynamics editor or
 * by another tool) or one naming a concept not in `halfLifeDays`: the caller must not rewrite it.
 */
export function parseTargetFetchXml(
  fetchXml: string,
  halfLifeDays: ReadonlyMap<string, number>,
): TargetQuery | null {
  const text = canonical(fetchXml);
  const [head] = text.split(`<link-entity`);
  const tierByChoice = new Map(
    Object.entries(TIER_CHOICES).map(([tier, choice]) => [String(choice), tier as Tier]),
  );
  const tiers = values(head, contact.idr_valuetier).map((v) => tierByChoice.get(v));
  if (tiers.some((t) => t === undefined)) return null;
  const concepts: TargetQuery['concepts'][number][] = [];
  let segmentConceptIds: string[] = [];
  let lastInteractionWithinDays: number | undefined;
  for (const [, link] of text.matchAll(PROFILE_LINK)) {
    const conceptId = value(link, profile.idr_concept, 'eq');
    const minScore = value(link, profile.idr_score, 'ge');
    const last = value(link, profile.idr_lastinteractionon, 'last-x-days');
    if (conceptId !== undefined && minScore !== undefined) {
      const halfLife = halfLifeDays.get(conceptId);
      if (halfLife === undefined) return null;
      concepts.push({ conceptId, minScore: Number(minScore), halfLifeDays: halfLife });
    } else if (link.includes(`'${profile.idr_insegment}'`))
      segmentConceptIds = values(link, profile.idr_concept);
    else if (last !== undefined) lastInteractionWithinDays = dayCount(last);
  }
  let query: TargetQuery = {
    concepts,
    tiers: tiers as Tier[],
    primaryInterestIds: values(head, contact.idr_primaryinterest),
    segmentConceptIds,
    lastInteractionWithinDays,
    notContactedDays: dayCount(value(text, email.scheduledstart, 'last-x-days')),
  };
  const offerLink = OFFER_LINK.exec(text)?.[1];
  if (offerLink !== undefined) {
    const offerId = value(offerLink, offerscore.idr_offer, 'eq');
    const minPropensity = value(offerLink, offerscore.idr_propensity, 'ge');
    if (offerId === undefined || minPropensity === undefined) return null;
    query = { ...query, offer: { offerId, minPropensity: Number(minPropensity) } };
  }
  // Anything the conditions above did not capture (another condition, order, link) makes it unreadable.
  return canonical(targetFetchXml(query, 0)) === text ? query : null;
}
