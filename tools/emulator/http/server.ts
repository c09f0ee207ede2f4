/**
 * The emulator's HTTP front: `http://<host>:<port>/api/data/v9.2/` over a plain Node server. It adds
 * what sits in front of the Web API on Dataverse: bearer-token checks, service protection limits,
 * fault injection, OData headers and CORS for local pages. Loopback only unless told otherwise.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import type { Logger } from '../../../dataverse/logger';
import { silentLogger } from '../../../dataverse/logger';
import { KEEP_ALIVE_MS } from '../../../plugins/host/node-server';
import type { CallContext, Engine } from '../engine/engine';
import { DataverseError } from '../../../dataverse/errors';
import { BadRequestError, ErrorCodes } from '../engine/errors';
import { normalizeGuid } from '../engine/values';
import { reasonPhrase } from './batch';
import type { Fault, RequestLimit } from './protection';
import { ServiceProtection } from './protection';
import { RequestStats } from './stats';
import type { ApiResponse } from './webapi';
import { WebApi, errorResponse } from './webapi';

export interface WebApiServerOptions {
  readonly engine: Engine;
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** 0 picks a free port. Default 5555. */
  readonly port?: number;
  /** When set, requests must carry `Authorization: Bearer <token>` (401 otherwise). */
  readonly token?: string;
  readonly limit?: RequestLimit;
  readonly concurrency?: number;
  readonly faults?: readonly Fault[];
  /** Randomness for fault injection. */
  readonly random?: () => number;
  /** Clock of the service protection window (ms). */
  readonly now?: () => number;
  readonly logger?: Logger;
  /**
   * Requests outside `/api/data/` (the home page, form hosts…) go here; resolve `false` to answer 404.
   * Other engineers plug their pages in through this hook.
   */
  readonly fallback?: (
    request: http.IncomingMessage,
    response: http.ServerResponse,
  ) => boolean | Promise<boolean>;
  /** Largest request body accepted (bytes); bigger ones get 413 before they are read. Default 64 MiB. */
  readonly maxBodyBytes?: number;
  /** More call context from the request headers (webhook callbacks: depth and correlation). */
  readonly callContext?: (headers: Readonly<Record<string, string | undefined>>) => CallContext | undefined;
}

export interface WebApiServer {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** `http://127.0.0.1:<port>/api/data/v9.2/` */
  readonly serviceRoot: string;
  readonly port: number;
  readonly server: http.Server;
  /** Web API requests served since the start or the last reset (also `GET /api/ideario/stats`). */
  readonly stats: RequestStats;
  close(): Promise<void>;
}

const API_PATH = /^\/api\/data\/(v\d+(?:\.\d+)?)(?:\/(.*))?$/i;
const STATS_PATH = /^\/api\/ideario\/stats(\/reset)?\/?$/i;

function headerMap(request: http.IncomingMessage): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(request.headers))
    out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  return out;
}

export const DEFAULT_MAX_BODY_BYTES = 64 * 1024 * 1024;

/** A request body over the limit: answered 413 as soon as it is known, without reading the rest. */
export class RequestTooLargeError extends DataverseError {
  constructor(readonly limitBytes: number) {
    super(
      `The request body is larger than ${limitBytes} bytes, the most the emulator accepts. ` +
        'Split the work into smaller requests or $batch bodies.',
      413,
      ErrorCodes.RequestTooLarge,
    );
    this.name = 'RequestTooLargeError';
  }
}

/** Reads the body, counting as it streams: a chunked body that passes the limit stops being read. */
function readBody(request: http.IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) return Promise.reject(new RequestTooLargeError(limit));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        request.off('data', onData);
        request.pause();
        chunks.length = 0;
        reject(new RequestTooLargeError(limit));
        return;
      }
      chunks.push(chunk);
    };
    request.on('data', onData);
    request.on('end', () => resolve(Buffer.concat(chunks, size)));
    request.on('error', reject);
  });
}

function send(response: http.ServerResponse, answer: ApiResponse, extra: Record<string, string> = {}): void {
  const headers: Record<string, string> = { ...answer.headers, ...extra };
  if (answer.body !== undefined) headers['Content-Length'] = String(Buffer.byteLength(answer.body));
  response.writeHead(answer.status, reasonPhrase(answer.status), headers);
  response.end(answer.body);
}

