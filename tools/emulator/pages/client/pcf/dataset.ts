/**
 * A PCF dataset backed by the emulator's Web API: the view's FetchXML with the columns, linked tables,
 * sort, filter and page the control asks for ("DataSet", Power Apps component framework API reference:
 * https://learn.microsoft.com/power-apps/developer/component-framework/reference/dataset). Pages
 * accumulate as `loadNextPage` is called, as in a model-driven grid that loads while scrolling.
 */
import type { PcfDatasetSpec } from '../../pcf';

type DataSet = ComponentFramework.PropertyTypes.DataSet;
type EntityRecord = ComponentFramework.PropertyHelper.DataSetApi.EntityRecord;
type FilterExpression = ComponentFramework.PropertyHelper.DataSetApi.FilterExpression;
type ConditionExpression = ComponentFramework.PropertyHelper.DataSetApi.ConditionExpression;
type LinkEntity = ComponentFramework.PropertyHelper.DataSetApi.LinkEntityExposedExpression;
type SortStatus = ComponentFramework.PropertyHelper.DataSetApi.SortStatus;
type JsonRecord = Record<string, unknown>;

const FORMATTED = '@OData.Community.Display.V1.FormattedValue';
const LOOKUP_NAME = '@Microsoft.Dynamics.CRM.lookuplogicalname';
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;

/** A dataset filter operator this host cannot turn into FetchXML. */
export class DatasetFilterNotSupportedError extends Error {
  constructor(readonly condition: ConditionExpression) {
    super(
      `The dataset cannot filter ${condition.attributeName} with operator ${condition.conditionOperator}: ` +
        'supported are 0 eq, 1 ne, 2 gt, 3 lt, 4 ge, 5 le, 12 null, 13 not-null and 49 like.',
    );
    this.name = 'DatasetFilterNotSupportedError';
  }
}

/** ConditionOperator values ("ConditionOperator", PCF reference) → FetchXML operators. */
const OPERATORS: Readonly<Record<number, string>> = {
  0: 'eq',
  1: 'ne',
  2: 'gt',
  3: 'lt',
  4: 'ge',
  5: 'le',
  12: 'null',
  13: 'not-null',
  49: 'like',
};

export interface DatasetQuery {
  /** Columns added with `addColumn`: name and optional link alias. */
  readonly columns: readonly { name: string; alias?: string }[];
  readonly links: readonly LinkEntity[];
  readonly sorting: readonly SortStatus[];
  readonly filter: FilterExpression | null;
  readonly pageSize: number;
  readonly page: number;
}

function appendFilter(doc: Document, parent: Element, filter: FilterExpression): void {
  const element = doc.createElement('filter');
  element.setAttribute('type', filter.filterOperator === 1 ? 'or' : 'and');
  for (const condition of filter.conditions) {
    const operator = OPERATORS[condition.conditionOperator];
    if (!operator) throw new DatasetFilterNotSupportedError(condition);
    const c = doc.createElement('condition');
    c.setAttribute('attribute', condition.attributeName);
    c.setAttribute('operator', operator);
    if (condition.entityAliasName) c.setAttribute('entityname', condition.entityAliasName);
    const values = Array.isArray(condition.value) ? condition.value : [condition.value];
    if (operator !== 'null' && operator !== 'not-null') c.setAttribute('value', String(values[0] ?? ''));
    element.appendChild(c);
  }
  for (const child of filter.filters ?? []) appendFilter(doc, element, child);
  parent.appendChild(element);
}

