/**
 * `ideario ingest events.csv [--url …] [--batch 500] [--source <name>] [--resume] [--encoding latin1]`: registers
 * interaction events in bulk. See tools/ingest/README.md for the columns; `--help` lists them too.
 */
import path from 'node:path';
import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { DataverseUnreachableError } from '../../dataverse/adapters/errors';
import { TokenAcquisitionError } from '../../dataverse/adapters/msal';
import type { DataverseClient } from '../../dataverse/client';
import { DataverseError } from '../../dataverse/errors';
import type { Logger } from '../../dataverse/logger';
import { DeployConnectionError, DeployOptionError } from '../deploy/errors';
import {
  CheckpointError,
  IngestHeaderError,
  IngestInterruptedError,
  IngestLockedError,
  IngestOptionError,
  MalformedCsvError,
  NotUtf8Error,
} from '../ingest/errors';
import { parseEncoding } from '../ingest/encoding';
import {
  DEFAULT_BATCH_SIZE,
  ingest,
  MAX_BATCH_ROWS,
  type IngestProgress,
  type IngestSummary,
} from '../ingest/ingest';
import { columnLimits } from '../ingest/records';
import { COLUMN_HELP, CSV_COLUMNS, type ColumnLimits } from '../ingest/rows';
import { loadMetadata } from '../solution/loader';
import { describeUserError } from './command';
import { addConnectionOptions, openConnection, type ConnectionFlags } from './connection';

export const DEFAULT_INGEST_URL = 'http://127.0.0.1:5555';

export interface IngestCommandOptions extends ConnectionFlags {
  batch: string;
  source?: string;
  resume?: boolean;
  /** `--bypass-async`: send MSCRM.BypassBusinessLogicExecution: CustomAsync (no system job per row). */
  bypassAsync?: boolean;
  /** `--encoding utf8|latin1` (default utf8, checked). */
  encoding?: string;
  solutionRoot: string;
}

export interface IngestCommandDeps {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly logger: Logger;
  readonly print: (line: string) => void;
  readonly clock: () => Date;
  readonly sleep: (ms: number) => Promise<void>;
  readonly progress?: ProgressDisplay;
  readonly signal?: AbortSignal;
  /** Tests may pass a client; otherwise the selected environment's (or `--url`'s). */
  readonly client?: DataverseClient;
}

export interface ProgressDisplay {
  update(progress: IngestProgress): void;
  stop(): void;
}

const USER_ERRORS = [
  IngestOptionError,
  NotUtf8Error,
  IngestLockedError,
  IngestHeaderError,
  MalformedCsvError,
  CheckpointError,
  IngestInterruptedError,
  DeployOptionError,
  DeployConnectionError,
  TokenAcquisitionError,
  DataverseUnreachableError,
  DataverseError,
];

export function columnsHelp(): string {
  const width = Math.max(...CSV_COLUMNS.map((c) => c.length));
  return [
    '',
    'CSV columns (first line = header, any order; names are case-insensitive):',
    ...CSV_COLUMNS.map((c) => `  ${c.padEnd(width)}  ${COLUMN_HELP[c]}`),
    '',
    'Required: externalid, eventtype, occurredon, source (or --source), and contactemail, contactid or accountid.',
    'Bad rows go to <file>.errors.csv (line, column, error, then the row); the checkpoint is <file>.ingest-state.json.',
  ].join('\n');
}

function limitsFrom(solutionRoot: string, logger: Logger): ColumnLimits {
  try {
    return columnLimits(loadMetadata(solutionRoot));
  } catch (error) {
    logger.warn(
      `Text lengths are not checked before sending: ${solutionRoot} cannot be read (${error instanceof Error ? error.message : String(error)}). Dataverse still refuses values that are too long, row by row.`,
    );
    return {};
  }
}

function seconds(s: number | undefined): string {
  if (s === undefined || !Number.isFinite(s)) return '…';
  const total = Math.round(s);
  return total >= 60 ? `${Math.floor(total / 60)} min ${total % 60} s` : `${total} s`;
}

export function describeProgress(p: IngestProgress): string {
  return `rows ${p.doneRows}/${p.totalRows} | ${p.rowsPerSecond.toFixed(1)} rows/s | ETA ${seconds(p.etaSeconds)} | sent ${p.sent} | errors ${p.failed}`;
}

export function describeSummary(summary: IngestSummary): string[] {
  if (summary.alreadyComplete) {
    return [
      `Nothing to do: ${summary.stateFile} says every row was done (${summary.sent} sent, ${summary.failed} in errors).`,
    ];
  }
  return [
    `Ingested ${summary.totalRows} row(s)${summary.skipped ? ` (${summary.skipped} done by an earlier run)` : ''}: ${summary.sent} sent, ${summary.failed} rejected, in ${seconds(summary.elapsedMs / 1000)}.`,
    ...(summary.errorsFile ? [`Rejected rows and why: ${summary.errorsFile}`] : []),
  ];
}

