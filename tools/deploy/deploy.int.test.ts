import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import {
  asyncoperation,
  contact,
  idr_marketingconcept,
  idr_quotationpolicy,
  Language,
} from '../../dataverse/generated';
import { memoryLogger } from '../../dataverse/logger';
import { SOLUTION_NAMES } from '../../plugins/registry';
import { runDeploy, type DeployCommandOptions } from '../cli/deploy';
import { webhooksExtension } from '../emulator/webhooks/extension';
import { startEmulator, type RunningEmulator } from '../emulator/start';
import { loadPlatform, mergeMetadata } from '../solution/loader';
import { packSolutions } from '../solution/pack';
import { validateSolutionSource } from '../solution/validate';

const SOLUTION_ROOT = path.join(__dirname, '..', '..', 'solution');
const JOB = asyncoperation.columns;
const { statecode: JobState, statuscode: JobStatus } = asyncoperation.choices;
const KEY = 'deploy-test-secret-7f3a';

let dist: string;
let emulator: RunningEmulator | undefined;

beforeAll(async () => {
  dist = await mkdtemp(path.join(tmpdir(), 'ideario-deploy-'));
  await packSolutions({
    solutionRoot: SOLUTION_ROOT,
    outDir: dist,
    validate: (d) => validateSolutionSource(d),
    logger: memoryLogger(),
  });
});

afterAll(async () => {
  await rm(dist, { recursive: true, force: true });
});

afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

/** An environment with only the standard tables, as before Ideario is installed. */
async function freshEmulator(): Promise<RunningEmulator> {
  const { tables } = loadPlatform(path.join(SOLUTION_ROOT, 'platform'));
  emulator = await startEmulator({
    memory: true,
    port: 0,
    metadata: mergeMetadata(tables, []).metadata,
    extensions: [webhooksExtension({})],
  });
  return emulator;
}

async function deploy(opts: Partial<DeployCommandOptions>) {
  const printed: string[] = [];
  const logger = memoryLogger();
  const code = await runDeploy(
    { url: emulator?.url ?? '', solution: 'all', dist, pollSeconds: '0.05', timeoutMinutes: '2', ...opts },
    {
      env: { IDEARIO_WEBHOOK_KEY: KEY },
      logger,
      print: (line) => printed.push(line),
      clock: () => new Date(),
      sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
      newId: randomUUID,
    },
  );
  return { code, printed, logged: logger.lines };
}

it('imports both packed solutions with ImportSolutionAsync, shows progress, and makes their tables usable', async () => {
  const { engine } = await freshEmulator();
  const result = await deploy({
    webhookUrl: 'https://ideario-host.example',
    erpUrl: 'https://erp.example/groups',
    env: ['idr_MaxActiveConcepts=25'],
  });
  expect(result.code).toBe(0);
  const [interests, groupQuotes] = SOLUTION_NAMES;
  expect(result.printed[0]).toBe(
    `Importing ${interests} 1.0.0.0 (managed, ${result.printed[0]?.split('managed, ')[1]?.split(')')[0] ?? ''}) from ${path.join(dist, `${interests}_1_0_0_0_managed.zip`)}`,
  );
  expect(result.printed).toEqual(
    expect.arrayContaining([
      expect.stringMatching(new RegExp(`^  ${interests}: Succeeded — \\d+ s$`)),
      expect.stringMatching(
        new RegExp(`^Imported ${interests} 1\\.0\\.0\\.0 in \\d+ s \\(system job [0-9a-f-]{36}\\)\\.$`),
      ),
      expect.stringMatching(new RegExp(`^  ${groupQuotes}: Succeeded — \\d+ s$`)),
      `Deployed ${interests} 1.0.0.0, ${groupQuotes} 1.0.0.0 with 6 warning(s) above.`,
    ]),
  );

  const jobs = (await engine.query(asyncoperation.entitySetName, { orderBy: [`${JOB.createdon} asc`] }))
    .records;
  expect(jobs.map((j) => [j[JOB.name], j[JOB.statecode], j[JOB.statuscode]])).toEqual([
    ['ImportSolutionAsync', JobState.Completed, JobStatus.Succeeded],
    ['ImportSolutionAsync', JobState.Completed, JobStatus.Succeeded],
  ]);
  await engine.create(idr_marketingconcept.entitySetName, {
    [idr_marketingconcept.columns.idr_name]: 'Cloud migration',
    [idr_marketingconcept.columns.idr_code]: 'CLOUD',
    [idr_marketingconcept.columns.idr_enterthreshold]: 20,
    [idr_marketingconcept.columns.idr_exitthreshold]: 10,
  });
  await engine.create(idr_quotationpolicy.entitySetName, {
    [idr_quotationpolicy.columns.idr_name]: 'Default',
  });
  await engine.create(contact.entitySetName, {
    [contact.columns.lastname]: 'Vidal',
    [contact.columns.idr_language]: Language.Spanish,
  });

  // The emulator has no environment variable or service endpoint tables: deploy says so and goes on.
  const warnings = result.logged.filter((l) => l.startsWith('warn '));
  expect(warnings).toEqual(
    expect.arrayContaining([
      `warn ${interests}: environment variable idr_MaxActiveConcepts not set: this environment has no environmentvariabledefinitions table (the local emulator has none; it takes its webhook URL and key from --webhook-url/--webhook-key).`,
      `warn ${interests}: webhook endpoint IdearioInterestsWebhook not set: this environment has no serviceendpoints table (the local emulator has none; it takes its webhook URL and key from --webhook-url/--webhook-key).`,
      expect.stringContaining(`warn ${groupQuotes}: environment variable idr_ErpHandoffUrl not set`),
    ]),
  );
  expect(warnings).toHaveLength(6);
  expect([...result.printed, ...result.logged].join('\n')).not.toContain(KEY);
});

