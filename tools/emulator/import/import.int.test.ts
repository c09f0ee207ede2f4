import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  asyncoperation,
  contact,
  customcontrol,
  environmentvariabledefinition,
  idr_marketingconcept,
  serviceendpoint,
  ValueTier,
} from '../../../dataverse/generated';
import { silentLogger } from '../../../dataverse/logger';
import { SOLUTION_NAMES } from '../../../plugins/registry';
import { loadPlatform, loadSolution, mergeMetadata } from '../../solution/loader';
import type { MetadataModel } from '../../solution/model';
import { packSolutions } from '../../solution/pack';
import { builtControlsDir } from '../../solution/pcfcache.testkit';
import { validateSolutionSource } from '../../solution/validate';
import { Engine } from '../engine/engine';
import { UnknownTableError } from '../engine/errors';
import { SystemJobs } from '../jobs/system-jobs';
import { testClock } from '../testing/clock';
import { registerSolutionImport, type SolutionImport } from './actions';

const JOB = asyncoperation.columns;
const { statecode: JobState, statuscode: JobStatus, operationtype: JobType } = asyncoperation.choices;
const INTERESTS = SOLUTION_NAMES[0];
const SOLUTION_ROOT = path.join(__dirname, '..', '..', '..', 'solution');
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

let dir: string;
let managedZip: string;

/** Only the standard tables: what a fresh environment has before Ideario is imported. */
function platformOnly(without: readonly string[] = []): MetadataModel {
  const { tables } = loadPlatform(path.join(SOLUTION_ROOT, 'platform'));
  for (const name of without) delete tables[name];
  return mergeMetadata(tables, []).metadata;
}

interface Emulator {
  engine: Engine;
  jobs: SystemJobs;
  importer: SolutionImport;
}

const open: Engine[] = [];

function emulator(metadata: MetadataModel, file = ':memory:'): Emulator {
  const clock = testClock();
  const engine = new Engine({ metadata, path: file, clock: clock.now });
  open.push(engine);
  const jobs = new SystemJobs({ engine, clock: clock.now, logger: silentLogger });
  const importer = registerSolutionImport(engine, jobs, {
    logger: silentLogger,
    workDir: path.join(dir, 'imports'),
  });
  return { engine, jobs, importer };
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'ideario-import-'));
  const zips = await packSolutions({
    pcfDir: await builtControlsDir(),
    solutionRoot: SOLUTION_ROOT,
    outDir: path.join(dir, 'dist'),
    solution: INTERESTS,
    validate: (d) => validateSolutionSource(d),
    logger: silentLogger,
  });
  const managed = zips.find((z) => z.managed);
  if (!managed) throw new Error(`ideario pack wrote no managed zip for ${INTERESTS}`);
  managedZip = managed.file;
});

