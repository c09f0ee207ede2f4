import type { TargetQuery } from '../../domain/campaign';
import { queryAsOf } from '../../plugins/handlers/campaigns/target';
import { contact, idr_interestprofile, idr_offerscore } from '../generated';
import {
  countOf,
  nthPropensityFetchXml,
  nthPropensityOf,
  parseTargetFetchXml,
  targetCountFetchXml,
  targetFetchXml,
} from './target';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 11, 7, 9);
const CLOUD = '6f1c0c3e-1d2a-4c5b-9e8f-0a1b2c3d4e5f';
const SEC = '7a2d1d4f-2e3b-4d6c-8f90-1b2c3d4e5f60';
const halfLives = new Map([
  [CLOUD, 10],
  [SEC, 90],
]);
const EMPTY: TargetQuery = { concepts: [], tiers: [], primaryInterestIds: [], segmentConceptIds: [] };
const FULL: TargetQuery = {
  concepts: [
    { conceptId: CLOUD, minScore: 40, halfLifeDays: 10 },
    { conceptId: SEC, minScore: 12.5, halfLifeDays: 90 },
  ],
  tiers: ['mostValuable', 'belowZero'],
  primaryInterestIds: [SEC],
  segmentConceptIds: [CLOUD, SEC],
  lastInteractionWithinDays: 30,
  notContactedDays: 14,
};
const OFFER = '0b3e7c1a-5d2f-4e8a-9c61-7f20d4a8b3e9';
const LIKELY: TargetQuery = { ...FULL, offer: { offerId: OFFER, minPropensity: 0.4375 } };

