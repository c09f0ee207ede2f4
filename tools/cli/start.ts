/**
 * `ideario start` (`npm start`): everything a developer needs on a fresh clone. Packs both solutions
 * into dist/, starts the webhook host and the emulator on loopback wired to each other (the emulator's
 * service endpoints post to the host; the host's DataverseClient calls the emulator over HTTP with a
 * local token), loads the demo data on first start, and prints the URLs. Ctrl-C stops both cleanly.
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { Command } from 'commander';
import { createNodeClient } from '../../dataverse/adapters/node-client';
import type { DataverseClient } from '../../dataverse/client';
import { quietLogger, type Logger } from '../../dataverse/logger';
import { GroupQuotesConfigError, readGroupQuotesSettings } from '../../plugins/handlers/groupquotes/settings';
import { INTERESTS_ENVIRONMENT_VARIABLES } from '../../plugins/handlers/interests/settings';
import { handlers, jobs } from '../../plugins/host/catalog';
import { HostConfigError, parsePort } from '../../plugins/host/env';
import { startHost, WEBHOOK_PATH, type RunningHost } from '../../plugins/host/node-server';
import { createRegistry } from '../../plugins/registry';
import { demoExtension, LOCAL_TOKEN } from '../emulator/demo/extension';
import { DemoSizeError } from '../emulator/demo/errors';
import { baseCurrencyFromEnv, requireCurrency } from '../emulator/engine/currencies';
import { UnknownCurrencyError } from '../emulator/engine/errors';
import { DEMO_SIZES, type DemoSize } from '../emulator/demo/plan';
import { terminalProgress, type ProgressReporter } from '../emulator/demo/progress';
import { appUrl, loadApps, localized } from '../emulator/pages/apps';
import { pagesExtension } from '../emulator/pages/extension';
import {
  DEFAULT_DB_PATH,
  startEmulator,
  type EmulatorExtension,
  type RunningEmulator,
} from '../emulator/start';
import { webhooksExtension } from '../emulator/webhooks/extension';
import { runPack } from './pack';
import { DEFAULT_AUTH_DIR, recordLocalEnvironment } from './profiles';
import { recordStartEnvironment } from './start-environment';

export const DEFAULT_EMULATOR_PORT = 5555;
const MARKETING_APP = 'idr_IdearioMarketing';
export const DEFAULT_HOST_PORT = 7071;
/**
 * The demo organisation holds two businesses' catalogues (48 concepts), above the solution's default
 * of 30 active concepts, so the local host allows more unless idr_MaxActiveConcepts says otherwise.
 */
export const DEMO_MAX_ACTIVE_CONCEPTS = 60;

/** The build failed: nothing was started (the pack step already logged which file and why). */
export class StartBuildError extends Error {
  constructor(readonly out: string) {
    super(`Packing the solutions into ${out} failed; fix what the log above names and start again.`);
    this.name = 'StartBuildError';
  }
}

export interface StartOptions {
  readonly port: number;
  readonly hostPort: number;
  /** Delete the emulator database first (demo data is loaded again). */
  readonly reset: boolean;
  readonly demo: boolean;
  readonly demoSize: DemoSize;
  /** Keep the emulator's data in memory (nothing survives a restart). */
  readonly memory: boolean;
  readonly db?: string;
  readonly solutionRoot?: string;
  /** Where `pack` writes the zips; `dist` by default. */
  readonly distDir?: string;
  /** `webresources/build.ts`; a missing file packs the form scripts as they are. */
  readonly webResourceBuild?: string;
  /** `pcf-controls/`: its controls (from the build cache, built when their sources changed) go into the zips. */
  readonly pcfRoot?: string;
  readonly logger: Logger;
  /** stdout: the URLs and what happened. */
  readonly print: (line: string) => void;
  readonly progress?: ProgressReporter;
  readonly clock?: () => Date;
  /** Most asynchronous system jobs the emulator runs at once; default 8. */
  readonly asyncConcurrency?: number;
  /** Wait for the system job queue to be idle before printing the URLs. */
  readonly waitIdle?: boolean;
  /** The host's settings (idr_MaxActiveConcepts…); the process environment by default. */
  readonly env?: Record<string, string | undefined>;
  /** Record the emulator as the selected environment in `<authDir>/auth.json` (the CLI: `.ideario`). */
  readonly authDir?: string;
}

export interface RunningStart {
  readonly emulator: RunningEmulator;
  readonly host: RunningHost;
  /** `http://127.0.0.1:5555/` */
  readonly homeUrl: string;
  /** `http://127.0.0.1:5555/api/data/v9.2/` */
  readonly webApiUrl: string;
  /** `http://127.0.0.1:7071/api/webhook` */
  readonly hostUrl: string;
  close(): Promise<void>;
}

/**
 * A DataverseClient whose calls wait for the real one. The host starts before the emulator (whose
 * service endpoints need the host's URL), but its client needs the emulator's URL.
 */
