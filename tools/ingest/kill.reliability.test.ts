/**
 * kill -9 of the emulator mid-ingest: `ideario emulator` runs as a child process on a SQLite file,
 * `ideario ingest` streams 3,000 seeded interactions at it, the child is SIGKILLed once 1,200 rows are
 * confirmed, started again on the same file, and `ingest --resume` goes on from its checkpoint. Nothing
 * lost, nothing twice: every row once, and the profiles a clean run gives. The kill point depends on
 * timing; what is asserted does not (the same rows and profiles wherever the kill lands).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { memoryLogger } from '../../dataverse/logger';
import { seededRandom } from '../../domain/random';
import { runIngest } from '../cli/ingest';
import { startEmulator, type RunningEmulator } from '../emulator/start';
import {
  interactionStatuses,
  profilesByName,
  seedScoringOrg,
  TOTAL_CONTACTS,
  type ServiceRoot,
} from './reliability.testkit';

const REPO = path.resolve(__dirname, '..', '..');
const SOLUTION_ROOT = path.join(REPO, 'solution');
const ROWS = 3_000;
const KILL_AFTER = 1_200;
const NOW = new Date('2026-06-01T12:00:00Z');
/** A ceiling for a loaded 2-core machine (tsx compiles the CLI first), not a speed check. */
const START_CEILING_MS = 3 * 60_000;

const dirs: string[] = [];
const children: ChildProcess[] = [];
const running: RunningEmulator[] = [];
afterAll(async () => {
  for (const child of children)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  for (const emulator of running) await emulator.close();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** `ideario emulator --port 0 --db <db> --no-demo` run by node itself, so SIGKILL hits the server. */
function startChild(db: string, authDir: string): Promise<{ process: ChildProcess; serviceRoot: string }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'tools/cli/main.ts', 'emulator', '--port', '0', '--db', db, '--no-demo'],
    { cwd: REPO, env: { ...process.env, IDEARIO_AUTH_DIR: authDir }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  children.push(child);
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => reject(new Error(`emulator did not start: ${stderr}`)), START_CEILING_MS);
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /Emulator listening on (http:\/\/\S+\/api\/data\/v9\.2\/)/.exec(stdout);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve({ process: child, serviceRoot: match[1] });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`emulator exited with ${String(code)} before listening: ${stderr}`));
    });
  });
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
}

/** The same events for every run (seeded), naming each environment's own contact ids. */
function csv(contacts: readonly string[]): string {
  const draw = seededRandom(23);
  const kinds = [
    ['EmailClick', 'https://example.com/cloud/offer'],
    ['EmailClick', 'https://example.com/other'],
    ['WebVisit', 'https://example.com/pricing'],
    ['FormSubmission', 'https://example.com/contact'],
    ['Complaint', 'https://example.com/support'],
  ] as const;
  const start = NOW.getTime() - 120 * 86_400_000;
  const lines = ['source,externalid,eventtype,occurredon,contactid,url'];
  for (let i = 0; i < ROWS; i++) {
    const [type, url] = kinds[Math.floor(draw() * kinds.length)] ?? kinds[0];
    const when = new Date(start + Math.floor(draw() * 119 * 86_400_000)).toISOString();
    const who = contacts[Math.floor(draw() * contacts.length)] ?? '';
    lines.push(`crm,row-${i},${type},${when},${who},${url}`);
  }
  return `${lines.join('\n')}\n`;
}

async function ingestInto(
  file: string,
  url: string,
  authDir: string,
  options: { resume?: boolean; onDone?: (doneRows: number) => void } = {},
) {
  const logger = memoryLogger();
  const code = await runIngest(
    file,
    { url, batch: '100', solutionRoot: SOLUTION_ROOT, bypassAsync: true, resume: options.resume },
    {
      env: { IDEARIO_AUTH_DIR: authDir },
      logger,
      print: () => undefined,
      clock: () => NOW,
      sleep: (ms) => new Promise((resolve) => setTimeout(resolve, Math.min(ms, 1000))),
      progress: { update: (p) => options.onDone?.(p.doneRows), stop: () => undefined },
    },
  );
  return { code, errors: logger.lines.filter((l) => l.startsWith('error')) };
}

async function outcome(root: ServiceRoot) {
  return { profiles: await profilesByName(root), statuses: await interactionStatuses(root) };
}

it('keeps every row once and the clean run profiles across kill -9 of the emulator and a resume', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'ideario-kill-emulator-'));
  dirs.push(dir);
  const authDir = path.join(dir, 'auth');

  const clean = await startEmulator({ memory: true, port: 0, solutionRoot: SOLUTION_ROOT });
  running.push(clean);
  const cleanRoot = { serviceRoot: `${clean.url.replace(/\/$/, '')}/api/data/v9.2/` };
  const cleanFile = path.join(dir, 'clean.csv');
  await writeFile(cleanFile, csv(await seedScoringOrg(cleanRoot)));
  const cleanRun = await ingestInto(cleanFile, clean.url, authDir);
  expect(cleanRun.errors).toEqual([]);
  expect(cleanRun.code).toBe(0);
  const expected = await outcome(cleanRoot);
  expect(expected.statuses.total).toBe(ROWS);
  expect(expected.profiles.length).toBeGreaterThan(TOTAL_CONTACTS);

  const db = path.join(dir, 'emulator.db');
  const first = await startChild(db, authDir);
  const file = path.join(dir, 'events.csv');
  await writeFile(file, csv(await seedScoringOrg(first)));
  const origin = (root: string) => new URL(root).origin;
  const interrupted = await ingestInto(file, origin(first.serviceRoot), authDir, {
    onDone: (done) => {
      if (done >= KILL_AFTER && first.process.signalCode === null) first.process.kill('SIGKILL');
    },
  });
  await exited(first.process);
  expect(first.process.signalCode).toBe('SIGKILL');
  // The run stopped with the emulator: it did not finish, and said so.
  expect(interrupted.code).toBe(1);

  const second = await startChild(db, authDir);
  const before = await interactionStatuses(second);
  expect(before.total).toBeGreaterThanOrEqual(KILL_AFTER);
  expect(before.total).toBeLessThan(ROWS);
  const resumed = await ingestInto(file, origin(second.serviceRoot), authDir, { resume: true });
  expect(resumed.errors).toEqual([]);
  expect(resumed.code).toBe(0);
  expect(await outcome(second)).toEqual(expected);
  second.process.kill('SIGTERM');
  await exited(second.process);
}, 900_000);
