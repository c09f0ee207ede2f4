/**
 * `ideario sweep --once [--url http://127.0.0.1:5555] [--handoff-url …]`: runs the group-quotation
 * follow-up sweep (the host's hourly job) against a Dataverse environment or the local emulator, with a
 * progress bar. Without `--once` it keeps running, one sweep every `--every-hours` (default 1).
 * Real environments need IDEARIO_TENANT_ID, IDEARIO_CLIENT_ID and IDEARIO_CLIENT_SECRET (an
 * application user); the local emulator needs none. Settings as for the host: idr_ErpHandoffUrl,
 * IDEARIO_TIME_ZONE, IDEARIO_LANGUAGE.
 */
import type { Command } from 'commander';
import type { DataverseClient } from '../../dataverse/client';
import { DataverseUnreachableError } from '../../dataverse/adapters/errors';
import { connectEnvironment } from '../../dataverse/adapters/environment';
import { DataverseError } from '../../dataverse/errors';
import type { Logger } from '../../dataverse/logger';
import {
  type FetchLike,
  GroupQuotesConfigError,
  readGroupQuotesSettings,
  runFollowUpSweep,
  type SweepProgress,
  type SweepResult,
} from '../../plugins/handlers/groupquotes';
import { HOST_ENVIRONMENT_VARIABLES } from '../../plugins/host/env';
import { terminalBar } from './progress';

export const DEFAULT_SWEEP_URL = 'http://127.0.0.1:5555';

export interface SweepCommandOptions {
  url: string;
  once: boolean;
  everyHours: string;
  handoffUrl?: string;
}

/** An option of the command holds a value it cannot use. */
export class InvalidSweepOptionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidSweepOptionError';
  }
}

/** The command cannot reach or authenticate against the URL as configured. */
export class SweepConnectionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SweepConnectionError';
  }
}

export interface SweepCommandDeps {
  env: Readonly<Record<string, string | undefined>>;
  logger: Logger;
  print: (line: string) => void;
  clock: () => Date;
  fetch: FetchLike;
  sleep: (ms: number) => Promise<void>;
  /** Tests pass an in-process client; otherwise the Node Web API client for `url`. */
  client?: DataverseClient;
  /** Progress display; a bar on a terminal, nothing otherwise. */
  progress?: ProgressDisplay;
}

export interface ProgressDisplay {
  update(progress: SweepProgress): void;
  stop(): void;
}

/** The Node client for `url`: client credentials for a real environment, no token for the emulator. */
export function connect(
  urlText: string,
  env: SweepCommandDeps['env'],
  logger: Logger,
  clock: () => Date,
): DataverseClient {
  let url: URL;
  try {
    url = new URL(urlText);
  } catch {
    throw new InvalidSweepOptionError(
      `--url '${urlText}' is not a URL; use e.g. https://contoso.crm4.dynamics.com or ${DEFAULT_SWEEP_URL}.`,
    );
  }
  const names = HOST_ENVIRONMENT_VARIABLES;
  const connected = connectEnvironment(
    url,
    { tenantId: env[names.tenantId], clientId: env[names.clientId], clientSecret: env[names.clientSecret] },
    { logger, clock },
  );
  if (!('missing' in connected)) return connected;
  throw new SweepConnectionError(
    `${url.origin} needs an application user's credentials: set ${connected.missing.map((n) => names[n]).join(', ')} (the local emulator needs none).`,
  );
}

/**
 * Logs why a command against `url` could not finish and returns its exit code (1); rethrows what is
 * not a connection, option or Dataverse failure. `what` names the run ("The sweep") in the message.
 */
export function reportFailure(error: unknown, url: string, logger: Logger, what: string): number {
  if (error instanceof SweepConnectionError || error instanceof InvalidSweepOptionError) {
    logger.error(error.message);
    return 1;
  }
  if (error instanceof DataverseUnreachableError) {
    const hint = url === DEFAULT_SWEEP_URL ? ' Is the emulator running (npm start)?' : '';
    logger.error(`${error.message}.${hint}`);
    return 1;
  }
  if (error instanceof DataverseError) {
    logger.error(`${what} stopped: ${error.message}`);
    return 1;
  }
  throw error;
}