describe('reading back a target query', () => {
  it.each<[string, TargetQuery]>([
    ['no condition', EMPTY],
    ['every kind of condition', FULL],
    ['one concept minimum', { ...EMPTY, concepts: [FULL.concepts[1]] }],
    ['tiers only', { ...EMPTY, tiers: ['maintain'] }],
    ['not contacted only', { ...EMPTY, notContactedDays: 7 }],
    ['every condition and a minimum propensity', LIKELY],
    ['a minimum propensity only', { ...EMPTY, offer: { offerId: OFFER, minPropensity: 0 } }],
    ['a tiny minimum propensity', { ...EMPTY, offer: { offerId: OFFER, minPropensity: 1e-7 } }],
  ])('gives back the same conditions: %s', (_name, query) => {
    const parsed = parseTargetFetchXml(targetFetchXml(query, NOW), halfLives);
    expect(parsed).toEqual(query);
    expect(targetFetchXml(parsed ?? EMPTY, NOW)).toBe(targetFetchXml(query, NOW));
  });

  it('reads a list whose thresholds the hourly job moved to a later day', () => {
    const moved = queryAsOf(targetFetchXml(FULL, NOW), halfLives, NOW + 5 * DAY);
    expect(moved).not.toBe(targetFetchXml(FULL, NOW));
    expect(parseTargetFetchXml(moved, halfLives)).toEqual(FULL);
  });

  it('reads the query as the Dynamics editor saves it: double quotes, indentation, braced ids', () => {
    const edited = targetFetchXml(FULL, NOW)
      .replace(/'/g, '"')
      .replace(/></g, '>\n  <')
      .replace(CLOUD, `{${CLOUD.toUpperCase()}}`);
    expect(parseTargetFetchXml(edited, halfLives)).toEqual(FULL);
  });

  it('does not read a query with a condition it does not write, nor one for an inactive concept', () => {
    const made = targetFetchXml(FULL, NOW);
    const extra = made.replace(
      `<filter type='and'>`,
      `<filter type='and'><condition attribute='${contact.columns.address1_city}' operator='eq' value='Madrid' />`,
    );
    expect(parseTargetFetchXml(extra, halfLives)).toBeNull();
    expect(parseTargetFetchXml(made, new Map([[SEC, 90]]))).toBeNull();
    expect(parseTargetFetchXml(made.replace(`link-type='any'`, `link-type='inner'`), halfLives)).toBeNull();
    expect(parseTargetFetchXml("<fetch><entity name='contact' /></fetch>", halfLives)).toBeNull();
    expect(parseTargetFetchXml('', halfLives)).toBeNull();
  });

  it('counts with the same conditions as the list query', () => {
    const count = targetCountFetchXml(FULL, NOW);
    expect(count).toContain("aggregate='true'");
    expect(count).toContain("aggregate='countcolumn'");
    const conditions = (xml: string) => xml.slice(xml.indexOf(`<filter`));
    expect(conditions(count)).toBe(conditions(targetFetchXml(FULL, NOW)));
    expect(count).toContain(idr_interestprofile.columns.idr_rankkey);
    expect(countOf([{ count: 42 }])).toBe(42);
    expect(countOf([])).toBe(0);
  });

  it('writes a tiny propensity as decimal text, not in exponent form', () => {
    const made = targetFetchXml({ ...EMPTY, offer: { offerId: OFFER, minPropensity: 1e-7 } }, NOW);
    expect(made).toContain("value='0.0000001'");
    expect(made).not.toMatch(/value='[^']*e-/);
  });

  it("keeps a list's offer condition as the hourly job moves its minimum scores on", () => {
    const made = targetFetchXml(LIKELY, NOW);
    const moved = queryAsOf(made, halfLives, NOW + 5 * DAY);
    expect(moved).toBe(targetFetchXml(LIKELY, NOW + 5 * DAY));
    expect(parseTargetFetchXml(moved, halfLives)?.offer).toEqual({ offerId: OFFER, minPropensity: 0.4375 });
    const edited = made.replace(/'/g, '"').replace(OFFER, `{${OFFER.toUpperCase()}}`);
    expect(parseTargetFetchXml(edited, halfLives)).toEqual(LIKELY);
  });

  it('does not read an offer condition it does not write', () => {
    const made = targetFetchXml(LIKELY, NOW);
    const P = idr_offerscore.columns.idr_propensity;
    expect(
      parseTargetFetchXml(made.replace(`'${P}' operator='ge'`, `'${P}' operator='gt'`), halfLives),
    ).toBeNull();
    expect(parseTargetFetchXml(made.replace(`value='0.4375'`, `value='high'`), halfLives)).toBeNull();
  });
});

describe('the N-th most likely contact', () => {
  it('pages the offer scores, most likely first, among the contacts meeting the other conditions', () => {
    const fetchXml = nthPropensityFetchXml(LIKELY, OFFER, 2000, NOW);
    // Paged, never `top`: a dynamic list's query cannot use it, and this read mirrors one.
    expect(fetchXml).toMatch(/^<fetch [^>]*count='1' page='2000'>/);
    expect(fetchXml).not.toContain('top=');
    const S = idr_offerscore.columns;
    expect(fetchXml).toContain(
      `<entity name='${idr_offerscore.logicalName}'><attribute name='${S.idr_propensity}' />` +
        `<order attribute='${S.idr_propensity}' descending='true' /><order attribute='${S.idr_offerscoreid}' />`,
    );
    expect(fetchXml).toContain(`<condition attribute='${S.idr_offer}' operator='eq' value='${OFFER}' />`);
    // The contact's conditions are the list's own, without the threshold being worked out.
    const contactPart = fetchXml.slice(fetchXml.indexOf(`<link-entity name='${contact.logicalName}'`));
    const listConditions = targetFetchXml(FULL, NOW);
    expect(contactPart).toContain(
      listConditions.slice(listConditions.indexOf('<filter'), -'</entity></fetch>'.length),
    );
    expect(contactPart).not.toContain('0.4375');
    expect(nthPropensityOf([{ [S.idr_propensity]: 0.61 }])).toBe(0.61);
    expect(nthPropensityOf([{ [S.idr_propensity]: '0.61' }])).toBe(0.61);
    expect(nthPropensityOf([])).toBeNull();
  });
});
