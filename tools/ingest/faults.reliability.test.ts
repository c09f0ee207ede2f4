/**
 * 10,000 interactions scored through `ideario ingest` against an emulator that throttles (429 with
 * Retry-After, from a request limit) and fails 5 % of requests with 503 give the same profiles as a
 * clean run: nothing lost, nothing scored twice. Seeded (the emulator's fault draws and the data) and
 * bounded (the client's retry budget, jest's ceiling); both runs score "now" at the same instant.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  contact,
  EventType,
  idr_interaction,
  idr_interactionrule,
  idr_interestprofile,
  idr_marketingconcept,
  ProcessingStatus,
} from '../../dataverse/generated';
import { memoryLogger } from '../../dataverse/logger';
import { runIngest } from '../cli/ingest';
import { seededRandom } from '../../domain/random';
import { InProcessClient } from '../emulator/inprocess-client';
import type { Fault, RequestLimit } from '../emulator/http/protection';
import { startEmulator, type RunningEmulator } from '../emulator/start';

const SOLUTION_ROOT = path.join(__dirname, '..', '..', 'solution');
const TOKEN = 'faults-ingest-token';
const ROWS = 10_000;
const CONTACTS = 200;
const NOW = new Date('2026-06-01T12:00:00Z');
const MC = idr_marketingconcept.columns;
const RC = idr_interactionrule.columns;
const PC = idr_interestprofile.columns;

const running: RunningEmulator[] = [];
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'ideario-faults-'));
});
afterAll(async () => {
  for (const emulator of running) await emulator.close();
  await rm(dir, { recursive: true, force: true });
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
  await rule(concepts[0] ?? '', EventType.Complaint, -8);
  const ids: string[] = [];
  for (let i = 0; i < CONTACTS; i++)
    ids.push(
      await engine.create(contact.entitySetName, {
        [contact.columns.firstname]: 'Person',
        [contact.columns.lastname]: String(i),
      }),
    );
  return ids;
}

/** The same events for both runs (seeded), naming each environment's own contact ids. */
function csv(contacts: readonly string[]): string {
  const draw = seededRandom(11);
  const kinds = [
    ['EmailClick', 'https://example.com/cloud/offer'],
    ['EmailClick', 'https://example.com/other'],
    ['WebVisit', 'https://example.com/pricing'],
    ['FormSubmission', 'https://example.com/contact'],
    ['Complaint', 'https://example.com/support'],
  ] as const;
  const start = NOW.getTime() - 120 * 86_400_000;
  const lines = ['source,externalid,eventtype,occurredon,contactid,url'];
  for (let i = 0; i < ROWS; i++) {
    const [type, url] = kinds[Math.floor(draw() * kinds.length)] ?? kinds[0];
    const when = new Date(start + Math.floor(draw() * 119 * 86_400_000)).toISOString();
    const who = contacts[Math.floor(draw() * contacts.length)] ?? '';
    lines.push(`crm,row-${i},${type},${when},${who},${url}`);
  }
  return `${lines.join('\n')}\n`;
}

/** Profiles by contact name and concept code, with what a user sees of them. */
async function run(name: string, faults: readonly Fault[], limit?: RequestLimit) {
  const emulator = await startEmulator({
    memory: true,
    port: 0,
    solutionRoot: SOLUTION_ROOT,
    token: TOKEN,
    faults,
    limit,
    random: seededRandom(7),
  });
  running.push(emulator);
  const contacts = await seed(emulator.engine);
  const file = path.join(dir, `${name}.csv`);
  await writeFile(file, csv(contacts));
  const logger = memoryLogger();
  const code = await runIngest(
    file,
    { url: emulator.url, batch: '500', solutionRoot: SOLUTION_ROOT, bypassAsync: true },
    {
      env: { IDEARIO_TOKEN: TOKEN },
      logger,
      print: () => undefined,
      clock: () => NOW,
      sleep: (ms) => new Promise((resolve) => setTimeout(resolve, Math.min(ms, 1000))),
      progress: { update: () => undefined, stop: () => undefined },
    },
  );
  const engine = emulator.engine;
  const names = new Map(
    (
      await engine.query(contact.entitySetName, {
        select: [contact.columns.contactid, contact.columns.lastname],
        top: CONTACTS + 1,
      })
    ).records.map((r) => [r[contact.columns.contactid], r[contact.columns.lastname]]),
  );
  const codes = new Map(
    (await engine.query(idr_marketingconcept.entitySetName, { top: 10 })).records.map((r) => [
      r[MC.idr_marketingconceptid],
      r[MC.idr_code],
    ]),
  );
  const profiles = (await engine.query(idr_interestprofile.entitySetName, { top: CONTACTS * 10 })).records
    .map((r) => ({
      who: `${String(names.get(r[`_${PC.idr_contact}_value`]))}/${String(codes.get(r[`_${PC.idr_concept}_value`]))}`,
      score: r[PC.idr_score],
      accumulator: r[PC.idr_accumulator],
      events: r[PC.idr_eventcount],
      inSegment: r[PC.idr_insegment],
      last: r[PC.idr_lastinteractionon],
    }))
    .sort((a, b) => a.who.localeCompare(b.who));
  // Every page: the emulator, as Dataverse, returns at most 5,000 rows a page.
  const interactions = await new InProcessClient(engine).retrieveMultiple(idr_interaction.entitySetName, {
    select: [idr_interaction.columns.idr_processingstatus],
  });
  const statuses = new Map<unknown, number>();
  for (const r of interactions) {
    const status = r[idr_interaction.columns.idr_processingstatus];
    statuses.set(status, (statuses.get(status) ?? 0) + 1);
  }
  return {
    code,
    errors: logger.lines.filter((l) => l.startsWith('error')),
    retries: logger.lines.filter((l) => l.startsWith('warn Dataverse request failed; retrying.')),
    profiles,
    rows: interactions.length,
    statuses,
  };
}

it('scores 10,000 interactions under 429s and 5 % 503s into the same profiles as a clean run', async () => {
  const clean = await run('clean', []);
  expect(clean.errors).toEqual([]);
  expect(clean.code).toBe(0);
  expect(clean.rows).toBe(ROWS);
  expect(clean.statuses.get(ProcessingStatus.Pending)).toBeUndefined();
  expect(clean.profiles.length).toBeGreaterThan(CONTACTS);

  const faulty = await run('faulty', [{ status: 503, probability: 0.05 }], { requests: 2, windowSeconds: 1 });
  expect(faulty.errors).toEqual([]);
  expect(faulty.code).toBe(0);
  // The faults did happen, and were retried: the clean run retried nothing.
  expect(clean.retries).toEqual([]);
  expect(faulty.retries.some((l) => l.includes('service protection limits reached'))).toBe(true);
  expect(faulty.retries.some((l) => l.includes('HTTP 503'))).toBe(true);
  // Nothing lost, nothing twice: every row once, and every profile as the clean run left it.
  expect(faulty.rows).toBe(ROWS);
  expect(faulty.statuses).toEqual(clean.statuses);
  expect(faulty.profiles).toEqual(clean.profiles);
}, 600_000);
