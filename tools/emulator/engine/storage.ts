/**
 * SQLite storage: one SQL table per Dataverse table, one SQL column per attribute, created and grown
 * from the metadata. WAL with synchronous=FULL: a write the engine acknowledged survives `kill -9`.
 * Files get a second, read-only connection so readers outside a write see committed data only
 * (Dataverse reads are read-committed); `:memory:` databases use one connection.
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DataverseError } from '../../../dataverse/errors';
import type { ColumnType } from '../../solution/model';
import type { MetadataIndex, TableInfo } from './metadata';
import { isLookup } from './metadata';
import { targetColumn } from './values';

type Db = Database.Database;
type Statement = Database.Statement;

const NAME = /^[a-z_][a-z0-9_]*$/;

/** Metadata names become SQL identifiers; refuse anything that could break out of the quotes. */
export function ident(name: string): string {
  if (!NAME.test(name)) throw new Error(`'${name}' is not a valid Dataverse logical name (a-z, 0-9, _).`);
  return `"${name}"`;
}

function sqlType(type: ColumnType): string {
  switch (type) {
    case 'Integer':
    case 'BigInt':
    case 'Boolean':
    case 'Picklist':
    case 'State':
    case 'Status':
      return 'INTEGER';
    case 'Decimal':
    case 'Double':
    case 'Money':
      return 'REAL';
    default:
      return 'TEXT';
  }
}

/** A query ran past the time limit; SQLite stopped it and the connection is free again. */
export class QueryTimeoutError extends DataverseError {
  constructor(readonly limitMs: number) {
    // "Web service error codes": SqlTimeoutExpired (-2147204783). Answered 400, not 5xx: retrying the
    // same query would only time out again; it needs fewer joins or narrower conditions.
    super(
      `SQL timeout expired. The query ran longer than ${limitMs} ms and was stopped; ` +
        'use fewer link-entities, narrower conditions, or page through smaller results.',
      400,
      '0x80044151',
    );
    this.name = 'QueryTimeoutError';
  }
}

/** How often (in rows) the deadline function looks at the clock. */
const DEADLINE_CHECK_EVERY = 1024;

/**
 * SQL function placed in queries that can join without bound (FetchXML link-entities). SQLite has no
 * progress handler in better-sqlite3, and the server is single-threaded, so the query itself checks
 * the clock every DEADLINE_CHECK_EVERY rows and throws, which aborts the statement.
 */
export const DEADLINE_FUNCTION = 'emulator_deadline';

export class Storage {
  readonly db: Db;
  readonly reader: Db;
  private deadline: { at: number; limitMs: number } | undefined;
  private deadlineCalls = 0;
  private readonly writeStatements = new Map<string, Statement>();
  private readonly readStatements = new Map<string, Statement>();

