import path from 'node:path';
import type { Command } from 'commander';
import type { Logger } from '../../dataverse/logger';
import { displayPath, InvalidSolutionSourceError, StaleGeneratedFilesError } from '../solution/errors';
import { loadMetadata } from '../solution/loader';
import { assertGeneratedUpToDate, generateTypes, writeGeneratedFiles } from '../solution/typegen';

export interface TypegenOptions {
  /** Folder holding `platform/` and the unpacked solutions. */
  solution: string;
  /** Output folder (`dataverse/generated`). */
  out: string;
  /** Compare instead of writing; fail naming the stale files. */
  check: boolean;
}

/** Runs typegen and returns the process exit code; messages go to `logger` (stderr) and `print` (stdout). */
export function runTypegen(options: TypegenOptions, logger: Logger, print: (line: string) => void): number {
  try {
    const files = generateTypes(loadMetadata(options.solution));
    if (options.check) {
      assertGeneratedUpToDate(options.out, files);
      print(
        `${displayPath(options.out)} is up to date with ${displayPath(options.solution)} (${files.length} files)`,
      );
      return 0;
    }
    const { written, removed } = writeGeneratedFiles(options.out, files);
    if (written.length === 0 && removed.length === 0)
      print(`${displayPath(options.out)} already up to date (${files.length} files)`);
    for (const f of written) print(`wrote ${displayPath(path.join(options.out, f))}`);
    for (const f of removed) print(`removed ${displayPath(path.join(options.out, f))}`);
    return 0;
  } catch (error) {
    if (error instanceof InvalidSolutionSourceError || error instanceof StaleGeneratedFilesError) {
      logger.error(error.message);
      return 1;
    }
    throw error;
  }
}

export function registerTypegen(program: Command, logger: Logger): void {
  program
    .command('typegen')
    .description('Generate dataverse/generated/ (table, column and choice names) from solution/')
    .option(
      '--check',
      'exit 1 and name the stale files when dataverse/generated/ differs from what solution/ produces',
      false,
    )
    .option('--solution <dir>', 'folder holding platform/ and the unpacked solutions', 'solution')
    .option('--out <dir>', 'output folder', path.join('dataverse', 'generated'))
    .action((opts: { check: boolean; solution: string; out: string }) => {
      process.exitCode = runTypegen(
        { check: opts.check, solution: path.resolve(opts.solution), out: path.resolve(opts.out) },
        logger,
        (line) => console.log(line),
      );
    });
}
