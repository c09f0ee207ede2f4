/** FetchXML and saved queries for the emulator's Web API (`?fetchXml=` and `?savedQuery=`). */
export {
  runFetchXml,
  runFetchQuery,
  MAX_PAGE_SIZE,
  AGGREGATE_ROW_LIMIT,
  type FetchSource,
  type FetchOptions,
  type FetchResult,
} from './run';
export { runSavedQuery, findSavedQuery, QUICK_FIND_QUERY_TYPE } from './savedquery';
export { parseFetchXml, type FetchQuery } from './parse';
export * from './errors';
