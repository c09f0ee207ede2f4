/**
 * `ideario rescore [--url …] [--dry-run]`: rebuilds every interest profile from the interaction history
 * with the current rules (after rules change), with a progress bar, in the selected environment
 * (tools/cli/connection.ts). What it reads and writes: plugins/handlers/interests/rescore.ts.
 */
import type { Command } from 'commander';
import type { Logger } from '../../dataverse/logger';
import { rescoreAll, type RescoreSummary } from '../../plugins/handlers/interests/rescore';
import { terminalBar } from './progress';
import { runCommand } from './command';
import { addConnectionOptions, commandClient, type ConnectionFlags, type CommandDeps } from './connection';

export interface RescoreCommandOptions extends ConnectionFlags {
  dryRun: boolean;
}

export interface RescoreCommandDeps extends CommandDeps {
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
  return runCommand('rescore', deps.logger, async () => {
    const client = commandClient(options, deps);
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
  });
}

function terminalProgress(): RescoreCommandDeps['progress'] {
  return terminalBar('Contacts {bar} {value}/{total}');
}

export function registerRescore(program: Command, logger: Logger): void {
  const command = program
    .command('rescore')
    .description('Rebuild every interest profile from the interaction history with the current rules');
  addConnectionOptions(command)
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
