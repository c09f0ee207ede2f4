import { Command } from 'commander';

// Subcommands register themselves here; each lives in its own module under tools/cli/.
const program = new Command();
program.name('ideario').description('Ideario: pack, unpack, typegen, emulator, host and more').showHelpAfterError();

void program.parseAsync(process.argv);
