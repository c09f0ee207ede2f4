/**
 * `ideario deploy --url https://org.crm.dynamics.com [--solution IdearioInterests|IdearioGroupQuotes|all]
 * [--managed|--unmanaged] [--webhook-url <host base URL>] [--webhook-key <key>] [--erp-url <url>]
 * [--env <schema>=<value>]… [--tenant … --client-id … --client-secret …] [--token <t>]`: imports the
 * solutions packed in dist/ and configures the environment after import. See tools/deploy/README.md.
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { Command } from 'commander';
import { DataverseUnreachableError } from '../../dataverse/adapters/errors';
import { TokenAcquisitionError } from '../../dataverse/adapters/msal';
import type { DataverseClient } from '../../dataverse/client';
import { DataverseError } from '../../dataverse/errors';
import type { Logger } from '../../dataverse/logger';
import { HOST_ENVIRONMENT_VARIABLES } from '../../plugins/host/env';
import { SOLUTION_NAMES } from '../../plugins/registry';
import { deploy, type DeployOptions } from '../deploy/deploy';
import {
  DeployConnectionError,
  DeployOptionError,
  InvalidEnvironmentVariableValueError,
  MissingSolutionZipError,
  SolutionImportFailedError,
  SolutionImportTimeoutError,
  SolutionZipMismatchError,
  UnexpectedImportResponseError,
} from '../deploy/errors';
import type { ImportProgress } from '../deploy/import';
import { describeUserError } from './command';
import { addConnectionOptions, openConnection, type ConnectionFlags } from './connection';

export interface DeployCommandOptions extends ConnectionFlags {
  solution: string;
  managed?: boolean;
  unmanaged?: boolean;
  webhookUrl?: string;
  webhookKey?: string;
  erpUrl?: string;
  env?: string[];
  dist: string;
  keepUnmanagedCustomizations?: boolean;
  pollSeconds: string;
  timeoutMinutes: string;
}

export interface DeployCommandDeps {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly logger: Logger;
  readonly print: (line: string) => void;
  readonly clock: () => Date;
  readonly sleep: (ms: number) => Promise<void>;
  readonly newId: () => string;
  /** Where the import progress goes; a self-rewriting line on a terminal. */
  readonly progress?: (progress: ImportProgress) => void;
  /** Tests may pass a client; otherwise the selected environment's (or `--url`'s). */
  readonly client?: DataverseClient;
  readonly authDir?: string;
}

const USER_ERRORS = [
  DeployOptionError,
  DeployConnectionError,
  MissingSolutionZipError,
  SolutionZipMismatchError,
  SolutionImportFailedError,
  SolutionImportTimeoutError,
  UnexpectedImportResponseError,
  InvalidEnvironmentVariableValueError,
  TokenAcquisitionError,
  DataverseUnreachableError,
  DataverseError,
];

function positiveNumber(value: string, option: string): number {
  const n = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value.trim()) || n <= 0)
    throw new DeployOptionError(`${option} must be a positive number, got '${value}'.`);
  return n;
}

function solutionsOf(choice: string): string[] {
  if (choice.toLowerCase() === 'all') return [...SOLUTION_NAMES];
  const found = SOLUTION_NAMES.find((name) => name.toLowerCase() === choice.toLowerCase());
  if (!found)
    throw new DeployOptionError(
      `--solution '${choice}' is not one of ${[...SOLUTION_NAMES, 'all'].join(', ')}.`,
    );
  return [found];
}

function variablesOf(pairs: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0)
      throw new DeployOptionError(
        `--env '${pair}' must be <schema name>=<value>, e.g. idr_MaxActiveConcepts=25.`,
      );
    out[pair.slice(0, eq).trim()] = pair.slice(eq + 1);
  }
  return out;
}

export function deployOptions(opts: DeployCommandOptions, env: DeployCommandDeps['env']): DeployOptions {
  if (opts.managed && opts.unmanaged)
    throw new DeployOptionError('--managed and --unmanaged exclude each other.');
  const key = opts.webhookKey ?? env[HOST_ENVIRONMENT_VARIABLES.webhookKey]?.trim();
  return {
    solutions: solutionsOf(opts.solution),
    managed: opts.unmanaged !== true,
    distDir: path.resolve(opts.dist),
    overwriteUnmanagedCustomizations: opts.keepUnmanagedCustomizations !== true,
    webhookUrl: opts.webhookUrl,
    webhookKey: key || undefined,
    erpUrl: opts.erpUrl,
    variables: variablesOf(opts.env ?? []),
    pollIntervalMs: positiveNumber(opts.pollSeconds, '--poll-seconds') * 1000,
    timeoutMs: positiveNumber(opts.timeoutMinutes, '--timeout-minutes') * 60_000,
  };
}