/** The view's FetchXML as the dataset asks for one page of it. */
export function datasetFetchXml(viewFetchXml: string, query: DatasetQuery): string {
  const doc = new DOMParser().parseFromString(viewFetchXml, 'application/xml');
  const fetch = doc.documentElement;
  const entity = Array.from(fetch.children).find((c) => c.tagName === 'entity');
  if (!entity) return viewFetchXml;
  const has = (parent: Element, name: string) =>
    Array.from(parent.children).some((c) => c.tagName === 'attribute' && c.getAttribute('name') === name);
  const links = new Map<string, Element>();
  for (const link of query.links) {
    const element = doc.createElement('link-entity');
    element.setAttribute('name', link.name);
    element.setAttribute('from', link.from);
    element.setAttribute('to', link.to);
    element.setAttribute('link-type', link.linkType);
    element.setAttribute('alias', link.alias);
    entity.appendChild(element);
    links.set(link.alias, element);
  }
  for (const column of query.columns) {
    const parent = column.alias ? links.get(column.alias) : entity;
    if (!parent || has(parent, column.name)) continue;
    const attribute = doc.createElement('attribute');
    attribute.setAttribute('name', column.name);
    parent.appendChild(attribute);
  }
  const sorts = query.sorting.filter((s) => s.sortDirection !== -1);
  if (sorts.length > 0) {
    for (const order of Array.from(entity.children).filter((c) => c.tagName === 'order')) order.remove();
    for (const sort of sorts) {
      const order = doc.createElement('order');
      order.setAttribute('attribute', sort.name);
      order.setAttribute('descending', String(sort.sortDirection === 1));
      entity.appendChild(order);
    }
  }
  if (query.filter && (query.filter.conditions.length > 0 || (query.filter.filters ?? []).length > 0))
    appendFilter(doc, entity, query.filter);
  fetch.removeAttribute('top');
  fetch.setAttribute('count', String(query.pageSize));
  fetch.setAttribute('page', String(query.page));
  fetch.setAttribute('returntotalrecordcount', 'true');
  return new XMLSerializer().serializeToString(doc);
}

function reference(id: unknown, name: unknown, entityType: unknown): ComponentFramework.EntityReference {
  return {
    id: { guid: String(id) },
    name: typeof name === 'string' ? name : '',
    etn: typeof entityType === 'string' ? entityType : undefined,
  };
}

/** One Web API row as a dataset record: lookups as EntityReference, date-times as Date. */
export function toEntityRecord(row: JsonRecord, spec: PcfDatasetSpec): EntityRecord {
  const property = (column: string): string => {
    if (column.includes('.')) return column;
    return `_${column}_value` in row ? `_${column}_value` : column;
  };
  const rawId = row[spec.primaryId];
  const id = typeof rawId === 'string' ? rawId : '';
  return {
    getRecordId: () => id,
    getValue: (column) => {
      const key = property(column);
      const value = row[key];
      if (value === undefined || value === null) return null as unknown as string;
      if (row[`${key}${LOOKUP_NAME}`] !== undefined)
        return reference(value, row[`${key}${FORMATTED}`], row[`${key}${LOOKUP_NAME}`]);
      if (typeof value === 'string' && ISO_DATE_TIME.test(value)) return new Date(value);
      return value as string;
    },
    getFormattedValue: (column) => {
      const key = property(column);
      const formatted = row[`${key}${FORMATTED}`];
      if (typeof formatted === 'string') return formatted;
      const value = row[key];
      return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'
        ? String(value)
        : '';
    },
    getNamedReference: () => reference(id, row[spec.primaryName], spec.entity),
  };
}

export interface DatasetSource {
  /** Runs the FetchXML against the table's entity set: the rows and the page's annotations. */
  fetch(
    entity: string,
    fetchXml: string,
  ): Promise<{ rows: JsonRecord[]; moreRecords: boolean; totalCount: number | null }>;
  /** Called after every load: the host calls updateView. */
  changed(): void;
  openRecord(reference: ComponentFramework.EntityReference): void;
}

