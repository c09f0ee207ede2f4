import { resolveTarget } from '../../domain/campaign/target';
import { nthPropensityFetchXml, targetFetchXml } from '../../dataverse/queries/target';
import { idr_marketingconcept } from '../../dataverse/generated';
import {
  type BuilderState,
  type ConceptOption,
  countRequest,
  EMPTY_STATE,
  hasConditions,
  nthPropensityRequest,
  propensityText,
  queryText,
  readStoredQuery,
  toConcepts,
  toQuery,
} from './builder';

const NOW = Date.UTC(2026, 11, 7, 9);
const DAY = 86_400_000;
const CLOUD = '6f1c0c3e-1d2a-4c5b-9e8f-0a1b2c3d4e5f';
const SEC = '7a2d1d4f-2e3b-4d6c-8f90-1b2c3d4e5f60';
const CONCEPTS: ConceptOption[] = [
  { id: CLOUD, name: 'Cloud migration', halfLifeDays: 10 },
  { id: SEC, name: 'Zero trust security', halfLifeDays: 90 },
];
const M = idr_marketingconcept.columns;

const FULL: BuilderState = {
  concepts: [
    { conceptId: SEC, minScore: '12.5' },
    { conceptId: CLOUD, minScore: '40' },
  ],
  tiers: ['mostValuable', 'maintain'],
  primaryInterestIds: [CLOUD],
  segmentConceptIds: [SEC, CLOUD],
  lastInteractionDays: '30',
  notContactedDays: '14',
  offerId: '',
  keepMostLikely: '',
  minPropensity: '',
};

function query(state: BuilderState) {
  const mapped = toQuery(state, CONCEPTS);
  if (!mapped.ok) throw new Error(`unexpected problems: ${JSON.stringify(mapped.problems)}`);
  return mapped.query;
}