/** Status lines while a job runs: a line per change, and one every 15 s while nothing changes. */
export function lineProgress(
  print: (line: string) => void,
  everyMs = 15_000,
): (progress: ImportProgress) => void {
  let last: { key: string; at: number } | undefined;
  return (p) => {
    const key = `${p.jobId}:${p.status}`;
    if (last && last.key === key && p.elapsedMs - last.at < everyMs && !p.done) return;
    last = { key, at: p.elapsedMs };
    print(`  ${p.solution}: ${p.status} — ${Math.round(p.elapsedMs / 1000)} s`);
  };
}

/** One line rewritten in place on a terminal. */
function terminalProgress(stream: NodeJS.WriteStream): (progress: ImportProgress) => void {
  return (p) => {
    stream.write(`\r\x1b[2K  ${p.solution}: ${p.status} — ${Math.round(p.elapsedMs / 1000)} s`);
    if (p.done) stream.write('\n');
  };
}

/** Runs the command and returns the exit code. */
export async function runDeploy(opts: DeployCommandOptions, deps: DeployCommandDeps): Promise<number> {
  try {
    const options = deployOptions(opts, deps.env);
    const client =
      deps.client ??
      openConnection(opts, { env: deps.env, logger: deps.logger, clock: deps.clock, authDir: deps.authDir })
        .client;
    const deployed = await deploy(options, {
      client,
      clock: deps.clock,
      sleep: deps.sleep,
      newId: deps.newId,
      logger: deps.logger,
      print: deps.print,
      onProgress: deps.progress ?? lineProgress(deps.print),
    });
    const warnings = deployed.flatMap((d) => d.settings).filter((s) => s.kind === 'warning').length;
    deps.print(
      `Deployed ${deployed.map((d) => `${d.solution} ${d.version}`).join(', ')}${warnings ? ` with ${warnings} warning(s) above` : ''}.`,
    );
    return 0;
  } catch (error) {
    if (USER_ERRORS.some((kind) => error instanceof kind)) {
      deps.logger.error(`deploy failed: ${(error as Error).message}`);
      return 1;
    }
    const line = describeUserError(error);
    if (line === undefined) throw error;
    deps.logger.error(`deploy failed: ${line}`);
    return 1;
  }
}

export function registerDeploy(program: Command, logger: Logger): void {
  const command = program
    .command('deploy')
    .description(
      'Import the solutions packed in dist/ (ImportSolutionAsync) and set their environment variables and webhook endpoint',
    );
  addConnectionOptions(command)
    .option('--solution <name>', `${SOLUTION_NAMES.join(', ')} or all`, 'all')
    .option('--managed', 'import the managed zip (default)')
    .option('--unmanaged', 'import the unmanaged zip (development environments)')
    .option(
      '--webhook-url <url>',
      'base URL of the webhook host; each endpoint gets <url>/api/webhook/<Solution>',
    )
    .option(
      '--webhook-key <key>',
      `webhook key the host verifies (default: ${HOST_ENVIRONMENT_VARIABLES.webhookKey}); never printed`,
    )
    .option('--erp-url <url>', 'ERP/PMS handoff URL (environment variable idr_ErpHandoffUrl)')
    .option(
      '--env <schema=value>',
      'set another environment variable, e.g. idr_MaxActiveConcepts=25 (repeatable)',
      (v: string, all: string[] = []) => [...all, v],
    )
    .option('--dist <dir>', 'folder holding the packed zips', 'dist')
    .option(
      '--keep-unmanaged-customizations',
      'do not overwrite unmanaged customizations of the solution components',
    )
    .option('--poll-seconds <n>', 'seconds between two reads of the import job', '2')
    .option('--timeout-minutes <n>', 'give up waiting for the import after this long', '60')
    .action(async (opts: DeployCommandOptions) => {
      process.exitCode = await runDeploy(opts, {
        env: process.env,
        logger,
        print: (line) => console.log(line),
        clock: () => new Date(),
        sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
        newId: randomUUID,
        progress: process.stderr.isTTY ? terminalProgress(process.stderr) : undefined,
      });
    });
}
