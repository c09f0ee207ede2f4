/**
 * The Web API over the engine, without sockets: one request in, one response out. The HTTP server
 * and `$batch` parts both go through `handle`. Status codes, headers and bodies follow "Perform
 * operations using the Web API" and its pages (create/retrieve/update/upsert/delete, conditional
 * operations, query data, batch, actions and functions).
 */
import { isUtf8 } from 'node:buffer';
import { randomUUID } from 'node:crypto';
import type { RecordKey } from '../../../dataverse/client';
import { DataverseError, ThrottledError } from '../../../dataverse/errors';
import type { Logger } from '../../../dataverse/logger';
import { silentLogger } from '../../../dataverse/logger';
import type { CallContext, Engine } from '../engine/engine';
import { BadRequestError, ErrorCodes, QueryError, UnknownActionError } from '../engine/errors';
import { formatKey } from '../engine/keys';
import type { PrivilegeVerb } from '../engine/security';
import { edmType, isLookup } from '../engine/metadata';
import { annotationFilter, type AnnotationFilter, type JsonRecord } from '../engine/records';
import type { BatchResponseItem, HttpRequestPart, HttpResponsePart } from './batch';
import { formatBatchResponse, parseBatch } from './batch';
import { functionParameters, parseExpand, parsePrefer, parseQuery, route } from './url';

export interface ApiRequest {
  readonly method: string;
  /** Path below the service root (`contacts(…)`), without the query string. */
  readonly path: string;
  readonly query: string;
  /** Lower-case header names. */
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly body: string | Uint8Array;
}

export interface ApiResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body?: string;
}

/** 405: the resource exists but not for this HTTP method. */
export class MethodNotAllowedError extends DataverseError {
  constructor(method: string, path: string) {
    super(
      `The requested resource does not support http method '${method}'. (${path})`,
      405,
      ErrorCodes.InvalidArgument,
    );
    this.name = 'MethodNotAllowedError';
  }
}

const JSON_TYPE = 'application/json; odata.metadata=minimal';
const SUPPORTED_OPTIONS = new Set([
  '$select',
  '$filter',
  '$orderby',
  '$top',
  '$count',
  '$expand',
  '$skiptoken',
  '$format',
]);

class ChangesetFailed extends Error {}

function json(status: number, body: unknown, headers: Record<string, string> = {}): ApiResponse {
  return {
    status,
    headers: { 'Content-Type': JSON_TYPE, 'OData-Version': '4.0', ...headers },
    body: JSON.stringify(body),
  };
}

function empty(status: number, headers: Record<string, string> = {}): ApiResponse {
  return { status, headers: { 'OData-Version': '4.0', ...headers } };
}

export function errorResponse(error: unknown, logger: Logger = silentLogger): ApiResponse {
  if (error instanceof DataverseError) {
    const headers: Record<string, string> = {};
    if (error instanceof ThrottledError) headers['Retry-After'] = String(error.retryAfterSeconds);
    return json(error.status, { error: { code: error.code ?? '', message: error.message } }, headers);
  }
  if (error instanceof URIError) {
    return json(400, {
      error: { code: ErrorCodes.InvalidArgument, message: `The URL is not valid: ${error.message}.` },
    });
  }
  if (error instanceof SyntaxError) {
    return json(400, {
      error: {
        code: ErrorCodes.InvalidPayload,
        message: `The request body is not valid JSON: ${error.message}`,
      },
    });
  }
  logger.error('emulator request failed', {
    error: error instanceof Error ? (error.stack ?? error.message) : String(error),
  });
  return json(500, {
    error: {
      code: ErrorCodes.Unexpected,
      message: `An unexpected error occurred. ${error instanceof Error ? error.message : String(error)}`,
    },
  });
}

