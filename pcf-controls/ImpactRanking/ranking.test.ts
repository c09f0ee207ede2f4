import { directScore } from '../../domain/interest/decay';
import { idr_interestprofile } from '../../dataverse/generated/idr_interestprofile';
import { createMockDataset } from '../../tools/harness/pcf-context';
import {
  DEFAULT_SORT,
  fromSortStatus,
  heatLevel,
  heatMapCsv,
  rankingCsv,
  shouldLoadNextPage,
  toConcepts,
  toFilter,
  toHeatMap,
  toRankingRows,
  toSortStatus,
  trendTone,
  type ProfileRecord,
} from './ranking';
import {
  CLOUD,
  conceptEntities,
  conceptMap,
  DAY,
  manyProfiles,
  NOW,
  profileRecord,
  SECURITY,
} from './ranking.testkit';

const P = idr_interestprofile.columns;
const concepts = conceptMap(CLOUD, SECURITY);

function records(dataset: ReturnType<typeof createMockDataset>): ProfileRecord[] {
  return dataset.sortedRecordIds.map((id) => dataset.records[id]);
}

const HEADERS = {
  rank: 'Rank',
  contact: 'Contact',
  concept: 'Concept',
  scoreToday: 'Score today',
  trend: 'Trend',
  lastInteraction: 'Last interaction',
  segment: 'In segment',
  primaryInterest: 'Primary interest',
  yes: 'Yes',
  no: 'No',
};

describe('ImpactRanking mapping: score decayed to today', () => {
  it('shows the score as of now, equal to the brute-force sum of decayed events', () => {
    // Two events of 10 points 30 and 60 days ago, landmark at the first: A = 10 + 10·2^(30/30) = 30.
    const first = NOW - 60 * DAY;
    const row = toRankingRows(
      [
        onlyRecord(
          profileRecord({
            contactId: 'a',
            contactName: 'Ana',
            concept: CLOUD,
            accumulator: 30,
            landmark: first,
            lastInteractionOn: NOW - 30 * DAY,
          }),
        ),
      ],
      concepts,
      NOW,
    )[0];
    const expected = directScore(
      [
        { points: 10, occurredOn: first },
        { points: 10, occurredOn: NOW - 30 * DAY },
      ],
      NOW,
      CLOUD.halfLifeDays,
    );
    expect(row.scoreToday).toBeCloseTo(expected, 9);
    expect(row.scoreToday).toBeCloseTo(7.5, 9);
    // Just after the last event the score was 15; 30 days (one half-life) took half of it.
    expect(row.trend).toBeCloseTo(-7.5, 9);
    expect(row.contactName).toBe('Ana');
    expect(row.conceptName).toBe('Cloud migration');
  });

  it('ranks by score today, not by the stored accumulator, when landmarks differ', () => {
    const rows = toRankingRows(
      [
        onlyRecord(
          profileRecord({
            contactId: 'a',
            contactName: 'Old landmark',
            concept: CLOUD,
            accumulator: 8,
            landmark: NOW - 90 * DAY,
          }),
        ),
        onlyRecord(
          profileRecord({
            contactId: 'b',
            contactName: 'Recent',
            concept: CLOUD,
            accumulator: 2,
            landmark: NOW,
          }),
        ),
        onlyRecord(
          profileRecord({
            contactId: 'c',
            contactName: 'Tie',
            concept: CLOUD,
            accumulator: 2,
            landmark: NOW,
          }),
        ),
      ],
      concepts,
      NOW,
    );
    expect(rows.map((r) => [r.contactName, r.rank])).toEqual([
      ['Old landmark', 3],
      ['Recent', 1],
      ['Tie', 1],
    ]);
  });

  it('leaves the score empty when the concept is not active (no half-life to decay with)', () => {
    const other = { id: 'c0000000-0000-0000-0000-00000000dead', name: 'Retired', halfLifeDays: 10 };
    const [row] = toRankingRows(
      [
        onlyRecord(
          profileRecord({
            contactId: 'a',
            contactName: 'Ana',
            concept: other,
            accumulator: 5,
            landmark: NOW,
          }),
        ),
      ],
      concepts,
      NOW,
    );
    expect(row.scoreToday).toBeNull();
    expect(row.rank).toBeNull();
    expect(row.conceptName).toBe('Retired');
  });

  it('reads active concepts with their half-life, defaulting an empty one to 90 days', () => {
    const entities = conceptEntities(CLOUD);
    entities.push({
      idr_marketingconceptid: '{C0000000-0000-0000-0000-000000000003}',
      idr_name: 'Edge',
      idr_halflifedays: null,
    });
    expect(toConcepts(entities)).toEqual([
      CLOUD,
      { id: 'c0000000-0000-0000-0000-000000000003', name: 'Edge', halfLifeDays: 90 },
    ]);
  });
});

