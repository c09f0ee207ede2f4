/**
 * Ingest against bad input: a file that is not UTF-8, values a spreadsheet would run as formulas,
 * and two runs on the same checkpoint. Each is refused or neutralised with nothing lost or doubled.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { contact, idr_interaction } from '../../dataverse/generated';
import { memoryLogger } from '../../dataverse/logger';
import { runIngest, type IngestCommandOptions } from '../cli/ingest';
import { startEmulator, type RunningEmulator } from '../emulator/start';
import { lockFileFor, stateFileFor } from './checkpoint';
import { errorsFileFor } from './ingest';

const SOLUTION_ROOT = path.join(__dirname, '..', '..', 'solution');
const ANA = '3f2504e0-4f89-41d3-9a0c-0305e82c3301';
const HEADER = 'source,externalid,eventtype,occurredon,contactid,casesubject';
const I = idr_interaction.columns;

let emulator: RunningEmulator;
let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'ideario-ingest-hard-'));
  emulator = await startEmulator({ memory: true, port: 0, solutionRoot: SOLUTION_ROOT });
  await emulator.engine.create(contact.entitySetName, {
    [contact.primaryIdAttribute]: ANA,
    [contact.columns.lastname]: 'Vidal',
  });
});

afterEach(async () => {
  await emulator.close();
  await rm(dir, { recursive: true, force: true });
});

async function run(
  file: string,
  opts: Partial<IngestCommandOptions> = {},
): Promise<{ code: number; logged: string[] }> {
  const logger = memoryLogger();
  const code = await runIngest(
    file,
    { url: emulator.url, batch: '5', solutionRoot: SOLUTION_ROOT, ...opts },
    {
      env: {},
      logger,
      print: () => undefined,
      clock: () => new Date(),
      sleep: () => Promise.resolve(),
      progress: { update: () => undefined, stop: () => undefined },
    },
  );
  return { code, logged: logger.lines };
}

async function stored(): Promise<Record<string, unknown>[]> {
  return (await emulator.engine.query(idr_interaction.entitySetName, { top: 5000 })).records;
}

describe('encoding', () => {
  const latin1Csv = () =>
    Buffer.from(
      `${HEADER}\r\ncrm,c-1,CaseOpened,2025-01-02,${ANA},Facturación\r\ncrm,c-2,CaseOpened,2025-01-03,${ANA},Reclamación\r\n`,
      'latin1',
    );

  it('refuses a Latin-1 file, naming the line and --encoding latin1, and sends nothing', async () => {
    const file = path.join(dir, 'events.csv');
    await writeFile(file, latin1Csv());
    const result = await run(file);
    expect(result.code).toBe(1);
    expect(result.logged.at(-1)).toMatch(/events\.csv is not UTF-8: line 2 .*--encoding latin1/);
    expect(await stored()).toEqual([]);
    expect(existsSync(stateFileFor(file))).toBe(false);
    expect(existsSync(lockFileFor(stateFileFor(file)))).toBe(false);
  });

  it('reads it with --encoding latin1, accents intact', async () => {
    const file = path.join(dir, 'events.csv');
    await writeFile(file, latin1Csv());
    expect((await run(file, { encoding: 'latin1' })).code).toBe(0);
    expect((await stored()).map((r) => r[I.idr_casesubject]).sort()).toEqual(['Facturación', 'Reclamación']);
  });

  it('refuses an encoding it does not know', async () => {
    const file = path.join(dir, 'events.csv');
    await writeFile(file, latin1Csv());
    const result = await run(file, { encoding: 'ebcdic' });
    expect(result.code).toBe(1);
    expect(result.logged.at(-1)).toMatch(/--encoding must be utf8 or latin1; got 'ebcdic'/);
  });
});

describe('errors file', () => {
  it('neutralises cells a spreadsheet would run as formulas, and ingests them back as written', async () => {
    const file = path.join(dir, 'events.csv');
    const formulas = ['=HYPERLINK("http://evil.example","x")', '+1+1', '-2+3', '@SUM(A1)', '\tcmd'];
    const rows = formulas.map((f, i) => `crm,f-${i},NotAType,2025-01-02,${ANA},"${f.replace(/"/g, '""')}"`);
    await writeFile(file, `${HEADER}\n${rows.join('\n')}\n`);
    expect((await run(file)).code).toBe(2);
    const errorsText = await readFile(errorsFileFor(file), 'utf8');
    const errorRows = parse(errorsText, { columns: true }) as Record<string, string>[];
    expect(errorRows.map((r) => r.casesubject)).toEqual(formulas.map((f) => `'${f}`));
    // No line of the file starts a cell with a formula character.
    for (const record of parse(errorsText) as string[][])
      for (const cell of record) expect(cell).not.toMatch(/^[=+\-@\t\r]/);

    // Fixed in the spreadsheet and ingested back: the values arrive without the apostrophe (and
    // trimmed, as ingest trims every value).
    const fixed = path.join(dir, 'fixed.csv');
    await writeFile(fixed, errorsText.replace(/NotAType/g, 'CaseOpened'));
    expect((await run(fixed)).code).toBe(0);
    expect((await stored()).map((r) => r[I.idr_casesubject]).sort()).toEqual(
      formulas.map((f) => f.trim()).sort(),
    );
  });
});

describe('one run per checkpoint', () => {
  const csv = (n: number) =>
    `${HEADER}\n${Array.from({ length: n }, (_, i) => `crm,l-${i},CaseOpened,2025-01-02,${ANA},s${i}`).join('\n')}\n`;

  it('refuses a second run on the same file while one is running; the first one sends everything once', async () => {
    const file = path.join(dir, 'events.csv');
    await writeFile(file, csv(40));
    const [first, second] = await Promise.all([run(file), run(file)]);
    const codes = [first.code, second.code].sort();
    expect(codes).toEqual([0, 1]);
    const refused = first.code === 1 ? first : second;
    expect(refused.logged.at(-1)).toMatch(/Another ingest of this file is running \(process \d+, started /);
    const records = await stored();
    expect(records).toHaveLength(40);
    expect(new Set(records.map((r) => r[I.idr_externalid])).size).toBe(40);
    expect(existsSync(lockFileFor(stateFileFor(file)))).toBe(false);
  });

  it('takes over a lock left by a process that no longer runs (kill -9)', async () => {
    const file = path.join(dir, 'events.csv');
    await writeFile(file, csv(3));
    const gone = spawnSync(process.execPath, ['-e', '0']).pid;
    await writeFile(
      lockFileFor(stateFileFor(file)),
      JSON.stringify({ pid: gone, host: hostname(), startedOn: '2025-01-01T00:00:00.000Z' }),
    );
    expect((await run(file)).code).toBe(0);
    expect(await stored()).toHaveLength(3);
    expect(existsSync(lockFileFor(stateFileFor(file)))).toBe(false);
  });

  it('respects a lock held by a live process and leaves it in place', async () => {
    const file = path.join(dir, 'events.csv');
    await writeFile(file, csv(3));
    const lock = lockFileFor(stateFileFor(file));
    const held = JSON.stringify({
      pid: process.pid,
      host: hostname(),
      startedOn: '2025-01-01T00:00:00.000Z',
    });
    await writeFile(lock, held);
    const result = await run(file);
    expect(result.code).toBe(1);
    expect(result.logged.at(-1)).toContain(`process ${process.pid}, started 2025-01-01T00:00:00.000Z`);
    expect(result.logged.at(-1)).toContain(`delete ${lock}`);
    expect(await stored()).toEqual([]);
    expect(await readFile(lock, 'utf8')).toBe(held);
  });
});