/** Request bodies are UTF-8 text; anything else is refused rather than stored with U+FFFD in it. */
function checkUtf8(body: string | Uint8Array): void {
  if (typeof body !== 'string' && body.length > 0 && !isUtf8(body)) {
    throw new BadRequestError(
      'The request body is not valid UTF-8 text. Send JSON (and $batch parts) encoded as UTF-8.',
      ErrorCodes.InvalidPayload,
    );
  }
}

function bodyText(body: string | Uint8Array): string {
  checkUtf8(body);
  return typeof body === 'string' ? body : Buffer.from(body).toString('utf8');
}

/** Deeper than any Web API payload (a record with nested deep-insert children is a handful of levels). */
export const MAX_JSON_DEPTH = 64;

/** Measures JSON nesting without recursion, so a body 10,000 arrays deep is refused before it is parsed. */
function checkJsonDepth(text: string): void {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (inString) {
      if (ch === 0x5c) i++;
      else if (ch === 0x22) inString = false;
    } else if (ch === 0x22) inString = true;
    else if (ch === 0x5b || ch === 0x7b) {
      if (++depth > MAX_JSON_DEPTH) {
        throw new BadRequestError(
          `The request body nests arrays or objects more than ${MAX_JSON_DEPTH} levels deep.`,
          ErrorCodes.InvalidPayload,
        );
      }
    } else if (ch === 0x5d || ch === 0x7d) depth--;
  }
}

function parseJsonBody(body: string | Uint8Array): Record<string, unknown> {
  const text = bodyText(body).trim();
  if (!text) return {};
  checkJsonDepth(text);
  const parsed: unknown = JSON.parse(text);
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new BadRequestError('The request body must be a JSON object.', ErrorCodes.InvalidPayload);
  }
  return parsed as Record<string, unknown>;
}

/** `W/"12"` or `"12"`, not `*` or the `null` dynamics-web-api and the docs send. */
function isEtag(value: string | undefined): value is string {
  return value !== undefined && value !== '*' && value !== 'null' && value.trim() !== '';
}

function encodeQuery(params: Map<string, string>): string {
  return [...params]
    .map(([name, value]) => `${encodeURIComponent(name).replace(/%24/g, '$')}=${encodeURIComponent(value)}`)
    .join('&');
}

/**
 * The table privilege a request needs ("Security concepts in Dataverse": Create, Read, Write, Delete).
 * PATCH may create (upsert) but is checked as Write; bound actions check their own needs.
 */
function privilegeFor(kind: string, method: string): PrivilegeVerb | undefined {
  if (kind === 'collection') return method === 'POST' ? 'Create' : method === 'GET' ? 'Read' : undefined;
  if (kind === 'count') return 'Read';
  if (kind === 'record' || kind === 'property' || kind === 'reference') {
    if (method === 'GET') return 'Read';
    if (method === 'DELETE') return kind === 'record' ? 'Delete' : 'Write';
    if (method === 'PATCH' || method === 'PUT') return 'Write';
  }
  return undefined;
}

export interface WebApiOptions {
  readonly logger?: Logger;
  readonly newId?: () => string;
  /** Told how many operations each `$batch` carries (the request counter). */
  readonly onBatch?: (operations: number) => void;
}

export class WebApi {
  private readonly logger: Logger;
  private readonly newId: () => string;
  private readonly onBatch?: (operations: number) => void;

  constructor(
    readonly engine: Engine,
    options: WebApiOptions = {},
  ) {
    this.logger = options.logger ?? silentLogger;
    this.newId = options.newId ?? randomUUID;
    this.onBatch = options.onBatch;
  }

  /** Handles one request; `root` is the service root URL ending in `/api/data/v9.2/`. */
  async handle(request: ApiRequest, root: string, context: CallContext): Promise<ApiResponse> {
    try {
      checkUtf8(request.body);
      if (request.path.replace(/^\/+/, '') === '$batch') {
        if (request.method !== 'POST') throw new MethodNotAllowedError(request.method, request.path);
        return await this.batch(request, root, context);
      }
      return await this.dispatch(request, root, context);
    } catch (error) {
      return errorResponse(error, this.logger);
    }
  }