afterEach(() => {
  for (const engine of open.splice(0)) engine.close();
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function importZip(
  e: Emulator,
  bytes: Uint8Array,
): Promise<{ AsyncOperationId: string; ImportJobKey: string }> {
  return (await e.engine.execute('ImportSolutionAsync', {
    CustomizationFile: Buffer.from(bytes).toString('base64'),
    OverwriteUnmanagedCustomizations: true,
    PublishWorkflows: true,
  })) as { AsyncOperationId: string; ImportJobKey: string };
}

const concept = {
  [idr_marketingconcept.columns.idr_name]: 'Cloud migration',
  [idr_marketingconcept.columns.idr_code]: 'CLOUD',
  [idr_marketingconcept.columns.idr_enterthreshold]: 20,
  [idr_marketingconcept.columns.idr_exitthreshold]: 10,
};

it(`imports the managed ${INTERESTS} zip into a fresh emulator and makes its tables usable`, async () => {
  const db = path.join(dir, 'fresh.db');
  const e = emulator(platformOnly(), db);
  await expect(e.engine.query(idr_marketingconcept.entitySetName)).rejects.toBeInstanceOf(UnknownTableError);

  const { AsyncOperationId, ImportJobKey } = await importZip(e, await readFile(managedZip));
  expect(AsyncOperationId).toMatch(GUID);
  expect(ImportJobKey).toMatch(GUID);
  const queued = await e.engine.retrieve(asyncoperation.entitySetName, AsyncOperationId);
  expect(queued).toMatchObject({
    [JOB.operationtype]: JobType.ExecuteAsyncRequest,
    [JOB.statecode]: JobState.Ready,
  });

  await e.jobs.drain();
  const done = await e.engine.retrieve(asyncoperation.entitySetName, AsyncOperationId);
  expect(done).toMatchObject({
    [JOB.statecode]: JobState.Completed,
    [JOB.statuscode]: JobStatus.Succeeded,
    [JOB.friendlymessage]: null,
  });
  expect(done[JOB.completedon]).toEqual(expect.any(String));

  const id = await e.engine.create(idr_marketingconcept.entitySetName, concept);
  const found = await e.engine.query(idr_marketingconcept.entitySetName, {
    filter: `${idr_marketingconcept.columns.idr_code} eq 'CLOUD'`,
  });
  expect(found.records.map((r) => r[idr_marketingconcept.primaryIdAttribute])).toEqual([id]);
  // The alternate key came with the table: a second concept with the same code is refused.
  await expect(
    e.engine.create(idr_marketingconcept.entitySetName, {
      ...concept,
      [idr_marketingconcept.columns.idr_name]: 'Copy',
    }),
  ).rejects.toMatchObject({ status: 412 });
  // Columns the solution adds to a standard table, bound to its own choice.
  const contactId = await e.engine.create(contact.entitySetName, {
    [contact.columns.lastname]: 'Vidal',
    [contact.columns.idr_valuetier]: ValueTier.MostValuable,
  });
  expect((await e.engine.retrieve(contact.entitySetName, contactId))[contact.columns.idr_valuetier]).toBe(
    ValueTier.MostValuable,
  );
  await expect(
    e.engine.update(contact.entitySetName, contactId, { [contact.columns.idr_valuetier]: 1 }),
  ).rejects.toMatchObject({ status: 400 });
  // Its webhook steps and endpoint are registered with it.
  const imported = e.engine.metadata.model.solutions.find((s) => s.uniqueName === INTERESTS);
  expect(imported?.steps.length).toBeGreaterThan(0);
  expect(imported?.serviceEndpoints.length).toBe(1);

  // A restarted emulator (same database, metadata from platform/ only) applies the import again.
  e.engine.close();
  const again = emulator(platformOnly(), db);
  expect(await again.importer.reapplyImported()).toEqual([INTERESTS]);
  expect(
    (await again.engine.retrieve(idr_marketingconcept.entitySetName, id))[
      idr_marketingconcept.columns.idr_code
    ],
  ).toBe('CLOUD');
});

it('writes the definitions and the endpoint of the solution, and keeps the URL and key on a later import', async () => {
  const source = loadSolution(path.join(SOLUTION_ROOT, INTERESTS));
  const DEF = environmentvariabledefinition.columns;
  const SE = serviceendpoint.columns;
  const e = emulator(platformOnly());
  const bytes = await readFile(managedZip);
  const definitions = async () =>
    (await e.engine.query(environmentvariabledefinition.entitySetName, { orderBy: [DEF.schemaname] }))
      .records;

  await importZip(e, bytes);
  await e.jobs.drain();
  expect((await definitions()).map((d) => [d[DEF.schemaname], d[DEF.type], d[DEF.defaultvalue]])).toEqual(
    [...source.environmentVariables]
      .sort((a, b) => (a.schemaName < b.schemaName ? -1 : 1))
      .map((v) => [v.schemaName, v.type, v.defaultValue ?? null]),
  );
  const [endpoint] = source.serviceEndpoints;
  if (!endpoint) throw new Error(`${INTERESTS} has no service endpoint`);
  expect(await e.engine.retrieve(serviceendpoint.entitySetName, endpoint.id)).toMatchObject({
    [SE.name]: endpoint.name,
    [SE.contract]: serviceendpoint.choices.contract.Webhook,
    [SE.authtype]: serviceendpoint.choices.authtype.WebhookKey,
    [SE.messageformat]: serviceendpoint.choices.messageformat.Json,
    [SE.url]: null,
  });

  // What deploy sets after an import is not in the zip: importing the same solution again keeps it.
  const settings = { [SE.url]: 'https://host.example/api/webhook/x', [SE.authvalue]: 'k' };
  await e.engine.update(serviceendpoint.entitySetName, endpoint.id, settings);
  await importZip(e, bytes);
  await e.jobs.drain();
  expect(await e.engine.retrieve(serviceendpoint.entitySetName, endpoint.id)).toMatchObject(settings);
  expect(await definitions()).toHaveLength(source.environmentVariables.length);
});

it('records each PCF control as a customcontrol row (name, version, manifest), once across imports', async () => {
  const CC = customcontrol.columns;
  const e = emulator(platformOnly());
  const bytes = await readFile(managedZip);
  const controls = async () =>
    (await e.engine.query(customcontrol.entitySetName, { orderBy: [CC.name] })).records.map((r) => ({
      name: r[CC.name],
      version: r[CC.version],
      manifest: r[CC.manifest],
    }));
  await importZip(e, bytes);
  await e.jobs.drain();
  const rows = await controls();
  expect(rows.map((r) => [r.name, r.version])).toEqual([
    ['idr_Ideario.ImpactRanking', '1.0.0'],
    ['idr_Ideario.InterestProfile', '1.0.0'],
    ['idr_Ideario.TargetBuilder', '1.0.0'],
  ]);
  expect(rows[0]?.manifest).toContain('<control namespace="Ideario" constructor="ImpactRanking"');
  await importZip(e, bytes);
  await e.jobs.drain();
  expect(await controls()).toEqual(rows);
});

it('stages a solution, reports its details, and imports the staged upload', async () => {
  const e = emulator(platformOnly());
  const bytes = await readFile(managedZip);
  const staged = (await e.engine.execute('StageSolution', {
    CustomizationFile: Buffer.from(bytes).toString('base64'),
  })) as {
    StageSolutionResults: {
      StageSolutionUploadId: string;
      StageSolutionStatus: string;
      SolutionDetails: Record<string, unknown>;
      SolutionValidationResults: unknown[];
      MissingDependencies: unknown[];
    };
  };
  const results = staged.StageSolutionResults;
  expect(results).toMatchObject({
    StageSolutionStatus: 'Passed',
    SolutionValidationResults: [],
    MissingDependencies: [],
  });
  expect(results.SolutionDetails).toMatchObject({
    SolutionUniqueName: INTERESTS,
    IsManaged: true,
    PublisherUniqueName: 'ideario',
  });
  expect(results.StageSolutionUploadId).toMatch(GUID);

  const { AsyncOperationId } = (await e.engine.execute('ImportSolutionAsync', {
    OverwriteUnmanagedCustomizations: false,
    PublishWorkflows: true,
    SolutionParameters: { StageSolutionUploadId: results.StageSolutionUploadId },
  })) as { AsyncOperationId: string };
  await e.jobs.drain();
  expect(await e.engine.retrieve(asyncoperation.entitySetName, AsyncOperationId)).toMatchObject({
    [JOB.statuscode]: JobStatus.Succeeded,
  });
  await e.engine.create(idr_marketingconcept.entitySetName, concept);
});

it('fails the system job with a clear message for a corrupt zip', async () => {
  const e = emulator(platformOnly());
  const bytes = await readFile(managedZip);
  const { AsyncOperationId } = await importZip(e, bytes.subarray(0, Math.floor(bytes.length / 2)));
  await e.jobs.drain();
  const job = await e.engine.retrieve(asyncoperation.entitySetName, AsyncOperationId);
  expect(job).toMatchObject({ [JOB.statecode]: JobState.Completed, [JOB.statuscode]: JobStatus.Failed });
  expect(job[JOB.friendlymessage]).toContain('The import file is not a valid solution');
  await expect(e.engine.query(idr_marketingconcept.entitySetName)).rejects.toBeInstanceOf(UnknownTableError);
});

it('fails the system job naming the missing table when a dependency is absent', async () => {
  const e = emulator(platformOnly(['list', 'listmember']));
  const { AsyncOperationId } = await importZip(e, await readFile(managedZip));
  await e.jobs.drain();
  const job = await e.engine.retrieve(asyncoperation.entitySetName, AsyncOperationId);
  expect(job).toMatchObject({ [JOB.statecode]: JobState.Completed, [JOB.statuscode]: JobStatus.Failed });
  expect(job[JOB.friendlymessage]).toContain('table list');
  expect(job[JOB.friendlymessage]).toContain(
    `${idr_marketingconcept.logicalName}.${idr_marketingconcept.columns.idr_marketinglist}`,
  );
  await expect(e.engine.query(idr_marketingconcept.entitySetName)).rejects.toBeInstanceOf(UnknownTableError);
});

it('refuses an ImportSolutionAsync call without a file', async () => {
  const e = emulator(platformOnly());
  await expect(
    e.engine.execute('ImportSolutionAsync', {
      OverwriteUnmanagedCustomizations: true,
      PublishWorkflows: true,
    }),
  ).rejects.toMatchObject({
    status: 400,
    message: expect.stringContaining('CustomizationFile') as unknown,
  });
});