const CORS_ALLOW: Record<string, string> = {
  'Access-Control-Allow-Headers':
    'Authorization, Content-Type, Prefer, If-Match, If-None-Match, OData-Version, OData-MaxVersion, MSCRMCallerID, Accept',
  'Access-Control-Allow-Methods': 'GET, POST, PATCH, PUT, DELETE, OPTIONS',
  'Access-Control-Expose-Headers': 'OData-EntityId, Location, Preference-Applied, Retry-After, ETag',
  Vary: 'Origin',
};

/** A request from a web page of another origin: refused, so no page a developer visits can drive the emulator. */
function foreignOrigin(origin: string): ApiResponse {
  return {
    status: 403,
    headers: { 'Content-Type': 'application/json', Vary: 'Origin' },
    body: JSON.stringify({
      error: {
        code: ErrorCodes.PrivilegeDenied,
        message: `Requests from the web origin ${origin} are refused: the emulator answers only its own pages and clients that send no Origin.`,
      },
    }),
  };
}

export async function startWebApiServer(options: WebApiServerOptions): Promise<WebApiServer> {
  const logger = options.logger ?? silentLogger;
  const stats = new RequestStats(options.now ? () => new Date(options.now?.() ?? 0) : undefined);
  const api = new WebApi(options.engine, { logger, onBatch: (n) => stats.batch(n) });
  const protection = new ServiceProtection({
    limit: options.limit,
    concurrency: options.concurrency,
    faults: options.faults,
    random: options.random,
    now: options.now,
  });

  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  let ownOrigins = new Set<string>();

  async function handle(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://emulator');
    const match = API_PATH.exec(url.pathname);
    const statsMatch = STATS_PATH.exec(url.pathname);
    // Browsers send Origin on cross-origin calls (and on same-origin writes): only our own pages pass.
    const origin = request.headers.origin;
    if (origin !== undefined && !ownOrigins.has(origin.toLowerCase())) {
      send(response, foreignOrigin(origin), { Connection: 'close' });
      request.resume();
      return;
    }
    const CORS: Record<string, string> = origin
      ? { ...CORS_ALLOW, 'Access-Control-Allow-Origin': origin }
      : {};
    if (request.method === 'OPTIONS') {
      response.writeHead(204, CORS);
      response.end();
      return;
    }
    if (!match && !statsMatch) {
      if (options.fallback && (await options.fallback(request, response))) return;
      send(response, notFound(url.pathname), CORS);
      return;
    }
    const headers = headerMap(request);
    const authorization = headers.authorization;
    if (options.token !== undefined && authorization !== `Bearer ${options.token}`) {
      send(
        response,
        {
          status: 401,
          headers: {
            'Content-Type': 'application/json',
            'WWW-Authenticate': 'Bearer authorization_uri=http://127.0.0.1/emulator',
          },
          body: JSON.stringify({
            error: {
              code: '0x80072560',
              message: 'The emulator was started with --token: send Authorization: Bearer <that token>.',
            },
          }),
        },
        CORS,
      );
      return;
    }
    if (statsMatch || !match) {
      send(response, statsResponse(stats, request.method ?? 'GET', statsMatch?.[1] !== undefined), CORS);
      return;
    }
    stats.request(request.method ?? 'GET');
    const caller = headers.mscrmcallerid ? normalizeGuid(headers.mscrmcallerid) : undefined;
    if (headers.mscrmcallerid && !caller) {
      send(
        response,
        errorResponse(
          new BadRequestError(`MSCRMCallerID '${headers.mscrmcallerid}' is not a systemuserid (a GUID).`),
        ),
        CORS,
      );
      return;
    }
    const user = `${authorization ?? 'anonymous'}|${caller ?? ''}`;
    let release: (() => void) | undefined;
    try {
      release = protection.enter(user);
    } catch (error) {
      send(response, errorResponse(error), CORS);
      return;
    }
    try {
      const fault = protection.fault();
      if (fault !== undefined) {
        const answer = faultResponse(fault);
        send(response, answer, CORS);
        return;
      }
      let body: Buffer;
      try {
        body = await readBody(request, maxBodyBytes);
      } catch (error) {
        if (!(error instanceof RequestTooLargeError)) throw error;
        // Answer now and close: what arrives meanwhile is discarded, never held. A client still
        // sending may see the connection reset; one that sends Expect: 100-continue sees only the 413.
        request.resume();
        send(response, errorResponse(error), { ...CORS, Connection: 'close' });
        return;
      }
      const version = match[1] ?? 'v9.2';
      const root = `http://${headers.host ?? `${options.host ?? '127.0.0.1'}`}/api/data/${version}/`;
      const context: CallContext = {
        ...options.callContext?.(headers),
        ...(caller ? { userId: caller } : {}),
        ...(bypassesCustomAsync(headers) ? { bypassCustomAsync: true } : {}),
      };
      const path = (match[2] ?? '').replace(/^\/+/, '');
      const answer = await api.handle(
        { method: request.method ?? 'GET', path, query: url.search, headers, body },
        root,
        context,
      );
      const remaining = protection.remaining(user);
      const extra: Record<string, string> = { ...CORS, REQ_ID: randomUUID() };
      if (remaining !== undefined) extra['x-ms-ratelimit-burst-remaining-xrm-requests'] = String(remaining);
      send(response, answer, extra);
    } finally {
      release();
    }
  }

  const server = http.createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      logger.error('emulator request crashed', {
        error: error instanceof Error ? error.message : String(error),
      });
      if (!response.headersSent) send(response, errorResponse(error, logger));
      else response.end();
    });
  });
  // Node closes idle keep-alive sockets after 5 s; a busy client can reuse one just as it closes and
  // see "fetch failed". A minute, like common reverse proxies, leaves that race to idle minutes.
  server.keepAliveTimeout = KEEP_ALIVE_MS;
  server.headersTimeout = KEEP_ALIVE_MS + 1000;
  // Expect: 100-continue lets a client hear the 413 before it sends the body at all.
  server.on('checkContinue', (request, response) => {
    const declared = Number(request.headers['content-length']);
    if (!(declared > maxBodyBytes)) response.writeContinue();
    server.emit('request', request, response);
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 5555, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  const url = `http://${shownHost}:${port}`;
  ownOrigins = new Set(
    [url, `http://127.0.0.1:${port}`, `http://localhost:${port}`, `http://[::1]:${port}`].map((o) =>
      o.toLowerCase(),
    ),
  );
  return {
    url,
    serviceRoot: `${url}/api/data/v9.2/`,
    port,
    server,
    stats,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

/** `GET /api/ideario/stats` reads the counts; `DELETE` (or `POST …/stats/reset`) zeroes them and answers what they were. */
function statsResponse(stats: RequestStats, method: string, resetPath: boolean): ApiResponse {
  const verb = method.toUpperCase();
  const reset = verb === 'DELETE' || (verb === 'POST' && resetPath);
  if (!reset && !(verb === 'GET' && !resetPath)) {
    return {
      status: 405,
      headers: { 'Content-Type': 'application/json', Allow: resetPath ? 'POST' : 'GET, DELETE' },
      body: JSON.stringify({
        error: {
          code: ErrorCodes.InvalidArgument,
          message: `${verb} is not allowed here: GET /api/ideario/stats reads the request counts, DELETE /api/ideario/stats or POST /api/ideario/stats/reset zeroes them.`,
        },
      }),
    };
  }
  const counts = stats.snapshot();
  if (reset) stats.reset();
  return { status: 200, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(counts) };
}

/** `MSCRM.BypassBusinessLogicExecution: CustomAsync` or `CustomSync,CustomAsync` ("Bypass custom Dataverse logic"). */
function bypassesCustomAsync(headers: Readonly<Record<string, string | undefined>>): boolean {
  const value = headers['mscrm.bypassbusinesslogicexecution'];
  return value !== undefined && value.split(',').some((part) => part.trim().toLowerCase() === 'customasync');
}

function notFound(path: string): ApiResponse {
  return {
    status: 404,
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      error: {
        code: ErrorCodes.ODataParse,
        message: `Nothing here: ${path}. The Web API is under /api/data/v9.2/.`,
      },
    }),
  };
}

/** What `--faults` answers: the status with a Dataverse-shaped error body (429 also says when to retry). */
function faultResponse(status: number): ApiResponse {
  const headers: Record<string, string> = {
    'Content-Type': 'application/json; odata.metadata=minimal',
    'OData-Version': '4.0',
  };
  if (status === 429) headers['Retry-After'] = '1';
  return {
    status,
    headers,
    body: JSON.stringify({
      error: {
        code: status === 429 ? ErrorCodes.ThrottledRequests : ErrorCodes.Unexpected,
        message: `Fault injected by the emulator (--faults): HTTP ${status} ${reasonPhrase(status)}.`,
      },
    }),
  };
}