  private isEntitySet = (name: string): boolean => this.engine.metadata.bySetName(name) !== undefined;

  private entityUrl(root: string, entitySet: string, key: RecordKey): string {
    return `${root}${entitySet}(${formatKey(key)})`;
  }

  private async dispatch(request: ApiRequest, root: string, context: CallContext): Promise<ApiResponse> {
    const method = request.method.toUpperCase();
    const target = route(request.path, this.isEntitySet);
    const query = parseQuery(request.query);
    const prefer = parsePrefer(request.headers.prefer);
    const notAllowed = () => new MethodNotAllowedError(method, request.path);
    const verb = privilegeFor(target.kind, method);
    if (verb && 'entitySet' in target) this.engine.authorize(context, verb, target.entitySet);
    switch (target.kind) {
      case 'serviceDocument':
        if (method !== 'GET') throw notAllowed();
        return json(200, {
          '@odata.context': `${root}$metadata`,
          value: this.engine.metadata
            .tables()
            .map((t) => ({ name: t.entitySetName, kind: 'EntitySet', url: t.entitySetName })),
        });
      case 'metadata':
        if (method !== 'GET') throw notAllowed();
        return {
          status: 200,
          headers: { 'Content-Type': 'application/xml', 'OData-Version': '4.0' },
          body: this.csdl(),
        };
      case 'batch':
        throw new BadRequestError('A $batch cannot contain another $batch.');
      case 'collection':
        if (method === 'GET') return this.query(target.entitySet, query, prefer, root, context);
        if (method === 'POST') return this.create(target.entitySet, request, query, prefer, root, context);
        throw notAllowed();
      case 'count': {
        if (method !== 'GET') throw notAllowed();
        const page = await this.engine.query(
          target.entitySet,
          { filter: query.get('$filter'), count: true, top: 0 },
          { context },
        );
        return {
          status: 200,
          headers: { 'Content-Type': 'text/plain', 'OData-Version': '4.0' },
          body: String(page.count ?? 0),
        };
      }
      case 'record':
        if (method === 'GET')
          return this.retrieve(target.entitySet, target.key, request, query, prefer, root, context);
        if (method === 'PATCH')
          return this.upsert(target.entitySet, target.key, request, query, prefer, root, context);
        if (method === 'DELETE') {
          await this.engine.delete(target.entitySet, target.key, {
            ifMatch: isEtag(request.headers['if-match']) ? request.headers['if-match'] : undefined,
            context,
          });
          return empty(204);
        }
        throw notAllowed();
      case 'property':
        return this.property(method, target.entitySet, target.key, target.property, request, root, context);
      case 'reference': {
        if (method === 'PUT') {
          const body = parseJsonBody(request.body);
          const id = body['@odata.id'];
          if (typeof id !== 'string')
            throw new BadRequestError(`A $ref PUT needs {"@odata.id": "<entity URL>"}.`);
          await this.engine.update(
            target.entitySet,
            target.key,
            { [`${target.navigation}@odata.bind`]: id },
            { context },
          );
          return empty(204);
        }
        if (method === 'DELETE') {
          await this.engine.update(
            target.entitySet,
            target.key,
            { [`${target.navigation}@odata.bind`]: null },
            { context },
          );
          return empty(204);
        }
        throw notAllowed();
      }
      case 'operation':
      case 'collectionOperation':
      case 'recordOperation': {
        const bound =
          target.kind === 'collectionOperation'
            ? { entitySet: target.entitySet }
            : target.kind === 'recordOperation'
              ? { entitySet: target.entitySet, key: target.key }
              : undefined;
        const action = this.engine.hasAction(target.name, bound);
        if (!action) throw new UnknownActionError(target.name);
        if (method !== (action.isFunction ? 'GET' : 'POST')) throw notAllowed();
        const body = method === 'POST' ? parseJsonBody(request.body) : functionParameters(target.args, query);
        const result = await this.engine.execute(target.name, body, { bound, context });
        if (result === undefined) return empty(204);
        const payload =
          typeof result === 'object' && result !== null && !Array.isArray(result)
            ? result
            : { value: result };
        return json(200, {
          '@odata.context': `${root}$metadata#Microsoft.Dynamics.CRM.${target.name}Response`,
          ...payload,
        });
      }
    }
  }

