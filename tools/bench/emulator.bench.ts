/**
 * Emulator throughput on a 10,000-row table (2,000 with --quick): creates/s and the median filtered
 * query time in process (engine), creates/s over HTTP, against a baseline measured in the same run:
 * raw better-sqlite3 inserting the same rows (one durable transaction each, same pragmas) and running
 * the same filter as plain SQL.
 */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Engine } from '../emulator/engine/engine';
import { startWebApiServer } from '../emulator/http/server';
import { testMetadata } from '../emulator/testing/metadata';
import { figure, spread, type Figure } from './figures';
import type { BenchOptions } from './results';

const HTTP_PARALLEL = 8;

function row(i: number) {
  return {
    emu_name: `interaction ${i}`,
    emu_source: 'bench',
    emu_externalid: `e-${i}`,
    emu_count: i % 100,
    emu_score: (i % 977) / 7,
  };
}

/** Filter the queries use: an equality and a text search, returning ~10 rows of the 10,000. */
const filter = (n: number) => `emu_count eq ${n % 100} and contains(emu_name,'${n % 10}')`;

/** Milliseconds of each call of `work`, one after the other; the checksum adds up what they returned. */
function eachTimed(count: number, work: (i: number) => number): { ms: number[]; checksum: number } {
  const ms: number[] = [];
  let checksum = 0;
  for (let i = 0; i < count; i++) {
    const start = performance.now();
    checksum += work(i);
    ms.push(performance.now() - start);
  }
  return { ms, checksum };
}

async function eachTimedAsync(
  count: number,
  work: (i: number) => Promise<number>,
): Promise<{ ms: number[]; checksum: number }> {
  const ms: number[] = [];
  let checksum = 0;
  for (let i = 0; i < count; i++) {
    const start = performance.now();
    checksum += await work(i);
    ms.push(performance.now() - start);
  }
  return { ms, checksum };
}

const median = (values: readonly number[]) => spread('p50', values).median;
const sum = (values: readonly number[]) => values.reduce((a, b) => a + b, 0);

async function inParallel(
  total: number,
  parallel: number,
  work: (i: number) => Promise<number>,
): Promise<number> {
  let next = 0;
  let done = 0;
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (next < total) done += await work(next++);
    }),
  );
  return done;
}

interface Sample {
  rawInsertsPerSecond: number;
  rawQueryP50: number;
  createsPerSecond: number;
  queryP50: number;
  httpCreatesPerSecond: number;
}

async function measureOnce(dir: string, rows: number, queries: number, run: number): Promise<Sample> {
  // Baseline: the same rows straight into SQLite, durable like the engine (WAL, synchronous=FULL).
  const raw = new Database(path.join(dir, `raw-${run}.db`));
  raw.pragma('journal_mode = WAL');
  raw.pragma('synchronous = FULL');
  raw.exec(
    'CREATE TABLE t (id TEXT PRIMARY KEY, name TEXT, source TEXT, externalid TEXT, count INTEGER, score REAL, UNIQUE (source, externalid))',
  );
  const insert = raw.prepare('INSERT INTO t VALUES (?, ?, ?, ?, ?, ?)');
  const rawInsert = eachTimed(rows, (i) => {
    const r = row(i);
    raw.transaction(() =>
      insert.run(crypto.randomUUID(), r.emu_name, r.emu_source, r.emu_externalid, r.emu_count, r.emu_score),
    )();
    return 1;
  });
  const select = raw.prepare(
    "SELECT * FROM t WHERE count = ? AND name LIKE ? ESCAPE '\\' ORDER BY id LIMIT 5001",
  );
  const rawQuery = eachTimed(queries, (q) => select.all(q % 100, `%${q % 10}%`).length);
  raw.close();

  const engine = new Engine({ metadata: testMetadata(), path: path.join(dir, `engine-${run}.db`) });
  try {
    const engineCreate = await eachTimedAsync(rows, async (i) => {
      await engine.create('emu_interactions', row(i));
      return 1;
    });
    const engineQuery = await eachTimedAsync(
      queries,
      async (q) =>
        (await engine.query('emu_interactions', { filter: filter(q), select: ['emu_name', 'emu_count'] }))
          .records.length,
    );
    if (engineQuery.checksum !== rawQuery.checksum)
      throw new Error(
        `engine found ${engineQuery.checksum} rows, SQLite ${rawQuery.checksum}: the filter translation is wrong`,
      );
    const server = await startWebApiServer({ engine, port: 0 });
    const httpCreates = Math.round(rows / 5);
    const started = performance.now();
    try {
      await inParallel(httpCreates, HTTP_PARALLEL, async (i) => {
        const response = await fetch(`${server.serviceRoot}emu_interactions`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify(row(rows + i)),
        });
        if (response.status !== 204) throw new Error(`create answered ${response.status}`);
        return 1;
      });
    } finally {
      await server.close();
    }
    const httpSeconds = (performance.now() - started) / 1000;
    return {
      rawInsertsPerSecond: (rows * 1000) / sum(rawInsert.ms),
      rawQueryP50: median(rawQuery.ms),
      createsPerSecond: (rows * 1000) / sum(engineCreate.ms),
      queryP50: median(engineQuery.ms),
      httpCreatesPerSecond: httpCreates / httpSeconds,
    };
  } finally {
    engine.close();
  }
}

export async function figures(options: BenchOptions): Promise<Figure[]> {
  const rows = options.quick ? 2_000 : 10_000;
  const queries = options.quick ? 100 : 500;
  const dir = mkdtempSync(path.join(tmpdir(), 'ideario-bench-'));
  try {
    const samples: Sample[] = [];
    for (let run = 0; run < 3; run++) samples.push(await measureOnce(dir, rows, queries, run));
    const of = (key: keyof Sample) => samples.map((s) => s[key]);
    const table = `a table of ${rows.toLocaleString('en-US')} rows`;
    return [
      figure('emulator.creates_per_s', 'creates/s', of('createsPerSecond'), {
        name: `raw better-sqlite3 inserts, one durable transaction each, into ${table}`,
        samples: of('rawInsertsPerSecond'),
      }),
      figure('emulator.query_ms_p50', 'ms', of('queryP50'), {
        name: `raw better-sqlite3 SELECT with the same filter on ${table}`,
        samples: of('rawQueryP50'),
      }),
      figure('emulator.http_creates_per_s', 'creates/s', of('httpCreatesPerSecond')),
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