function laterClient(): { client: DataverseClient; resolve: (client: DataverseClient) => void } {
  let resolve: (client: DataverseClient) => void = () => undefined;
  const ready = new Promise<DataverseClient>((r) => {
    resolve = r;
  });
  const client: DataverseClient = {
    create: async (...args) => (await ready).create(...args),
    retrieve: async (...args) => (await ready).retrieve(...args),
    update: async (...args) => (await ready).update(...args),
    upsert: async (...args) => (await ready).upsert(...args),
    delete: async (...args) => (await ready).delete(...args),
    retrieveMultiple: async (...args) => (await ready).retrieveMultiple(...args),
    fetchXml: async (...args) => (await ready).fetchXml(...args),
    executeAction: async (...args) => (await ready).executeAction(...args),
    executeFunction: async (...args) => (await ready).executeFunction(...args),
    executeBatch: async (...args) => (await ready).executeBatch(...args),
  };
  return { client, resolve };
}

export async function runStart(options: StartOptions): Promise<RunningStart> {
  const { logger, print } = options;
  const clock = options.clock ?? (() => new Date());
  const env = options.env ?? process.env;
  // A wrong IDEARIO_CURRENCY is told before minutes of building, not after.
  const baseCurrency = requireCurrency(baseCurrencyFromEnv(env)).isoCode;
  const out = options.distDir ?? path.resolve('dist');
  const code = await runPack(
    {
      out,
      root: path.resolve(options.solutionRoot ?? 'solution'),
      webResourceBuild: options.webResourceBuild ?? path.resolve('webresources', 'build.ts'),
      pcfRoot: options.pcfRoot ?? path.resolve('pcf-controls'),
    },
    logger,
    (line) => print(`Built ${line}`),
  );
  if (code !== 0) throw new StartBuildError(out);
  const pcfDir = path.join(out, 'pcf');

  if (!env[INTERESTS_ENVIRONMENT_VARIABLES.maxActiveConcepts])
    env[INTERESTS_ENVIRONMENT_VARIABLES.maxActiveConcepts] = String(DEMO_MAX_ACTIVE_CONCEPTS);
  // A fresh secret per start: only this emulator can call this host.
  const key = randomBytes(24).toString('hex');
  const later = laterClient();
  const host = await startHost({
    port: options.hostPort,
    host: '127.0.0.1',
    deps: {
      client: later.client,
      clock,
      logger,
      secrets: { type: 'WebhookKey', key },
      handlers: createRegistry(handlers),
    },
    jobs,
  });
  const wireHost: EmulatorExtension = {
    name: 'webhook host client',
    started: ({ url }) => {
      later.resolve(
        createNodeClient({
          url,
          getToken: () => Promise.resolve(LOCAL_TOKEN),
          logger,
          retry: { maxAttempts: 3, maxRetryAfterSeconds: 20, maxDelayMs: 4000 },
        }),
      );
    },
  };
  let emulator: RunningEmulator;
  try {
    emulator = await startEmulator({
      port: options.port,
      host: '127.0.0.1',
      db: options.db ?? DEFAULT_DB_PATH,
      memory: options.memory,
      reset: options.reset,
      demo: options.demo,
      solutionRoot: options.solutionRoot,
      token: LOCAL_TOKEN,
      asyncConcurrency: options.asyncConcurrency,
      webhookUrl: host.url,
      webhookKey: key,
      clock: options.clock,
      // $filter date functions and FetchXML judge days in the caller's zone; this one for users without their own.
      timeZone: readGroupQuotesSettings(env).timeZone,
      baseCurrency,
      logger,
      extensions: [
        webhooksExtension(env),
        // The pages judge "overdue" and "today" in the user's zone (usersettings), else IDEARIO_TIME_ZONE.
        pagesExtension({ pcfDir }),
        wireHost,
        demoExtension({ size: options.demoSize, progress: options.progress, report: print }),
      ],
    });
  } catch (error) {
    await host.close();
    throw error;
  }
  const running: RunningStart = {
    emulator,
    host,
    homeUrl: `${emulator.url}/`,
    webApiUrl: emulator.serviceRoot,
    hostUrl: `${host.url}${WEBHOOK_PATH}`,
    async close() {
      await emulator.close();
      await host.close();
    },
  };
  for (const warning of await recordStartEnvironment(emulator.engine, {
    pcfDir,
    hostUrl: host.url,
    webhookKey: key,
    env,
  }))
    logger.warn(`${warning.what} ${warning.detail}.`);
  if (options.waitIdle) {
    print('Waiting for the system jobs to finish…');
    // No ceiling: the user asked to wait, and Ctrl-C stops it.
    await emulator.whenJobsIdle({ timeoutMs: Number.POSITIVE_INFINITY });
  }
  print(`Home page:    ${running.homeUrl}`);
  // The Marketing app first (issue 10: the first URL printed opens the Ideario Marketing app).
  const apps = [...loadApps(emulator.engine.metadata.model)].sort(
    (a, b) => Number(b.uniqueName === MARKETING_APP) - Number(a.uniqueName === MARKETING_APP),
  );
  for (const app of apps)
    print(`App:          ${emulator.url}${appUrl(app)} (${localized(app.name, 1033, app.uniqueName)})`);
  print(`Web API:      ${running.webApiUrl} (Authorization: Bearer ${LOCAL_TOKEN})`);
  if (options.authDir !== undefined) {
    const recorded = recordLocalEnvironment(options.authDir, emulator.url, LOCAL_TOKEN, key);
    print(
      `Environment:  '${recorded.name}' selected; ideario deploy, ingest, sweep, rescore and doctor use it.`,
    );
  }
  print(`Webhook host: ${running.hostUrl} (${handlers.length} handler(s), ${jobs.length} scheduled job(s))`);
  print(
    `Database:     ${options.memory ? 'in memory' : (options.db ?? DEFAULT_DB_PATH)}. Press Ctrl-C to stop.`,
  );
  return running;
}

