/** Why `ideario ingest` stops, one class per kind; bad rows are not errors, they go to the errors file. */

/** A command-line value ingest cannot use. */
export class IngestOptionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IngestOptionError';
  }
}

/** The header lacks what every row needs; nothing was sent. */
export class IngestHeaderError extends Error {
  constructor(
    readonly file: string,
    readonly problems: readonly string[],
  ) {
    super(
      `${file} cannot be ingested, nothing was sent:\n${problems.map((p) => `- ${p}`).join('\n')}\nColumns: see ideario ingest --help.`,
    );
    this.name = 'IngestHeaderError';
  }
}

/** The file is not CSV from some point on (an unclosed quote…). Rows before it were sent. */
export class MalformedCsvError extends Error {
  constructor(
    readonly file: string,
    readonly line: number | undefined,
    reason: string,
  ) {
    super(
      `${file}${line ? `, line ${line}` : ''} is not valid CSV: ${reason}. Fix the file and run again with --resume.`,
    );
    this.name = 'MalformedCsvError';
  }
}

/** --resume without a usable checkpoint. */
export class CheckpointError extends Error {
  constructor(
    readonly stateFile: string,
    reason: string,
  ) {
    super(`Cannot resume from ${stateFile}: ${reason}`);
    this.name = 'CheckpointError';
  }
}

/** The run stopped before the end (Dataverse unreachable, still throttled, Ctrl+C); the checkpoint says where. */
export class IngestInterruptedError extends Error {
  constructor(
    readonly lastCommittedRow: number,
    reason: string,
  ) {
    super(
      `Ingest stopped after data row ${lastCommittedRow}: ${reason}. Run the same command with --resume to continue after it ` +
        '(rows sent again are recognised by source + externalid, an alternate key, and never counted twice).',
    );
    this.name = 'IngestInterruptedError';
  }
}

/** The file is not UTF-8 (a Latin-1 / Windows export, typically); nothing was sent. */
export class NotUtf8Error extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly byteOffset: number,
  ) {
    super(
      `${file} is not UTF-8: line ${line} (byte ${byteOffset}) holds a byte that UTF-8 does not allow, so accents would be stored ` +
        'as \uFFFD. Nothing was sent. Save the file as UTF-8, or pass --encoding latin1 if it is Latin-1 (ISO-8859-1 / Windows-1252 exports).',
    );
    this.name = 'NotUtf8Error';
  }
}

/** Another ingest of the same file is running (its lock file names the process). */
export class IngestLockedError extends Error {
  constructor(
    readonly lockFile: string,
    readonly pid: number,
    readonly startedOn: string,
  ) {
    super(
      `Another ingest of this file is running (process ${pid}, started ${startedOn}); two runs would race on the checkpoint. ` +
        `Wait for it to finish, or stop it. If no such process exists any more, delete ${lockFile}.`,
    );
    this.name = 'IngestLockedError';
  }
}
