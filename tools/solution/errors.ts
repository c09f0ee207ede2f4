import path from 'node:path';

/** What is wrong with an unpacked solution; each kind has its own check and test. */
export type SolutionSourceErrorKind =
  | 'malformed-xml'
  | 'missing-solution-manifest'
  | 'missing-publisher-prefix'
  | 'bad-version'
  | 'missing-column-type'
  | 'unknown-column-type'
  | 'option-out-of-range'
  | 'duplicate-choice-identifier'
  | 'missing-option-set'
  | 'lookup-without-target'
  | 'missing-column'
  | 'missing-web-resource'
  | 'missing-control'
  | 'missing-table'
  | 'unknown-message'
  | 'missing-service-endpoint'
  | 'duplicate-guid'
  | 'conflicting-definition'
  | 'reserved-column-name'
  | 'missing-role'
  | 'missing-sitemap'
  | 'unexpected-root'
  | 'invalid-chart'
  | 'missing-view'
  | 'missing-chart'
  | 'missing-dashboard';

/** One problem found in `solution/`: where it is, what is wrong, and what to do about it. */
export interface SolutionSourceError {
  kind: SolutionSourceErrorKind;
  /** Path of the offending file, relative to the current directory when it lies below it. */
  file: string;
  /** 1-based line in `file`, when the problem sits on one element. */
  line?: number;
  message: string;
  fix: string;
}

/** Paths in messages are shown relative to where the command runs, so they can be clicked in a terminal. */
export function displayPath(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : file;
}

/** A problem found reading a solution, with the file shown relative to the working folder. */
export function problem(
  kind: SolutionSourceErrorKind,
  file: string,
  line: number | undefined,
  message: string,
  fix: string,
): SolutionSourceError {
  return line === undefined
    ? { kind, file: displayPath(file), message, fix }
    : { kind, file: displayPath(file), line, message, fix };
}

export function formatSolutionSourceError(error: SolutionSourceError): string {
  const where = error.line ? `${error.file}:${error.line}` : error.file;
  return `${where}: ${error.message}\n    fix: ${error.fix}`;
}

/** Thrown by `loadSolution`, `loadMetadata`, typegen and `assertValidSolutionSource`; lists every problem at once. */
export class InvalidSolutionSourceError extends Error {
  constructor(
    readonly errors: readonly SolutionSourceError[],
    readonly source: string,
  ) {
    const count = errors.length === 1 ? '1 problem' : `${errors.length} problems`;
    super(
      `${displayPath(source)} has ${count}:\n${errors.map((e) => `  ${formatSolutionSourceError(e)}`).join('\n')}`,
    );
    this.name = 'InvalidSolutionSourceError';
  }
}

/** `ideario typegen --check`: `dataverse/generated/` is not what `solution/` produces. */
export class StaleGeneratedFilesError extends Error {
  constructor(
    readonly outDir: string,
    /** Paths relative to `outDir` that differ, are missing, or should not be there. */
    readonly staleFiles: readonly string[],
  ) {
    super(
      `${displayPath(outDir)} is out of date with solution/ (${staleFiles.join(', ')}). ` +
        'Run `npm run typegen` and commit the result.',
    );
    this.name = 'StaleGeneratedFilesError';
  }
}
