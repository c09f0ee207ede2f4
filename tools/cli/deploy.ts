/**
 * `ideario deploy --url https://org.crm.dynamics.com [--solution IdearioInterests|IdearioGroupQuotes|all]
 * [--managed|--unmanaged] [--webhook-url <host base URL>] [--webhook-key <key>] [--erp-url <url>]
 * [--env <schema>=<value>]… [--tenant … --client-id … --client-secret …] [--token <t>]`: imports the
 * solutions packed in dist/ and configures the environment after import. See tools/deploy/README.md.
 */
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { DataverseUnreachableError } from '../../dataverse/adapters/errors';
import { TokenAcquisitionError } from '../../dataverse/adapters/msal';
import type { DataverseClient } from '../../dataverse/client';
import { DataverseError } from '../../dataverse/errors';
import type { Logger } from '../../dataverse/logger';
import { HOST_ENVIRONMENT_VARIABLES } from '../../plugins/host/env';
import { SOLUTION_NAMES } from '../../plugins/registry';
import { DEPLOY_STAGES, deploy, type DeployOptions, type DeployStage } from '../deploy/deploy';
import {
  DeployConnectionError,
  DeployOptionError,
  InvalidEnvironmentVariableValueError,
  MissingSolutionZipError,
  SolutionImportFailedError,
  SolutionImportTimeoutError,
  SolutionZipMismatchError,
  UnexpectedImportResponseError,
  SolutionStagingFailedError,
  SolutionDowngradeError,
  SettingsFileError,
} from '../deploy/errors';
import { createSettings, readSettingsFile, writeSettingsFile } from '../deploy/settings-file';
import { findSolutionZip, inspectSolutionZip } from '../deploy/zips';
import { terminalBar } from './progress';
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
  force?: boolean;
  /** A deployment settings file in the format of `pac solution create-settings`. */
  settingsFile?: string;
  /** Write such a file for the chosen solutions to this path, and import nothing. */
  createSettings?: string;
}

export interface DeployCommandDeps {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly logger: Logger;
  readonly print: (line: string) => void;
  readonly clock: () => Date;
  readonly sleep: (ms: number) => Promise<void>;
  readonly newId: () => string;
  /** Where the import progress goes; a bar on a terminal. */
  readonly progress?: DeployProgressDisplay;
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
  SolutionStagingFailedError,
  SolutionDowngradeError,
  SettingsFileError,
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
    force: opts.force === true,
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

export interface DeployProgressDisplay {
  stage(solution: string, stage: DeployStage): void;
  job(progress: ImportProgress): void;
  stop(): void;
}

/** One bar per run on a terminal: the solution, its step of DEPLOY_STAGES, and the import job's status. */
function terminalProgress(): DeployProgressDisplay {
  const bar = terminalBar('{solution} {bar} {stage}');
  let current = '';
  return {
    stage(solution, stage) {
      current = solution;
      bar.update(DEPLOY_STAGES.indexOf(stage) + 1, DEPLOY_STAGES.length, { solution, stage });
    },
    job(p) {
      bar.update(DEPLOY_STAGES.indexOf('importing') + 1, DEPLOY_STAGES.length, {
        solution: current || p.solution,
        stage: `importing: ${p.status} — ${Math.round(p.elapsedMs / 1000)} s`,
      });
    },
    stop: () => bar.stop(),
  };
}

/** `--create-settings <file>`: every environment variable of the chosen zips, with an empty value. */
async function runCreateSettings(file: string, options: DeployOptions, print: (line: string) => void) {
  const variables = [];
  for (const solution of options.solutions) {
    const zip = await findSolutionZip(options.distDir, solution, options.managed);
    const contents = await inspectSolutionZip(await readFile(zip), path.basename(zip));
    variables.push(...contents.environmentVariables);
  }
  const settings = createSettings(variables);
  await writeSettingsFile(file, settings);
  print(
    `Wrote ${file} (${settings.EnvironmentVariables.length} environment variable(s): ${settings.EnvironmentVariables.map((v) => v.SchemaName).join(', ')}). ` +
      `Fill in the values, then run \`ideario deploy --settings-file ${file}\`.`,
  );
}

/** Runs the command and returns the exit code. */
export async function runDeploy(opts: DeployCommandOptions, deps: DeployCommandDeps): Promise<number> {
  try {
    const flagged = deployOptions(opts, deps.env);
    if (opts.createSettings !== undefined) {
      await runCreateSettings(opts.createSettings, flagged, deps.print);
      return 0;
    }
    // --env wins over the file for the same variable.
    const fromFile = opts.settingsFile !== undefined ? await readSettingsFile(opts.settingsFile) : {};
    const options: DeployOptions = { ...flagged, variables: { ...fromFile, ...flagged.variables } };
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
      onProgress: deps.progress ? (p) => deps.progress?.job(p) : lineProgress(deps.print),
      onStage: deps.progress ? (solution, stage) => deps.progress?.stage(solution, stage) : undefined,
    }).finally(() => deps.progress?.stop());
    const warnings = deployed.flatMap((d) => d.settings).filter((s) => s.kind === 'warning').length;
    deps.print(
      `Deployed ${deployed.map((d) => `${d.solution} ${d.version} (${d.outcome})`).join(', ')}${warnings ? ` with ${warnings} warning(s) above` : ''}.`,
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
    .option('--force', 'import even when the environment has the same or a newer version')
    .option(
      '--settings-file <file>',
      'environment variable values from a deployment settings file (format of pac solution create-settings)',
    )
    .option(
      '--create-settings <file>',
      'write a deployment settings file for the chosen solutions (import nothing)',
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
        progress: process.stderr.isTTY ? terminalProgress() : undefined,
      });
    });
}
