/**
 * `<file>.ingest-state.json`: how far a run got. It is written after each batch, once that batch's
 * rows are either acknowledged by Dataverse or written to the errors file, so "last committed row"
 * never runs ahead of what happened. The file's SHA-256 is kept so a resume never continues into a
 * different file, and the errors file's length so a resume drops error lines a crash left behind.
 */
import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from '../solution/zip';
import { CheckpointError } from './errors';

export interface IngestState {
  readonly version: 1;
  readonly file: string;
  readonly sha256: string;
  /** Data rows in the file (the header not counted). */
  readonly totalRows: number;
  /** Every data row up to this one is done: sent, or written to the errors file. */
  readonly lastCommittedRow: number;
  readonly sent: number;
  readonly failed: number;
  readonly errorsFileBytes: number;
  readonly complete: boolean;
  readonly updatedOn: string;
}

export function stateFileFor(file: string): string {
  return `${file}.ingest-state.json`;
}

export async function loadState(stateFile: string): Promise<IngestState | undefined> {
  let text: string;
  try {
    text = await readFile(stateFile, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new CheckpointError(
      stateFile,
      'it is not JSON. Delete it and run without --resume (rows already registered are left as they are, never duplicated).',
    );
  }
  const s = parsed as Partial<IngestState>;
  const numbers = [s.totalRows, s.lastCommittedRow, s.sent, s.failed, s.errorsFileBytes];
  if (
    s.version !== 1 ||
    typeof s.sha256 !== 'string' ||
    numbers.some((n) => typeof n !== 'number' || !Number.isInteger(n) || n < 0)
  ) {
    throw new CheckpointError(
      stateFile,
      'it is not a checkpoint this version of ideario wrote. Delete it and run without --resume.',
    );
  }
  return s as IngestState;
}

export async function saveState(stateFile: string, state: IngestState): Promise<void> {
  await writeFileAtomic(stateFile, Buffer.from(`${JSON.stringify(state, null, 2)}\n`, 'utf8'));
}
