import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { DataverseUnreachableError } from '../../dataverse/adapters/errors';
import { createNodeClient } from '../../dataverse/adapters/node-client';
import type { BatchOperation, DataverseClient } from '../../dataverse/client';
import {
  account,
  contact,
  EventType,
  idr_interaction,
  idr_marketingconcept,
} from '../../dataverse/generated';
import { memoryLogger } from '../../dataverse/logger';
import { runIngest, type IngestCommandOptions } from '../cli/ingest';
import type { RequestLimit } from '../emulator/http/protection';
import { startEmulator, type RunningEmulator } from '../emulator/start';
import { stateFileFor, loadState } from './checkpoint';
import { errorsFileFor, type IngestProgress } from './ingest';

const SOLUTION_ROOT = path.join(__dirname, '..', '..', 'solution');
const FIXTURE = path.join(__dirname, '__fixtures__', 'events.csv');
const ANA = '3f2504e0-4f89-41d3-9a0c-0305e82c3301';
const LUIS = '3f2504e0-4f89-41d3-9a0c-0305e82c3302';
const ACCOUNT = '7d577253-3ef0-4a0a-bb7f-8335c2596e70';
const GOOD_ROWS = 31;
const DATA_ROWS = 44;
const I = idr_interaction.columns;

let emulator: RunningEmulator | undefined;
let dir: string;

async function start(limit?: RequestLimit): Promise<RunningEmulator> {
  emulator = await startEmulator({ memory: true, port: 0, solutionRoot: SOLUTION_ROOT, limit });
  const e = emulator.engine;
  const person = (id: string, lastname: string, email: string) =>
    e.create(contact.entitySetName, {
      [contact.primaryIdAttribute]: id,
      [contact.columns.lastname]: lastname,
      [contact.columns.emailaddress1]: email,
    });
  await person(ANA, 'Vidal', 'ana@example.com');
  await person(LUIS, 'Ortega', 'luis@example.com');
  await person('3f2504e0-4f89-41d3-9a0c-0305e82c3303', 'Shared', 'shared@example.com');
  await person('3f2504e0-4f89-41d3-9a0c-0305e82c3304', 'Shared', 'Shared@example.com');
  await e.create(account.entitySetName, {
    [account.primaryIdAttribute]: ACCOUNT,
    [account.columns.name]: 'Contoso',
  });
  await e.create(idr_marketingconcept.entitySetName, {
    [idr_marketingconcept.columns.idr_name]: 'Cloud migration',
    [idr_marketingconcept.columns.idr_code]: 'CLOUD',
    [idr_marketingconcept.columns.idr_enterthreshold]: 20,
    [idr_marketingconcept.columns.idr_exitthreshold]: 10,
  });
  return emulator;
}

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'ideario-ingest-'));
});

afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
  await rm(dir, { recursive: true, force: true });
});

async function fixtureCopy(): Promise<string> {
  const file = path.join(dir, 'events.csv');
  await copyFile(FIXTURE, file);
  return file;
}

interface Run {
  code: number;
  printed: string[];
  logged: string[];
  progress: IngestProgress[];
}

async function run(
  file: string,
  opts: Partial<IngestCommandOptions> = {},
  client?: DataverseClient,
  stopAt?: number,
): Promise<Run> {
  const controller = new AbortController();
  const printed: string[] = [];
  const logger = memoryLogger();
  const progress: IngestProgress[] = [];
  const code = await runIngest(
    file,
    { url: emulator?.url, batch: '5', solutionRoot: SOLUTION_ROOT, ...opts },
    {
      env: {},
      logger,
      print: (line) => printed.push(line),
      clock: () => new Date(),
      sleep: () => Promise.resolve(),
      progress: {
        update: (p) => {
          progress.push(p);
          if (stopAt !== undefined && p.doneRows >= stopAt) controller.abort();
        },
        stop: () => {},
      },
      client,
      signal: controller.signal,
    },
  );
  return { code, printed, logged: logger.lines, progress };
}

async function interactions(): Promise<Record<string, unknown>[]> {
  const page = await (emulator as RunningEmulator).engine.query(idr_interaction.entitySetName, { top: 5000 });
  return page.records;
}

/** The node client the command would build, with executeBatch wrapped to fail like a dropped connection. */
function flakyClient(
  failAfter: number,
  commitFirst: boolean,
): DataverseClient & { sentOps: BatchOperation[][] } {
  const real = createNodeClient({
    url: (emulator as RunningEmulator).url,
    getToken: () => Promise.resolve('t'),
    retry: { maxAttempts: 1 },
  });
  const sentOps: BatchOperation[][] = [];
  let calls = 0;
  return {
    ...real,
    sentOps,
    async executeBatch(ops, options) {
      calls++;
      if (calls > failAfter) {
        // A response lost after Dataverse did the work (the rows are in, but the run never heard so),
        // then the connection stays down.
        if (commitFirst && calls === failAfter + 1) await real.executeBatch(ops, options);
        throw new DataverseUnreachableError('http://127.0.0.1', 'ECONNRESET socket hang up');
      }
      sentOps.push([...ops]);
      return real.executeBatch(ops, options);
    },
  };
}