export function describeResult(result: SweepResult): string {
  const byAction = Object.entries(result.byAction)
    .map(([action, count]) => `${action} ${count}`)
    .join(', ');
  return (
    `Swept ${result.processed} quotation(s) for ${result.today}: ${result.actionsCreated} follow-up(s) done` +
    `${byAction ? ` (${byAction})` : ''}, ${result.skipped} already claimed by another sweep, ` +
    `${result.waiting} waiting for the ERP/PMS URL, ${result.failed.length} failed.`
  );
}

function terminalProgress(): ProgressDisplay {
  const bar = terminalBar('Quotations {bar} {value}/{total} | follow-ups done: {actions}');
  return {
    update: ({ processed, total, actionsCreated }) =>
      bar.update(processed, total, { actions: actionsCreated }),
    stop: () => bar.stop(),
  };
}

/** One sweep; returns the exit code (1 when some quotations failed or the settings are wrong). */
export async function runSweepOnce(options: SweepCommandOptions, deps: SweepCommandDeps): Promise<number> {
  try {
    const env = options.handoffUrl ? { ...deps.env, idr_ErpHandoffUrl: options.handoffUrl } : deps.env;
    const settings = readGroupQuotesSettings(env);
    const client = deps.client ?? connect(options.url, deps.env, deps.logger, deps.clock);
    const progress = deps.progress;
    let result: SweepResult;
    try {
      result = await runFollowUpSweep({
        client,
        clock: deps.clock,
        logger: deps.logger,
        settings: () => settings,
        fetch: deps.fetch,
        sleep: deps.sleep,
        onProgress: (p) => progress?.update(p),
      });
    } finally {
      progress?.stop();
    }
    deps.print(describeResult(result));
    for (const failure of result.failed)
      deps.print(`  failed: opportunity ${failure.opportunityId}: ${failure.reason}`);
    return result.failed.length > 0 ? 1 : 0;
  } catch (error) {
    if (error instanceof GroupQuotesConfigError) {
      deps.logger.error(error.message);
      return 1;
    }
    return reportFailure(error, options.url, deps.logger, 'The sweep');
  }
}

function parseEveryHours(text: string): number {
  const hours = Number(text);
  if (!Number.isFinite(hours) || hours <= 0 || hours > 24) {
    throw new InvalidSweepOptionError(
      `--every-hours '${text}' must be a number of hours from 0 (exclusive) to 24.`,
    );
  }
  return hours;
}

export function registerSweep(program: Command, logger: Logger): void {
  program
    .command('sweep')
    .description(
      'Run the group-quotation follow-up sweep (emails, calls, tasks, ERP/PMS handoff) against Dataverse or the emulator',
    )
    .option('--once', 'run one sweep and exit', false)
    .option('--url <url>', 'environment URL', DEFAULT_SWEEP_URL)
    .option('--every-hours <hours>', 'without --once: hours between sweeps', '1')
    .option('--handoff-url <url>', 'ERP/PMS endpoint (default: the idr_ErpHandoffUrl environment variable)')
    .action(async (opts: SweepCommandOptions) => {
      const deps: SweepCommandDeps = {
        env: process.env,
        logger,
        print: (line) => console.log(line),
        clock: () => new Date(),
        fetch: globalThis.fetch,
        sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
      };
      const withBar = (): SweepCommandDeps => ({
        ...deps,
        progress: process.stderr.isTTY ? terminalProgress() : undefined,
      });
      if (opts.once) {
        process.exitCode = await runSweepOnce(opts, withBar());
        return;
      }
      let everyMs: number;
      try {
        everyMs = parseEveryHours(opts.everyHours) * 3_600_000;
      } catch (error) {
        if (!(error instanceof InvalidSweepOptionError)) throw error;
        logger.error(error.message);
        process.exitCode = 1;
        return;
      }
      let stopped = false;
      process.once('SIGINT', () => {
        stopped = true;
        logger.info('Stopping after the current sweep…');
      });
      while (!stopped) {
        process.exitCode = await runSweepOnce(opts, withBar());
        const until = Date.now() + everyMs;
        while (!stopped && Date.now() < until) await deps.sleep(Math.min(1000, until - Date.now()));
      }
    });
}
