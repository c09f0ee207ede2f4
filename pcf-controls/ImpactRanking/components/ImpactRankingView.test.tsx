/** @jest-environment jsdom */
import * as React from 'react';
import { join } from 'node:path';
import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { readResx } from '../../shared/resx.testkit';
import { createMockDataset } from '../../../tools/harness/pcf-context';
import { type ConceptInfo, type ProfileRecord } from '../ranking';
import { CLOUD, DAY, manyProfiles, NOW, profileRecord, SECURITY } from '../ranking.testkit';
import { impactRankingStrings } from '../strings';
import { type DatasetView, ImpactRankingView, type ImpactRankingProps } from './ImpactRankingView';

const english = readResx(join(__dirname, '../strings/ImpactRanking.1033.resx'));
const strings = impactRankingStrings((key) => english[key] ?? key);

function datasetView(records: readonly ProfileRecord[], overrides: Partial<DatasetView> = {}): DatasetView {
  return {
    loading: false,
    errorMessage: null,
    records,
    totalCount: records.length,
    hasNextPage: false,
    sort: { key: 'score', direction: 'descending' },
    ...overrides,
  };
}

function recordsOf(specs: ReturnType<typeof profileRecord>[]): ProfileRecord[] {
  const dataset = createMockDataset({
    entityType: 'idr_interestprofile',
    records: specs,
    pageSize: specs.length,
  });
  return dataset.sortedRecordIds.map((id) => dataset.records[id]);
}

function setup(overrides: Partial<ImpactRankingProps> = {}, concepts: ConceptInfo[] = [CLOUD, SECURITY]) {
  const calls = {
    queries: [] as unknown[],
    sorts: [] as unknown[],
    loadMore: 0,
    opened: [] as string[],
    exported: [] as { fileName: string; csv: string }[],
  };
  const props: ImpactRankingProps = {
    dataset: datasetView([]),
    strings,
    locale: 'en-US',
    now: NOW,
    height: 400,
    loadConcepts: () => Promise.resolve(concepts),
    onQueryChange: (query) => calls.queries.push(query),
    onSortChange: (sort) => calls.sorts.push(sort),
    onLoadMore: () => {
      calls.loadMore += 1;
    },
    onOpenContact: (id) => calls.opened.push(id),
    onExport: (fileName, csv) => calls.exported.push({ fileName, csv }),
    ...overrides,
  };
  const view = render(<ImpactRankingView {...props} />);
  return { ...view, calls, props };
}

