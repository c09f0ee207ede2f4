/**
 * `ideario ingest`: a CSV of interaction events → `idr_interaction` rows, registered already scored by
 * the bulk scorer (plugins/handlers/interests/bulk.ts): per batch of rows a few reads, the scoring in
 * memory, and one atomic changeset per contact holding its interactions and the points they add, so
 * a thousand rows cost a handful of Web API requests, scoring included, and the Create webhook has
 * nothing left to do. Rows that fail a check, find no contact, or are refused by Dataverse go to
 * `<file>.errors.csv`; the rest are sent. After each batch the checkpoint records the last row done,
 * and `--resume` continues after it.
 *
 * Replays and resumes: an interaction is identified by source + external id (its alternate key); a
 * row already registered is left as it is, so sending a file again never counts an event twice, and
 * a run killed mid-batch loses nothing (each contact's changeset committed whole or not at all).
 * Throttling: the Node client waits out `Retry-After` on 429 ("Service protection API limits"); when
 * it gives up, the batch is sent again after a pause.
 */
import { createReadStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { parse, CsvError, type Info } from 'csv-parse';
import { createHash, randomUUID } from 'node:crypto';
import type { DataverseClient, EntityRecord } from '../../dataverse/client';
import { BulkScorer, type BulkOutcome } from '../../plugins/handlers/interests/bulk';
import { account, campaign, contact, idr_marketingconcept } from '../../dataverse/generated';
import { DataverseUnreachableError } from '../../dataverse/adapters/errors';
import { isRetryable, ThrottledError } from '../../dataverse/errors';
import type { Logger } from '../../dataverse/logger';
import {
  defaultLockDeps,
  loadState,
  lockCheckpoint,
  saveState,
  stateFileFor,
  type IngestState,
  type LockDeps,
} from './checkpoint';
import { assertUtf8, type IngestEncoding } from './encoding';
import { findContactsByEmail, type ContactMatch } from './contacts';
import { ErrorsFile, type RejectedRow } from './errors-file';
import {
  CheckpointError,
  IngestHeaderError,
  IngestInterruptedError,
  IngestOptionError,
  MalformedCsvError,
  NotUtf8Error,
} from './errors';
import { interactionRecord } from './records';
import { checkHeader, checkRow, type ColumnLimits, type CsvColumn, type EventRow } from './rows';

/**
 * Rows scored, written and checkpointed together. A batch costs a fixed handful of reads (contacts,
 * profiles, account rows, rule ledgers, campaigns, list members) plus its writes in changesets of at
 * most 1,000 operations (bulk.ts packs them), so it is the batch size that decides requests per row:
 * 500 rows cost ~11 requests on the demo (0.022 a row), 5,000 about 19 (0.004).
 */
export const DEFAULT_BATCH_SIZE = 5_000;
/** Rows in one batch at most: bounded by memory and by how much a resume sends again, not by `$batch`. */
export const MAX_BATCH_ROWS = 10_000;
/** Sends of one batch (the first included) before the run stops with a checkpoint. */
const MAX_SENDS = 6;
const BASE_PAUSE_MS = 2_000;
const MAX_PAUSE_MS = 120_000;

export interface IngestOptions {
  readonly file: string;
  readonly batchSize: number;
  /** Source for rows whose `source` is empty (`--source`). */
  readonly defaultSource?: string;
  readonly resume: boolean;
  readonly limits: ColumnLimits;
  /** `--encoding`: utf8 (checked before anything is sent) or latin1. Default utf8. */
  readonly encoding?: IngestEncoding;
}

export interface IngestProgress {
  readonly totalRows: number;
  /** Rows done, those before the resume point included. */
  readonly doneRows: number;
  readonly sent: number;
  readonly failed: number;
  readonly elapsedMs: number;
  /** Rows per second in this run. */
  readonly rowsPerSecond: number;
  /** Seconds left at this run's pace; undefined before the first batch. */
  readonly etaSeconds?: number;
}

export interface IngestDeps {
  readonly client: DataverseClient;
  readonly clock: () => Date;
  readonly sleep: (ms: number) => Promise<void>;
  readonly logger: Logger;
  readonly onProgress?: (progress: IngestProgress) => void;
  /** Aborted (Ctrl+C): the batch under way is finished and checkpointed, then the run stops. */
  readonly signal?: AbortSignal;
  /** Ids of the interactions created; random by default. */
  readonly newId?: () => string;
  /** Ask Dataverse to queue no system job per interaction (needs the bypass privilege). */
  readonly bypassCustomAsync?: boolean;
  /** Who holds the checkpoint's lock; default this process. */
  readonly lock?: LockDeps;
}

export interface IngestSummary {
  readonly totalRows: number;
  /** Rows acknowledged by Dataverse (created or updated), over every run of this file. */
  readonly sent: number;
  /** Rows written to the errors file, over every run of this file. */
  readonly failed: number;
  /** Rows a resumed run did not read again. */
  readonly skipped: number;
  readonly errorsFile?: string;
  readonly stateFile: string;
  readonly elapsedMs: number;
  readonly alreadyComplete: boolean;
}

interface Pending {
  readonly row: EventRow;
  readonly fields: readonly string[];
}

interface Chunk {
  pending: Pending[];
  rejected: RejectedRow[];
  lastRow: number;
  rows: number;
}

const PARSER_OPTIONS = { bom: true, relax_column_count: true, skip_empty_lines: true } as const;

export function errorsFileFor(file: string): string {
  return `${file}.errors.csv`;
}

async function fingerprint(file: string): Promise<{ sha256: string; rows: number }> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  let records = 0;
  try {
    for await (const _record of createReadStream(file).pipe(parse(PARSER_OPTIONS))) records++;
  } catch {
    // The reading pass reports where the file breaks; the count only feeds the progress bar.
  }
  return { sha256: hash.digest('hex'), rows: Math.max(0, records - 1) };
}

