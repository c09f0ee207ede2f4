/** The engine on a real SQLite file: committed data survives reopening, and readers never see a write in progress. */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { testMetadata } from '../testing/metadata';
import { Engine } from './engine';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'ideario-storage-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

it('keeps records, etags and identity across a reopen, in a WAL-mode file', async () => {
  const file = path.join(dir, 'emulator.db');
  const first = new Engine({ metadata: testMetadata(), path: file });
  const id = await first.create('contacts', { fullname: 'Ana' });
  const etag = first.etag('contacts', id);
  const user = first.whoAmI().UserId;
  first.close();
  const second = new Engine({ metadata: testMetadata(), path: file });
  expect((await second.retrieve('contacts', id)).fullname).toBe('Ana');
  expect(second.etag('contacts', id)).toBe(etag);
  expect(second.whoAmI().UserId).toBe(user);
  await second.update('contacts', id, { fullname: 'Ana B' });
  expect(second.etag('contacts', id)).not.toBe(etag);
  second.close();
  const raw = new Database(file, { readonly: true });
  expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
  raw.close();
});

it('shows readers outside a write only committed rows while its handlers run', async () => {
  const engine = new Engine({ metadata: testMetadata(), path: path.join(dir, 'emulator.db') });
  let release: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => (release = resolve));
  let insideSaw = -1;
  let looked: () => void = () => undefined;
  const inside = new Promise<void>((resolve) => (looked = resolve));
  engine.pipeline.subscribe({
    afterOperation: async () => {
      insideSaw = (await engine.query('contacts', {})).records.length;
      looked();
      await gate;
    },
  });
  const creating = engine.create('contacts', { fullname: 'in progress' });
  await inside;
  expect(insideSaw).toBe(1);
  expect((await engine.query('contacts', {})).records).toHaveLength(0);
  release();
  await creating;
  expect((await engine.query('contacts', {})).records).toHaveLength(1);
  engine.close();
});
