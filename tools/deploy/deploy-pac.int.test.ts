/**
 * `ideario deploy` as `pac solution import --stage-and-upgrade --settings-file` behaves, against the
 * emulator: staging stops on missing dependencies, the version decides between no-op, refusal and
 * upgrade, an unmanaged import is published, and a settings file in pac's format gives the values.
 */
import { randomUUID } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  asyncoperation,
  environmentvariabledefinition as DEF,
  environmentvariablevalue as VAL,
  solution as SOLUTION,
} from '../../dataverse/generated';
import { memoryLogger } from '../../dataverse/logger';
import { INTERESTS_ENVIRONMENT_VARIABLES } from '../../plugins/handlers/interests/settings';
import { SOLUTION_NAMES } from '../../plugins/registry';
import { runDeploy, type DeployCommandOptions } from '../cli/deploy';
import { startEmulator, type RunningEmulator } from '../emulator/start';
import { webhooksExtension } from '../emulator/webhooks/extension';
import { loadPlatform, mergeMetadata } from '../solution/loader';
import { packSolutions } from '../solution/pack';
import { validateSolutionSource } from '../solution/validate';
import { builtControlsDir } from '../solution/pcfcache.testkit';

const SOLUTION_ROOT = path.join(__dirname, '..', '..', 'solution');
const [INTERESTS, GROUP_QUOTES] = SOLUTION_NAMES;
const JOB = asyncoperation.columns;
const temp: string[] = [];
let dist: string;
let newer: string;
let emulator: RunningEmulator | undefined;

function tempDir(prefix: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  temp.push(dir);
  return dir;
}

async function pack(root: string, out: string): Promise<void> {
  await packSolutions({
    pcfDir: await builtControlsDir(),
    solutionRoot: root,
    outDir: out,
    validate: (d) => validateSolutionSource(d),
    logger: memoryLogger(),
  });
}

beforeAll(async () => {
  dist = tempDir('ideario-deploy-pac-');
  await pack(SOLUTION_ROOT, dist);
  // The same solutions one version on: 1.0.1.0.
  const root = tempDir('ideario-deploy-pac-src-');
  cpSync(SOLUTION_ROOT, root, { recursive: true });
  for (const name of SOLUTION_NAMES) {
    const manifest = path.join(root, name, 'src', 'Other', 'Solution.xml');
    writeFileSync(
      manifest,
      readFileSync(manifest, 'utf8').replace('<Version>1.0.0.0</Version>', '<Version>1.0.1.0</Version>'),
    );
  }
  newer = tempDir('ideario-deploy-pac-newer-');
  await pack(root, newer);
}, 180_000);

afterAll(() => {
  for (const dir of temp) rmSync(dir, { recursive: true, force: true });
});

afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

/** The standard tables, as before Ideario is installed; `without` drops some, as an org lacking an app. */
async function freshEmulator(without: readonly string[] = []): Promise<RunningEmulator> {
  const { tables } = loadPlatform(path.join(SOLUTION_ROOT, 'platform'));
  for (const name of without) delete tables[name];
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
      env: {},
      logger,
      print: (line) => printed.push(line),
      clock: () => new Date(),
      sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
      newId: randomUUID,
    },
  );
  return {
    code,
    printed,
    text: printed.join('\n'),
    error: logger.lines.filter((l) => l.startsWith('error')).join('\n'),
  };
}

async function jobNames(): Promise<unknown[]> {
  const rows = (
    await (emulator as RunningEmulator).engine.query(asyncoperation.entitySetName, {
      orderBy: [`${JOB.createdon} asc`],
    })
  ).records;
  return rows.map((r) => r[JOB.name]);
}

async function installedVersion(name: string): Promise<unknown> {
  const [row] = (
    await (emulator as RunningEmulator).engine.query(SOLUTION.entitySetName, {
      filter: `${SOLUTION.columns.uniquename} eq '${name}'`,
    })
  ).records;
  return row?.[SOLUTION.columns.version];
}

it('stages first: a missing dependency is listed and nothing is imported', async () => {
  await freshEmulator(['opportunity']);
  const result = await deploy({ solution: GROUP_QUOTES });
  expect(result.code).toBe(1);
  expect(result.error).toContain(`Staging ${GROUP_QUOTES} failed; nothing was imported:`);
  expect(result.error).toMatch(/ {2}- missing table opportunity/);
  // From the <MissingDependencies> ideario pack computed: which app brings the table.
  expect(result.error).toContain(
    `missing table opportunity "Opportunity" (needed by idr_phasehistory.idr_opportunity): install Dynamics 365 Sales (msdynce_Sales) first`,
  );
  expect(await jobNames()).toEqual([]);
}, 120_000);

it('names Customer Service as what brings Case when an environment without it stages Interests', async () => {
  await freshEmulator(['incident']);
  const result = await deploy({ solution: INTERESTS });
  expect(result.code).toBe(1);
  expect(result.error).toContain(`Staging ${INTERESTS} failed; nothing was imported:`);
  expect(result.error).toContain(
    `missing table incident "Case" (needed by the columns ${INTERESTS} adds to it): install Dynamics 365 Customer Service (msdynce_Service) first`,
  );
  // Only what is really absent: contact, account, lists and campaigns are there.
  expect(result.error).not.toMatch(/missing table (contact|account|list|campaign)\b/);
  expect(await jobNames()).toEqual([]);
}, 120_000);