/** The line a record starts on: csv-parse counts the line it ends on. */
function startLine(record: readonly string[], info: Info): number {
  const inner = record.reduce((n, field) => n + (field.match(/\n/g)?.length ?? 0), 0);
  return info.lines - inner;
}

/** Which input column a refusal is about, when Dataverse names the table of one of the row's lookups. */
function columnForFailure(row: EventRow, message: string): string {
  const candidates: [CsvColumn, string, boolean][] = [
    ['contactid', contact.logicalName, !!(row.contactId ?? row.contactEmail)],
    ['accountid', account.logicalName, !!row.accountId],
    ['campaign', campaign.logicalName, !!row.campaignId],
    ['concept', idr_marketingconcept.logicalName, !!row.concept],
  ];
  const hit = candidates.find(
    ([, table, present]) => present && new RegExp(`\\b${table}\\b`, 'i').test(message),
  );
  if (!hit) return '';
  return hit[0] === 'contactid' && !row.contactId ? 'contactemail' : hit[0];
}

/** One run per checkpoint at a time: the lock is held from before the checkpoint is read until the run ends. */
export async function ingest(options: IngestOptions, deps: IngestDeps): Promise<IngestSummary> {
  const release = await lockCheckpoint(stateFileFor(options.file), deps.lock ?? defaultLockDeps(deps.clock));
  try {
    const encoding = options.encoding ?? 'utf8';
    if (encoding === 'utf8') await assertUtf8(options.file).catch(unreadable(options.file));
    return await ingestLocked(options, encoding, deps);
  } finally {
    await release();
  }
}

function unreadable(file: string): (error: unknown) => never {
  return (error) => {
    if (error instanceof NotUtf8Error) throw error;
    throw new IngestOptionError(
      `Cannot read ${file}: ${error instanceof Error ? error.message : String(error)}.`,
    );
  };
}