it('creates the good rows, writes each bad row with its line, column and reason to the errors file', async () => {
  await start();
  const file = await fixtureCopy();
  const result = await run(file);
  expect(result.code).toBe(2);
  expect(result.printed).toEqual([
    `Ingested ${DATA_ROWS} row(s): ${GOOD_ROWS} sent, ${DATA_ROWS - GOOD_ROWS} rejected, in ${result.printed[0]?.split(', in ')[1] ?? ''}`,
    `Rejected rows and why: ${errorsFileFor(file)}`,
  ]);

  const rows = await interactions();
  expect(rows).toHaveLength(GOOD_ROWS);
  const byId = new Map(rows.map((r) => [r[I.idr_externalid], r]));
  // By email (any case), with the explicit concept bound by its code.
  expect(byId.get('nl-006')).toMatchObject({
    [I.idr_source]: 'newsletter',
    [I.idr_eventtype]: EventType.EventAttended,
    [I.idr_occurredon]: '2025-01-07T09:06:00Z',
    [`_${I.idr_contact}_value`]: ANA,
    [I.idr_url]: 'https://contoso.example/pricing?i=6',
  });
  expect(byId.get('nl-006')?.[`_${I.idr_concept}_value`]).toEqual(expect.any(String));
  expect(byId.get('nl-001')).toMatchObject({
    [`_${I.idr_contact}_value`]: LUIS,
    [I.idr_occurredon]: '2025-02-02T09:15:00Z',
    [I.idr_product]: 'Azure Migrate',
  });
  expect(byId.get('ws-005')).toMatchObject({
    [I.idr_eventtype]: EventType.CaseOpened,
    [`_${I.idr_account}_value`]: ACCOUNT,
    [I.idr_occurredon]: '2025-03-06T00:00:00Z',
  });
  expect(byId.get('case-001')?.[I.idr_casesubject]).toBe('Billing, invoices\nand refunds');

  const errors = parse(await readFile(errorsFileFor(file)), { columns: true }) as Record<string, string>[];
  expect(errors.map((e) => [Number(e.line), e.column])).toEqual([
    [4, 'eventtype'],
    [7, 'occurredon'],
    [10, 'occurredon'],
    [13, 'occurredon'],
    [16, 'externalid'],
    [19, 'contactemail'],
    [22, 'contactemail'],
    [25, 'contactemail'],
    [28, 'contactid'],
    [31, ''],
    [34, 'concept'],
    [37, 'contactid'],
    [40, 'source'],
  ]);
  const why = new Map(errors.map((e) => [Number(e.line), e.error]));
  expect(why.get(4)).toContain("'Clicked' is not an event type: use one of EmailClick, EmailOpen");
  expect(why.get(13)).toContain('is in the future');
  expect(why.get(22)).toContain("no active contact has the email 'nobody@example.com'");
  expect(why.get(25)).toContain('2 active contacts have the email');
  expect(why.get(31)).toContain('the row has 5 fields; the header has 13');
  expect(why.get(34)).toMatch(/^Dataverse refused the row: .*NOSUCHCONCEPT/);
  expect(why.get(40)).toContain('at most 100 are allowed');
  // The row itself follows, so the errors file can be fixed and ingested again.
  expect(errors[0]).toMatchObject({ source: 'newsletter', externalid: 'nl-bad-1', eventtype: 'Clicked' });

  expect(result.progress.at(-1)).toMatchObject({
    doneRows: DATA_ROWS,
    totalRows: DATA_ROWS,
    sent: GOOD_ROWS,
    failed: DATA_ROWS - GOOD_ROWS,
  });
  expect(result.progress.map((p) => p.doneRows)).toEqual([0, 5, 10, 15, 20, 25, 30, 35, 40, 44]);
  expect(await loadState(stateFileFor(file))).toMatchObject({ complete: true, lastCommittedRow: DATA_ROWS });

  // A replay of the same file creates nothing new: source + externalid is the alternate key.
  const again = await run(file);
  expect(again.code).toBe(2);
  expect(await interactions()).toHaveLength(GOOD_ROWS);
});

