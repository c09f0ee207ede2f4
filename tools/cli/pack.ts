import path from 'node:path';
import type { Command } from 'commander';
import type { Logger } from '../../dataverse/logger';
import { displayPath, InvalidSolutionSourceError } from '../solution/errors';
import {
  loadWebResourceBuilder,
  MissingControlBuildError,
  MissingSourceFileError,
  MissingWebResourceContentError,
  packSolutions,
  UnexpectedRootElementError,
  UnknownRelationshipError,
  WebResourceBuildFailedError,
  WebResourceBuildUnavailableError,
} from '../solution/pack';
import { validateSolutionSource } from '../solution/validate';
import { XmlSyntaxError } from '../solution/xml';

export interface PackCommandOptions {
  /** Output folder for the zips (`dist`). */
  out: string;
  /** Only this solution. */
  solution?: string;
  /** Folder holding the unpacked solutions (`solution`). */
  root: string;
  /** `webresources/build.ts`: run first when it exists. */
  webResourceBuild: string;
}

const USER_ERRORS = [
  InvalidSolutionSourceError,
  MissingSourceFileError,
  UnexpectedRootElementError,
  UnknownRelationshipError,
  MissingWebResourceContentError,
  MissingControlBuildError,
  WebResourceBuildUnavailableError,
  WebResourceBuildFailedError,
  XmlSyntaxError,
];

/** Runs `ideario pack` and returns the exit code; what was written goes to `print` (stdout). */
export async function runPack(
  options: PackCommandOptions,
  logger: Logger,
  print: (line: string) => void,
): Promise<number> {
  try {
    const buildWebResources = await loadWebResourceBuilder(options.webResourceBuild);
    if (!buildWebResources) {
      logger.warn(
        `${displayPath(options.webResourceBuild)} not found: packing the form scripts found in solution/ as they are`,
      );
    }
    const zips = await packSolutions({
      solutionRoot: options.root,
      outDir: options.out,
      solution: options.solution,
      validate: (dir) => validateSolutionSource(dir),
      buildWebResources,
      logger,
    });
    for (const zip of zips) print(displayPath(zip.file));
    return 0;
  } catch (error) {
    if (USER_ERRORS.some((kind) => error instanceof kind)) {
      logger.error(`pack failed, nothing written: ${(error as Error).message}`);
      return 1;
    }
    throw error;
  }
}

export function registerPack(program: Command, logger: Logger): void {
  program
    .command('pack')
    .description(
      'Build the web resources, validate solution/ and write dist/<Solution>_<version>.zip (unmanaged) and …_managed.zip',
    )
    .option('--out <dir>', 'output folder', 'dist')
    .option('--solution <name>', 'pack only this solution (folder name under solution/)')
    .option('--root <dir>', 'folder holding the unpacked solutions', 'solution')
    .action(async (opts: { out: string; solution?: string; root: string }) => {
      process.exitCode = await runPack(
        {
          out: path.resolve(opts.out),
          solution: opts.solution,
          root: path.resolve(opts.root),
          webResourceBuild: path.resolve('webresources', 'build.ts'),
        },
        logger,
        (line) => console.log(line),
      );
    });
}
