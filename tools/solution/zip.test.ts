import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import JSZip from 'jszip';
import { encodeUtf8 } from './xml';
import {
  orderedPartNames,
  readZip,
  UnsafeZipEntryError,
  writeFileAtomic,
  writeZipBytes,
  ZipReadError,
  ZipTooLargeError,
  type Parts,
} from './zip';

const MiB = 1024 * 1024;

/**
 * A one-entry zip whose deflate stream inflates to `copies` × 16 MiB of zeros: the same compressed
 * block repeated, so a 1 GiB entry costs about 1 MB and no memory to build. `declared` is the
 * uncompressed size written in the headers (a zip bomb may lie about it).
 */
function zeroBomb(name: string, copies: number, declared: number): Uint8Array {
  const block = zlib.deflateRawSync(Buffer.alloc(16 * MiB), { finishFlush: zlib.constants.Z_SYNC_FLUSH });
  const data = Buffer.concat([...Array.from({ length: copies }, () => block), Buffer.from([0x03, 0x00])]);
  const nameBytes = Buffer.from(name);
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4);
  local.writeUInt16LE(8, 8);
  local.writeUInt16LE(0x21, 12);
  local.writeUInt32LE(data.length, 18);
  local.writeUInt32LE(declared, 22);
  local.writeUInt16LE(nameBytes.length, 26);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE(20, 4);
  central.writeUInt16LE(20, 6);
  central.writeUInt16LE(8, 10);
  central.writeUInt16LE(0x21, 14);
  central.writeUInt32LE(data.length, 20);
  central.writeUInt32LE(declared, 24);
  central.writeUInt16LE(nameBytes.length, 28);
  const centralOffset = local.length + nameBytes.length + data.length;
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(central.length + nameBytes.length, 12);
  end.writeUInt32LE(centralOffset, 16);
  return new Uint8Array(Buffer.concat([local, nameBytes, data, central, nameBytes, end]));
}

const parts = (): Parts =>
  new Map([
    ['WebResources/b.js', encodeUtf8('b')],
    ['customizations.xml', encodeUtf8('<c/>')],
    ['WebResources/a.js', encodeUtf8('a')],
    ['[Content_Types].xml', encodeUtf8('<Types/>')],
    ['solution.xml', encodeUtf8('<s/>')],
  ]);

describe('solution zips', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'ideario-zip-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('gives the same bytes for the same parts, whatever order they were added in', async () => {
    const reversed: Parts = new Map([...parts()].reverse());
    expect(Buffer.from(await writeZipBytes(parts())).equals(Buffer.from(await writeZipBytes(reversed)))).toBe(
      true,
    );
  });

  it('puts the manifest parts first, as Dataverse exports do, and reads every part back', async () => {
    const bytes = await writeZipBytes(parts());
    const zip = await JSZip.loadAsync(bytes);
    expect(Object.keys(zip.files)).toEqual([
      '[Content_Types].xml',
      'solution.xml',
      'customizations.xml',
      'WebResources/a.js',
      'WebResources/b.js',
    ]);
    const back = await readZip(bytes);
    expect(new TextDecoder().decode(back.get('WebResources/b.js'))).toBe('b');
    expect(orderedPartNames(back.keys())).toEqual(Object.keys(zip.files));
  });

  it('reads entry names written with Windows separators as folders', async () => {
    const zip = new JSZip();
    zip.file('WebResources\\x.js', 'x');
    const back = await readZip(await zip.generateAsync({ type: 'uint8array' }));
    expect([...back.keys()]).toEqual(['WebResources/x.js']);
  });

  it.each([
    ['..\\..\\..\\tmp\\x'],
    ['../../x'],
    ['WebResources/../../x'],
    ['/etc/x'],
    ['\\\\server\\share\\x'],
    ['C:\\Windows\\x'],
    ['C:x'],
    ['WebResources/C:/x'],
  ])('refuses an entry named %j that would leave the target folder', async (name) => {
    const zip = new JSZip();
    zip.file('customizations.xml', '<ImportExportXml/>');
    zip.file(name, 'x');
    const bytes = await zip.generateAsync({ type: 'uint8array' });
    await expect(readZip(bytes, 'export.zip')).rejects.toThrow(UnsafeZipEntryError);
    await expect(readZip(bytes, 'export.zip')).rejects.toThrow(
      /export\.zip holds an entry named .* outside the folder/,
    );
  });

  it('refuses a 1 MB zip whose customizations.xml says it inflates to 1 GiB, before inflating it', async () => {
    const bomb = zeroBomb('customizations.xml', 64, 1024 * MiB);
    expect(bomb.length).toBeLessThan(1.5 * MiB);
    await expect(readZip(bomb, 'bomb.zip')).rejects.toThrow(ZipTooLargeError);
    await expect(readZip(bomb, 'bomb.zip')).rejects.toThrow(
      'bomb.zip: entry customizations.xml inflates to more than 256 MiB; a solution part that large is refused. Nothing was read.',
    );
  });

  it('stops inflating an entry that lies about its size as soon as it passes the limit', async () => {
    const bomb = zeroBomb('customizations.xml', 4, 1000);
    const limits = { maxEntryBytes: 20 * MiB, maxTotalBytes: 100 * MiB };
    await expect(readZip(bomb, 'liar.zip', limits)).rejects.toThrow(
      /liar\.zip: entry customizations\.xml inflates to more than 20 MiB/,
    );
  });

  it('refuses an archive whose entries together inflate past the total limit', async () => {
    const zip = new JSZip();
    for (const name of ['a.xml', 'b.xml', 'c.xml']) zip.file(name, Buffer.alloc(2 * MiB));
    const bytes = await zip.generateAsync({ type: 'uint8array', compression: 'DEFLATE' });
    const limits = { maxEntryBytes: 3 * MiB, maxTotalBytes: 5 * MiB };
    await expect(readZip(bytes, 'many.zip', limits)).rejects.toThrow(
      /many\.zip inflates to more than 5 MiB in total/,
    );
    expect((await readZip(bytes, 'many.zip', { maxEntryBytes: 3 * MiB, maxTotalBytes: 6 * MiB })).size).toBe(
      3,
    );
  });

  it('says which file is not a zip', async () => {
    await expect(readZip(encodeUtf8('<xml/>'), 'export.zip')).rejects.toThrow(ZipReadError);
    await expect(readZip(encodeUtf8('<xml/>'), 'export.zip')).rejects.toThrow(
      /export\.zip is not a readable zip/,
    );
  });

  it('replaces a file in one step and leaves no temporary file when it cannot', async () => {
    const file = path.join(dir, 'out', 'a.zip');
    await writeFileAtomic(file, encodeUtf8('one'));
    await writeFileAtomic(file, encodeUtf8('two'));
    expect(readFileSync(file, 'utf8')).toBe('two');

    const blocked = path.join(dir, 'out', 'blocked.zip');
    mkdirSync(blocked);
    writeFileSync(path.join(blocked, 'keep'), 'x');
    await expect(writeFileAtomic(blocked, encodeUtf8('three'))).rejects.toThrow();
    expect(readdirSync(path.join(dir, 'out')).sort()).toEqual(['a.zip', 'blocked.zip']);
  });
});
