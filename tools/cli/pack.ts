import { cp, rm } from 'node:fs/promises';
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
import { PcfBuildFailedError } from '../solution/pcfbuild';
import { cachedPcfBuild, PcfCacheLockTimeoutError } from '../solution/pcfcache';
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
  /**
   * `pcf-controls/`: each control's build (from the build cache, built when its sources changed) is
   * copied to `<out>/pcf/<Control>/` first (`--no-pcf` skips it).
   */
  pcfRoot?: string;
  /** The build cache folder (pcfcache.ts's default under node_modules/.cache). */
  pcfCacheRoot?: string;
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
  PcfBuildFailedError,
  PcfCacheLockTimeoutError,
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
    if (options.pcfRoot) {
      const cached = await cachedPcfBuild({
        pcfRoot: options.pcfRoot,
        logger,
        ...(options.pcfCacheRoot ? { cacheRoot: options.pcfCacheRoot } : {}),
      });
      const target = path.join(options.out, 'pcf');
      await rm(target, { recursive: true, force: true });
      await cp(cached.dir, target, { recursive: true });
      for (const [control, bytes] of cached.sizes)
        print(`${control} bundle.js: ${(bytes / 1024).toFixed(1)} KB`);
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
    .option('--no-pcf', 'do not build the PCF controls: pack the builds already in <out>/pcf/')
    .action(async (opts: { out: string; solution?: string; root: string; pcf: boolean }) => {
      process.exitCode = await runPack(
        {
          out: path.resolve(opts.out),
          solution: opts.solution,
          root: path.resolve(opts.root),
          webResourceBuild: path.resolve('webresources', 'build.ts'),
          ...(opts.pcf ? { pcfRoot: path.resolve('pcf-controls') } : {}),
        },
        logger,
        (line) => console.log(line),
      );
    });
}
