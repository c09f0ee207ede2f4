/**
 * The standalone Node runtime: `POST /api/webhook[/<solution>]` -> handleWebhook, `GET /health`, and the
 * scheduled jobs on intervals. Everything else lives in the runtime-independent core.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { handleWebhook, type WebhookDeps } from './handle';
import { startScheduler, type IntervalTimers, type ScheduledJob, type Scheduler } from './jobs';
import { MAX_BODY_BYTES } from './parse';

export interface HostOptions {
  port: number;
  /** Interface to listen on; `127.0.0.1` for local tests, `0.0.0.0` to be reachable by Dataverse. */
  host?: string;
  deps: WebhookDeps;
  jobs?: readonly ScheduledJob[];
  timers?: IntervalTimers;
  /** Run each scheduled job once at start, then on its interval (default true). */
  runJobsAtStart?: boolean;
}

export interface RunningHost {
  /** Base URL, e.g. `http://127.0.0.1:7071`. */
  url: string;
  close(): Promise<void>;
}

export const WEBHOOK_PATH = '/api/webhook';
/** How long an idle keep-alive connection stays open (Node's default is 5 s). */
export const KEEP_ALIVE_MS = 65_000;

/**
 * Reads at most `limit + 1` bytes: enough for the core to answer 413 without buffering an endless body.
 * Past the limit the rest is discarded as it arrives.
 */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    req.on('data', (chunk: Buffer) => {
      if (done) return;
      chunks.push(chunk);
      size += chunk.length;
      if (size > limit) {
        done = true;
        resolve(Buffer.concat(chunks).subarray(0, limit + 1));
      }
    });
    req.on('end', () => {
      if (!done) resolve(Buffer.concat(chunks));
    });
    req.on('error', reject);
  });
}

function flatHeaders(req: IncomingMessage): Record<string, string | undefined> {
  const headers: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}

function send(res: ServerResponse, status: number, headers: Record<string, string>, body: string): void {
  res.writeHead(status, { ...headers, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

function sendJson(res: ServerResponse, status: number, body: Record<string, unknown>): void {
  send(res, status, { 'content-type': 'application/json; charset=utf-8' }, JSON.stringify(body));
}

function isWebhookPath(pathname: string): boolean {
  return (
    pathname === WEBHOOK_PATH ||
    (pathname.startsWith(`${WEBHOOK_PATH}/`) && !pathname.slice(WEBHOOK_PATH.length + 1).includes('/'))
  );
}

export async function startHost(options: HostOptions): Promise<RunningHost> {
  const { deps } = options;
  const limit = deps.maxBodyBytes ?? MAX_BODY_BYTES;

  const server = createServer((req, res) => {
    const url = req.url ?? '/';
    const pathname = new URL(url, 'http://host.invalid').pathname;
    if (pathname === '/health') {
      if (req.method !== 'GET' && req.method !== 'HEAD')
        return sendJson(res, 405, { ok: false, error: 'Use GET.' });
      return sendJson(res, 200, { status: 'ok', handlers: deps.handlers.handlers.length });
    }
    if (!isWebhookPath(pathname)) {
      return sendJson(res, 404, {
        ok: false,
        error: `Nothing at ${pathname}; the webhook is POST ${WEBHOOK_PATH}.`,
      });
    }
    readBody(req, limit)
      .then((body) =>
        handleWebhook({ method: req.method ?? 'GET', url, headers: flatHeaders(req), body }, deps),
      )
      .then((response) => {
        // An oversized body was not read to the end: close rather than leave it on the connection.
        if (response.status === 413) res.setHeader('connection', 'close');
        send(res, response.status, response.headers, response.body);
      })
      .catch((error: unknown) => {
        deps.logger.error('Webhook request could not be read.', {
          error: error instanceof Error ? error.message : String(error),
        });
        if (!res.headersSent) sendJson(res, 400, { ok: false, error: 'The request body could not be read.' });
      });
  });

  // As the emulator's server: idle keep-alive sockets stay a minute, so a busy caller does not post on
  // one the server has just closed.
  server.keepAliveTimeout = KEEP_ALIVE_MS;
  server.headersTimeout = KEEP_ALIVE_MS + 1000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });

  const scheduler: Scheduler | undefined = options.jobs?.length
    ? startScheduler(
        options.jobs,
        { client: deps.client, clock: deps.clock, logger: deps.logger },
        options.timers,
        { runAtStart: options.runJobsAtStart ?? true },
      )
    : undefined;

  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${shownHost}:${address.port}`,
    async close() {
      await scheduler?.stop();
      await new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
    },
  };
}