describe('ImpactRanking mapping: trend colour', () => {
  it('reads a fall, a rise, and a change that rounds to 0.0 as neither (it showed red before)', () => {
    expect(trendTone(-0.6, 'en-US')).toBe('fall');
    expect(trendTone(0.05, 'en-US')).toBe('rise');
    expect(trendTone(-0.04, 'en-US')).toBe('flat');
    expect(trendTone(-0.04, 'es-ES')).toBe('flat');
    expect(trendTone(0, 'en-US')).toBe('flat');
  });
});

describe('ImpactRanking mapping: dataset sorting, filtering and paging', () => {
  it('asks the dataset for score descending by default and reads the sort back', () => {
    expect(toSortStatus(DEFAULT_SORT)).toEqual([{ name: P.idr_rankkey, sortDirection: 1 }]);
    expect(fromSortStatus([{ name: P.idr_lastinteractionon, sortDirection: 0 }])).toEqual({
      key: 'lastInteraction',
      direction: 'ascending',
    });
    expect(fromSortStatus([])).toEqual(DEFAULT_SORT);
  });

  it('sorts and filters through the dataset: one concept, in segment only, by name', () => {
    const dataset = createMockDataset({
      entityType: idr_interestprofile.logicalName,
      records: [
        profileRecord({
          contactId: 'a',
          contactName: 'Ana',
          concept: CLOUD,
          accumulator: 3,
          landmark: NOW,
          inSegment: true,
        }),
        profileRecord({
          contactId: 'b',
          contactName: 'Bea',
          concept: CLOUD,
          accumulator: 9,
          landmark: NOW,
          inSegment: true,
        }),
        profileRecord({
          contactId: 'c',
          contactName: 'Carlos',
          concept: CLOUD,
          accumulator: 5,
          landmark: NOW,
          inSegment: false,
        }),
        profileRecord({
          contactId: 'a',
          contactName: 'Ana',
          concept: SECURITY,
          accumulator: 50,
          landmark: NOW,
          inSegment: true,
        }),
      ],
    });
    dataset.sorting = toSortStatus(DEFAULT_SORT);
    dataset.filtering.setFilter(toFilter({ conceptId: CLOUD.id, segmentOnly: true, search: '' }));
    dataset.refresh();
    expect(toRankingRows(records(dataset), concepts, NOW).map((r) => r.contactName)).toEqual(['Bea', 'Ana']);

    dataset.filtering.setFilter(toFilter({ conceptId: CLOUD.id, segmentOnly: false, search: ' car ' }));
    dataset.refresh();
    expect(toRankingRows(records(dataset), concepts, NOW).map((r) => r.contactName)).toEqual(['Carlos']);
  });

  it('pages in order of score today when profiles started on different days (their own landmarks)', () => {
    // Accumulators 100, 40, 30 against landmarks 60, 10 and 1 day ago: 25, 31.7 and 29.3 today.
    const spec = [
      ['Old', 100, 60],
      ['Mid', 40, 10],
      ['New', 30, 1],
    ] as const;
    const dataset = createMockDataset({
      entityType: idr_interestprofile.logicalName,
      records: spec.map(([name, accumulator, days]) =>
        profileRecord({
          contactId: name,
          contactName: name,
          concept: CLOUD,
          accumulator,
          landmark: NOW - days * DAY,
        }),
      ),
      pageSize: 1,
    });
    dataset.sorting = toSortStatus(DEFAULT_SORT);
    dataset.refresh();
    dataset.paging.loadNextPage();
    dataset.paging.loadNextPage();
    const rows = toRankingRows(records(dataset), concepts, NOW);
    expect(rows.map((r) => [r.contactName, r.rank])).toEqual([
      ['Mid', 1],
      ['New', 2],
      ['Old', 3],
    ]);
  });

  it('loads the next page only near the end of what is loaded, once, while more exist', () => {
    const dataset = createMockDataset({
      entityType: 'idr_interestprofile',
      records: manyProfiles(120),
      pageSize: 50,
    });
    expect(dataset.sortedRecordIds).toHaveLength(50);
    const state = { loadedCount: 50, hasNextPage: dataset.paging.hasNextPage, loading: false };
    expect(shouldLoadNextPage({ ...state, lastRenderedIndex: 20 })).toBe(false);
    expect(shouldLoadNextPage({ ...state, lastRenderedIndex: 35 })).toBe(true);
    expect(shouldLoadNextPage({ ...state, lastRenderedIndex: 35, loading: true })).toBe(false);
    dataset.paging.loadNextPage();
    dataset.paging.loadNextPage();
    expect(dataset.sortedRecordIds).toHaveLength(120);
    expect(
      shouldLoadNextPage({
        loadedCount: 120,
        hasNextPage: dataset.paging.hasNextPage,
        loading: false,
        lastRenderedIndex: 119,
      }),
    ).toBe(false);
  });
});

