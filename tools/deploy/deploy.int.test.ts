import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import {
  asyncoperation,
  contact,
  environmentvariabledefinition,
  environmentvariablevalue,
  idr_marketingconcept,
  idr_quotationpolicy,
  Language,
  serviceendpoint,
} from '../../dataverse/generated';
import { memoryLogger } from '../../dataverse/logger';
import { GROUPQUOTES_ENVIRONMENT_VARIABLES } from '../../plugins/handlers/groupquotes/settings';
import { INTERESTS_ENVIRONMENT_VARIABLES } from '../../plugins/handlers/interests/settings';
import { SOLUTION_NAMES } from '../../plugins/registry';
import { runDeploy, type DeployCommandOptions } from '../cli/deploy';
import { webhooksExtension } from '../emulator/webhooks/extension';
import { startEmulator, type RunningEmulator } from '../emulator/start';
import { loadPlatform, loadSolution, mergeMetadata } from '../solution/loader';
import { packSolutions } from '../solution/pack';
import { builtControlsDir } from '../solution/pcfcache.testkit';
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
    pcfDir: await builtControlsDir(),
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
    { url: emulator?.url ?? '', solution: 'all', dist, pollSeconds: '0.05', timeoutMinutes: '10', ...opts },
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
  const maxActiveConcepts = INTERESTS_ENVIRONMENT_VARIABLES.maxActiveConcepts;
  const result = await deploy({
    webhookUrl: 'https://ideario-host.example',
    erpUrl: 'https://erp.example/groups',
    env: [`${maxActiveConcepts}=25`],
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
      `  ${interests}: staged, no missing dependency.`,
      `Deployed ${interests} 1.0.0.0 (imported), ${groupQuotes} 1.0.0.0 (imported).`,
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

  // The import wrote the definitions and endpoints; deploy set one value per definition, bound to it.
  expect(result.logged.filter((l) => l.startsWith('warn '))).toEqual([]);
  const DEF = environmentvariabledefinition.columns;
  const VAL = environmentvariablevalue.columns;
  const definitions = (await engine.query(environmentvariabledefinition.entitySetName)).records;
  const values = (await engine.query(environmentvariablevalue.entitySetName)).records;
  const valueOf = (schemaName: string) => {
    const definition = definitions.find((d) => d[DEF.schemaname] === schemaName);
    const bound = values.filter(
      (v) =>
        v[`_${VAL.environmentvariabledefinitionid}_value`] ===
        definition?.[DEF.environmentvariabledefinitionid],
    );
    return bound.map((v) => v[VAL.value]);
  };
  const sources = SOLUTION_NAMES.map((name) => loadSolution(path.join(SOLUTION_ROOT, name)));
  const urlVariable = sources[0]?.serviceEndpoints[0]?.urlVariable ?? '';
  expect(valueOf(maxActiveConcepts)).toEqual(['25']);
  expect(valueOf(urlVariable)).toEqual(['https://ideario-host.example']);
  expect(valueOf(GROUPQUOTES_ENVIRONMENT_VARIABLES.handoffUrl)).toEqual(['https://erp.example/groups']);
  expect(values).toHaveLength(3);

  const SE = serviceendpoint.columns;
  for (const source of sources) {
    for (const endpoint of source.serviceEndpoints) {
      expect(await engine.retrieve(serviceendpoint.entitySetName, endpoint.id)).toMatchObject({
        [SE.name]: endpoint.name,
        [SE.url]: `https://ideario-host.example/api/webhook/${source.uniqueName}`,
        [SE.authtype]: serviceendpoint.choices.authtype.WebhookKey,
        [SE.authvalue]: KEY,
      });
    }
  }
  expect(result.printed).toEqual(
    expect.arrayContaining([
      `  webhook endpoint ${sources[0]?.serviceEndpoints[0]?.name ?? ''}: URL https://ideario-host.example/api/webhook/${interests}; webhook key set (not shown)`,
    ]),
  );
  expect([...result.printed, ...result.logged].join('\n')).not.toContain(KEY);
});

it('stops a corrupt zip at staging, with the reason, before any import', async () => {
  const { engine } = await freshEmulator();
  const corrupt = path.join(dist, 'corrupt');
  await mkdir(corrupt, { recursive: true });
  const good = await readFile(path.join(dist, `${SOLUTION_NAMES[0]}_1_0_0_0_managed.zip`));
  await writeFile(
    path.join(corrupt, `${SOLUTION_NAMES[0]}_1_0_0_1_managed.zip`),
    good.subarray(0, Math.floor(good.length / 2)),
  );
  const result = await deploy({ dist: corrupt, solution: SOLUTION_NAMES[0] });
  expect(result.code).toBe(1);
  expect(result.logged.at(-1)).toMatch(
    new RegExp(
      `^error deploy failed: Staging ${SOLUTION_NAMES[0]} failed; nothing was imported:\\n  - The import file is not a valid solution`,
    ),
  );
  expect((await engine.query(asyncoperation.entitySetName)).records).toHaveLength(0);
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
