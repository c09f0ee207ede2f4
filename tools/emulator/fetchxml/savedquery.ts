/**
 * `GET <set>?savedQuery=<id>` runs a system view of the table ("Retrieve and execute predefined queries",
 * Web API): the views are the solutions' SavedQueries, loaded with the metadata. A quick find view run
 * this way has no search text, so its quick find filter is left out.
 */
import type { ViewModel } from '../../solution/model';
import type { MetadataIndex, TableInfo } from '../engine/metadata';
import { normalizeGuid } from '../engine/values';
import { SavedQueryNotFoundError } from './errors';
import { runFetchXml, type FetchOptions, type FetchResult, type FetchSource } from './run';

/** querytype 4: the quick find view ("SavedQuery table/entity reference", QueryType). */
export const QUICK_FIND_QUERY_TYPE = 4;

export function findSavedQuery(
  index: MetadataIndex,
  entitySet: string,
  id: string,
): { table: TableInfo; view: ViewModel } {
  const table = index.table(entitySet);
  const wanted = normalizeGuid(id);
  const view = wanted ? table.model.views.find((v) => normalizeGuid(v.id) === wanted) : undefined;
  if (!view) throw new SavedQueryNotFoundError(id, table.entitySetName);
  return { table, view };
}

export function runSavedQuery(
  source: FetchSource,
  entitySet: string,
  id: string,
  options: FetchOptions = {},
): FetchResult {
  const { view } = findSavedQuery(source.index, entitySet, id);
  return runFetchXml(source, entitySet, view.fetchXml, {
    ...options,
    dropQuickFind: view.queryType === QUICK_FIND_QUERY_TYPE || options.dropQuickFind,
  });
}
