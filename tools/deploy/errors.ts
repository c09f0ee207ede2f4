/** Why `ideario deploy` stops, one class per kind; each message says what to do next. */

/** A command-line value deploy cannot use. */
export class DeployOptionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DeployOptionError';
  }
}

/** No credentials for a remote environment. */
export class DeployConnectionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DeployConnectionError';
  }
}

/** `dist/` holds no zip of the solution in the wanted flavour. */
export class MissingSolutionZipError extends Error {
  constructor(
    readonly solution: string,
    readonly distDir: string,
    readonly managed: boolean,
  ) {
    super(
      `No ${managed ? 'managed' : 'unmanaged'} zip of ${solution} in ${distDir} ` +
        `(expected ${solution}_<version>${managed ? '_managed' : ''}.zip): run npm run build first.`,
    );
    this.name = 'MissingSolutionZipError';
  }
}

/** The zip in dist/ is a different solution or flavour than its name says. */
export class SolutionZipMismatchError extends Error {
  constructor(
    readonly file: string,
    reason: string,
  ) {
    super(`${file} ${reason}. Run npm run build again so dist/ holds what solution/ describes.`);
    this.name = 'SolutionZipMismatchError';
  }
}

/** ImportSolutionAsync answered without the system job to follow. */
export class UnexpectedImportResponseError extends Error {
  constructor(
    readonly solution: string,
    answer: unknown,
  ) {
    super(
      `ImportSolutionAsync for ${solution} answered without an AsyncOperationId: ${JSON.stringify(answer)}.`,
    );
    this.name = 'UnexpectedImportResponseError';
  }
}

/** The import's system job ended Failed or Canceled; the message is Dataverse's. */
export class SolutionImportFailedError extends Error {
  constructor(
    readonly solution: string,
    readonly jobId: string,
    readonly outcome: 'Failed' | 'Canceled',
    readonly dataverseMessage: string,
  ) {
    super(
      `The import of ${solution} ${outcome === 'Failed' ? 'failed' : 'was canceled'} (system job ${jobId}): ${dataverseMessage}`,
    );
    this.name = 'SolutionImportFailedError';
  }
}

/** The system job did not finish in time; it may still finish in Dataverse. */
export class SolutionImportTimeoutError extends Error {
  constructor(
    readonly solution: string,
    readonly jobId: string,
    readonly waitedSeconds: number,
  ) {
    super(
      `The import of ${solution} had not finished after ${waitedSeconds} s (system job ${jobId}). ` +
        'It may still finish: follow it under Settings > System Jobs, then run deploy again to set the environment variables and webhook (or raise --timeout-minutes).',
    );
    this.name = 'SolutionImportTimeoutError';
  }
}

/** A value given for an environment variable does not fit its type. */
export class InvalidEnvironmentVariableValueError extends Error {
  constructor(
    readonly schemaName: string,
    readonly value: string,
    allowed: string,
  ) {
    super(`Environment variable ${schemaName} cannot take '${value}': ${allowed}.`);
    this.name = 'InvalidEnvironmentVariableValueError';
  }
}

/** StageSolution refused the zip: the dependencies the target lacks (or the validation errors), listed. */
export class SolutionStagingFailedError extends Error {
  constructor(
    readonly solution: string,
    readonly problems: readonly string[],
  ) {
    super(
      `Staging ${solution} failed; nothing was imported:\n${problems.map((p) => `  - ${p}`).join('\n')}\n` +
        'Install what is missing in the environment first (for a Dynamics 365 app: Power Platform admin center > Environments > Resources > Dynamics 365 apps), then deploy again.',
    );
    this.name = 'SolutionStagingFailedError';
  }
}

/** The zip holds an older version than the environment has. */
export class SolutionDowngradeError extends Error {
  constructor(
    readonly solution: string,
    readonly zipVersion: string,
    readonly installedVersion: string,
  ) {
    super(
      `${solution} ${installedVersion} is installed and the zip holds ${zipVersion}, an older version: nothing was imported. ` +
        'Build the newer version (raise <Version> in solution.xml), or pass --force to import the older one anyway.',
    );
    this.name = 'SolutionDowngradeError';
  }
}

/** The deployment settings file cannot be used. */
export class SettingsFileError extends Error {
  constructor(
    readonly file: string,
    reason: string,
  ) {
    super(
      `${file}: ${reason}. Write one with \`ideario deploy --create-settings ${file}\` (the format of \`pac solution create-settings\`).`,
    );
    this.name = 'SettingsFileError';
  }
}
