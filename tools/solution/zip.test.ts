import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import JSZip from 'jszip';
import { encodeUtf8 } from './xml';
import { orderedPartNames, readZip, writeFileAtomic, writeZipBytes, ZipReadError, type Parts } from './zip';

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
