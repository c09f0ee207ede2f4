/**
 * `ideario emulator [--port 5555] [--host 127.0.0.1] [--db .ideario/emulator.db] [--memory] [--reset]
 * [--limit 6000/300s] [--concurrency 52] [--faults 503:0.05] [--token t] [--time-zone Europe/Madrid]
 * [--no-demo]`: a local
 * Dataverse Web API. The first stdout line is `Emulator listening on <service root>`, so scripts and
 * tests can read the port.
 */
import type { Command } from 'commander';
import { DataverseError } from '../../dataverse/errors';
import type { Logger } from '../../dataverse/logger';
import { baseCurrencyFromEnv, requireCurrency } from '../emulator/engine/currencies';
import { requireTimeZone } from '../emulator/engine/timezones';
import { parseFaults, parseLimit } from '../emulator/http/protection';
import type { EmulatorExtension, EmulatorOptions, RunningEmulator } from '../emulator/start';
import { DEFAULT_DB_PATH, startEmulator } from '../emulator/start';
import { DEFAULT_AUTH_DIR, recordLocalEnvironment } from './profiles';

export interface EmulatorCommandOptions {
  port: string;
  host: string;
  db: string;
  memory?: boolean;
  reset?: boolean;
  limit?: string;
  concurrency?: string;
  /** Most system jobs run at once (default 8). */
  asyncConcurrency?: string;
  /** Wait for the system job queue to be idle before printing the URL. */
  waitIdle?: boolean;
  faults?: string;
  token?: string;
  demo: boolean;
  solution: string;
  /** Webhook host base URL and key (else IDEARIO_WEBHOOK_URL / IDEARIO_WEBHOOK_KEY). */
  webhookUrl?: string;
  webhookKey?: string;
  /** IANA zone of users without usersettings.timezonecode (else IDEARIO_TIME_ZONE; else UTC). */
  timeZone?: string;
  /** The organization's base currency, ISO 4217 (else IDEARIO_CURRENCY; else EUR, the demo hotels'). */
  currency?: string;
  /** Record this emulator as the selected environment in `<authDir>/auth.json` (the CLI: `.ideario`). */
  authDir?: string;
}

/** A command-line value the emulator cannot use; the message says which and what is allowed. */
export class EmulatorOptionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EmulatorOptionError';
  }
}

function wholeNumber(value: string, option: string, min: number, max: number): number {
  if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
    throw new EmulatorOptionError(`${option} must be a whole number from ${min} to ${max}, got '${value}'.`);
  }
  return Number(value);
}

/** Command-line strings → startEmulator options (validated). */
export function emulatorOptions(
  options: EmulatorCommandOptions,
  logger: Logger,
  extensions: readonly EmulatorExtension[] = [],
): EmulatorOptions {
  try {
    return {
      port: wholeNumber(options.port, '--port', 0, 65535),
      host: options.host,
      db: options.db,
      memory: options.memory === true,
      reset: options.reset === true,
      limit: options.limit !== undefined ? parseLimit(options.limit) : undefined,
      concurrency:
        options.concurrency !== undefined
          ? wholeNumber(options.concurrency, '--concurrency', 1, 100000)
          : undefined,
      asyncConcurrency:
        options.asyncConcurrency !== undefined
          ? wholeNumber(options.asyncConcurrency, '--async-concurrency', 1, 1000)
          : undefined,
      faults: options.faults !== undefined ? parseFaults(options.faults) : undefined,
      token: options.token,
      demo: options.demo,
      solutionRoot: options.solution,
      webhookUrl: options.webhookUrl,
      webhookKey: options.webhookKey,
      timeZone: options.timeZone === undefined ? undefined : requireTimeZone(options.timeZone),
      baseCurrency: options.currency === undefined ? undefined : requireCurrency(options.currency).isoCode,
      logger,
      extensions,
    };
  } catch (error) {
    if (error instanceof DataverseError) throw new EmulatorOptionError(error.message);
    throw error;
  }
}

export async function runEmulator(
  options: EmulatorCommandOptions,
  logger: Logger,
  print: (line: string) => void,
  extensions: readonly EmulatorExtension[] = [],
): Promise<RunningEmulator> {
  const emulator = await startEmulator(emulatorOptions(options, logger, extensions));
  // No ceiling: the user asked to wait, and Ctrl-C stops it.
  if (options.waitIdle) await emulator.whenJobsIdle({ timeoutMs: Number.POSITIVE_INFINITY });
  print(`Emulator listening on ${emulator.serviceRoot}`);
  print(
    `Database: ${options.memory ? 'in memory' : options.db}${options.token ? '; bearer token required' : ''}`,
  );
  if (options.authDir !== undefined) {
    const recorded = recordLocalEnvironment(options.authDir, emulator.url, options.token);
    print(`Environment '${recorded.name}' selected: every ideario command now uses it by default.`);
  }
  return emulator;
}

export function registerEmulator(
  program: Command,
  logger: Logger,
  extensions: readonly EmulatorExtension[] = [],
): void {
  program
    .command('emulator')
    .description('Run a local Dataverse Web API (SQLite) with the metadata of solution/')
    .option('--port <port>', 'port to listen on (0: any free port)', '5555')
    .option('--host <address>', 'interface to listen on', '127.0.0.1')
    .option('--db <file>', 'SQLite database file', DEFAULT_DB_PATH)
    .option('--memory', 'keep everything in memory (nothing survives a restart)')
    .option('--reset', 'delete the database file before starting')
    .option('--limit <requests/window>', 'service protection: requests per window per user, e.g. 6000/300s')
    .option('--concurrency <n>', 'service protection: concurrent requests per user, e.g. 52')
    .option('--async-concurrency <n>', 'most asynchronous system jobs run at once', '8')
    .option('--wait-idle', 'wait until no system job is due or running before printing the URL')
    .option('--faults <status:probability>', 'answer some requests with an error, e.g. 503:0.05')
    .option('--token <token>', 'require Authorization: Bearer <token>')
    .option(
      '--time-zone <iana>',
      'time zone of users with no usersettings.timezonecode, e.g. Europe/Madrid (default: IDEARIO_TIME_ZONE, else UTC)',
    )
    .option(
      '--currency <iso>',
      "the organization's base currency when the database is new, e.g. USD (default: IDEARIO_CURRENCY, else EUR)",
    )
    .option('--no-demo', 'start without demo data')
    .option('--solution <dir>', 'folder with the unpacked solutions', 'solution')
    .option(
      '--webhook-url <url>',
      "webhook host the solutions' steps post to, e.g. http://127.0.0.1:7071 (default: IDEARIO_WEBHOOK_URL)",
    )
    .option(
      '--webhook-key <key>',
      'webhook key sent as ?code= (name=value pairs for header/query-string auth; default: IDEARIO_WEBHOOK_KEY)',
    )
    .action(async (opts: EmulatorCommandOptions) => {
      let emulator: RunningEmulator;
      try {
        emulator = await runEmulator(
          {
            ...opts,
            timeZone: opts.timeZone ?? (process.env.IDEARIO_TIME_ZONE?.trim() || undefined),
            currency: opts.currency ?? baseCurrencyFromEnv(process.env),
            authDir: DEFAULT_AUTH_DIR,
          },
          logger,
          (line) => console.log(line),
          extensions,
        );
      } catch (error) {
        if (error instanceof EmulatorOptionError) {
          logger.error(error.message);
          process.exitCode = 1;
          return;
        }
        throw error;
      }
      const stop = () => {
        logger.info('Stopping the emulator…');
        void emulator.close().then(() => process.exit(0));
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
}