describe('ImpactRankingView', () => {
  it('says it is loading while the concepts or the first page are on their way', async () => {
    setup({ dataset: datasetView([], { loading: true }) });
    expect(screen.getByText('Loading the ranking…')).toBeTruthy();
    await screen.findByRole('tab', { name: 'Ranking' });
  });

  it('says what failed when the dataset cannot be loaded', async () => {
    setup({
      dataset: datasetView([], { errorMessage: 'You do not have Read privilege on Interest Profile.' }),
    });
    expect(
      await screen.findByText(
        'The ranking could not be loaded: You do not have Read privilege on Interest Profile.',
      ),
    ).toBeTruthy();
  });

  it('says what failed when the concepts cannot be read', async () => {
    setup({ loadConcepts: () => Promise.reject(new Error('Network unreachable')) });
    expect(
      await screen.findByText('The marketing concepts could not be loaded: Network unreachable'),
    ).toBeTruthy();
  });

  it('picks the first concept, asks the dataset for it and explains an empty ranking', async () => {
    const { calls } = setup();
    expect(
      await screen.findByText(
        'No contact has shown interest in Cloud migration yet: scores appear once interactions for this concept are registered.',
      ),
    ).toBeTruthy();
    expect(calls.queries).toEqual([{ conceptId: CLOUD.id, segmentOnly: false, search: '' }]);
  });

  it('says so when there is no active concept to rank by', async () => {
    setup({}, []);
    expect(await screen.findByText(/There are no active marketing concepts/)).toBeTruthy();
  });

  it('shows rank, contact, score today, trend, last interaction and segment; a row opens the contact', async () => {
    const records = recordsOf([
      profileRecord({
        contactId: 'b0000000-0000-0000-0000-0000000000a1',
        contactName: 'Ana López',
        concept: CLOUD,
        accumulator: 30,
        landmark: NOW - 60 * DAY,
        lastInteractionOn: NOW - 30 * DAY,
        inSegment: true,
        primaryInterest: 'Cloud migration',
      }),
    ]);
    const { calls } = setup({ dataset: datasetView(records) });
    const grid = await screen.findByRole('grid', { name: 'Impact ranking' });
    const row = within(grid).getByRole('row', { name: 'Open Ana López' });
    const cells = within(row)
      .getAllByRole('gridcell')
      .map((cell) => cell.textContent);
    expect(cells).toEqual([
      '1',
      'Ana López',
      '7.5',
      '\u22127.5',
      'Nov 5, 2026',
      'In segment',
      'Cloud migration',
    ]);
    // A long name stays on its row's one line (rows have a fixed height) and shows whole on hover.
    const interest = within(row).getByTitle('Cloud migration');
    expect(interest.style.whiteSpace).toBe('nowrap');
    expect(interest.style.textOverflow).toBe('ellipsis');
    fireEvent.click(row);
    fireEvent.keyDown(row, { key: 'Enter' });
    expect(calls.opened).toEqual([
      'b0000000-0000-0000-0000-0000000000a1',
      'b0000000-0000-0000-0000-0000000000a1',
    ]);
    expect(screen.getByRole('status').textContent).toBe('1 of 1 profiles loaded');
  });

  it('keeps fewer than 200 rows in the DOM for 10,000 profiles', async () => {
    const records = recordsOf(manyProfiles(10_000));
    const { calls } = setup({ dataset: datasetView(records, { hasNextPage: true, totalCount: 25_000 }) });
    const grid = await screen.findByRole('grid');
    const rendered = within(grid).getAllByRole('row');
    expect(rendered.length).toBeGreaterThan(5);
    expect(rendered.length).toBeLessThan(200);
    // The first rows are far from the end of the 10,000 loaded: no page is asked for yet.
    expect(calls.loadMore).toBe(0);
  }, 120_000);

  it('asks the dataset for the next page when the rows in view reach the end of those loaded', async () => {
    const { calls } = setup({
      dataset: datasetView(recordsOf(manyProfiles(25)), { hasNextPage: true, totalCount: 300 }),
    });
    await screen.findByRole('grid');
    await waitFor(() => expect(calls.loadMore).toBe(1));
  });

  it('sorts through the dataset when a sortable header is clicked', async () => {
    const { calls } = setup({ dataset: datasetView(recordsOf(manyProfiles(3))) });
    fireEvent.click(await screen.findByText('Last interaction'));
    expect(calls.sorts).toEqual([{ key: 'lastInteraction', direction: 'ascending' }]);
  });

  it('filters to the segment and by name through the dataset query', async () => {
    const { calls } = setup({ dataset: datasetView(recordsOf(manyProfiles(3))) });
    await screen.findByRole('grid');
    fireEvent.click(screen.getByRole('switch', { name: 'Only contacts in the segment' }));
    const search = screen.getByRole('textbox', { name: 'Find a contact' });
    fireEvent.change(search, { target: { value: 'Contact 0001' } });
    fireEvent.keyDown(search, { key: 'Enter' });
    expect(calls.queries.slice(1)).toEqual([
      { conceptId: CLOUD.id, segmentOnly: true, search: '' },
      { conceptId: CLOUD.id, segmentOnly: true, search: 'Contact 0001' },
    ]);
  });

  it('exports the rows shown as CSV, neutralising formulas', async () => {
    const records = recordsOf([
      profileRecord({
        contactId: 'a',
        contactName: '=HYPERLINK("x")',
        concept: CLOUD,
        accumulator: 2,
        landmark: NOW,
      }),
    ]);
    const { calls } = setup({ dataset: datasetView(records) });
    fireEvent.click(await screen.findByRole('button', { name: 'Export CSV' }));
    expect(calls.exported).toHaveLength(1);
    expect(calls.exported[0].fileName).toBe('impact-ranking-2026-12-05.csv');
    expect(calls.exported[0].csv.split('\r\n')[1]).toBe('1,"\'=HYPERLINK(""x"")",Cloud migration,2,,,No,');
  });

  it('switches to the heat map of every concept, contacts by total score', async () => {
    const records = recordsOf([
      profileRecord({ contactId: 'a', contactName: 'Ana', concept: CLOUD, accumulator: 4, landmark: NOW }),
      profileRecord({ contactId: 'a', contactName: 'Ana', concept: SECURITY, accumulator: 1, landmark: NOW }),
      profileRecord({ contactId: 'b', contactName: 'Bea', concept: SECURITY, accumulator: 9, landmark: NOW }),
    ]);
    const { calls } = setup({ dataset: datasetView(records) });
    fireEvent.click(await screen.findByRole('tab', { name: 'Heat map' }));
    expect(calls.queries[calls.queries.length - 1]).toEqual({
      conceptId: null,
      segmentOnly: false,
      search: '',
    });
    const table = screen.getByRole('table', { name: 'Score today by contact and concept' });
    const rows = within(table)
      .getAllByRole('row')
      .map((row) => row.textContent);
    expect(rows).toEqual(['ContactCloud migrationZero trust security', 'Bea9.0', 'Ana4.01.0']);
    fireEvent.click(within(table).getByRole('button', { name: 'Open Bea' }));
    expect(calls.opened).toEqual(['b']);
  });
});
