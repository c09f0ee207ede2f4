/**
 * `ideario rescore [--url http://127.0.0.1:5555] [--dry-run]`: rebuilds every interest profile from the
 * interaction history with the current rules (after rules change), with a progress bar. Real
 * environments need IDEARIO_TENANT_ID, IDEARIO_CLIENT_ID and IDEARIO_CLIENT_SECRET (an application
 * user); the local emulator needs none. What it reads and writes: plugins/handlers/interests/rescore.ts.
 */
import type { Command } from 'commander';
import type { DataverseClient } from '../../dataverse/client';
import type { Logger } from '../../dataverse/logger';
import { rescoreAll, type RescoreSummary } from '../../plugins/handlers/interests/rescore';
import { terminalBar } from './progress';
import { connect, DEFAULT_SWEEP_URL, reportFailure } from './sweep';

export interface RescoreCommandOptions {
  url: string;
  dryRun: boolean;
}

export interface RescoreCommandDeps {
  env: Readonly<Record<string, string | undefined>>;
  logger: Logger;
  print: (line: string) => void;
  clock: () => Date;
  /** Tests pass an in-process client; otherwise the Node Web API client for `url`. */
  client?: DataverseClient;
  progress?: { update(done: number, total: number): void; stop(): void };
}

export function describeRescore(summary: RescoreSummary, dryRun: boolean): string[] {
  const verb = dryRun ? 'would change' : 'changed';
  const lines = [
    `Replayed ${summary.interactions} interaction(s) of ${summary.contacts} contact(s); ${verb}: ` +
      `${summary.profilesChanged} profile(s), ${summary.interactionsChanged} explanation(s), ` +
      `${summary.primaryInterestsChanged} contact primary interest(s), ${summary.accountsChanged} account(s), ` +
      `list members +${summary.listAdds} −${summary.listRemoves}.`,
  ];
  if (summary.conflicts.length > 0) {
    lines.push(
      `${summary.conflicts.length} contact(s) were scored while the rescore ran and were left as they are; run it again: ` +
        summary.conflicts.slice(0, 10).join(', ') +
        (summary.conflicts.length > 10 ? ', …' : ''),
    );
  }
  return lines;
}

/** Returns the exit code: 1 when the run could not finish or left contacts to run again. */
export async function runRescoreCommand(
  options: RescoreCommandOptions,
  deps: RescoreCommandDeps,
): Promise<number> {
  try {
    const client = deps.client ?? connect(options.url, deps.env, deps.logger, deps.clock);
    let summary: RescoreSummary;
    try {
      summary = await rescoreAll(
        { client, clock: deps.clock, logger: deps.logger },
        { dryRun: options.dryRun, onProgress: ({ done, total }) => deps.progress?.update(done, total) },
      );
    } finally {
      deps.progress?.stop();
    }
    for (const line of describeRescore(summary, options.dryRun)) deps.print(line);
    return summary.conflicts.length > 0 ? 1 : 0;
  } catch (error) {
    return reportFailure(error, options.url, deps.logger, 'The rescore');
  }
}

function terminalProgress(): RescoreCommandDeps['progress'] {
  return terminalBar('Contacts {bar} {value}/{total}');
}

export function registerRescore(program: Command, logger: Logger): void {
  program
    .command('rescore')
    .description('Rebuild every interest profile from the interaction history with the current rules')
    .option('--url <url>', 'environment URL', DEFAULT_SWEEP_URL)
    .option('--dry-run', 'count what would change, write nothing', false)
    .action(async (opts: RescoreCommandOptions) => {
      process.exitCode = await runRescoreCommand(opts, {
        env: process.env,
        logger,
        print: (line) => console.log(line),
        clock: () => new Date(),
        progress: process.stderr.isTTY ? terminalProgress() : undefined,
      });
    });
}
