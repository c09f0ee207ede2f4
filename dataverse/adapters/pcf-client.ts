/**
 * DataverseClient for PCF controls, over `context.webAPI` (ComponentFramework.WebApi: createRecord,
 * retrieveRecord, retrieveMultipleRecords, updateRecord, deleteRecord). It has no execute, so
 * `executeAction` and atomic batches throw UnsupportedOperationError; everything else behaves as the
 * Xrm client does. The interface is structural because @types/powerapps-component-framework is not a
 * dependency of this repository.
 */
import type { DataverseClient } from '../client';
import { createWebApiClient, type RecordWebApi, type WebApiClientOptions } from './webapi-client';

export type PcfWebApiLike = RecordWebApi;

export function createPcfClient(webApi: PcfWebApiLike, options: WebApiClientOptions): DataverseClient {
  return createWebApiClient({ records: webApi, runtime: 'PCF webAPI' }, options);
}
