/**
 * Issue 8: `ideario ingest` with its default batch, on an organisation shaped like the demo (contacts
 * in accounts and on their own, several concepts with lists, daily-capped visit, click and open rules,
 * a campaign per concept), costs at most 0.01 Web API requests a row by the emulator's own counter,
 * and every row ends scored or ignored with its reason: none is left for the webhook.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createNodeClient } from '../../dataverse/adapters/node-client';
import type { DataverseClient } from '../../dataverse/client';
import {
  campaign,
  EventType,
  idr_interaction,
  idr_interestprofile,
  ProcessingStatus,
} from '../../dataverse/generated';
import { memoryLogger } from '../../dataverse/logger';
import { seededRandom } from '../../domain/random';
import { runIngest } from '../cli/ingest';
import { startEmulator, type RunningEmulator } from '../emulator/start';
import { seedAccount, seedConcept, seedContact, seedRule } from '../emulator/testing/interests';
import { DEFAULT_BATCH_SIZE } from './ingest';

const SOLUTION_ROOT = path.join(__dirname, '..', '..', 'solution');
const TOKEN = 'requests-ingest-token';
const ROWS = 3000;
const ACCOUNTS = 40;
const CONTACTS_PER_ACCOUNT = 4;
const LONE_CONTACTS = 60;
const CONCEPTS = 8;
const DAY = 86_400_000;
const IC = idr_interaction.columns;

let emulator: RunningEmulator | undefined;
let dir: string | undefined;

afterEach(async () => {
  await emulator?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
  emulator = dir = undefined;
});

interface World {
  readonly contacts: readonly string[];
  /** Per concept: a page its visit rule matches, a link its click rule matches, its newsletter. */
  readonly concepts: readonly { visit: string; click: string; campaignId: string }[];
}

/** Concepts with a list and the demo's three everyday rules, accounts with their staff, lone contacts. */
async function seedWorld(client: DataverseClient): Promise<World> {
  const concepts: World['concepts'][number][] = [];
  for (let i = 0; i < CONCEPTS; i++) {
    const code = `C${i}`;
    const { id } = await seedConcept(client, { code, enter: 15, exit: 8, halfLifeDays: 30 });
    const newsletter = `Newsletter ${code}`;
    const campaignId = await client.create(campaign.entitySetName, { [campaign.columns.name]: newsletter });
    await seedRule(client, {
      concept: id,
      eventType: EventType.WebVisit,
      points: 3,
      match: `url=*/topic-${i}/*`,
      dailyCap: 3,
    });
    await seedRule(client, {
      concept: id,
      eventType: EventType.EmailClick,
      points: 5,
      match: `url=*utm_content=topic-${i}*`,
      dailyCap: 2,
    });
    await seedRule(client, {
      concept: id,
      eventType: EventType.EmailOpen,
      points: 1,
      match: `campaign=${newsletter}`,
      dailyCap: 1,
    });
    concepts.push({
      visit: `https://www.example.test/topic-${i}/overview`,
      click: `https://www.example.test/p?utm_content=topic-${i}`,
      campaignId,
    });
  }
  const contacts: string[] = [];
  for (let a = 0; a < ACCOUNTS; a++) {
    const accountId = await seedAccount(client, `Company ${a}`);
    for (let c = 0; c < CONTACTS_PER_ACCOUNT; c++)
      contacts.push(await seedContact(client, { name: `Staff ${a}-${c}`, accountId }));
  }
  for (let c = 0; c < LONE_CONTACTS; c++) contacts.push(await seedContact(client, { name: `Guest ${c}` }));
  return { contacts, concepts };
}

/** `rows` visits, clicks and opens over 60 days, oldest first, drawn from `random`. */
function eventsCsv(world: World, rows: number, random: () => number): string {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
  const start = Date.UTC(2026, 8, 1);
  const lines = ['source,externalid,eventtype,occurredon,contactid,url,campaign'];
  for (let i = 0; i < rows; i++) {
    const when = new Date(start + Math.floor((i / rows) * 60 * DAY)).toISOString();
    const who = pick(world.contacts);
    const concept = pick(world.concepts);
    const kind = Math.floor(random() * 3);
    if (kind === 0) lines.push(`web,r${i},WebVisit,${when},${who},${concept.visit},`);
    else if (kind === 1) lines.push(`mail,r${i},EmailClick,${when},${who},${concept.click},`);
    else lines.push(`mail,r${i},EmailOpen,${when},${who},,${concept.campaignId}`);
  }
  return `${lines.join('\n')}\n`;
}

it('ingests a few thousand rows with the default batch at most 0.01 requests a row, all of them scored', async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'ideario-ingest-requests-'));
  emulator = await startEmulator({ memory: true, port: 0, solutionRoot: SOLUTION_ROOT, token: TOKEN });
  const client = createNodeClient({ url: emulator.url, getToken: () => Promise.resolve(TOKEN) });
  const world = await seedWorld(client);
  const file = path.join(dir, 'events.csv');
  await writeFile(file, eventsCsv(world, ROWS, seededRandom(8)));

  emulator.stats.reset();
  const logger = memoryLogger();
  const code = await runIngest(
    file,
    { url: emulator.url, batch: String(DEFAULT_BATCH_SIZE), solutionRoot: SOLUTION_ROOT, bypassAsync: true },
    {
      env: { IDEARIO_TOKEN: TOKEN },
      logger,
      print: () => undefined,
      clock: () => new Date(),
      sleep: () => Promise.resolve(),
      progress: { update: () => undefined, stop: () => undefined },
    },
  );
  expect(logger.lines.filter((l) => l.startsWith('error'))).toEqual([]);
  expect(code).toBe(0);
  const counts = emulator.stats.snapshot();
  expect(counts.requests / ROWS).toBeLessThanOrEqual(0.01);

  // Nothing was lost or left to the webhook: each row is there once, scored or ignored by a cap.
  const statuses = await emulator.engine.query(idr_interaction.entitySetName, {
    select: [IC.idr_processingstatus, IC.idr_externalid],
    top: ROWS + 1,
  });
  expect(new Set(statuses.records.map((r) => r[IC.idr_externalid])).size).toBe(ROWS);
  const byStatus = new Map<unknown, number>();
  for (const r of statuses.records) {
    const status = r[IC.idr_processingstatus];
    byStatus.set(status, (byStatus.get(status) ?? 0) + 1);
  }
  const others = [...byStatus.keys()].filter(
    (s) => s !== ProcessingStatus.Scored && s !== ProcessingStatus.Ignored,
  );
  expect(others).toEqual([]);
  expect(byStatus.get(ProcessingStatus.Scored) ?? 0).toBeGreaterThan(ROWS * 0.9);
  const profiles = await emulator.engine.query(idr_interestprofile.entitySetName, {
    select: [idr_interestprofile.columns.idr_eventcount],
    top: 5000,
  });
  const counted = profiles.records.reduce(
    (n, r) => n + Number(r[idr_interestprofile.columns.idr_eventcount] ?? 0),
    0,
  );
  // Every scored row adds one event to exactly one profile (one rule per concept and event type).
  expect(counted).toBe(byStatus.get(ProcessingStatus.Scored));
}, 300_000);
