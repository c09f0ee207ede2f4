/**
 * Emulator throughput on a 10,000-row table: creates/s and filtered queries/s, in-process (engine) and
 * over HTTP, against a baseline measured in the same run: raw better-sqlite3 inserting the same rows
 * (one durable transaction each, same pragmas) and running the same filter as plain SQL.
 */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Engine } from '../emulator/engine/engine';
import { startWebApiServer } from '../emulator/http/server';
import { testMetadata } from '../emulator/testing/metadata';

const ROWS = 10_000;
const QUERIES = 500;
const HTTP_CREATES = 2_000;
const HTTP_QUERIES = 300;
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

function rate(count: number, ms: number): string {
  return `${Math.round((count * 1000) / ms).toLocaleString('en-US')}/s`;
}

async function timed(work: () => Promise<number>): Promise<{ ms: number; checksum: number }> {
  const start = performance.now();
  const checksum = await work();
  return { ms: performance.now() - start, checksum };
}

async function inParallel(
  total: number,
  parallel: number,
  work: (i: number) => Promise<number>,
): Promise<number> {
  let next = 0;
  let sum = 0;
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (next < total) sum += await work(next++);
    }),
  );
  return sum;
}

export async function run(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'ideario-bench-'));
  try {
    // Baseline: the same rows straight into SQLite, durable like the engine (WAL, synchronous=FULL).
    const raw = new Database(path.join(dir, 'raw.db'));
    raw.pragma('journal_mode = WAL');
    raw.pragma('synchronous = FULL');
    raw.exec(
      'CREATE TABLE t (id TEXT PRIMARY KEY, name TEXT, source TEXT, externalid TEXT, count INTEGER, score REAL, UNIQUE (source, externalid))',
    );
    const insert = raw.prepare('INSERT INTO t VALUES (?, ?, ?, ?, ?, ?)');
    const rawInsert = await timed(() => {
      for (let i = 0; i < ROWS; i++) {
        const r = row(i);
        raw.transaction(() =>
          insert.run(
            crypto.randomUUID(),
            r.emu_name,
            r.emu_source,
            r.emu_externalid,
            r.emu_count,
            r.emu_score,
          ),
        )();
      }
      return Promise.resolve(ROWS);
    });
    const select = raw.prepare(
      "SELECT * FROM t WHERE count = ? AND name LIKE ? ESCAPE '\\' ORDER BY id LIMIT 5001",
    );
    const rawQuery = await timed(() => {
      let found = 0;
      for (let q = 0; q < QUERIES; q++) found += select.all(q % 100, `%${q % 10}%`).length;
      return Promise.resolve(found);
    });
    raw.close();

    const engine = new Engine({ metadata: testMetadata(), path: path.join(dir, 'engine.db') });
    const engineCreate = await timed(async () => {
      for (let i = 0; i < ROWS; i++) await engine.create('emu_interactions', row(i));
      return ROWS;
    });
    const engineQuery = await timed(async () => {
      let found = 0;
      for (let q = 0; q < QUERIES; q++)
        found += (
          await engine.query('emu_interactions', { filter: filter(q), select: ['emu_name', 'emu_count'] })
        ).records.length;
      return found;
    });
    if (engineQuery.checksum !== rawQuery.checksum)
      throw new Error(
        `engine found ${engineQuery.checksum} rows, SQLite ${rawQuery.checksum}: the filter translation is wrong`,
      );

    const server = await startWebApiServer({ engine, port: 0 });
    const httpCreate = await timed(() =>
      inParallel(HTTP_CREATES, HTTP_PARALLEL, async (i) => {
        const response = await fetch(`${server.serviceRoot}emu_interactions`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify(row(ROWS + i)),
        });
        if (response.status !== 204) throw new Error(`create answered ${response.status}`);
        return 1;
      }),
    );
    const httpQuery = await timed(() =>
      inParallel(HTTP_QUERIES, HTTP_PARALLEL, async (q) => {
        const response = await fetch(
          `${server.serviceRoot}emu_interactions?$select=emu_name,emu_count&$filter=${encodeURIComponent(filter(q))}`,
        );
        const body = (await response.json()) as { value: unknown[] };
        return body.value.length;
      }),
    );
    await server.close();
    engine.close();

    console.log(
      `table of ${ROWS.toLocaleString('en-US')} rows; creates are one durable transaction each (WAL, synchronous=FULL)`,
    );
    console.log(
      `baseline  raw better-sqlite3   inserts ${rate(ROWS, rawInsert.ms)}   selects ${rate(QUERIES, rawQuery.ms)}`,
    );
    console.log(
      `engine    in-process           creates ${rate(ROWS, engineCreate.ms)} (×${(engineCreate.ms / rawInsert.ms).toFixed(1)} raw time)   queries ${rate(QUERIES, engineQuery.ms)} (×${(engineQuery.ms / rawQuery.ms).toFixed(1)} raw time)`,
    );
    console.log(
      `web api   HTTP, ${HTTP_PARALLEL} in parallel    creates ${rate(HTTP_CREATES, httpCreate.ms)}   queries ${rate(HTTP_QUERIES, httpQuery.ms)} (${httpQuery.checksum} rows)`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
