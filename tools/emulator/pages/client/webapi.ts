/**
 * `Xrm.WebApi` in the emulator's pages: the record methods over `fetch` to the emulator's Web API,
 * failing as Xrm.WebApi does with `{ errorCode, message }` ("Xrm.WebApi (Client API reference)":
 * errorCode is the Dataverse hex code as a number).
 */
import { toXrmPromise } from '../../../harness/webapi';
import type { ClientTable } from '../shell';

export interface WebApiSettings {
  readonly serviceRoot: string;
  readonly token?: string;
  readonly tables: readonly ClientTable[];
}

/** A Dataverse error as the page shows it: the message and the documented code. */
export class WebApiError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly status: number,
    readonly errorCode: number,
  ) {
    super(message);
    this.name = 'WebApiError';
  }
}

export async function request(
  settings: WebApiSettings,
  method: string,
  path: string,
  body?: unknown,
  extraHeaders: Record<string, string> = {},
): Promise<Response> {
  const headers: Record<string, string> = {
    Accept: 'application/json',
    'OData-MaxVersion': '4.0',
    'OData-Version': '4.0',
    Prefer: 'odata.include-annotations="*"',
    ...extraHeaders,
  };
  if (settings.token) headers.Authorization = `Bearer ${settings.token}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json; charset=utf-8';
  const response = await fetch(`${settings.serviceRoot}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (response.ok) return response;
  let code = '';
  let message = `${response.status} ${response.statusText}`;
  try {
    const error = ((await response.json()) as { error?: { code?: string; message?: string } }).error;
    code = error?.code ?? '';
    message = error?.message ?? message;
  } catch {
    // Not JSON: the status line says what happened.
  }
  const parsed = code ? Number.parseInt(code, 16) : Number.NaN;
  throw new WebApiError(message, code, response.status, Number.isNaN(parsed) ? response.status : parsed);
}

export function tableOf(settings: WebApiSettings, logicalName: string): ClientTable {
  const table = settings.tables.find((t) => t.logicalName === logicalName);
  if (!table)
    throw new WebApiError(`The table '${logicalName}' does not exist.`, '0x80040217', 404, 0x80040217);
  return table;
}

function bare(id: string): string {
  return id.replace(/[{}]/g, '').toLowerCase();
}

function idFromEntityId(response: Response): string {
  const header = response.headers.get('OData-EntityId') ?? '';
  return /\(([0-9a-fA-F-]{36})\)/.exec(header)?.[1] ?? '';
}

export function createRecord(
  settings: WebApiSettings,
  logicalName: string,
  data: object,
): Promise<{ id: string; entityType: string }> {
  const table = tableOf(settings, logicalName);
  return request(settings, 'POST', table.entitySetName, data).then((response) => ({
    id: idFromEntityId(response),
    entityType: logicalName,
  }));
}

export function updateRecord(
  settings: WebApiSettings,
  logicalName: string,
  id: string,
  data: object,
): Promise<{ id: string; entityType: string }> {
  const table = tableOf(settings, logicalName);
  return request(settings, 'PATCH', `${table.entitySetName}(${bare(id)})`, data, { 'If-Match': '*' }).then(
    () => ({
      id: bare(id),
      entityType: logicalName,
    }),
  );
}

export function retrieveRecord(
  settings: WebApiSettings,
  logicalName: string,
  id: string,
  options = '',
): Promise<Record<string, unknown>> {
  const table = tableOf(settings, logicalName);
  return request(settings, 'GET', `${table.entitySetName}(${bare(id)})${options}`).then(
    (response) => response.json() as Promise<Record<string, unknown>>,
  );
}

export async function retrieveMultiple(
  settings: WebApiSettings,
  logicalName: string,
  options = '',
  maxPageSize?: number,
): Promise<{ entities: Record<string, unknown>[]; nextLink?: string }> {
  const table = tableOf(settings, logicalName);
  const extra: Record<string, string> = maxPageSize
    ? { Prefer: `odata.include-annotations="*",odata.maxpagesize=${maxPageSize}` }
    : {};
  const response = await request(settings, 'GET', `${table.entitySetName}${options}`, undefined, extra);
  const json = (await response.json()) as { value: Record<string, unknown>[]; '@odata.nextLink'?: string };
  return { entities: json.value, nextLink: json['@odata.nextLink'] };
}

export function deleteRecord(
  settings: WebApiSettings,
  logicalName: string,
  id: string,
): Promise<{ id: string; entityType: string }> {
  const table = tableOf(settings, logicalName);
  return request(settings, 'DELETE', `${table.entitySetName}(${bare(id)})`).then(() => ({
    id: bare(id),
    entityType: logicalName,
  }));
}

/**
 * A bound action on one record, as the command bar calls it: `POST <set>(<id>)/Microsoft.Dynamics.CRM.<action>`
 * ("Use Web API actions"). Resolves with the answer's body (an action returning an entity type answers
 * that record, `@odata.type` naming its table), or `{}` when it answers 204.
 */
export async function executeBoundAction(
  settings: WebApiSettings,
  logicalName: string,
  id: string,
  action: string,
  body: object = {},
): Promise<Record<string, unknown>> {
  const table = tableOf(settings, logicalName);
  const response = await request(
    settings,
    'POST',
    `${table.entitySetName}(${bare(id)})/Microsoft.Dynamics.CRM.${action}`,
    body,
  );
  return response.status === 204 ? {} : ((await response.json()) as Record<string, unknown>);
}

/** Xrm.WebApi's record methods, returning Xrm's promises (`then`, `fail`, `always`). */
export function browserXrmWebApi(settings: WebApiSettings): Xrm.WebApi {
  const webApi = {
    createRecord: (entity: string, data: object) => toXrmPromise(createRecord(settings, entity, data)),
    updateRecord: (entity: string, id: string, data: object) =>
      toXrmPromise(updateRecord(settings, entity, id, data)),
    deleteRecord: (entity: string, id: string) => toXrmPromise(deleteRecord(settings, entity, id)),
    retrieveRecord: (entity: string, id: string, options?: string) =>
      toXrmPromise(retrieveRecord(settings, entity, id, options ?? '')),
    retrieveMultipleRecords: (entity: string, options?: string, maxPageSize?: number) =>
      toXrmPromise(retrieveMultiple(settings, entity, options ?? '', maxPageSize)),
    isAvailableOffline: () => false,
  };
  return webApi as unknown as Xrm.WebApi;
}