it('resumes after an interrupted run without sending acknowledged rows again or duplicating any', async () => {
  await start();
  const file = await fixtureCopy();
  // Three batches go through; the fourth reaches Dataverse but its answer is lost.
  const flaky = flakyClient(3, true);
  const first = await run(file, {}, flaky);
  expect(first.code).toBe(1);
  expect(first.logged.at(-1)).toMatch(/ingest failed: Ingest stopped after data row 15: .*--resume/);
  expect(await loadState(stateFileFor(file))).toMatchObject({ complete: false, lastCommittedRow: 15 });
  const rowsBefore = (await interactions()).length;

  const counting = flakyClient(Number.POSITIVE_INFINITY, false);
  const resumed = await run(file, { resume: true }, counting);
  expect(resumed.code).toBe(2);
  expect(resumed.printed[0]).toContain('(15 done by an earlier run)');
  // Only rows after the checkpoint were sent: the fourth batch again (its answer was lost), then the rest.
  const sentIds = counting.sentOps
    .flat()
    .map((op) => (op.kind === 'create' ? op.record[I.idr_externalid] : undefined));
  expect(sentIds).not.toContain('nl-001');
  expect(sentIds).toContain('nl-013');
  // The good rows of rows 1–20: the lost fourth batch is in Dataverse too.
  expect(rowsBefore).toBe(14);

  const rows = await interactions();
  expect(rows).toHaveLength(GOOD_ROWS);
  expect(new Set(rows.map((r) => `${String(r[I.idr_source])}|${String(r[I.idr_externalid])}`)).size).toBe(
    GOOD_ROWS,
  );
  const errors = parse(await readFile(errorsFileFor(file)), { columns: true }) as Record<string, string>[];
  expect(errors.map((e) => Number(e.line))).toEqual([4, 7, 10, 13, 16, 19, 22, 25, 28, 31, 34, 37, 40]);

  const nothingLeft = await run(file, { resume: true });
  expect(nothingLeft.printed[0]).toMatch(/^Nothing to do/);
});

it('stops after the batch under way when asked (Ctrl+C), with a checkpoint to resume from', async () => {
  await start();
  const file = await fixtureCopy();
  const stopped = await run(file, {}, undefined, 10);
  expect(stopped.code).toBe(1);
  expect(stopped.logged.at(-1)).toContain('Ingest stopped after data row 10: stopped on request');
  expect(await loadState(stateFileFor(file))).toMatchObject({
    complete: false,
    lastCommittedRow: 10,
    failed: 3,
  });
  const resumed = await run(file, { resume: true });
  expect(resumed.code).toBe(2);
  expect(await interactions()).toHaveLength(GOOD_ROWS);
  const errors = parse(await readFile(errorsFileFor(file)), { columns: true }) as Record<string, string>[];
  expect(errors).toHaveLength(DATA_ROWS - GOOD_ROWS);
});

it('refuses to resume into a file that changed, and reads a header without a customer column as fatal', async () => {
  await start();
  const file = await fixtureCopy();
  await run(file, {}, flakyClient(1, false));
  await writeFile(
    file,
    `${(await readFile(file, 'utf8')).trimEnd()}\nnewsletter,nl-999,EmailClick,2025-01-01,ana@example.com,,,,,,,,\n`,
  );
  const resumed = await run(file, { resume: true });
  expect(resumed.code).toBe(1);
  expect(resumed.logged.at(-1)).toContain('changed since that run');

  const bare = path.join(dir, 'bare.csv');
  await writeFile(bare, 'externalid,eventtype,occurredon\nx-1,EmailClick,2025-01-01\n');
  const refused = await run(bare);
  expect(refused.code).toBe(1);
  expect(refused.logged.at(-1)).toContain(
    "the header has no 'source' column: add one, or pass --source <name>",
  );
  expect(refused.logged.at(-1)).toContain(
    "the header needs a customer column: 'contactemail', 'contactid' or 'accountid'",
  );
});

it('slows down against a rate-limited emulator but loses no row', async () => {
  await start({ requests: 3, windowSeconds: 1 });
  const file = path.join(dir, 'many.csv');
  const lines = Array.from(
    { length: 24 },
    (_, i) =>
      `partner,p-${i},WebVisit,2025-01-${String((i % 28) + 1).padStart(2, '0')}T10:00:00Z,${i % 2 ? ANA : LUIS}`,
  );
  await writeFile(file, `source,externalid,eventtype,occurredon,contactid\n${lines.join('\n')}\n`);
  const result = await run(file, { batch: '4' });
  expect(result.code).toBe(0);
  expect(
    result.logged.some(
      (l) => l.includes('Dataverse request failed; retrying.') && l.includes('service protection'),
    ),
  ).toBe(true);
  expect((await interactions()).map((r) => r[I.idr_externalid]).sort()).toEqual(
    lines.map((_, i) => `p-${i}`).sort(),
  );
});
