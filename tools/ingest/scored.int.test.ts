/**
 * `ideario ingest` against the emulator wired to the real webhook host, counted by the emulator's own
 * request counter: a few thousand rows, scoring included, cost at most 0.01 Web API requests a row,
 * and every row ends Scored with its profile written; with --bypass-async no system job is queued.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  asyncoperation,
  contact,
  EventType,
  idr_interaction,
  idr_interactionrule,
  idr_interestprofile,
  idr_marketingconcept,
  ProcessingStatus,
} from '../../dataverse/generated';
import { memoryLogger, silentLogger } from '../../dataverse/logger';
import { handlers } from '../../plugins/host/catalog';
import type { RunningHost } from '../../plugins/host/node-server';
import { runIngest } from '../cli/ingest';
import type { RunningEmulator } from '../emulator/start';
import { startWiredEnvironment } from '../emulator/wired.testkit';

const SOLUTION_ROOT = path.join(__dirname, '..', '..', 'solution');
const TOKEN = 'scored-ingest-token';
const KEY = 'scored-ingest-key';
const ROWS = 3000;
const CONTACTS = 60;
const MC = idr_marketingconcept.columns;
const RC = idr_interactionrule.columns;
const JOB = asyncoperation.columns;

let emulator: RunningEmulator | undefined;
let host: RunningHost | undefined;
let dir: string | undefined;

afterEach(async () => {
  await emulator?.close();
  await host?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
  emulator = host = dir = undefined;
});

async function seed(engine: RunningEmulator['engine']): Promise<string[]> {
  const concepts: string[] = [];
  for (const code of ['CLOUD', 'DATA', 'SECURITY']) {
    concepts.push(
      await engine.create(idr_marketingconcept.entitySetName, {
        [MC.idr_name]: `Concept ${code}`,
        [MC.idr_code]: code,
        [MC.idr_halflifedays]: 30,
        [MC.idr_enterthreshold]: 20,
        [MC.idr_exitthreshold]: 10,
      }),
    );
  }
  const rule = (concept: string, eventType: number, points: number, extra: Record<string, unknown> = {}) =>
    engine.create(idr_interactionrule.entitySetName, {
      [RC.idr_name]: `Rule ${points}`,
      [RC.idr_eventtype]: eventType,
      [RC.idr_points]: points,
      [`${RC.idr_concept}@odata.bind`]: `/${idr_marketingconcept.entitySetName}(${concept})`,
      ...extra,
    });
  await rule(concepts[0] ?? '', EventType.EmailClick, 5, { [RC.idr_match]: 'url=*cloud*' });
  await rule(concepts[1] ?? '', EventType.WebVisit, 2, { [RC.idr_dailycap]: 3 });
  await rule(concepts[2] ?? '', EventType.FormSubmission, 15, { [RC.idr_repeatable]: false });
  const ids: string[] = [];
  for (let i = 0; i < CONTACTS; i++) {
    ids.push(
      await engine.create(contact.entitySetName, {
        [contact.columns.firstname]: `Person`,
        [contact.columns.lastname]: `${i}`,
      }),
    );
  }
  return ids;
}

async function openJobs(engine: RunningEmulator['engine']): Promise<number> {
  const page = await engine.query(asyncoperation.entitySetName, {
    filter: `${JOB.statecode} ne ${asyncoperation.choices.statecode.Completed}`,
    top: 5000,
  });
  return page.records.length;
}

it('ingests a few thousand rows scored, at most 0.01 Web API requests a row by the emulator counter', async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'ideario-scored-'));
  const wired = await startWiredEnvironment({
    handlers: handlers,
    logger: silentLogger,
    token: TOKEN,
    key: KEY,
  });
  host = wired.host;
  emulator = wired.emulator;
  const contacts = await seed(emulator.engine);

  const kinds = [
    ['EmailClick', 'https://example.com/cloud/offer'],
    ['EmailClick', 'https://example.com/other'],
    ['WebVisit', 'https://example.com/pricing'],
    ['FormSubmission', 'https://example.com/contact'],
  ] as const;
  const start = Date.now() - 200 * 86_400_000;
  const lines = ['source,externalid,eventtype,occurredon,contactid,url'];
  for (let i = 0; i < ROWS; i++) {
    const [type, url] = kinds[(i * 7) % kinds.length] ?? kinds[0];
    const when = new Date(start + i * 3_600_000).toISOString();
    lines.push(
      `crm,row-${i},${type},${when},${contacts[(i * 13 + Math.floor(i / 4)) % CONTACTS] ?? ''},${url}`,
    );
  }
  const file = path.join(dir, 'events.csv');
  await writeFile(file, `${lines.join('\n')}\n`);

  // Seeding concepts and rules queued their own webhook jobs: they run out before the count starts.
  await emulator.whenJobsIdle();
  emulator.stats.reset();
  const logger = memoryLogger();
  const code = await runIngest(
    file,
    { url: emulator.url, batch: '1000', solutionRoot: SOLUTION_ROOT, bypassAsync: true },
    {
      env: { IDEARIO_TOKEN: TOKEN },
      logger,
      print: () => undefined,
      clock: () => new Date(),
      sleep: () => Promise.resolve(),
      progress: { update: () => undefined, stop: () => undefined },
    },
  );
  expect(code).toBe(0);
  const engine = emulator.engine;
  // Rows arrive scored and --bypass-async queues no Create webhook job (bulk.int.test.ts shows the
  // handler reads nothing when one does run).
  expect(await openJobs(engine)).toBe(0);

  const counts = emulator.stats.snapshot();
  expect(counts.requests / ROWS).toBeLessThanOrEqual(0.01);

  const statuses = await engine.query(idr_interaction.entitySetName, {
    select: [idr_interaction.columns.idr_processingstatus],
    top: ROWS + 1,
  });
  expect(statuses.records).toHaveLength(ROWS);
  const byStatus = new Map<unknown, number>();
  for (const r of statuses.records) {
    const status = r[idr_interaction.columns.idr_processingstatus];
    byStatus.set(status, (byStatus.get(status) ?? 0) + 1);
  }
  // A quarter of the rows match no rule (other URLs), the rest are scored or held back by caps.
  expect(byStatus.get(ProcessingStatus.Pending)).toBeUndefined();
  expect(byStatus.get(ProcessingStatus.Scored) ?? 0).toBeGreaterThan(ROWS / 2);
  const profiles = await engine.query(idr_interestprofile.entitySetName, { top: 1000 });
  expect(profiles.records.length).toBe(CONTACTS * 3);
  // The catalog read (concepts, rules) and the batches: nothing else reaches the Web API.
  expect(counts.byMethod).toEqual({ GET: 2, POST: counts.batches });
  expect(profiles.records[0]?.[idr_interestprofile.columns.idr_name]).toMatch(/^Person \d+ · Concept /);
}, 180_000);