async function ingestLocked(
  options: IngestOptions,
  encoding: IngestEncoding,
  deps: IngestDeps,
): Promise<IngestSummary> {
  if (!Number.isInteger(options.batchSize) || options.batchSize < 1 || options.batchSize > MAX_BATCH_ROWS) {
    throw new IngestOptionError(
      `--batch must be a whole number from 1 to ${MAX_BATCH_ROWS} (rows scored and checkpointed together; their writes are split into changesets of at most 1,000 operations); got ${options.batchSize}.`,
    );
  }
  const { client, logger } = deps;
  const stateFile = stateFileFor(options.file);
  const errorsPath = errorsFileFor(options.file);
  const started = deps.clock().getTime();
  let print: { sha256: string; rows: number };
  try {
    print = await fingerprint(options.file);
  } catch (error) {
    throw new IngestOptionError(
      `Cannot read ${options.file}: ${error instanceof Error ? error.message : String(error)}.`,
    );
  }
  const previous = await loadState(stateFile);
  let resumeFrom: IngestState | undefined;
  if (options.resume) {
    if (!previous) throw new CheckpointError(stateFile, 'there is none. Run without --resume.');
    if (previous.sha256 !== print.sha256) {
      throw new CheckpointError(
        stateFile,
        `${options.file} changed since that run. Run without --resume (rows already registered are left as they are, never duplicated), or restore the file.`,
      );
    }
    if (previous.complete) {
      return {
        totalRows: previous.totalRows,
        sent: previous.sent,
        failed: previous.failed,
        skipped: previous.totalRows,
        errorsFile: previous.failed > 0 ? errorsPath : undefined,
        stateFile,
        elapsedMs: 0,
        alreadyComplete: true,
      };
    }
    resumeFrom = previous;
  } else if (previous && !previous.complete) {
    logger.warn(
      `${stateFile} says an earlier run stopped after row ${previous.lastCommittedRow}; starting from the first row (pass --resume to continue after it instead).`,
    );
  }

  let state: IngestState = {
    version: 1,
    file: options.file,
    sha256: print.sha256,
    totalRows: print.rows,
    lastCommittedRow: resumeFrom?.lastCommittedRow ?? 0,
    sent: resumeFrom?.sent ?? 0,
    failed: resumeFrom?.failed ?? 0,
    errorsFileBytes: resumeFrom?.errorsFileBytes ?? 0,
    complete: false,
    updatedOn: deps.clock().toISOString(),
  };
  const skipped = state.lastCommittedRow;
  let errors: ErrorsFile | undefined;
  let indexes: Partial<Record<CsvColumn, number>> = {};
  let headerLength = 0;
  let doneThisRun = 0;

  const progress = () => {
    const elapsedMs = deps.clock().getTime() - started;
    const rowsPerSecond = elapsedMs > 0 ? (doneThisRun * 1000) / elapsedMs : 0;
    const left = Math.max(0, state.totalRows - state.lastCommittedRow);
    deps.onProgress?.({
      totalRows: state.totalRows,
      doneRows: state.lastCommittedRow,
      sent: state.sent,
      failed: state.failed,
      elapsedMs,
      rowsPerSecond,
      etaSeconds: rowsPerSecond > 0 ? left / rowsPerSecond : undefined,
    });
  };

  const pause = async (attempt: number, error?: unknown) => {
    const ms =
      error instanceof ThrottledError && error.retryAfterSeconds > 0
        ? error.retryAfterSeconds * 1000
        : Math.min(MAX_PAUSE_MS, BASE_PAUSE_MS * 2 ** (attempt - 1));
    logger.warn(
      `Dataverse is busy or unreachable; waiting ${Math.round(ms / 1000)} s before sending again.`,
      {
        error: error instanceof Error ? error.message : undefined,
      },
    );
    await deps.sleep(ms);
  };

  /** A call that changes nothing, or only upserts by key: safe to repeat. */
  const repeatable = async <T>(what: string, call: () => Promise<T>): Promise<T> => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await call();
      } catch (error) {
        // Nothing listening, no such host, a refused certificate: waiting does not help.
        const hopeless = error instanceof DataverseUnreachableError && error.failFast;
        if (!isRetryable(error) || hopeless || attempt >= MAX_SENDS) {
          if (hopeless) throw error;
          if (isRetryable(error))
            throw new IngestInterruptedError(
              state.lastCommittedRow,
              `${what} kept failing (${error instanceof Error ? error.message : String(error)})`,
            );
          throw error;
        }
        await pause(attempt, error);
      }
    }
  };

  const scorer = new BulkScorer(
    { client, clock: deps.clock, logger, newId: deps.newId ?? randomUUID },
    { bypassCustomAsync: deps.bypassCustomAsync },
  );
  /** Scores and writes a batch; sending it again after a failure only reports the rows already written. */
  const score = (records: readonly EntityRecord[]): Promise<BulkOutcome[]> =>
    repeatable(`A batch of ${records.length} row(s)`, () => scorer.register(records));

  const flush = async (chunk: Chunk) => {
    const rejected = [...chunk.rejected];
    const emails = chunk.pending
      .filter((p) => !p.row.contactId && p.row.contactEmail)
      .map((p) => p.row.contactEmail as string);
    const matches: Map<string, ContactMatch> =
      emails.length > 0
        ? await repeatable('The contact lookup', () => findContactsByEmail(client, emails))
        : new Map<string, ContactMatch>();
    const ready: { pending: Pending; record: EntityRecord }[] = [];
    for (const pending of chunk.pending) {
      const { row } = pending;
      let contactId = row.contactId;
      if (!contactId && row.contactEmail) {
        const match = matches.get(row.contactEmail.toLowerCase());
        if (match && 'id' in match) contactId = match.id;
        else {
          const message =
            match && 'ambiguous' in match
              ? `${match.ambiguous} active contacts have the email '${row.contactEmail}': give contactid instead`
              : `no active contact has the email '${row.contactEmail}' (emailaddress1)`;
          rejected.push({
            line: row.line,
            columns: ['contactemail'],
            messages: [message],
            fields: pending.fields,
          });
          continue;
        }
      }
      ready.push({ pending, record: interactionRecord(row, contactId, options.limits.name) });
    }
    let sent = 0;
    if (ready.length > 0) {
      const outcomes = await score(ready.map((r) => r.record));
      outcomes.forEach((outcome, i) => {
        const { pending } = ready[i] as { pending: Pending };
        if (outcome.kind !== 'refused') sent++;
        else {
          const message = `Dataverse refused the row: ${outcome.message}`;
          rejected.push({
            line: pending.row.line,
            columns: [columnForFailure(pending.row, message)],
            messages: [message],
            fields: pending.fields,
          });
        }
      });
    }
    rejected.sort((a, b) => a.line - b.line);
    await errors?.add(rejected);
    doneThisRun += chunk.rows;
    state = {
      ...state,
      lastCommittedRow: chunk.lastRow,
      sent: state.sent + sent,
      failed: state.failed + rejected.length,
      errorsFileBytes: errors?.bytes ?? state.errorsFileBytes,
      updatedOn: deps.clock().toISOString(),
    };
    await saveState(stateFile, state);
    progress();
  };

  let chunk: Chunk = { pending: [], rejected: [], lastRow: state.lastCommittedRow, rows: 0 };
  let row = 0;
  const parser = createReadStream(options.file).pipe(parse({ ...PARSER_OPTIONS, info: true, encoding }));
  try {
    for await (const item of parser as AsyncIterable<{ record: string[]; info: Info }>) {
      const { record, info } = item;
      if (!errors) {
        const header = checkHeader(record, options.defaultSource !== undefined);
        if (header.problems.length > 0) throw new IngestHeaderError(options.file, header.problems);
        if (header.ignored.length > 0)
          logger.warn(`Ignoring columns ingest does not use: ${header.ignored.join(', ')}.`);
        indexes = header.indexes;
        headerLength = record.length;
        errors = await ErrorsFile.open(errorsPath, record, resumeFrom ? state.errorsFileBytes : undefined);
        progress();
        continue;
      }
      row++;
      if (row <= state.lastCommittedRow) continue;
      const line = startLine(record, info);
      chunk.rows++;
      chunk.lastRow = row;
      if (record.length !== headerLength) {
        chunk.rejected.push({
          line,
          columns: [''],
          messages: [`the row has ${record.length} fields; the header has ${headerLength}`],
          fields: record,
        });
      } else {
        const values: Partial<Record<CsvColumn, string>> = {};
        for (const [column, index] of Object.entries(indexes) as [CsvColumn, number][])
          values[column] = record[index];
        const checked = checkRow(values, {
          row,
          line,
          defaultSource: options.defaultSource,
          limits: options.limits,
          now: deps.clock(),
        });
        if (checked.ok) chunk.pending.push({ row: checked.row, fields: record });
        else
          chunk.rejected.push({
            line,
            columns: checked.problems.map((p) => p.column),
            messages: checked.problems.map((p) => `${p.column} ${p.message}`),
            fields: record,
          });
      }
      if (chunk.rows >= options.batchSize) {
        await flush(chunk);
        chunk = { pending: [], rejected: [], lastRow: row, rows: 0 };
        if (deps.signal?.aborted)
          throw new IngestInterruptedError(state.lastCommittedRow, 'stopped on request');
      }
    }
    if (!errors)
      throw new IngestHeaderError(options.file, ['the file is empty: the first line must be the header']);
    if (chunk.rows > 0) await flush(chunk);
  } catch (error) {
    if (error instanceof CsvError) {
      throw new MalformedCsvError(
        options.file,
        typeof (error as CsvError & { lines?: unknown }).lines === 'number'
          ? (error as CsvError & { lines: number }).lines
          : undefined,
        error.message,
      );
    }
    throw error;
  } finally {
    parser.destroy();
    await errors?.close();
  }

  state = { ...state, totalRows: row, complete: true, updatedOn: deps.clock().toISOString() };
  await saveState(stateFile, state);
  const hasErrors = errors.hasRows || state.failed > 0;
  if (!hasErrors) await rm(errorsPath, { force: true });
  return {
    totalRows: row,
    sent: state.sent,
    failed: state.failed,
    skipped,
    errorsFile: hasErrors ? errorsPath : undefined,
    stateFile,
    elapsedMs: deps.clock().getTime() - started,
    alreadyComplete: false,
  };
}