it('checks the version: same is a no-op, older is refused unless --force, newer is an upgrade', async () => {
  await freshEmulator();
  expect((await deploy({ solution: INTERESTS })).code).toBe(0);
  expect(await jobNames()).toEqual(['ImportSolutionAsync']);

  const same = await deploy({ solution: INTERESTS });
  expect(same.code).toBe(0);
  expect(same.text).toContain(
    `${INTERESTS} 1.0.0.0 is already installed (managed): nothing to import (--force imports it again).`,
  );
  expect(same.text).toContain(`Deployed ${INTERESTS} 1.0.0.0 (unchanged)`);
  expect(await jobNames()).toEqual(['ImportSolutionAsync']);

  const upgraded = await deploy({ solution: INTERESTS, dist: newer });
  expect(upgraded.error).toBe('');
  expect(upgraded.code).toBe(0);
  expect(upgraded.text).toContain(`Upgrading ${INTERESTS} 1.0.0.0 → 1.0.1.0 (managed`);
  expect(upgraded.text).toContain(`Deployed ${INTERESTS} 1.0.1.0 (upgraded)`);
  expect(await jobNames()).toEqual(['ImportSolutionAsync', 'StageAndUpgradeAsync']);
  expect(await installedVersion(INTERESTS)).toBe('1.0.1.0');

  const older = await deploy({ solution: INTERESTS });
  expect(older.code).toBe(1);
  expect(older.error).toContain(
    `${INTERESTS} 1.0.1.0 is installed and the zip holds 1.0.0.0, an older version: nothing was imported.`,
  );
  expect(await jobNames()).toHaveLength(2);

  const forced = await deploy({ solution: INTERESTS, force: true });
  expect(forced.code).toBe(0);
  expect(await installedVersion(INTERESTS)).toBe('1.0.0.0');
}, 180_000);

it('publishes after an unmanaged import, and only then', async () => {
  await freshEmulator();
  const unmanaged = await deploy({ solution: INTERESTS, unmanaged: true });
  expect(unmanaged.code).toBe(0);
  expect(unmanaged.text).toContain(`  ${INTERESTS}: customizations published (PublishAllXml).`);
  const managed = await deploy({ solution: GROUP_QUOTES });
  expect(managed.code).toBe(0);
  expect(managed.text).not.toContain('PublishAllXml');
}, 120_000);

it('writes a settings file in pac format and applies the values filled in, --env winning', async () => {
  await freshEmulator();
  const dir = tempDir('ideario-deploy-pac-settings-');
  const file = path.join(dir, 'settings.json');
  const created = await deploy({ createSettings: file });
  expect(created.code).toBe(0);
  expect(created.text).toContain(`Wrote ${file}`);
  const settings = JSON.parse(readFileSync(file, 'utf8')) as {
    EnvironmentVariables: { SchemaName: string; Value: string }[];
    ConnectionReferences: unknown[];
  };
  expect(settings.ConnectionReferences).toEqual([]);
  expect(settings.EnvironmentVariables.map((v) => v.SchemaName).sort()).toEqual([
    'idr_ErpHandoffUrl',
    'idr_MaxActiveConcepts',
    'idr_NearFullPercent',
    'idr_WebhookUrl',
  ]);
  expect(settings.EnvironmentVariables.every((v) => v.Value === '')).toBe(true);
  // --create-settings imports nothing.
  expect(await jobNames()).toEqual([]);

  const values: Record<string, string> = {
    idr_ErpHandoffUrl: 'https://erp.example/groups',
    idr_MaxActiveConcepts: '40',
  };
  for (const v of settings.EnvironmentVariables) v.Value = values[v.SchemaName] ?? '';
  writeFileSync(file, JSON.stringify(settings));
  const maxConcepts = INTERESTS_ENVIRONMENT_VARIABLES.maxActiveConcepts;
  const deployed = await deploy({ settingsFile: file, env: [`${maxConcepts}=45`] });
  expect(deployed.error).toBe('');
  expect(deployed.code).toBe(0);
  const engine = (emulator as RunningEmulator).engine;
  const definitions = (await engine.query(DEF.entitySetName)).records;
  const valueOf = async (schemaName: string) => {
    const id = definitions.find((d) => d[DEF.columns.schemaname] === schemaName)?.[
      DEF.primaryIdAttribute
    ] as string;
    const rows = (
      await engine.query(VAL.entitySetName, {
        filter: `_${VAL.columns.environmentvariabledefinitionid}_value eq ${id}`,
      })
    ).records;
    return rows.map((r) => r[VAL.columns.value]);
  };
  expect(await valueOf('idr_ErpHandoffUrl')).toEqual(['https://erp.example/groups']);
  expect(await valueOf(maxConcepts)).toEqual(['45']);
  // An empty Value leaves the variable as it is.
  expect(await valueOf('idr_WebhookUrl')).toEqual([]);

  writeFileSync(file, '{"EnvironmentVariables": [{"SchemaName": "idr_MaxActiveConcepts", "Value": 40}]}');
  const refused = await deploy({ settingsFile: file });
  expect(refused.code).toBe(1);
  expect(refused.error).toContain(
    `${file}: EnvironmentVariables[0] (idr_MaxActiveConcepts): Value must be a string, as pac writes it.`,
  );
}, 180_000);
