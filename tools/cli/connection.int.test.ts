import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { memoryLogger } from '../../dataverse/logger';
import type { RunningEmulator } from '../emulator/start';
import { runAuthClear, runAuthList, runAuthSelect } from './auth';
import { openConnection } from './connection';
import { runDoctorCommand } from './doctor';
import { runEmulator } from './emulator';
import { ProfileStore } from './profiles';
import { runRescoreCommand } from './rescore';
import { runSweepOnce } from './sweep';

const SOLUTION_ROOT = path.join(__dirname, '..', '..', 'solution');
const TOKEN = 'connection-test-token-91c2';

let authDir: string;
let emulator: RunningEmulator;
const startLines: string[] = [];

beforeAll(async () => {
  authDir = mkdtempSync(path.join(tmpdir(), 'ideario-auth-'));
  emulator = await runEmulator(
    {
      port: '0',
      host: '127.0.0.1',
      db: '',
      memory: true,
      token: TOKEN,
      demo: false,
      solution: SOLUTION_ROOT,
      authDir,
    },
    memoryLogger(),
    (line) => startLines.push(line),
  );
}, 60_000);

afterAll(async () => {
  await emulator.close();
  rmSync(authDir, { recursive: true, force: true });
});

function deps() {
  const lines: string[] = [];
  const logger = memoryLogger();
  return {
    lines,
    logger,
    value: {
      env: {},
      logger,
      print: (line: string) => lines.push(line),
      clock: () => new Date(),
      fetch: () => Promise.reject(new Error('offline')),
      sleep: () => Promise.resolve(),
      authDir,
    },
  };
}

/** A port on this machine where nothing listens. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

describe('one connection for every command', () => {
  it('the emulator records itself as the selected environment, with its token, owner-only', () => {
    expect(startLines).toContain(
      "Environment 'local' selected: every ideario command now uses it by default.",
    );
    const store = new ProfileStore(authDir);
    expect(store.selected()).toEqual({ name: 'local', url: emulator.url, signIn: 'local', token: TOKEN });
    expect(JSON.parse(readFileSync(store.file, 'utf8'))).toMatchObject({ selected: 'local' });
  });

  it('sweep --once and rescore --dry-run work with no flags, against the emulator that wants a token', async () => {
    const sweep = deps();
    expect(await runSweepOnce({ once: true, everyHours: '1' }, sweep.value)).toBe(0);
    expect(sweep.lines.join('\n')).toMatch(/^Swept 0 quotation\(s\) for \d{4}-\d\d-\d\d/);

    const rescore = deps();
    expect(await runRescoreCommand({ dryRun: true }, rescore.value)).toBe(0);
    expect(rescore.lines[0]).toMatch(/^Replayed 0 interaction\(s\) of 0 contact\(s\); would change/);
    expect(rescore.logger.lines.filter((l) => l.startsWith('error'))).toEqual([]);
  });

  it('a 401 names the environment and how to sign in to it', async () => {
    const other = mkdtempSync(path.join(tmpdir(), 'ideario-auth-'));
    try {
      new ProfileStore(other).save({ name: 'local', url: emulator.url, signIn: 'local', token: 'stale' });
      const run = deps();
      expect(await runRescoreCommand({ dryRun: true }, { ...run.value, authDir: other })).toBe(1);
      const said = run.logger.lines.join('\n');
      expect(said).toContain(
        `rescore failed: Environment 'local' (${emulator.url}) refused the sign-in (HTTP 401`,
      );
      expect(said).toContain('restart it with `npm start` or `ideario emulator`');
      expect(said).not.toContain('stale');

      const check = deps();
      const doctor = { ...check.value, authDir: other, probe: () => Promise.resolve(400) };
      expect(await runDoctorCommand({ solutionRoot: SOLUTION_ROOT }, doctor)).toBe(1);
      expect(check.lines.join('\n')).toContain("✗ not signed in\n      fix: Environment 'local'");
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });

  it('nothing listening: fails at once with one clear line, without retrying', async () => {
    const port = await closedPort();
    const run = deps();
    const code = await runSweepOnce(
      { once: true, everyHours: '1', url: `http://127.0.0.1:${port}` },
      run.value,
    );
    expect(code).toBe(1);
    // One line, and no 'retrying' warning before it.
    expect(run.logger.lines).toHaveLength(1);
    expect(run.logger.lines[0]).toMatch(
      new RegExp(
        `sweep failed: Dataverse at http://127\\.0\\.0\\.1:${port} could not be reached: .*ECONNREFUSED`,
      ),
    );
    expect(run.logger.lines[0]).toContain('Is the emulator running (npm start)?');
  });

  it('a real environment without credentials says what to set, and never asks for a secret as a flag', async () => {
    const run = deps();
    expect(
      await runRescoreCommand({ dryRun: true, url: 'https://contoso.crm4.dynamics.com' }, run.value),
    ).toBe(1);
    expect(run.logger.lines.join('\n')).toContain(
      "Environment 'contoso.crm4.dynamics.com' (https://contoso.crm4.dynamics.com) signs in with client-secret, which needs --tenant or IDEARIO_TENANT_ID, --client-id or IDEARIO_CLIENT_ID, IDEARIO_CLIENT_SECRET.",
    );
  });

  it('--url of a recorded environment uses what was recorded for it; a bad --retry-budget is refused', () => {
    const { environment } = openConnection({ url: `${emulator.url}/` }, deps().value);
    expect(environment).toMatchObject({ name: 'local', token: TOKEN });
    expect(() => openConnection({ retryBudget: 'soon' }, deps().value)).toThrow(
      "--retry-budget 'soon' must be a duration such as 90 (seconds), 90s or 5m.",
    );
  });
});

describe('ideario auth', () => {
  it('lists, selects and clears environments without showing a token', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ideario-auth-'));
    try {
      const store = new ProfileStore(dir);
      store.save({ name: 'local', url: 'http://127.0.0.1:5555', signIn: 'local', token: 'secret-ish' });
      store.save({
        name: 'contoso',
        url: 'https://contoso.crm4.dynamics.com',
        signIn: 'client-secret',
        tenantId: 'tenant-1',
        clientId: 'client-1',
      });
      const run = deps();
      const d = { ...run.value, authDir: dir };
      expect(await runAuthList(d)).toBe(0);
      expect(run.lines).toEqual([
        '  local  http://127.0.0.1:5555  local (token recorded)',
        '* contoso  https://contoso.crm4.dynamics.com  client-secret (tenant tenant-1, client client-1)',
      ]);
      expect(await runAuthSelect('http://127.0.0.1:5555', d)).toBe(0);
      expect(store.selected()?.name).toBe('local');
      expect(await runAuthSelect('fabrikam', d)).toBe(1);
      expect(run.logger.lines.join('\n')).toContain("No environment named 'fabrikam'. Known: local, contoso");
      expect(await runAuthClear('local', d)).toBe(0);
      expect(store.list()).toEqual({ profiles: [expect.objectContaining({ name: 'contoso' })] });
      expect(await runAuthClear(undefined, d)).toBe(0);
      expect(store.list().profiles).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
