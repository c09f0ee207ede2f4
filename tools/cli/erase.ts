/**
 * `ideario erase --contact <id|email> [--dry-run]`: the right to erasure for one contact, in the
 * selected environment (tools/cli/connection.ts). What is removed and what stays: tools/erase/erase.ts.
 */
import type { Command } from 'commander';
import { EventType } from '../../dataverse/generated';
import type { Logger } from '../../dataverse/logger';
import { describeErase, eraseContact } from '../erase/erase';
import { runCommand } from './command';
import { addConnectionOptions, commandClient, type ConnectionFlags, type CommandDeps } from './connection';

export interface EraseCommandOptions extends ConnectionFlags {
  contact: string;
  dryRun: boolean;
}

export type EraseCommandDeps = CommandDeps;

const EVENT_NAMES = new Map<number, string>(
  Object.entries(EventType).map(([name, value]) => [
    value,
    // "EmailClick" → "email click"
    name.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase(),
  ]),
);

export function eventLabel(value: number | null): string {
  return (value !== null && EVENT_NAMES.get(value)) || `event type ${value ?? 'unset'}`;
}

export function runEraseCommand(options: EraseCommandOptions, deps: EraseCommandDeps): Promise<number> {
  return runCommand('erase', deps.logger, async () => {
    const client = commandClient(options, deps);
    const summary = await eraseContact(
      options.contact,
      { dryRun: options.dryRun },
      { client, clock: deps.clock, logger: deps.logger },
    );
    for (const line of describeErase(summary, options.dryRun, eventLabel)) deps.print(line);
    return 0;
  });
}

export function registerErase(program: Command, logger: Logger): void {
  const command = program
    .command('erase')
    .description(
      "Right to erasure: remove a contact's interest profiles, list memberships and account roll-up part, and cut its interactions from it (anonymous counts stay)",
    )
    .requiredOption('--contact <id|email>', "the contact's id, or its email address (emailaddress1)");
  addConnectionOptions(command)
    .option('--dry-run', 'say what would be erased, write nothing', false)
    .action(async (opts: EraseCommandOptions) => {
      process.exitCode = await runEraseCommand(opts, {
        env: process.env,
        logger,
        print: (line) => console.log(line),
        clock: () => new Date(),
      });
    });
}
