/**
 * DataverseClient for form scripts, over the `Xrm.WebApi` object the caller hands in (from the form's
 * execution context or the test harness: never the global). Record operations go through the shared
 * record-API client; actions and atomic batches use `Xrm.WebApi.online`, which exists only online.
 * Non-atomic batches run operation by operation, because Xrm.WebApi has no $batch with upsert or If-Match.
 */
import type { DataverseClient } from '../client';
import {
  createWebApiClient,
  createWebApiReader,
  type DataverseReader,
  type OnlineExecutor,
  type RecordWebApi,
  type WebApiClientOptions,
} from './webapi-client';

/** The parts of `Xrm.WebApi` used; the real object satisfies it. */
export interface XrmWebApiLike extends RecordWebApi {
  online?: OnlineExecutor;
}

/** The real `Xrm.WebApi`, through a constraint: tsc fails here if the adapter ever needs more than it offers. */
type Fits<T extends XrmWebApiLike> = T;
export type XrmWebApi = Fits<Xrm.WebApi>;

export function createXrmClient(webApi: XrmWebApiLike, options: WebApiClientOptions): DataverseClient {
  return createWebApiClient({ records: webApi, online: webApi.online, runtime: 'Xrm.WebApi' }, options);
}

/** Reads only, over `Xrm.WebApi`: for a form script that looks records up and writes none (a smaller bundle). */
export function createXrmReader(webApi: XrmWebApiLike, options: WebApiClientOptions): DataverseReader {
  return createWebApiReader(webApi, options);
}