/** A bar on a terminal; elsewhere a line every 10 s, so logs stay readable. */
function display(print: (line: string) => void): ProgressDisplay {
  if (!process.stderr.isTTY) {
    let lastAt = -Infinity;
    return {
      update(p) {
        if (p.elapsedMs - lastAt < 10_000 && p.doneRows < p.totalRows) return;
        lastAt = p.elapsedMs;
        print(describeProgress(p));
      },
      stop() {},
    };
  }
  const bar = new cliProgress.SingleBar(
    {
      format: 'Rows {bar} {value}/{total} | {rate} rows/s | ETA {etaText} | sent {sent} | errors {failed}',
      stream: process.stderr,
      hideCursor: true,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update(p) {
      const payload = {
        rate: p.rowsPerSecond.toFixed(1),
        etaText: seconds(p.etaSeconds),
        sent: p.sent,
        failed: p.failed,
      };
      if (!started) {
        bar.start(p.totalRows, p.doneRows, payload);
        started = true;
      } else {
        bar.setTotal(p.totalRows);
        bar.update(p.doneRows, payload);
      }
    },
    stop() {
      if (started) bar.stop();
    },
  };
}

/** Runs the command and returns the exit code: 0 all sent, 2 some rows rejected, 1 the run failed. */
export async function runIngest(
  file: string,
  opts: IngestCommandOptions,
  deps: IngestCommandDeps,
): Promise<number> {
  const progress = deps.progress ?? display(deps.print);
  try {
    if (!/^\d+$/.test(opts.batch.trim()))
      throw new IngestOptionError(
        `--batch must be a whole number from 1 to ${MAX_BATCH_ROWS}; got '${opts.batch}'.`,
      );
    const client =
      deps.client ??
      // Dataverse may ask for up to five minutes' pause when a user is over its limits.
      openConnection(opts, {
        env: deps.env,
        logger: deps.logger,
        clock: deps.clock,
        retry: { maxRetryAfterSeconds: 300, maxAttempts: 8 },
      }).client;
    const summary = await ingest(
      {
        file: path.resolve(file),
        batchSize: Number(opts.batch),
        defaultSource: opts.source?.trim() || undefined,
        resume: opts.resume === true,
        limits: limitsFrom(path.resolve(opts.solutionRoot), deps.logger),
        encoding: parseEncoding(opts.encoding),
      },
      {
        client,
        clock: deps.clock,
        sleep: deps.sleep,
        logger: deps.logger,
        onProgress: (p) => progress.update(p),
        signal: deps.signal,
        bypassCustomAsync: opts.bypassAsync === true,
      },
    );
    progress.stop();
    for (const line of describeSummary(summary)) deps.print(line);
    return summary.failed > 0 ? 2 : 0;
  } catch (error) {
    progress.stop();
    if (USER_ERRORS.some((kind) => error instanceof kind)) {
      deps.logger.error(`ingest failed: ${(error as Error).message}`);
      return 1;
    }
    const line = describeUserError(error);
    if (line === undefined) throw error;
    deps.logger.error(`ingest failed: ${line}`);
    return 1;
  }
}

export function registerIngest(program: Command, logger: Logger): void {
  const command = program
    .command('ingest')
    .description(
      'Register interaction events from a CSV file in bulk (batched upserts by source + externalid, resumable)',
    )
    .argument('<file>', 'CSV file of events');
  addConnectionOptions(command)
    .option(
      '--batch <n>',
      `rows scored and checkpointed together, at most ${MAX_BATCH_ROWS} (writes go in changesets of up to 1,000 operations)`,
      String(DEFAULT_BATCH_SIZE),
    )
    .option('--source <name>', 'source for rows whose source column is empty (or missing)')
    .option('--resume', 'continue after the last row the checkpoint says is done')
    .option(
      '--bypass-async',
      'queue no system job per row (rows arrive scored; needs the prvBypassCustomAsyncBusinessLogic privilege)',
    )
    .option(
      '--encoding <utf8|latin1>',
      "the file's encoding; a file that is not UTF-8 is refused unless latin1 is given",
      'utf8',
    )
    .option(
      '--solution-root <dir>',
      'unpacked solutions, for the column lengths checked before sending',
      'solution',
    )
    .addHelpText('after', columnsHelp())
    .action(async (file: string, opts: IngestCommandOptions) => {
      const controller = new AbortController();
      // First Ctrl+C: finish and checkpoint the batch under way; a second one ends at once.
      process.once('SIGINT', () => {
        logger.warn('Stopping after the batch under way (Ctrl+C again to stop now)…');
        controller.abort();
      });
      process.exitCode = await runIngest(file, opts, {
        env: process.env,
        logger,
        print: (line) => console.log(line),
        clock: () => new Date(),
        sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
        signal: controller.signal,
      });
    });
}