describe('ImpactRanking mapping: heat map and CSV', () => {
  const rows = toRankingRows(
    [
      onlyRecord(
        profileRecord({ contactId: 'a', contactName: 'Ana', concept: CLOUD, accumulator: 4, landmark: NOW }),
      ),
      onlyRecord(
        profileRecord({
          contactId: 'b',
          contactName: 'Bea',
          concept: SECURITY,
          accumulator: 10,
          landmark: NOW,
        }),
      ),
      onlyRecord(
        profileRecord({
          contactId: 'a',
          contactName: 'Ana',
          concept: SECURITY,
          accumulator: 1,
          landmark: NOW,
        }),
      ),
      onlyRecord(
        profileRecord({
          contactId: 'c',
          contactName: '=cmd()',
          concept: CLOUD,
          accumulator: 0.5,
          landmark: NOW,
        }),
      ),
    ],
    concepts,
    NOW,
  );

  it('builds the contacts × concepts matrix, contacts by total score, concepts by name', () => {
    const map = toHeatMap(rows, 2);
    expect(map.concepts.map((c) => c.name)).toEqual(['Cloud migration', 'Zero trust security']);
    expect(map.contacts.map((c) => c.name)).toEqual(['Bea', 'Ana']);
    expect(map.cells).toEqual([
      [null, 10],
      [4, 1],
    ]);
    expect(map.max).toBe(10);
    expect(map.hiddenContacts).toBe(1);
    expect([heatLevel(null, 10), heatLevel(1, 10), heatLevel(4, 10), heatLevel(10, 10)]).toEqual([
      0, 1, 2, 4,
    ]);
  });

  it('exports what is shown, neutralising a name that would run as a formula', () => {
    const csv = rankingCsv(rows, HEADERS);
    const lines = csv.trimEnd().split('\r\n');
    expect(lines[0]).toBe(
      'Rank,Contact,Concept,Score today,Trend,Last interaction,In segment,Primary interest',
    );
    expect(lines).toHaveLength(5);
    expect(lines[4]).toBe("4,'=cmd(),Cloud migration,0.5,,,No,");
    expect(heatMapCsv(toHeatMap(rows, 10), 'Contact').split('\r\n')[3]).toBe("'=cmd(),0.5,");
  });
});

function onlyRecord(record: ReturnType<typeof profileRecord>): ProfileRecord {
  const dataset = createMockDataset({ entityType: 'idr_interestprofile', records: [record] });
  return dataset.records[record.id];
}
