import path from 'node:path';
import type { Command } from 'commander';
import type { Logger } from '../../dataverse/logger';
import { displayPath } from '../solution/errors';
import {
  MissingPartError,
  NotASolutionZipError,
  unpackZip,
  UnsafeTargetFolderError,
} from '../solution/unpack';
import { XmlSyntaxError } from '../solution/xml';
import { ZipReadError } from '../solution/zip';

const USER_ERRORS = [
  NotASolutionZipError,
  MissingPartError,
  UnsafeTargetFolderError,
  XmlSyntaxError,
  ZipReadError,
];

/** Runs `ideario unpack` and returns the exit code. */
export async function runUnpack(
  zip: string,
  folder: string,
  logger: Logger,
  print: (line: string) => void,
): Promise<number> {
  try {
    const written = await unpackZip(zip, folder);
    print(
      `unpacked ${displayPath(zip)} into ${displayPath(path.join(folder, 'src'))} (${written.length} files)`,
    );
    return 0;
  } catch (error) {
    if (USER_ERRORS.some((kind) => error instanceof kind)) {
      logger.error(`unpack failed: ${(error as Error).message}`);
      return 1;
    }
    const io = error as NodeJS.ErrnoException;
    if (io.code === 'ENOENT' && io.path === zip) {
      logger.error(`unpack failed: ${zip} does not exist`);
      return 1;
    }
    throw error;
  }
}

export function registerUnpack(program: Command, logger: Logger): void {
  program
    .command('unpack')
    .description(
      'Split a solution zip (exported from Dataverse or built by pack) into the SolutionPackager layout under <folder>/src, replacing what is there',
    )
    .argument('<zip>', 'solution zip')
    .argument('<folder>', 'solution folder, e.g. solution/IdearioInterests')
    .action(async (zip: string, folder: string) => {
      process.exitCode = await runUnpack(path.resolve(zip), path.resolve(folder), logger, (line) =>
        console.log(line),
      );
    });
}
