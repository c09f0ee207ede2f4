/**
 * `ideario doctor [--url …]`: checks the selected environment (tools/doctor/doctor.ts) and prints one
 * line per check, with what to fix; exit code 0 only when all is well.
 */
import path from 'node:path';
import type { Command } from 'commander';
import type { DataverseClient } from '../../dataverse/client';
import type { Logger } from '../../dataverse/logger';
import { HOST_ENVIRONMENT_VARIABLES } from '../../plugins/host/env';
import { SOLUTION_NAMES } from '../../plugins/registry';
import { runDoctor, type Check } from '../doctor/doctor';
import { loadMetadata } from '../solution/loader';
import { runCommand } from './command';
import {
  addConnectionOptions,
  describeEnvironment,
  openConnection,
  type ConnectionFlags,
} from './connection';

export interface DoctorCommandOptions extends ConnectionFlags {
  solutionRoot: string;
}

export interface DoctorCommandDeps {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly logger: Logger;
  readonly print: (line: string) => void;
  readonly clock: () => Date;
  readonly authDir?: string;
  /** Tests may pass a client (then no environment line is printed). */
  readonly client?: DataverseClient;
  readonly probe?: (url: string) => Promise<number>;
}

/** POSTs `{}` as Dataverse would post a context, without following redirects. */
export async function probeWebhook(url: string): Promise<number> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: '{}',
    redirect: 'manual',
    signal: AbortSignal.timeout(20_000),
  });
  await response.body?.cancel();
  return response.status;
}

export function describeCheck(check: Check): string {
  return check.status === 'ok' ? `  ✓ ${check.what}` : `  ✗ ${check.what}\n      fix: ${check.fix ?? ''}`;
}

export function runDoctorCommand(options: DoctorCommandOptions, deps: DoctorCommandDeps): Promise<number> {
  return runCommand('doctor', deps.logger, async () => {
    const metadata = loadMetadata(path.resolve(options.solutionRoot));
    const solutions = SOLUTION_NAMES.map((name) =>
      metadata.solutions.find((s) => s.uniqueName === name),
    ).filter((s) => s !== undefined);
    let client = deps.client;
    let recordedKey: string | undefined;
    let local = false;
    if (!client) {
      const connection = openConnection(options, {
        env: deps.env,
        logger: deps.logger,
        clock: deps.clock,
        authDir: deps.authDir,
        // A check, not a job: give up quickly.
        retry: { maxAttempts: 2, maxRetryAfterSeconds: 5 },
      });
      client = connection.client;
      recordedKey = connection.environment.webhookKey;
      local = connection.environment.signIn === 'local';
      deps.print(`${describeEnvironment(connection.environment)}:`);
    }
    const checks = await runDoctor(
      {
        solutions,
        // `npm start` records its host's key with the local environment; the variable wins when set.
        webhookKey: deps.env[HOST_ENVIRONMENT_VARIABLES.webhookKey]?.trim() || recordedKey,
        local,
      },
      { client, clock: deps.clock, probe: deps.probe ?? probeWebhook },
    );
    for (const check of checks) deps.print(describeCheck(check));
    const problems = checks.filter((c) => c.status === 'problem').length;
    deps.print(
      problems === 0
        ? 'All is well.'
        : `${problems} problem(s): fix what the ✗ lines say, then run doctor again.`,
    );
    return problems === 0 ? 0 : 1;
  });
}

export function registerDoctor(program: Command, logger: Logger): void {
  const command = program
    .command('doctor')
    .description(
      'Check the environment: reachable, signed in, solutions and versions, webhook endpoints and key, steps, failed system jobs, environment variables',
    );
  addConnectionOptions(command)
    .option('--solution-root <dir>', 'the unpacked solutions: what should be installed', 'solution')
    .action(async (opts: DoctorCommandOptions) => {
      process.exitCode = await runDoctorCommand(opts, {
        env: process.env,
        logger,
        print: (line) => console.log(line),
        clock: () => new Date(),
      });
    });
}