  private annotations(prefer: Map<string, string>): { filter: AnnotationFilter; header?: string } {
    const value = prefer.get('odata.include-annotations');
    if (value === undefined) return { filter: annotationFilter(undefined) };
    return { filter: annotationFilter(value.split(',')), header: `odata.include-annotations="${value}"` };
  }

  private select(query: Map<string, string>): string[] | undefined {
    const value = query.get('$select');
    return value === undefined
      ? undefined
      : value
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean);
  }

  private async query(
    entitySet: string,
    query: Map<string, string>,
    prefer: Map<string, string>,
    root: string,
    context: CallContext,
  ): Promise<ApiResponse> {
    for (const name of query.keys()) {
      if (name.startsWith('$') && !SUPPORTED_OPTIONS.has(name))
        throw new QueryError(`The query parameter ${name} is not supported`);
    }
    const annotations = this.annotations(prefer);
    const applied: string[] = [];
    if (annotations.header) applied.push(annotations.header);
    const fetchXml = query.get('fetchXml');
    const savedQuery = query.get('savedQuery');
    if (fetchXml !== undefined || savedQuery !== undefined) {
      const result =
        fetchXml !== undefined
          ? await this.engine.fetchXml(entitySet, fetchXml, { annotations: annotations.filter, context })
          : await this.engine.savedQuery(entitySet, savedQuery ?? '', {
              annotations: annotations.filter,
              context,
            });
      const body: JsonRecord = { '@odata.context': `${root}$metadata#${entitySet}` };
      if (result.totalRecordCount !== undefined)
        body['@Microsoft.Dynamics.CRM.totalrecordcount'] = result.totalRecordCount;
      if (result.totalRecordCountLimitExceeded !== undefined)
        body['@Microsoft.Dynamics.CRM.totalrecordcountlimitexceeded'] = result.totalRecordCountLimitExceeded;
      if (result.pagingCookie !== undefined)
        body['@Microsoft.Dynamics.CRM.fetchxmlpagingcookie'] = result.pagingCookie;
      body['@Microsoft.Dynamics.CRM.morerecords'] = result.moreRecords;
      body.value = result.records;
      return json(200, body, applied.length ? { 'Preference-Applied': applied.join(',') } : {});
    }
    const select = this.select(query);
    const topText = query.get('$top');
    if (topText !== undefined && !/^\d+$/.test(topText))
      throw new QueryError(`Invalid value '${topText}' for $top: expected a whole number.`);
    const pageSizeText = prefer.get('odata.maxpagesize');
    const pageSize =
      pageSizeText !== undefined && /^\d+$/.test(pageSizeText) ? Number(pageSizeText) : undefined;
    if (pageSize !== undefined) applied.push(`odata.maxpagesize=${pageSize}`);
    const countText = query.get('$count');
    const page = await this.engine.query(
      entitySet,
      {
        select,
        filter: query.get('$filter'),
        orderBy: query.has('$orderby') ? [query.get('$orderby') ?? ''] : undefined,
        top: topText === undefined ? undefined : Number(topText),
        count: countText === 'true',
        expand: query.has('$expand') ? parseExpand(query.get('$expand') ?? '') : undefined,
        pageSize,
        skipToken: query.get('$skiptoken'),
        annotations: annotations.filter,
      },
      { context },
    );
    const body: JsonRecord = {
      '@odata.context': `${root}$metadata#${entitySet}${select ? `(${select.join(',')})` : ''}`,
    };
    if (page.count !== undefined) body['@odata.count'] = page.count;
    if (page.countLimitExceeded) body['@Microsoft.Dynamics.CRM.totalrecordcountlimitexceeded'] = true;
    body.value = page.records;
    if (page.skipToken) {
      const next = new Map(query);
      next.delete('$skiptoken');
      next.set('$skiptoken', page.skipToken);
      body['@odata.nextLink'] = `${root}${entitySet}?${encodeQuery(next)}`;
    }
    return json(200, body, applied.length ? { 'Preference-Applied': applied.join(',') } : {});
  }

  private async retrieve(
    entitySet: string,
    key: RecordKey,
    request: ApiRequest,
    query: Map<string, string>,
    prefer: Map<string, string>,
    root: string,
    context: CallContext,
  ): Promise<ApiResponse> {
    const select = this.select(query);
    const expand = query.has('$expand') ? parseExpand(query.get('$expand') ?? '') : undefined;
    const annotations = this.annotations(prefer);
    const ifNoneMatch = request.headers['if-none-match'];
    // "Conditional retrievals": never 304 with $expand or annotations, whose values may come from other rows.
    if (
      isEtag(ifNoneMatch) &&
      !expand &&
      !annotations.header &&
      this.engine.etag(entitySet, key) === ifNoneMatch.trim()
    ) {
      return empty(304);
    }
    const record = await this.engine.retrieve(entitySet, key, {
      select,
      expand,
      annotations: annotations.filter,
      context,
    });
    return json(
      200,
      {
        '@odata.context': `${root}$metadata#${entitySet}${select ? `(${select.join(',')})` : ''}/$entity`,
        ...record,
      },
      annotations.header ? { 'Preference-Applied': annotations.header } : {},
    );
  }

  private async representation(
    entitySet: string,
    id: string,
    query: Map<string, string>,
    prefer: Map<string, string>,
    root: string,
    context: CallContext,
  ): Promise<JsonRecord> {
    const select = this.select(query);
    const record = await this.engine.retrieve(entitySet, id, {
      select,
      annotations: this.annotations(prefer).filter,
      context,
    });
    return { '@odata.context': `${root}$metadata#${entitySet}/$entity`, ...record };
  }

  /** "Create a table row using the Web API": 204 + OData-EntityId, or 201 + body with return=representation. */
  private async create(
    entitySet: string,
    request: ApiRequest,
    query: Map<string, string>,
    prefer: Map<string, string>,
    root: string,
    context: CallContext,
  ): Promise<ApiResponse> {
    const id = await this.engine.create(entitySet, parseJsonBody(request.body), { context });
    const url = this.entityUrl(root, entitySet, id);
    if (prefer.has('return')) {
      if (prefer.get('return') === 'representation') {
        const body = await this.representation(entitySet, id, query, prefer, root, context);
        return json(201, body, { 'Preference-Applied': 'return=representation', 'OData-EntityId': url });
      }
    }
    return empty(204, { 'OData-EntityId': url, Location: url });
  }

  /** PATCH: upsert, limited by If-Match / If-None-Match ("Perform conditional operations"). */
  private async upsert(
    entitySet: string,
    key: RecordKey,
    request: ApiRequest,
    query: Map<string, string>,
    prefer: Map<string, string>,
    root: string,
    context: CallContext,
  ): Promise<ApiResponse> {
    const ifMatch = request.headers['if-match'];
    const ifNoneMatch = request.headers['if-none-match'];
    const result = await this.engine.upsert(entitySet, key, parseJsonBody(request.body), {
      ifMatch: ifMatch === '*' || isEtag(ifMatch) ? ifMatch : undefined,
      ifNoneMatch: ifNoneMatch?.trim() === '*' ? '*' : undefined,
      context,
    });
    const url = this.entityUrl(root, entitySet, key);
    if (prefer.get('return') === 'representation') {
      const body = await this.representation(entitySet, result.id, query, prefer, root, context);
      return json(result.created ? 201 : 200, body, {
        'Preference-Applied': 'return=representation',
        'OData-EntityId': url,
      });
    }
    return empty(204, { 'OData-EntityId': url });
  }

  /** `/set(id)/column`: read one value, PUT it, or DELETE it (set null). */
  private async property(
    method: string,
    entitySet: string,
    key: RecordKey,
    property: string,
    request: ApiRequest,
    root: string,
    context: CallContext,
  ): Promise<ApiResponse> {
    const table = this.engine.metadata.table(entitySet);
    const column = this.engine.metadata.column(table, property);
    if (isLookup(column.type))
      throw new BadRequestError(`'${property}' is a lookup: use '${property}/$ref' to change it.`);
    if (method === 'GET') {
      const record = await this.engine.retrieve(entitySet, key, { select: [property], context });
      const value = record[property];
      if (value === null) return empty(204);
      return json(200, {
        '@odata.context': `${root}$metadata#${entitySet}(${formatKey(key)})/${property}`,
        value,
      });
    }
    if (method === 'PUT') {
      const body = parseJsonBody(request.body);
      if (!('value' in body))
        throw new BadRequestError(`PUT on a property needs {"value": <${edmType(column.type)}>}.`);
      await this.engine.update(entitySet, key, { [property]: body.value }, { context });
      return empty(204);
    }
    if (method === 'DELETE') {
      await this.engine.update(entitySet, key, { [property]: null }, { context });
      return empty(204);
    }
    throw new MethodNotAllowedError(method, `${entitySet}/${property}`);
  }

  // ── $batch ──────────────────────────────────────────────────────────────────────────────────

  /** "Execute batch operations using the Web API": changesets atomic, stop at the first error unless continue-on-error. */
  private async batch(request: ApiRequest, root: string, context: CallContext): Promise<ApiResponse> {
    const items = parseBatch(request.body, request.headers['content-type']);
    this.onBatch?.(items.reduce((n, item) => n + (item.kind === 'request' ? 1 : item.requests.length), 0));
    const continueOnError = parsePrefer(request.headers.prefer).has('odata.continue-on-error');
    const references = new Map<string, string>();
    const out: BatchResponseItem[] = [];
    let failedStatus: number | undefined;
    for (const item of items) {
      if (item.kind === 'request') {
        const response = await this.runPart(item.request, root, context, references);
        out.push({ kind: 'response', response });
        if (response.status >= 400 && !continueOnError) {
          failedStatus = response.status;
          break;
        }
        continue;
      }
      const responses: HttpResponsePart[] = [];
      let failure: HttpResponsePart | undefined;
      const added: string[] = [];
      try {
        await this.engine.transaction(async () => {
          for (const part of item.requests) {
            const response = await this.runPart(part, root, context, references);
            if (part.contentId !== undefined && references.has(part.contentId)) added.push(part.contentId);
            if (response.status >= 400) {
              failure = response;
              throw new ChangesetFailed();
            }
            responses.push(response);
          }
        }, context);
        out.push({ kind: 'changeset', responses });
      } catch (error) {
        if (!(error instanceof ChangesetFailed) || !failure) {
          failure = { ...errorResponse(error, this.logger) };
        }
        for (const id of added) references.delete(id);
        out.push({ kind: 'response', response: failure });
        if (!continueOnError) {
          failedStatus = failure.status;
          break;
        }
      }
    }
    const formatted = formatBatchResponse(out, this.newId);
    const headers: Record<string, string> = { 'Content-Type': formatted.contentType, 'OData-Version': '4.0' };
    if (continueOnError) headers['Preference-Applied'] = 'odata.continue-on-error';
    return { status: failedStatus ?? 200, headers, body: formatted.body };
  }

  private async runPart(
    part: HttpRequestPart,
    root: string,
    context: CallContext,
    references: Map<string, string>,
  ): Promise<HttpResponsePart> {
    let response: ApiResponse;
    try {
      const url = this.resolveReference(part.url, references);
      const relative = url
        .replace(/^[a-z]+:\/\/[^/]+/i, '')
        .replace(/^\/?api\/data\/v\d+(\.\d+)?\//i, '')
        .replace(/^\//, '');
      const q = relative.indexOf('?');
      const path = q < 0 ? relative : relative.slice(0, q);
      if (path === '$batch') throw new BadRequestError('A $batch cannot contain another $batch.');
      const body = part.body.trim()
        ? JSON.stringify(this.resolveBodyReferences(JSON.parse(part.body) as unknown, references))
        : '';
      response = await this.dispatch(
        { method: part.method, path, query: q < 0 ? '' : relative.slice(q + 1), headers: part.headers, body },
        root,
        context,
      );
    } catch (error) {
      response = errorResponse(error, this.logger);
    }
    const entityId = response.headers['OData-EntityId'];
    if (part.contentId !== undefined && entityId) references.set(part.contentId, entityId);
    return {
      status: response.status,
      headers: response.headers,
      body: response.body,
      contentId: part.contentId,
    };
  }

  /** `$1/...` at the start of a part's URL → the entity URL created by Content-ID 1. */
  private resolveReference(url: string, references: Map<string, string>): string {
    const match = /^\$([^/?]+)(.*)$/.exec(url);
    if (!match?.[1]) return url;
    const target = references.get(match[1]);
    if (!target)
      throw new BadRequestError(`Content-ID Reference: '$${match[1]}' does not exist in the batch context.`);
    return `${target}${match[2] ?? ''}`;
  }

  private resolveBodyReferences(value: unknown, references: Map<string, string>): unknown {
    if (Array.isArray(value)) return value.map((v) => this.resolveBodyReferences(v, references));
    if (typeof value !== 'object' || value === null) return value;
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
      if (
        (key.endsWith('@odata.bind') || key === '@odata.id') &&
        typeof item === 'string' &&
        item.startsWith('$')
      ) {
        out[key] = this.resolveReference(item, references);
      } else out[key] = this.resolveBodyReferences(item, references);
    }
    return out;
  }

  /** A small CSDL: entity types with keys, properties and lookups, and the entity container. */
  private csdl(): string {
    const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
    const types = this.engine.metadata.tables().map((table) => {
      const properties = [...table.columns.values()].map((column) =>
        isLookup(column.type)
          ? `<Property Name="_${escape(column.logicalName)}_value" Type="Edm.Guid" />`
          : `<Property Name="${escape(column.logicalName)}" Type="${edmType(column.type)}" />`,
      );
      const navigation = [...table.navigation.values()].map(
        (nav) =>
          `<NavigationProperty Name="${escape(nav.name)}" Type="mscrm.${escape(nav.target ?? 'crmbaseentity')}" />`,
      );
      return `<EntityType Name="${escape(table.logicalName)}"><Key><PropertyRef Name="${escape(table.primaryId)}" /></Key>${properties.join('')}${navigation.join('')}</EntityType>`;
    });
    const sets = this.engine.metadata
      .tables()
      .map(
        (table) =>
          `<EntitySet Name="${escape(table.entitySetName)}" EntityType="Microsoft.Dynamics.CRM.${escape(table.logicalName)}" />`,
      );
    return (
      '<?xml version="1.0" encoding="utf-8"?>' +
      '<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx"><edmx:DataServices>' +
      '<Schema Namespace="Microsoft.Dynamics.CRM" Alias="mscrm" xmlns="http://docs.oasis-open.org/odata/ns/edm">' +
      `${types.join('')}<EntityContainer Name="System">${sets.join('')}</EntityContainer></Schema></edmx:DataServices></edmx:Edmx>`
    );
  }
}
