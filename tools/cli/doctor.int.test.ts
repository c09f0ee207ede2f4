import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { memoryLogger } from '../../dataverse/logger';
import { webhooksExtension } from '../emulator/webhooks/extension';
import { startEmulator, type RunningEmulator } from '../emulator/start';
import { loadPlatform, mergeMetadata } from '../solution/loader';
import { packSolutions } from '../solution/pack';
import { builtControlsDir } from '../solution/pcfcache.testkit';
import { validateSolutionSource } from '../solution/validate';
import { runDeploy } from './deploy';
import { runDoctorCommand } from './doctor';

const SOLUTION_ROOT = path.join(__dirname, '..', '..', 'solution');
const KEY = 'doctor-test-key-5d1e';

let dist: string;
let emulator: RunningEmulator;
let authDir: string;

beforeAll(async () => {
  dist = await mkdtemp(path.join(tmpdir(), 'ideario-doctor-'));
  authDir = await mkdtemp(path.join(tmpdir(), 'ideario-auth-'));
  await packSolutions({
    pcfDir: await builtControlsDir(),
    solutionRoot: SOLUTION_ROOT,
    outDir: dist,
    validate: (d) => validateSolutionSource(d),
    logger: memoryLogger(),
  });
  const { tables } = loadPlatform(path.join(SOLUTION_ROOT, 'platform'));
  emulator = await startEmulator({
    memory: true,
    port: 0,
    metadata: mergeMetadata(tables, []).metadata,
    extensions: [webhooksExtension({})],
  });
}, 120_000);

afterAll(async () => {
  await emulator.close();
  await rm(dist, { recursive: true, force: true });
  await rm(authDir, { recursive: true, force: true });
});

/** The host's answers: 400 to an empty body once the key passed, 401 otherwise. */
const probed: string[] = [];
function probe(url: string): Promise<number> {
  probed.push(url);
  return Promise.resolve(new URL(url).searchParams.get('code') === KEY ? 400 : 401);
}

async function doctor(key: string) {
  const lines: string[] = [];
  const code = await runDoctorCommand(
    { url: emulator.url, solutionRoot: SOLUTION_ROOT },
    {
      env: { IDEARIO_WEBHOOK_KEY: key },
      logger: memoryLogger(),
      print: (line) => lines.push(line),
      clock: () => new Date(),
      authDir,
      probe,
    },
  );
  return { code, text: lines.join('\n') };
}

it('says what to fix before the import, all is well after it, and catches a key the host refuses', async () => {
  const before = await doctor(KEY);
  expect(before.code).toBe(1);
  expect(before.text).toContain('✓ reachable and signed in');
  expect(before.text).toContain(
    '✗ IdearioInterests is not installed\n      fix: run `ideario deploy --solution IdearioInterests`.',
  );

  const deployLog = memoryLogger();
  const deployed = await runDeploy(
    {
      url: emulator.url,
      solution: 'all',
      dist,
      pollSeconds: '0.05',
      timeoutMinutes: '2',
      webhookUrl: 'https://ideario-host.example',
      erpUrl: 'https://erp.example/groups',
    },
    {
      env: { IDEARIO_WEBHOOK_KEY: KEY },
      logger: deployLog,
      print: () => undefined,
      clock: () => new Date(),
      sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
      newId: randomUUID,
      authDir,
    },
  );
  expect(deployLog.lines.filter((l) => l.startsWith('error'))).toEqual([]);
  expect(deployed).toBe(0);

  const after = await doctor(KEY);
  expect(after.text).toContain('✓ IdearioInterests 1.0.0.0 (managed) installed');
  expect(after.text).toContain(
    '✓ webhook endpoint IdearioInterestsWebhook → https://ideario-host.example/api/webhook/IdearioInterests answers with the right key',
  );
  expect(after.text).toMatch(/✓ IdearioGroupQuotes: \d+ step\(s\) registered and enabled/);
  expect(after.text).toContain('✓ environment variable idr_ErpHandoffUrl is set');
  expect(after.text).toContain('✓ no system job failed in the last 24 hours');
  expect(after.text).toMatch(/All is well\.$/);
  expect(after.code).toBe(0);

  const wrongKey = await doctor('another-key');
  expect(wrongKey.code).toBe(1);
  expect(wrongKey.text).toContain('refuses the key (HTTP 401)');
  expect(wrongKey.text).not.toContain('another-key');
}, 120_000);