  constructor(readonly path: string) {
    const memory = path === ':memory:';
    if (!memory) mkdirSync(dirname(path), { recursive: true });
    this.db = new Database(path);
    if (!memory) {
      this.db.pragma('journal_mode = WAL');
    }
    this.db.pragma('synchronous = FULL');
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS emulator_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS emulator_outbox (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        emailid TEXT NOT NULL,
        senton TEXT NOT NULL,
        sender TEXT,
        torecipients TEXT,
        cc TEXT,
        bcc TEXT,
        subject TEXT,
        body TEXT
      );
    `);
    if (memory) {
      this.reader = this.db;
    } else {
      this.reader = new Database(path, { readonly: true });
      this.reader.pragma('busy_timeout = 5000');
    }
    for (const db of new Set([this.db, this.reader])) {
      db.function(DEADLINE_FUNCTION, { deterministic: false, varargs: true }, () => this.checkDeadline());
    }
  }

  private checkDeadline(): number {
    if (this.deadline && ++this.deadlineCalls % DEADLINE_CHECK_EVERY === 0 && Date.now() > this.deadline.at) {
      throw new QueryTimeoutError(this.deadline.limitMs);
    }
    return 1;
  }

  /** Runs `fn` (synchronous SQL) with a time limit that `emulator_deadline()` in its statements enforces. */
  timed<T>(limitMs: number, fn: () => T): T {
    const outer = this.deadline;
    this.deadline = { at: Date.now() + limitMs, limitMs };
    this.deadlineCalls = 0;
    try {
      return fn();
    } finally {
      this.deadline = outer;
    }
  }

  /** Creates missing tables, columns and indexes; never drops anything (metadata only grows). */
  syncSchema(index: MetadataIndex): void {
    const run = this.db.transaction(() => {
      for (const table of index.tables()) this.syncTable(table);
    });
    run();
    this.writeStatements.clear();
    this.readStatements.clear();
  }

  private syncTable(table: TableInfo): void {
    const name = ident(table.logicalName);
    const existing = new Set(
      (this.db.prepare(`PRAGMA table_info(${name})`).all() as { name: string }[]).map((row) => row.name),
    );
    const wanted: [string, string][] = [];
    for (const column of table.columns.values()) {
      if (column.logicalName === table.primaryId) continue;
      wanted.push([column.logicalName, sqlType(column.type)]);
      if (isLookup(column.type) && column.polymorphic)
        wanted.push([targetColumn(column.logicalName), 'TEXT']);
    }
    if (existing.size === 0) {
      const columns = [
        `${ident(table.primaryId)} TEXT PRIMARY KEY NOT NULL`,
        ...wanted.map(([c, t]) => `${ident(c)} ${t}`),
      ];
      this.db.exec(`CREATE TABLE ${name} (${columns.join(', ')})`);
    } else {
      for (const [column, type] of wanted) {
        if (!existing.has(column)) this.db.exec(`ALTER TABLE ${name} ADD COLUMN ${ident(column)} ${type}`);
      }
    }
    for (const key of table.alternateKeys) {
      const indexName = ident(`ak_${table.logicalName}_${key.name}`.toLowerCase());
      this.db.exec(
        `CREATE UNIQUE INDEX IF NOT EXISTS ${indexName} ON ${name} (${key.columns.map(ident).join(', ')})`,
      );
    }
    // Active-record lists and the system job queue filter on the state and read the oldest first.
    const ordered = ['statecode', 'createdon', 'versionnumber'].filter((c) => table.columns.has(c));
    if (ordered[0] === 'statecode' && ordered.length > 1) {
      this.db.exec(
        `CREATE INDEX IF NOT EXISTS ${ident(`ix_${table.logicalName}_state_created`)} ON ${name} (${ordered.map(ident).join(', ')})`,
      );
    }
    for (const column of table.columns.values()) {
      if (isLookup(column.type) && column.type !== 'Owner') {
        this.db.exec(
          `CREATE INDEX IF NOT EXISTS ${ident(`ix_${table.logicalName}_${column.logicalName}`)} ON ${name} (${ident(column.logicalName)})`,
        );
      }
    }
  }

  /** A cached statement on the write connection. */
  write(sql: string): Statement {
    let statement = this.writeStatements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.writeStatements.set(sql, statement);
    }
    return statement;
  }

  /** A cached statement on the read connection (the write connection while a write is open). */
  read(sql: string, inWrite: boolean): Statement {
    if (inWrite || this.reader === this.db) return this.write(sql);
    let statement = this.readStatements.get(sql);
    if (!statement) {
      statement = this.reader.prepare(sql);
      this.readStatements.set(sql, statement);
    }
    return statement;
  }

  getMeta(key: string): string | undefined {
    const row = this.write('SELECT value FROM emulator_meta WHERE key = ?').get(key) as
      { value: string } | undefined;
    return row?.value;
  }

  setMeta(key: string, value: string): void {
    this.write(
      'INSERT INTO emulator_meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value',
    ).run(key, value);
  }

  close(): void {
    if (this.reader !== this.db) this.reader.close();
    this.db.close();
  }
}