it("fails a corrupt zip with Dataverse's message from the system job", async () => {
  await freshEmulator();
  const corrupt = path.join(dist, 'corrupt');
  await mkdir(corrupt, { recursive: true });
  const good = await readFile(path.join(dist, `${SOLUTION_NAMES[0]}_1_0_0_0_managed.zip`));
  await writeFile(
    path.join(corrupt, `${SOLUTION_NAMES[0]}_1_0_0_1_managed.zip`),
    good.subarray(0, Math.floor(good.length / 2)),
  );
  const result = await deploy({ dist: corrupt, solution: SOLUTION_NAMES[0] });
  expect(result.code).toBe(1);
  expect(result.printed).toEqual(
    expect.arrayContaining([expect.stringMatching(new RegExp(`^  ${SOLUTION_NAMES[0]}: Failed — \\d+ s$`))]),
  );
  expect(result.logged.at(-1)).toMatch(
    new RegExp(
      `^error deploy failed: The import of ${SOLUTION_NAMES[0]} failed \\(system job [0-9a-f-]{36}\\): The import file is not a valid solution`,
    ),
  );
  expect(result.logged).toEqual(expect.arrayContaining([expect.stringContaining('cannot be read here')]));
});

it('asks for a build when dist/ has no zip, and for the key when given a webhook URL, before importing anything', async () => {
  const { engine } = await freshEmulator();
  const empty = path.join(dist, 'empty');
  await mkdir(empty, { recursive: true });
  const missing = await deploy({ dist: empty });
  expect(missing.code).toBe(1);
  expect(missing.logged.at(-1)).toBe(
    `error deploy failed: No managed zip of ${SOLUTION_NAMES[0]} in ${empty} (expected ${SOLUTION_NAMES[0]}_<version>_managed.zip): run npm run build first.`,
  );

  const printed: string[] = [];
  const logger = memoryLogger();
  const noKey = await runDeploy(
    {
      url: emulator?.url ?? '',
      solution: 'all',
      dist,
      pollSeconds: '1',
      timeoutMinutes: '1',
      webhookUrl: 'https://host.example',
    },
    {
      env: {},
      logger,
      print: (l) => printed.push(l),
      clock: () => new Date(),
      sleep: () => Promise.resolve(),
      newId: randomUUID,
    },
  );
  expect(noKey).toBe(1);
  expect(logger.lines.at(-1)).toContain('give --webhook-key (or IDEARIO_WEBHOOK_KEY)');
  expect((await engine.query(asyncoperation.entitySetName)).records).toHaveLength(0);
});

it('imports the unmanaged zip when asked, and refuses a zip whose content contradicts its name', async () => {
  await freshEmulator();
  const result = await deploy({ unmanaged: true, solution: SOLUTION_NAMES[1] });
  expect(result.code).toBe(0);
  expect(result.printed[0]).toContain(`Importing ${SOLUTION_NAMES[1]} 1.0.0.0 (unmanaged`);

  const renamed = path.join(dist, 'renamed');
  await mkdir(renamed, { recursive: true });
  await copyFile(
    path.join(dist, `${SOLUTION_NAMES[1]}_1_0_0_0.zip`),
    path.join(renamed, `${SOLUTION_NAMES[1]}_1_0_0_0_managed.zip`),
  );
  const refused = await deploy({ dist: renamed, solution: SOLUTION_NAMES[1] });
  expect(refused.code).toBe(1);
  expect(refused.logged.at(-1)).toContain('is unmanaged, but its name says otherwise');
});
