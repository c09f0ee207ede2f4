/** @jest-environment jsdom */
import { contact, idr_interestprofile } from '../../../../../dataverse/generated';
import type { PcfDatasetSpec } from '../../pcf';
import { createWebApiDataset, datasetFetchXml, DatasetFilterNotSupportedError } from './dataset';

const P = idr_interestprofile.columns;
const VIEW = `<fetch version="1.0" mapping="logical"><entity name="idr_interestprofile"><attribute name="idr_score" /><order attribute="idr_score" descending="true" /></entity></fetch>`;
const SPEC: PcfDatasetSpec = {
  name: 'profiles',
  entity: idr_interestprofile.logicalName,
  viewId: 'b276be4d-5230-439b-aa27-edb0faec797d',
  viewName: 'Impact Ranking',
  fetchXml: VIEW,
  columns: [],
  primaryId: P.idr_interestprofileid,
  primaryName: P.idr_name,
};

function parse(xml: string): Document {
  return new DOMParser().parseFromString(xml, 'application/xml');
}

it('asks for one page of the view with the added columns, the linked contact, the sort and the filter', () => {
  const xml = datasetFetchXml(VIEW, {
    columns: [{ name: P.idr_accumulator }, { name: contact.columns.idr_primaryinterest, alias: 'c' }],
    links: [{ name: 'contact', from: 'contactid', to: P.idr_contact, linkType: 'outer', alias: 'c' }],
    sorting: [{ name: P.idr_accumulator, sortDirection: 1 }],
    filter: {
      filterOperator: 0,
      conditions: [
        { attributeName: P.idr_concept, conditionOperator: 0, value: 'abc' },
        { attributeName: P.idr_name, conditionOperator: 49, value: '%ana%' },
      ],
    },
    pageSize: 100,
    page: 3,
  });
  const doc = parse(xml);
  const fetch = doc.documentElement;
  expect([fetch.getAttribute('count'), fetch.getAttribute('page')]).toEqual(['100', '3']);
  expect(fetch.getAttribute('returntotalrecordcount')).toBe('true');
  const orders = Array.from(doc.querySelectorAll('entity > order')).map(
    (o) => `${o.getAttribute('attribute')} ${o.getAttribute('descending')}`,
  );
  expect(orders).toEqual([`${P.idr_accumulator} true`]);
  expect(doc.querySelector('link-entity[alias="c"] > attribute')?.getAttribute('name')).toBe(
    contact.columns.idr_primaryinterest,
  );
  const conditions = Array.from(doc.querySelectorAll('filter > condition')).map(
    (c) => `${c.getAttribute('attribute')} ${c.getAttribute('operator')} ${c.getAttribute('value')}`,
  );
  expect(conditions).toEqual([`${P.idr_concept} eq abc`, `${P.idr_name} like %ana%`]);
});

it('refuses a filter operator it cannot express, naming the column', () => {
  expect(() =>
    datasetFetchXml(VIEW, {
      columns: [],
      links: [],
      sorting: [],
      filter: {
        filterOperator: 0,
        conditions: [{ attributeName: P.idr_score, conditionOperator: 76, value: '1' }],
      },
      pageSize: 10,
      page: 1,
    }),
  ).toThrow(DatasetFilterNotSupportedError);
});

it('accumulates pages as the control scrolls, and starts again on refresh', async () => {
  const rows = (page: number) =>
    [0, 1].map((i) => ({
      [P.idr_interestprofileid]: `id-${page}-${i}`,
      [`_${P.idr_contact}_value`]: `contact-${page}-${i}`,
      [`_${P.idr_contact}_value@OData.Community.Display.V1.FormattedValue`]: `Person ${page}${i}`,
      [`_${P.idr_contact}_value@Microsoft.Dynamics.CRM.lookuplogicalname`]: 'contact',
      [P.idr_scoredon]: '2026-11-20T10:00:00Z',
    }));
  let loads = 0;
  let settled: () => void = () => undefined;
  const dataset = createWebApiDataset(SPEC, {
    fetch: (_entity, xml) => {
      const page = Number(/page="(\d+)"/.exec(xml)?.[1]);
      return Promise.resolve({ rows: rows(page), moreRecords: page < 3, totalCount: 6 });
    },
    changed: () => {
      loads += 1;
      settled();
    },
    openRecord: () => undefined,
  });
  const next = () => new Promise<void>((resolve) => (settled = resolve));
  // The view's order is the dataset's sorting until the control changes it.
  expect(dataset.sorting).toEqual([{ name: P.idr_score, sortDirection: 1 }]);
  let done = next();
  dataset.refresh();
  await done;
  done = next();
  dataset.paging.loadNextPage();
  await done;
  expect(dataset.sortedRecordIds).toEqual(['id-1-0', 'id-1-1', 'id-2-0', 'id-2-1']);
  const record = dataset.records['id-2-1'];
  expect(record?.getValue(P.idr_contact)).toEqual({
    id: { guid: 'contact-2-1' },
    name: 'Person 21',
    etn: 'contact',
  });
  expect(record?.getValue(P.idr_scoredon)).toEqual(new Date('2026-11-20T10:00:00Z'));
  expect(dataset.paging.hasNextPage).toBe(true);
  done = next();
  dataset.refresh();
  await done;
  expect(dataset.sortedRecordIds).toEqual(['id-1-0', 'id-1-1']);
  expect(loads).toBe(3);
});