/** The dataset a control's `context.parameters.<name>` holds. */
export function createWebApiDataset(spec: PcfDatasetSpec, source: DatasetSource): DataSet {
  const added: { name: string; alias?: string }[] = [];
  const links: LinkEntity[] = [];
  let filter: FilterExpression | null = null;
  let ticket = 0;
  let pages = 1;
  let selected: string[] = [];
  // The view's own order is the dataset's sorting until the control changes it.
  const viewOrders = [
    ...spec.fetchXml.matchAll(/<order\s+attribute="([^"]+)"(?:\s+descending="(true|false)")?/g),
  ];
  const sorting: SortStatus[] = viewOrders.map((m) => ({
    name: m[1] ?? '',
    sortDirection: m[2] === 'true' ? 1 : 0,
  }));

  const load = async (page: number, append: boolean): Promise<void> => {
    const mine = ++ticket;
    dataset.loading = true;
    try {
      const xml = datasetFetchXml(spec.fetchXml, {
        columns: added,
        links,
        sorting: dataset.sorting,
        filter,
        pageSize: paging.pageSize,
        page,
      });
      const result = await source.fetch(spec.entity, xml);
      if (mine !== ticket) return;
      const records: Record<string, EntityRecord> = append ? { ...dataset.records } : {};
      const ids = append ? [...dataset.sortedRecordIds] : [];
      for (const row of result.rows) {
        const record = toEntityRecord(row, spec);
        const id = record.getRecordId();
        if (!(id in records)) ids.push(id);
        records[id] = record;
      }
      dataset.records = records;
      dataset.sortedRecordIds = ids;
      dataset.error = false;
      dataset.errorMessage = '';
      paging.hasNextPage = result.moreRecords;
      paging.hasPreviousPage = page > 1;
      // Past 5,000 rows Dataverse does not count: -1, as the platform reports it.
      paging.totalResultCount = result.totalCount ?? -1;
      paging.lastPageNumber = page;
      pages = page;
    } catch (error) {
      if (mine !== ticket) return;
      dataset.error = true;
      dataset.errorMessage = error instanceof Error ? error.message : String(error);
    }
    dataset.loading = false;
    source.changed();
  };

  const paging: ComponentFramework.PropertyHelper.DataSetApi.Paging = {
    totalResultCount: -1,
    firstPageNumber: 1,
    lastPageNumber: 1,
    pageSize: 50,
    hasNextPage: false,
    hasPreviousPage: false,
    loadNextPage: (loadOnlyNewPage) => {
      if (!paging.hasNextPage || dataset.loading) return;
      void load(pages + 1, loadOnlyNewPage !== true);
    },
    loadPreviousPage: () => {
      if (pages <= 1) return;
      void load(pages - 1, false);
    },
    reset: () => {
      void load(1, false);
    },
    setPageSize: (size) => {
      paging.pageSize = size;
    },
    loadExactPage: (page) => {
      void load(page, false);
    },
  };

  const dataset: DataSet = {
    addColumn: (name, entityAlias) => {
      if (!added.some((c) => c.name === name && c.alias === entityAlias))
        added.push(entityAlias ? { name, alias: entityAlias } : { name });
    },
    columns: spec.columns.map((c) => ({ ...c, alias: c.name })),
    error: false,
    errorMessage: '',
    filtering: {
      getFilter: () => filter ?? { conditions: [], filterOperator: 0 },
      setFilter: (expression) => {
        filter = expression;
      },
      clearFilter: () => {
        filter = null;
      },
    },
    linking: {
      getLinkedEntities: () => [...links],
      addLinkedEntity: (expression) => {
        if (!links.some((l) => l.alias === expression.alias)) links.push(expression);
      },
    },
    loading: true,
    paging,
    records: {},
    sortedRecordIds: [],
    sorting,
    clearSelectedRecordIds: () => {
      selected = [];
    },
    getSelectedRecordIds: () => [...selected],
    getTargetEntityType: () => spec.entity,
    getTitle: () => spec.viewName,
    getViewId: () => spec.viewId,
    openDatasetItem: (entityReference) => source.openRecord(entityReference),
    refresh: () => {
      void load(1, false);
    },
    setSelectedRecordIds: (ids) => {
      selected = [...ids];
    },
  };
  return dataset;
}
