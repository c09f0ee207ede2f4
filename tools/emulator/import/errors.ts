/**
 * Why a solution import fails, one class per kind. The message is what the System Job's
 * `friendlymessage` shows, so it says what is wrong with the file and what to do.
 */
import { ErrorCodes, BadRequestError } from '../engine/errors';

/** The file is not a readable solution zip (not a zip, no solution.xml/customizations.xml, broken XML). */
export class CorruptSolutionFileError extends Error {
  constructor(readonly reason: string) {
    super(
      `The import file is not a valid solution: ${reason}. Export or pack the solution again (ideario pack) and import the new zip.`,
    );
    this.name = 'CorruptSolutionFileError';
  }
}

/** The zip holds a solution whose components the loader cannot read faithfully. */
export class InvalidSolutionContentError extends Error {
  constructor(
    readonly solution: string,
    readonly problems: readonly string[],
  ) {
    super(
      `The solution ${solution} cannot be imported: ${problems.slice(0, 5).join('; ')}${problems.length > 5 ? ` (and ${problems.length - 5} more)` : ''}.`,
    );
    this.name = 'InvalidSolutionContentError';
  }
}

export interface MissingComponent {
  /** 1 table, 2 column, 9 choice ("solutioncomponent componenttype"). */
  readonly type: 1 | 2 | 9;
  readonly schemaName: string;
  /** The component of the imported solution that needs it. */
  readonly requiredBy: string;
  /** From solution.xml's `<Required displayName solution>`: what to install to get it. */
  readonly displayName?: string;
  readonly solution?: string;
}

const TYPE_NAMES: Readonly<Record<MissingComponent['type'], string>> = {
  1: 'table',
  2: 'column',
  9: 'choice',
};

export function describeMissing(missing: MissingComponent): string {
  const comesWith = missing.solution ? `; it comes with the solution ${missing.solution}` : '';
  return `${TYPE_NAMES[missing.type]} ${missing.schemaName} (needed by ${missing.requiredBy}${comesWith})`;
}

/** The solution needs components the environment does not have: import the solution that has them first. */
export class MissingDependencyError extends Error {
  constructor(
    readonly solution: string,
    readonly missing: readonly MissingComponent[],
  ) {
    super(
      `The import of solution ${solution} failed because it depends on components this environment does not have: ` +
        `${missing.map(describeMissing).join('; ')}. Import the solution that provides them first.`,
    );
    this.name = 'MissingDependencyError';
  }
}

/** ImportSolutionAsync / StageSolution called without what they need. */
export class ImportRequestError extends BadRequestError {
  constructor(message: string) {
    super(message, ErrorCodes.InvalidArgument);
    this.name = 'ImportRequestError';
  }
}
