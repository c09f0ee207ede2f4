/**
 * The acceptance of issue 11, as a new user meets it: after `npm start` with no flags, `sweep --once`,
 * `rescore --dry-run`, `erase --contact <demo email> --dry-run` and `doctor` work with no flag, no
 * token and no environment variable: each finds the local environment `npm start` recorded, and doctor
 * finds the solutions, webhook endpoints and variables as a deploy would have left them.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  contact,
  environmentvariabledefinition as DEF,
  environmentvariablevalue as VAL,
} from '../../dataverse/generated';
import { memoryLogger } from '../../dataverse/logger';
import { GROUPQUOTES_ENVIRONMENT_VARIABLES } from '../../plugins/handlers/groupquotes/settings';
import { LOCAL_TOKEN } from '../emulator/demo/extension';
import { runDoctorCommand } from './doctor';
import { runEraseCommand } from './erase';
import { runRescoreCommand } from './rescore';
import { runStart, type RunningStart } from './start';
import { runSweepOnce } from './sweep';

const ROOT = path.join(__dirname, '..', '..');
const SOLUTION_ROOT = path.join(ROOT, 'solution');
/** Ceilings, not budgets: a loaded 2-core machine may take minutes to pack, load and score the demo. */
const START_CEILING_MS = 10 * 60_000;
const ERP_URL = 'https://erp.example/groups';

let dist: string;
let authDir: string;
let running: RunningStart | undefined;

beforeAll(async () => {
  dist = mkdtempSync(path.join(tmpdir(), 'ideario-against-start-'));
  authDir = mkdtempSync(path.join(tmpdir(), 'ideario-against-start-auth-'));
  running = await runStart({
    port: 0,
    hostPort: 0,
    reset: false,
    demo: true,
    demoSize: 'small',
    memory: true,
    solutionRoot: SOLUTION_ROOT,
    distDir: dist,
    webResourceBuild: path.join(dist, 'no-build.ts'),
    logger: memoryLogger(),
    print: () => undefined,
    asyncConcurrency: 4,
    waitIdle: true,
    // The host's settings as a developer exports them before `npm start`.
    env: { [GROUPQUOTES_ENVIRONMENT_VARIABLES.handoffUrl]: ERP_URL },
    authDir,
  });
}, START_CEILING_MS);

afterAll(async () => {
  await running?.close();
  rmSync(dist, { recursive: true, force: true });
  rmSync(authDir, { recursive: true, force: true });
});

/** What every command gets: no flag, no variable; only the folder `npm start` recorded into. */
function deps() {
  const lines: string[] = [];
  const logger = memoryLogger();
  return {
    lines,
    logger,
    errors: () => logger.lines.filter((l) => l.startsWith('error')),
    value: { env: {}, logger, print: (l: string) => lines.push(l), clock: () => new Date(), authDir },
  };
}

async function webApi(pathAndQuery: string, init: RequestInit = {}): Promise<Response> {
  return fetch(`${running?.webApiUrl ?? ''}${pathAndQuery}`, {
    ...init,
    headers: { Authorization: `Bearer ${LOCAL_TOKEN}`, Accept: 'application/json' },
  });
}

it('sweep --once works with no flag', async () => {
  const run = deps();
  const code = await runSweepOnce(
    { once: true, everyHours: '1' },
    {
      ...run.value,
      fetch: () => Promise.reject(new Error('no ERP in this test')),
      sleep: () => Promise.resolve(),
    },
  );
  expect(run.errors()).toEqual([]);
  expect(code).toBe(0);
  expect(run.lines.join('\n')).toMatch(/^Swept \d+ quotation\(s\) for \d{4}-\d{2}-\d{2}: /);
}, 120_000);

it('rescore --dry-run works with no flag', async () => {
  const run = deps();
  const code = await runRescoreCommand({ dryRun: true }, run.value);
  expect(run.errors()).toEqual([]);
  expect(code).toBe(0);
  expect(run.lines[0]).toMatch(
    /^Replayed [1-9]\d* interaction\(s\) of [1-9]\d* contact\(s\); would change: /,
  );
}, 120_000);

it('erase --contact <demo email> --dry-run works with no flag and writes nothing', async () => {
  const response = await webApi(
    `${contact.entitySetName}?$select=${contact.columns.emailaddress1}&$filter=${contact.columns.emailaddress1} ne null&$top=1`,
  );
  const [demo] = ((await response.json()) as { value: Record<string, string>[] }).value;
  const email = demo?.[contact.columns.emailaddress1] ?? '';
  expect(email).toContain('@');
  const run = deps();
  const code = await runEraseCommand({ contact: email, dryRun: true }, run.value);
  expect(run.errors()).toEqual([]);
  expect(code).toBe(0);
  expect(run.lines[0]).toMatch(/^Would erase what Ideario holds of contact .+ \([0-9a-f-]{36}\):$/);
  expect(run.lines.at(-1)).toBe('Dry run: nothing was written.');
}, 120_000);

it('doctor reports all is well on a fresh start, and names the variable to set when one is missing', async () => {
  const run = deps();
  const code = await runDoctorCommand({ solutionRoot: SOLUTION_ROOT }, run.value);
  const text = run.lines.join('\n');
  expect(run.errors()).toEqual([]);
  expect(text).toContain(`Environment 'local' (${running?.emulator.url ?? ''}):`);
  expect(text).toContain('✓ IdearioInterests 1.0.0.0 (unmanaged) installed');
  expect(text).toContain('✓ IdearioGroupQuotes 1.0.0.0 (unmanaged) installed');
  expect(text).toContain(
    `✓ webhook endpoint IdearioInterestsWebhook → ${running?.hostUrl ?? ''}/IdearioInterests answers with the right key`,
  );
  expect(text).toContain('✓ environment variable idr_ErpHandoffUrl is set');
  expect(text).not.toContain('✗');
  expect(text).toMatch(/All is well\.$/);
  expect(code).toBe(0);

  // Without the ERP URL, doctor says exactly what to set.
  const definitions = await webApi(
    `${DEF.entitySetName}?$select=${DEF.primaryIdAttribute}&$filter=${DEF.columns.schemaname} eq '${GROUPQUOTES_ENVIRONMENT_VARIABLES.handoffUrl}'`,
  );
  const [definition] = ((await definitions.json()) as { value: Record<string, string>[] }).value;
  const values = await webApi(
    `${VAL.entitySetName}?$select=${VAL.primaryIdAttribute}&$filter=_${VAL.columns.environmentvariabledefinitionid}_value eq ${definition?.[DEF.primaryIdAttribute] ?? ''}`,
  );
  for (const row of ((await values.json()) as { value: Record<string, string>[] }).value) {
    const deleted = await webApi(`${VAL.entitySetName}(${row[VAL.primaryIdAttribute] ?? ''})`, {
      method: 'DELETE',
    });
    expect(deleted.status).toBe(204);
  }
  const again = deps();
  expect(await runDoctorCommand({ solutionRoot: SOLUTION_ROOT }, again.value)).toBe(1);
  expect(again.lines.join('\n')).toContain(
    `✗ environment variable ${GROUPQUOTES_ENVIRONMENT_VARIABLES.handoffUrl} has no value and no default\n` +
      `      fix: stop \`npm start\` and start it again with the value in the environment: \`${GROUPQUOTES_ENVIRONMENT_VARIABLES.handoffUrl}=<value> npm start\`.`,
  );
}, 120_000);
