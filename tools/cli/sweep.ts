/**
 * `ideario sweep --once [--url …] [--handoff-url …]`: runs the group-quotation follow-up sweep (the host's
 * hourly job) against the selected environment (tools/cli/connection.ts: the local emulator after
 * `npm start`), with a progress bar. Without `--once` it keeps running, one sweep every `--every-hours`
 * (default 1). Settings as for the host: idr_ErpHandoffUrl, IDEARIO_TIME_ZONE, IDEARIO_LANGUAGE.
 */
import type { Command } from 'commander';
import type { Logger } from '../../dataverse/logger';
import {
  type FetchLike,
  GroupQuotesConfigError,
  readGroupQuotesSettings,
  runFollowUpSweep,
  type SweepProgress,
  type SweepResult,
} from '../../plugins/handlers/groupquotes';
import { runCommand, UserFacingError } from './command';
import { addConnectionOptions, commandClient, type ConnectionFlags, type CommandDeps } from './connection';
import { terminalBar } from './progress';

export interface SweepCommandOptions extends ConnectionFlags {
  once: boolean;
  everyHours: string;
  handoffUrl?: string;
}

/** An option of the command holds a value it cannot use. */
export class InvalidSweepOptionError extends UserFacingError {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidSweepOptionError';
  }
}

export interface SweepCommandDeps extends CommandDeps {
  fetch: FetchLike;
  sleep: (ms: number) => Promise<void>;
  /** Progress display; a bar on a terminal, nothing otherwise. */
  progress?: ProgressDisplay;
}

export interface ProgressDisplay {
  update(progress: SweepProgress): void;
  stop(): void;
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
  return runCommand('sweep', deps.logger, async () => {
    const env = options.handoffUrl ? { ...deps.env, idr_ErpHandoffUrl: options.handoffUrl } : deps.env;
    let settings: ReturnType<typeof readGroupQuotesSettings>;
    try {
      settings = readGroupQuotesSettings(env);
    } catch (error) {
      if (!(error instanceof GroupQuotesConfigError)) throw error;
      deps.logger.error(error.message);
      return 1;
    }
    const client = commandClient(options, deps);
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
  });
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
  const command = program
    .command('sweep')
    .description(
      'Run the group-quotation follow-up sweep (emails, calls, tasks, ERP/PMS handoff) against Dataverse or the emulator',
    )
    .option('--once', 'run one sweep and exit', false);
  addConnectionOptions(command)
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
