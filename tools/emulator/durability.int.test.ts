/**
 * Nothing the emulator acknowledged is lost when its process dies: run `ideario emulator` as a child
 * process on a temporary database, stream creates at it, `kill -9` it mid-stream, start it again on
 * the same file and check that every create that got a 2xx is there.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const REPO = path.resolve(__dirname, '..', '..');
const START_CEILING_MS = 3 * 60_000;

interface Child {
  process: ChildProcess;
  serviceRoot: string;
}

/**
 * Starts `ideario emulator --port 0 --db <db> --no-demo` and waits for the line with its URL. Node runs
 * the TypeScript through tsx's loader in-process (`npx tsx` would put a wrapper process in between, and
 * kill -9 must hit the server itself).
 */
function startChild(db: string): Promise<Child> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'tools/cli/main.ts', 'emulator', '--port', '0', '--db', db, '--no-demo'],
    {
      cwd: REPO,
      // The child records itself as the selected environment: not in the developer's .ideario.
      env: { ...process.env, IDEARIO_AUTH_DIR: path.join(path.dirname(db), 'auth') },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    // A ceiling for a loaded machine (tsx compiles the CLI first), not a speed check.
    const timer = setTimeout(
      () => reject(new Error(`emulator did not start in time: ${stderr}`)),
      START_CEILING_MS,
    );
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

const dirs: string[] = [];
const children: ChildProcess[] = [];
afterAll(() => {
  for (const child of children)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

it(
  'keeps every acknowledged create across kill -9 and a restart',
  async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ideario-durability-'));
    dirs.push(dir);
    const db = path.join(dir, 'emulator.db');

    const first = await startChild(db);
    children.push(first.process);
    const acknowledged: string[] = [];
    let killed = false;
    const worker = async (n: number) => {
      for (let i = 0; !killed; i++) {
        try {
          const response = await fetch(`${first.serviceRoot}contacts`, {
            method: 'POST',
            headers: { 'Content-Type': 'application/json' },
            body: JSON.stringify({ fullname: `worker ${n} #${i}` }),
          });
          const entity = response.headers.get('odata-entityid');
          if (response.status >= 200 && response.status < 300 && entity)
            acknowledged.push(/\(([0-9a-f-]{36})\)$/.exec(entity)?.[1] ?? entity);
        } catch {
          return; // the process is gone: this request was never acknowledged
        }
        if (acknowledged.length >= 150 && !killed) {
          killed = true;
          first.process.kill('SIGKILL');
        }
      }
    };
    await Promise.all([0, 1, 2, 3].map(worker));
    await exited(first.process);
    expect(first.process.signalCode).toBe('SIGKILL');
    expect(acknowledged.length).toBeGreaterThanOrEqual(150);

    const second = await startChild(db);
    children.push(second.process);
    const found = new Set<string>();
    let next: string | undefined = `${second.serviceRoot}contacts?$select=contactid`;
    while (next) {
      const page = (await (await fetch(next, { headers: { Prefer: 'odata.maxpagesize=500' } })).json()) as {
        value: { contactid: string }[];
        '@odata.nextLink'?: string;
      };
      for (const row of page.value) found.add(row.contactid);
      next = page['@odata.nextLink'];
    }
    const lost = acknowledged.filter((id) => !found.has(id));
    expect(lost).toEqual([]);
    second.process.kill('SIGTERM');
    await exited(second.process);
  },
  3 * START_CEILING_MS,
);