export interface StartCommandOptions {
  port: string;
  hostPort: string;
  reset?: boolean;
  demo: boolean;
  demoSize: string;
  memory?: boolean;
  db: string;
  verbose?: boolean;
  asyncConcurrency: string;
  waitIdle?: boolean;
}

/** `--async-concurrency` is not a whole number from 1 to 1000. */
export class AsyncConcurrencyOptionError extends Error {
  constructor(readonly value: string) {
    super(`--async-concurrency must be a whole number from 1 to 1000, got '${value}'.`);
    this.name = 'AsyncConcurrencyOptionError';
  }
}

export function parseAsyncConcurrency(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > 1000)
    throw new AsyncConcurrencyOptionError(value);
  return Number(value);
}

export function parseDemoSize(value: string): DemoSize {
  const sizes = Object.keys(DEMO_SIZES);
  if (!sizes.includes(value)) throw new DemoSizeError(value, sizes);
  return value as DemoSize;
}

export function registerStart(program: Command, logger: Logger): void {
  program
    .command('start')
    .description(
      'Build both solutions, start the emulator (with demo data) and the webhook host wired together, and print their URLs',
    )
    .option('--port <port>', 'emulator port (0: any free port)', String(DEFAULT_EMULATOR_PORT))
    .option('--host-port <port>', 'webhook host port (0: any free port)', String(DEFAULT_HOST_PORT))
    .option('--reset', 'delete the emulator database first and load the demo data again')
    .option('--no-demo', 'start without demo data')
    .option('--demo-size <size>', `how much demo data: ${Object.keys(DEMO_SIZES).join(', ')}`, 'standard')
    .option('--memory', 'keep the emulator data in memory (nothing survives a restart)')
    .option('--db <file>', 'emulator database file', DEFAULT_DB_PATH)
    .option('--async-concurrency <n>', 'most asynchronous system jobs the emulator runs at once', '8')
    .option('--wait-idle', 'wait until no system job is due or running before printing the URLs')
    .option('--verbose', 'log every webhook call and system job (by default only warnings and errors)')
    .action(async (opts: StartCommandOptions) => {
      // Thousands of demo interactions each log a line; the URLs must stay visible.
      const log = opts.verbose ? logger : quietLogger(logger);
      let running: RunningStart;
      try {
        running = await runStart({
          port: parsePort(opts.port, '--port'),
          hostPort: parsePort(opts.hostPort, '--host-port'),
          reset: opts.reset === true,
          demo: opts.demo,
          demoSize: parseDemoSize(opts.demoSize),
          memory: opts.memory === true,
          db: opts.db,
          asyncConcurrency: parseAsyncConcurrency(opts.asyncConcurrency),
          waitIdle: opts.waitIdle === true,
          logger: log,
          print: (line) => console.log(line),
          progress: terminalProgress(),
          authDir: DEFAULT_AUTH_DIR,
        });
      } catch (error) {
        if (
          error instanceof StartBuildError ||
          error instanceof DemoSizeError ||
          error instanceof AsyncConcurrencyOptionError ||
          error instanceof HostConfigError ||
          error instanceof UnknownCurrencyError ||
          error instanceof GroupQuotesConfigError
        ) {
          logger.error(error.message);
          process.exitCode = 1;
          return;
        }
        if ((error as { code?: unknown }).code === 'EADDRINUSE') {
          logger.error(
            `A port is in use (${(error as Error).message}): stop what uses it, or pass --port / --host-port (0 picks a free one).`,
          );
          process.exitCode = 1;
          return;
        }
        throw error;
      }
      let stopping = false;
      const stop = () => {
        if (stopping) return;
        stopping = true;
        console.log('Stopping the emulator and the webhook host…');
        running.close().then(
          () => process.exit(0),
          (error: unknown) => {
            logger.error('Stopping failed.', {
              error: error instanceof Error ? error.message : String(error),
            });
            process.exit(1);
          },
        );
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
}
