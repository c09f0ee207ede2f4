import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { asyncoperation, contact, idr_marketingconcept } from '../../../dataverse/generated';
import { silentLogger } from '../../../dataverse/logger';
import { startHost, type RunningHost } from '../../../plugins/host/node-server';
import { createRegistry, defineHandler, SOLUTION_NAMES } from '../../../plugins/registry';
import { loadPlatform, mergeMetadata } from '../../solution/loader';
import { packSolutions } from '../../solution/pack';
import { builtControlsDir } from '../../solution/pcfcache.testkit';
import { validateSolutionSource } from '../../solution/validate';
import { InProcessClient } from '../inprocess-client';
import { startEmulator, type RunningEmulator } from '../start';
import { webhooksExtension } from './extension';
import { HEADERS } from './dispatcher';
import { idearioMetadata, step, TEST_SOLUTION, unusedPort, withSteps } from './webhooks.testkit';

const JOB = asyncoperation.columns;
const { statecode: JobState, statuscode: JobStatus } = asyncoperation.choices;
const SOLUTION_ROOT = path.join(__dirname, '..', '..', '..', 'solution');
const KEY = 'extension-test-key';

let emulator: RunningEmulator | undefined;
let host: RunningHost | undefined;
let dir: string | undefined;

afterEach(async () => {
  await emulator?.close();
  await host?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
  emulator = host = dir = undefined;
});

async function api(
  method: string,
  url: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(url, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

/** Ceiling for the background worker on a loaded machine: the tests wait for the queue, not for a clock. */
const IDLE_CEILING_S = 300;
const TEST_CEILING_MS = (IDLE_CEILING_S + 60) * 1000;

/** Waits for the background worker's queue to be idle (`GET /emulator/jobs/idle`), then reads every job. */
async function jobsWhenIdle(emulatorUrl: string, serviceRoot: string): Promise<Record<string, unknown>[]> {
  const idle = await api('GET', `${emulatorUrl}/emulator/jobs/idle?wait=${IDLE_CEILING_S}`);
  expect(idle).toEqual({ status: 200, json: { idle: true, due: 0, running: 0 } });
  const { json } = await api(
    'GET',
    `${serviceRoot}${asyncoperation.entitySetName}?$orderby=${JOB.versionnumber} asc`,
  );
  return (json.value ?? []) as Record<string, unknown>[];
}

it(
  'imports a solution through the Web API and the background worker, and makes its tables usable',
  async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'ideario-extension-'));
    const [zip] = (
      await packSolutions({
        pcfDir: await builtControlsDir(),
        solutionRoot: SOLUTION_ROOT,
        outDir: dir,
        solution: SOLUTION_NAMES[0],
        validate: (d) => validateSolutionSource(d),
        logger: silentLogger,
      })
    ).filter((z) => z.managed);
    const { tables } = loadPlatform(path.join(SOLUTION_ROOT, 'platform'));
    emulator = await startEmulator({
      memory: true,
      port: 0,
      metadata: mergeMetadata(tables, []).metadata,
      extensions: [webhooksExtension({})],
    });

    const started = await api('POST', `${emulator.serviceRoot}ImportSolutionAsync`, {
      CustomizationFile: (await readFile(zip?.file ?? '')).toString('base64'),
      OverwriteUnmanagedCustomizations: true,
      PublishWorkflows: true,
    });
    expect(started.status).toBe(200);
    const jobId = String(started.json.AsyncOperationId);
    const [job, ...others] = await jobsWhenIdle(emulator.url, emulator.serviceRoot);
    expect(others).toEqual([]);
    expect(job).toMatchObject({ [JOB.asyncoperationid]: jobId, [JOB.statuscode]: JobStatus.Succeeded });

    const created = await api('POST', `${emulator.serviceRoot}${idr_marketingconcept.entitySetName}`, {
      [idr_marketingconcept.columns.idr_name]: 'Cloud migration',
      [idr_marketingconcept.columns.idr_code]: 'CLOUD',
      [idr_marketingconcept.columns.idr_enterthreshold]: 20,
      [idr_marketingconcept.columns.idr_exitthreshold]: 10,
    });
    expect(created.status).toBe(204);
    const listed = await api(
      'GET',
      `${emulator.serviceRoot}${idr_marketingconcept.entitySetName}?$select=${idr_marketingconcept.columns.idr_code}`,
    );
    expect(
      (listed.json.value as Record<string, unknown>[]).map((r) => r[idr_marketingconcept.columns.idr_code]),
    ).toEqual(['CLOUD']);
  },
  TEST_CEILING_MS,
);

it(
  'runs a handler that calls back over HTTP one level deeper each time, and stops the loop at depth 8',
  async () => {
    const s = step({ message: 'Update', entity: contact.logicalName, stage: 40, mode: 1 });
    const handler = defineHandler({
      message: 'Update',
      entity: contact.logicalName,
      stage: 40,
      mode: 1,
      solution: TEST_SOLUTION,
      async handle(ctx) {
        // A handler that passes the correlation id back, as Dataverse asks callers to, so loops are caught.
        const answer = await api(
          'PATCH',
          `${emulator?.serviceRoot ?? ''}${contact.entitySetName}(${ctx.primaryEntityId ?? ''})`,
          { [contact.columns.jobtitle]: `level ${ctx.depth}` },
          { [HEADERS.correlationId]: ctx.correlationId ?? '' },
        );
        if (answer.status >= 300) throw new Error(JSON.stringify(answer.json));
      },
    });
    const port = await unusedPort();
    emulator = await startEmulator({
      memory: true,
      port: 0,
      metadata: withSteps(idearioMetadata(), [s]),
      extensions: [
        webhooksExtension({ IDEARIO_WEBHOOK_URL: `http://127.0.0.1:${port}`, IDEARIO_WEBHOOK_KEY: KEY }),
      ],
    });
    const engine = emulator.engine;
    host = await startHost({
      port,
      deps: {
        client: new InProcessClient(engine),
        clock: () => new Date(),
        logger: silentLogger,
        secrets: { type: 'WebhookKey', key: KEY },
        handlers: createRegistry([handler]),
      },
    });
    const created = await api(
      'POST',
      `${emulator.serviceRoot}${contact.entitySetName}`,
      { [contact.columns.lastname]: 'Vidal' },
      { Prefer: 'return=representation' },
    );
    const id = String(created.json[contact.primaryIdAttribute]);
    await api('PATCH', `${emulator.serviceRoot}${contact.entitySetName}(${id})`, {
      [contact.columns.jobtitle]: 'start',
    });

    const jobs = await jobsWhenIdle(emulator.url, emulator.serviceRoot);
    expect(jobs.every((j) => j[JOB.statecode] === JobState.Completed)).toBe(true);
    expect(jobs.map((j) => j[JOB.depth])).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(jobs[7]?.[JOB.statuscode]).toBe(JobStatus.Failed);
    expect(String(jobs[7]?.[JOB.friendlymessage])).toContain('infinite loop');
    const after = await api(
      'GET',
      `${emulator.serviceRoot}${contact.entitySetName}(${id})?$select=${contact.columns.jobtitle}`,
    );
    expect(after.json[contact.columns.jobtitle]).toBe('level 7');
  },
  TEST_CEILING_MS,
);
