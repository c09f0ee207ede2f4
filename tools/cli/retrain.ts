/**
 * `ideario retrain [--url …] [--offer CODE] [--dry-run]`: retrains each active offer's purchase
 * propensity model on the interaction history and, when it beats ordering by interest alone on the
 * held-out later period, writes every contact's score for the offer, with progress, in the selected
 * environment (tools/cli/connection.ts). What it reads and writes: plugins/handlers/offers/retrain.ts.
 */
import type { Command } from 'commander';
import type { Logger } from '../../dataverse/logger';
import { UnknownOfferError } from '../../domain/campaign';
import { retrainAll, type RetrainSummary } from '../../plugins/handlers/offers/retrain';
import { runCommand, UserFacingError } from './command';
import { addConnectionOptions, commandClient, type ConnectionFlags, type CommandDeps } from './connection';
import { terminalBar } from './progress';

export interface RetrainCommandOptions extends ConnectionFlags {
  dryRun: boolean;
  offer?: string;
}

export interface RetrainCommandDeps extends CommandDeps {
  progress?: { update(done: number, total: number): void; stop(): void };
}

/** What the user asked to retrain does not exist; the message lists what does. */
export class RetrainCommandError extends UserFacingError {
  constructor(message: string) {
    super(message);
    this.name = 'RetrainCommandError';
  }
}

export function describeRetrain(summary: RetrainSummary, dryRun: boolean): string[] {
  const lines = [
    `Read ${summary.interactions} interaction(s) of ${summary.contacts} contact(s); ${summary.offers.length} offer(s).`,
  ];
  for (const outcome of summary.offers) {
    lines.push(...outcome.message.split('\n'));
    if (outcome.report?.published)
      lines.push(
        dryRun
          ? `Offer ${outcome.offer}: dry run, no score written.`
          : `Offer ${outcome.offer}: ${outcome.scoresWritten} score(s) written.`,
      );
  }
  if (summary.offers.length === 0)
    lines.push('No active offer to retrain: add offers (idr_offer) and the concepts they serve.');
  return lines;
}

/** Exit code 1 when an offer could not be trained or its model was refused: its old scores stay. */
export async function runRetrainCommand(
  options: RetrainCommandOptions,
  deps: RetrainCommandDeps,
): Promise<number> {
  return runCommand('retrain', deps.logger, async () => {
    const client = commandClient(options, deps);
    let summary: RetrainSummary;
    try {
      summary = await retrainAll(
        { client, clock: deps.clock, logger: deps.logger },
        {
          dryRun: options.dryRun,
          offerCode: options.offer,
          onProgress: ({ done, total }) => deps.progress?.update(done, total),
        },
      );
    } catch (error) {
      if (error instanceof UnknownOfferError) throw new RetrainCommandError(error.message);
      throw error;
    } finally {
      deps.progress?.stop();
    }
    for (const line of describeRetrain(summary, options.dryRun)) deps.print(line);
    return summary.offers.every((o) => o.report?.published) ? 0 : 1;
  });
}

export function registerRetrain(program: Command, logger: Logger): void {
  const command = program
    .command('retrain')
    .description("Retrain each offer's purchase propensity on the history and write the contacts' scores");
  addConnectionOptions(command)
    .option('--offer <code>', 'only the offer with this code (idr_code)')
    .option('--dry-run', 'train and report, write nothing', false)
    .action(async (opts: RetrainCommandOptions) => {
      process.exitCode = await runRetrainCommand(opts, {
        env: process.env,
        logger,
        print: (line) => console.log(line),
        clock: () => new Date(),
        progress: process.stderr.isTTY ? terminalBar('Scores {bar} {value}/{total}') : undefined,
      });
    });
}
