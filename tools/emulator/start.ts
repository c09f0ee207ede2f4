/**
 * `startEmulator`: metadata from `solution/`, the engine on its SQLite file, the Web API server, and
 * the extensions other parts of the emulator plug in (webhook dispatch, solution import actions, demo
 * data, pages). `ideario emulator` and `npm start` both call it.
 */
import { rmSync } from 'node:fs';
import type { Logger } from '../../dataverse/logger';
import { silentLogger } from '../../dataverse/logger';
import { loadMetadata } from '../solution/loader';
import type { MetadataModel } from '../solution/model';
import type { CallContext } from './engine/engine';
import { Engine } from './engine/engine';
import type { Fault, RequestLimit } from './http/protection';
import type { WebApiServerOptions } from './http/server';
import { startWebApiServer } from './http/server';
import type { RequestStats } from './http/stats';

export const DEFAULT_DB_PATH = '.ideario/emulator.db';

export interface EmulatorOptions {
  readonly port?: number;
  readonly host?: string;
  /** SQLite file; default `.ideario/emulator.db`. */
  readonly db?: string;
  /** Keep everything in memory (nothing survives a restart). */
  readonly memory?: boolean;
  /** Delete the database file first. */
  readonly reset?: boolean;
  readonly limit?: RequestLimit;
  readonly concurrency?: number;
  /** Most asynchronous system jobs run at once (`--async-concurrency`); default 8. */
  readonly asyncConcurrency?: number;
  readonly faults?: readonly Fault[];
  readonly token?: string;
  /** Load demo data (`--no-demo` turns it off); extensions decide what that means. */
  readonly demo?: boolean;
  /** Folder holding the unpacked solutions and `platform/`; default `solution`. */
  readonly solutionRoot?: string;
  /** Metadata to use instead of loading `solutionRoot`. */
  readonly metadata?: MetadataModel;
  readonly logger?: Logger;
  readonly clock?: () => Date;
  /** IANA time zone of users without one in their usersettings (`IDEARIO_TIME_ZONE`); default UTC. */
  readonly timeZone?: string;
  /** The organization's base currency, an ISO 4217 code (`IDEARIO_CURRENCY`); absent: no organization row. */
  readonly baseCurrency?: string;
  readonly random?: () => number;
  readonly newId?: () => string;
  readonly extensions?: readonly EmulatorExtension[];
  /** Webhook host base URL and key for the solutions' service endpoints (`--webhook-url`, `--webhook-key`). */
  readonly webhookUrl?: string;
  readonly webhookKey?: string;
}

/** What an extension gets to work with. */
export interface ExtensionContext {
  readonly engine: Engine;
  readonly options: EmulatorOptions;
  readonly logger: Logger;
}

/** A piece another module adds: registers actions, subscribes to the pipeline, seeds data, serves pages. */
export interface EmulatorExtension {
  readonly name: string;
  /** Runs after the engine opens and before the server listens. */
  setup?(context: ExtensionContext): void | Promise<void>;
  /** Serves requests outside `/api/data/`; resolve true when handled. */
  fallback?: WebApiServerOptions['fallback'];
  /** Runs once the server listens, with its URL. */
  started?(context: ExtensionContext & { readonly url: string }): void | Promise<void>;
  close?(): void | Promise<void>;
  /** Call context from a Web API request's headers (the webhook dispatcher: depth and correlation of callbacks). */
  callContext?(headers: Readonly<Record<string, string | undefined>>): CallContext | undefined;
  /** Resolves when the extension's background work is idle (the system job queue); rejects past `timeoutMs`. */
  whenIdle?(options: { readonly timeoutMs?: number }): Promise<void>;
}

export interface RunningEmulator {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** `http://127.0.0.1:<port>/api/data/v9.2/` */
  readonly serviceRoot: string;
  readonly port: number;
  readonly engine: Engine;
  /** Waits until no system job is due or running (`SystemJobs.whenIdle`), within a generous ceiling. */
  whenJobsIdle(options?: { readonly timeoutMs?: number }): Promise<void>;
  /** Web API requests served (a `$batch` counts once), for benches and tests; `reset()` zeroes them. */
  readonly stats: RequestStats;
  close(): Promise<void>;
}

function removeDatabase(path: string): void {
  for (const suffix of ['', '-wal', '-shm']) rmSync(`${path}${suffix}`, { force: true });
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const logger = options.logger ?? silentLogger;
  const metadata = options.metadata ?? loadMetadata(options.solutionRoot ?? 'solution');
  const path = options.memory ? ':memory:' : (options.db ?? DEFAULT_DB_PATH);
  if (options.reset && path !== ':memory:') removeDatabase(path);
  const engine = new Engine({
    metadata,
    path,
    clock: options.clock,
    newId: options.newId,
    logger,
    timeZone: options.timeZone,
    baseCurrency: options.baseCurrency,
  });
  const extensions = options.extensions ?? [];
  const context: ExtensionContext = { engine, options, logger };
  try {
    for (const extension of extensions) await extension.setup?.(context);
    const fallbacks = extensions.flatMap((e) => (e.fallback ? [e.fallback] : []));
    const server = await startWebApiServer({
      engine,
      host: options.host,
      port: options.port,
      token: options.token,
      limit: options.limit,
      concurrency: options.concurrency,
      faults: options.faults,
      random: options.random,
      logger,
      callContext: (headers) =>
        extensions.reduce<CallContext>((context, e) => ({ ...context, ...e.callContext?.(headers) }), {}),
      fallback: fallbacks.length
        ? async (request, response) => {
            for (const fallback of fallbacks) if (await fallback(request, response)) return true;
            return false;
          }
        : undefined,
    });
    for (const extension of extensions) await extension.started?.({ ...context, url: server.url });
    let closed = false;
    return {
      url: server.url,
      serviceRoot: server.serviceRoot,
      port: server.port,
      engine,
      whenJobsIdle: async (idle = {}) => {
        for (const extension of extensions) await extension.whenIdle?.(idle);
        await engine.whenIdle();
      },
      stats: server.stats,
      close: async () => {
        if (closed) return;
        closed = true;
        await server.close();
        for (const extension of [...extensions].reverse()) await extension.close?.();
        await engine.whenIdle();
        engine.close();
      },
    };
  } catch (error) {
    engine.close();
    throw error;
  }
}
