/**
 * `<file>.ingest-state.json`: how far a run got. It is written after each batch, once that batch's
 * rows are either acknowledged by Dataverse or written to the errors file, so "last committed row"
 * never runs ahead of what happened. The file's SHA-256 is kept so a resume never continues into a
 * different file, and the errors file's length so a resume drops error lines a crash left behind.
 */
import { link, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { writeFileAtomic } from '../solution/zip';
import { CheckpointError, IngestLockedError } from './errors';

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

export function lockFileFor(stateFile: string): string {
  return `${stateFile}.lock`;
}

interface LockOwner {
  readonly pid: number;
  readonly host: string;
  readonly startedOn: string;
}

export interface LockDeps {
  readonly pid: number;
  readonly host: string;
  readonly clock: () => Date;
  /** Whether a process with this id runs on this machine. */
  readonly alive: (pid: number) => boolean;
}

/** `kill(pid, 0)` sends nothing: it only asks whether the process exists (EPERM: it does, not ours). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export const defaultLockDeps = (clock: () => Date): LockDeps => ({
  pid: process.pid,
  host: hostname(),
  clock,
  alive: processAlive,
});

async function readOwner(lockFile: string): Promise<LockOwner | undefined> {
  try {
    const parsed = JSON.parse(await readFile(lockFile, 'utf8')) as Partial<LockOwner>;
    if (
      typeof parsed.pid === 'number' &&
      typeof parsed.host === 'string' &&
      typeof parsed.startedOn === 'string'
    )
      return parsed as LockOwner;
  } catch {
    // Unreadable or half-written: treated as stale below.
  }
  return undefined;
}

/**
 * Takes the checkpoint's lock file (created exclusively, holding pid, host and start time) and gives
 * back its release. A lock whose process no longer runs on this host is stale (a crash or kill -9)
 * and is replaced; a live one refuses the run with IngestLockedError. A lock from another host cannot
 * be checked and is respected.
 */
export async function lockCheckpoint(stateFile: string, deps: LockDeps): Promise<() => Promise<void>> {
  const lockFile = lockFileFor(stateFile);
  const me: LockOwner = { pid: deps.pid, host: deps.host, startedOn: deps.clock().toISOString() };
  for (let attempt = 0; attempt < 3; attempt++) {
    // Written whole under a temporary name, then linked into place: link fails if the lock exists,
    // and a reader never sees a half-written lock.
    const temp = `${lockFile}.${me.pid}.${attempt}.tmp`;
    await writeFile(temp, `${JSON.stringify(me)}\n`, 'utf8');
    try {
      await link(temp, lockFile);
      return async () => {
        const owner = await readOwner(lockFile);
        if (owner?.pid === me.pid && owner.host === me.host) await rm(lockFile, { force: true });
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    } finally {
      await rm(temp, { force: true });
    }
    const owner = await readOwner(lockFile);
    if (owner && (owner.host !== deps.host || deps.alive(owner.pid)))
      throw new IngestLockedError(lockFile, owner.pid, owner.startedOn);
    await rm(lockFile, { force: true });
  }
  throw new IngestLockedError(lockFile, 0, 'just now');
}