describe('Target Builder mapping', () => {
  it('reads the active concepts with their half-life, 90 days when empty', () => {
    expect(
      toConcepts([
        { [M.idr_marketingconceptid]: CLOUD, [M.idr_name]: 'Cloud migration', [M.idr_halflifedays]: 10 },
        { [M.idr_marketingconceptid]: `{${SEC.toUpperCase()}}`, [M.idr_name]: 'Zero trust security' },
      ]),
    ).toEqual([CONCEPTS[0], { ...CONCEPTS[1], halfLifeDays: 90 }]);
  });

  it('writes the same FetchXML as `ideario target` for the same conditions', () => {
    const cli = resolveTarget(
      {
        concepts: [
          { concept: 'Zero trust security', minScore: 12.5 },
          { concept: 'Cloud migration', minScore: 40 },
        ],
        tiers: ['most-valuable', 'maintain'],
        primaryInterests: ['Cloud migration'],
        segments: ['Zero trust security', 'Cloud migration'],
        lastInteractionWithinDays: 30,
        notContactedDays: 14,
      },
      CONCEPTS.map((c) => ({ id: c.id, code: null, name: c.name, halfLifeDays: c.halfLifeDays })),
    );
    expect(queryText(query(FULL), NOW)).toBe(targetFetchXml(cli, NOW));
  });

  it.each<[string, BuilderState]>([
    ['every condition', FULL],
    ['one concept', { ...EMPTY_STATE, concepts: [{ conceptId: CLOUD, minScore: '5' }] }],
    ['not contacted only', { ...EMPTY_STATE, notContactedDays: '7' }],
    ['tiers only', { ...EMPTY_STATE, tiers: ['belowZero'] }],
  ])('shows the conditions it wrote again when the list is reopened: %s', (_name, state) => {
    const saved = queryText(query(state), NOW);
    expect(readStoredQuery(saved, CONCEPTS)).toEqual({ kind: 'target', state });
    // A day later the hourly job has moved the thresholds on: the same conditions still.
    const later = queryText(query(state), NOW + DAY);
    expect(readStoredQuery(later, CONCEPTS)).toEqual({ kind: 'target', state });
  });

  it('takes a Spanish decimal comma in the minimum score, and shows it so when the list is reopened', () => {
    const spanish: BuilderState = { ...EMPTY_STATE, concepts: [{ conceptId: SEC, minScore: '12,5' }] };
    expect(query(spanish).concepts).toEqual([{ conceptId: SEC, minScore: 12.5, halfLifeDays: 90 }]);
    const saved = queryText(query(spanish), NOW);
    expect(readStoredQuery(saved, CONCEPTS, ',')).toEqual({ kind: 'target', state: spanish });
    expect(readStoredQuery(saved, CONCEPTS)).toEqual({
      kind: 'target',
      state: { ...spanish, concepts: [{ conceptId: SEC, minScore: '12.5' }] },
    });
  });

  it('says which row or field is wrong instead of writing a query', () => {
    expect(
      toQuery(
        {
          ...EMPTY_STATE,
          concepts: [
            { conceptId: '', minScore: '10' },
            { conceptId: CLOUD, minScore: '0' },
            { conceptId: SEC, minScore: 'ten' },
          ],
          lastInteractionDays: '1.5',
          notContactedDays: '4000',
        },
        CONCEPTS,
      ),
    ).toEqual({
      ok: false,
      problems: [
        { kind: 'concept', row: 1 },
        { kind: 'minScore', row: 2 },
        { kind: 'minScore', row: 3 },
        { kind: 'days', field: 'lastInteraction' },
        { kind: 'days', field: 'notContacted' },
      ],
    });
  });

  it('knows when nothing is asked for', () => {
    expect(hasConditions(query(EMPTY_STATE))).toBe(false);
    expect(hasConditions(query({ ...EMPTY_STATE, notContactedDays: '3' }))).toBe(true);
  });

  it('keeps a query written elsewhere, or naming an inactive concept, as unreadable', () => {
    expect(readStoredQuery(null, CONCEPTS)).toEqual({ kind: 'none' });
    expect(readStoredQuery('  ', CONCEPTS)).toEqual({ kind: 'none' });
    const foreign = "<fetch><entity name='contact'><attribute name='fullname' /></entity></fetch>";
    expect(readStoredQuery(foreign, CONCEPTS)).toEqual({ kind: 'unreadable', fetchXml: foreign });
    const saved = queryText(query(FULL), NOW);
    expect(readStoredQuery(saved, [CONCEPTS[1]])).toEqual({ kind: 'unreadable', fetchXml: saved });
  });

  it('counts with one aggregate FetchXML read of the same conditions', () => {
    const options = countRequest(query(FULL), NOW);
    expect(options.startsWith('?fetchXml=')).toBe(true);
    const fetchXml = decodeURIComponent(options.slice('?fetchXml='.length));
    expect(fetchXml).toContain("aggregate='countcolumn'");
    const conditions = (xml: string) => xml.slice(xml.indexOf('<filter'));
    expect(conditions(fetchXml)).toBe(conditions(queryText(query(FULL), NOW)));
  });

  describe('most likely to buy', () => {
    const OFFER = '0b3e7c1a-5d2f-4e8a-9c61-7f20d4a8b3e9';
    const LIKELY: BuilderState = { ...FULL, offerId: OFFER, minPropensity: '0.4375' };

    it('writes the minimum propensity as a condition on the offer score, and shows it again', () => {
      expect(query(LIKELY).offer).toEqual({ offerId: OFFER, minPropensity: 0.4375 });
      const saved = queryText(query(LIKELY), NOW);
      expect(saved).toContain("<link-entity name='idr_offerscore'");
      expect(readStoredQuery(saved, CONCEPTS)).toEqual({ kind: 'target', state: LIKELY });
      // In Spanish the threshold reads with a decimal comma, and is taken back typed so.
      const spanish = { ...LIKELY, minPropensity: '0,4375' };
      const reread = readStoredQuery(saved, CONCEPTS, ',');
      expect(reread.kind === 'target' && reread.state.minPropensity).toBe('0,4375');
      expect(query(spanish).offer).toEqual({ offerId: OFFER, minPropensity: 0.4375 });
    });

    it('asks the N-th most likely among the other conditions, with a whole N up to 50,000', () => {
      const keep = { ...LIKELY, keepMostLikely: '2000', minPropensity: '' };
      const options = nthPropensityRequest(keep, CONCEPTS, NOW) ?? '';
      expect(decodeURIComponent(options.slice('?fetchXml='.length))).toBe(
        nthPropensityFetchXml(query(FULL), OFFER, 2000, NOW),
      );
      // Waiting for its threshold, the offer is not a mistake; nor is it a condition yet.
      expect(toQuery(keep, CONCEPTS)).toEqual({ ok: true, query: query(FULL) });
      for (const bad of ['0', '2.5', 'many', '50001'])
        expect(toQuery({ ...keep, keepMostLikely: bad }, CONCEPTS)).toEqual({
          ok: false,
          problems: [{ kind: 'keepMostLikely' }],
        });
      expect(nthPropensityRequest({ ...keep, keepMostLikely: '0' }, CONCEPTS, NOW)).toBeNull();
      expect(nthPropensityRequest({ ...keep, offerId: '' }, CONCEPTS, NOW)).toBeNull();
    });

    it('says so when an offer has neither a number to keep nor a minimum from 0 to 1', () => {
      for (const minPropensity of ['', '1.5', 'likely'])
        expect(toQuery({ ...EMPTY_STATE, offerId: OFFER, minPropensity }, CONCEPTS)).toEqual({
          ok: false,
          problems: [{ kind: 'minPropensity' }],
        });
    });

    it('keeps every digit of a propensity, so the N-th contact passes its own threshold', () => {
      expect(propensityText(0.123456789, ',')).toBe('0,123456789');
      expect(Number(propensityText(1e-7))).toBe(1e-7);
    });
  });
});
