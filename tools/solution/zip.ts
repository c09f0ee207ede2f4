/**
 * Reading and writing solution zips. Writing is deterministic: entries in a fixed order, one fixed
 * timestamp and fixed compression, so packing the same source twice gives the same bytes.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import JSZip from 'jszip';

/** Zip entries by part name (`solution.xml`, `WebResources/idr_/x.js`), always with `/` separators. */
export type Parts = Map<string, Uint8Array>;

export class ZipReadError extends Error {
  constructor(
    readonly file: string,
    readonly reason: string,
  ) {
    super(`${file} is not a readable zip: ${reason}`);
    this.name = 'ZipReadError';
  }
}

// DOS time cannot go below 1980; one fixed instant keeps every build byte-identical.
const FIXED_DATE = new Date(Date.UTC(1980, 0, 1, 0, 0, 0));

/** Parts that Dataverse puts first in an export, in its order; the rest follow sorted by name. */
const LEADING_PARTS = ['[Content_Types].xml', 'solution.xml', 'customizations.xml'];

export function orderedPartNames(names: Iterable<string>): string[] {
  const all = [...names];
  const leading = LEADING_PARTS.filter((n) => all.includes(n));
  const rest = all.filter((n) => !LEADING_PARTS.includes(n)).sort();
  return [...leading, ...rest];
}

export async function readZip(bytes: Uint8Array, file = 'zip'): Promise<Parts> {
  let zip: JSZip;
  try {
    zip = await JSZip.loadAsync(bytes);
  } catch (error) {
    throw new ZipReadError(file, error instanceof Error ? error.message : String(error));
  }
  const parts: Parts = new Map();
  for (const entry of Object.values(zip.files)) {
    if (entry.dir) continue;
    // Some older exports wrote Windows separators into entry names.
    const name = entry.name.replace(/\\/g, '/').replace(/^\/+/, '');
    parts.set(name, await entry.async('uint8array'));
  }
  return parts;
}

export async function writeZipBytes(parts: Parts): Promise<Uint8Array> {
  const zip = new JSZip();
  for (const name of orderedPartNames(parts.keys())) {
    zip.file(name, parts.get(name) as Uint8Array, {
      date: FIXED_DATE,
      createFolders: false,
      binary: true,
    });
  }
  return zip.generateAsync({
    type: 'uint8array',
    compression: 'DEFLATE',
    compressionOptions: { level: 9 },
    platform: 'DOS',
  });
}

/**
 * Writes a file through a temporary name in the same folder and renames it into place, so a failure
 * half-way never leaves a truncated file where a good one is expected.
 */
export async function writeFileAtomic(file: string, bytes: Uint8Array): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await writeFile(temp, bytes);
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}
