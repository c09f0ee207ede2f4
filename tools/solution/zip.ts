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

/** A zip entry whose name, once normalised, would land outside the folder it is unpacked into. */
export class UnsafeZipEntryError extends Error {
  constructor(
    readonly file: string,
    readonly entry: string,
  ) {
    super(
      `${file} holds an entry named ${JSON.stringify(entry)}, which points outside the folder it would be ` +
        'unpacked into (absolute path, drive letter or ".."). Nothing was read; export the solution again ' +
        'from Dataverse or remove that entry.',
    );
    this.name = 'UnsafeZipEntryError';
  }
}

/** An entry, or the whole archive, inflates past the size a solution can reasonably have (a zip bomb). */
export class ZipTooLargeError extends Error {
  constructor(
    readonly file: string,
    readonly entry: string | undefined,
    readonly limitBytes: number,
  ) {
    const mib = Math.round(limitBytes / (1024 * 1024));
    super(
      entry === undefined
        ? `${file} inflates to more than ${mib} MiB in total; a solution zip that large is refused. Nothing was read.`
        : `${file}: entry ${entry} inflates to more than ${mib} MiB; a solution part that large is refused. Nothing was read.`,
    );
    this.name = 'ZipTooLargeError';
  }
}

export interface ZipLimits {
  /** Most bytes one entry may inflate to. */
  readonly maxEntryBytes: number;
  /** Most bytes all entries together may inflate to. */
  readonly maxTotalBytes: number;
}

// Dataverse accepts solution files up to 95 MB compressed (Import solutions, "maximum size"); XML
// compresses about 10:1, so these leave room for the largest real exports and refuse zip bombs.
export const DEFAULT_ZIP_LIMITS: ZipLimits = {
  maxEntryBytes: 256 * 1024 * 1024,
  maxTotalBytes: 512 * 1024 * 1024,
};

/**
 * The entry name with `/` separators, or undefined when it would leave the target folder under any
 * reading: Windows separators, a drive letter, a leading slash, or a `..` segment.
 */
export function safePartName(raw: string): string | undefined {
  const name = raw.replace(/\\/g, '/');
  if (name.includes('\0') || /^[A-Za-z]:/.test(name) || name.startsWith('/')) return undefined;
  const segments = name.split('/').filter((s) => s !== '' && s !== '.');
  if (segments.length === 0 || segments.some((s) => s === '..' || /^[A-Za-z]:$/.test(s))) return undefined;
  return segments.join('/');
}

/** JSZip keeps the central directory's declared size in a field its typings leave out. */
function declaredSize(entry: JSZip.JSZipObject): number | undefined {
  const data = (entry as unknown as { _data?: { uncompressedSize?: unknown } })._data;
  return typeof data?.uncompressedSize === 'number' ? data.uncompressedSize : undefined;
}

/** JSZip's own chunked inflater (`internalStream`), which its typings leave out. */
interface JSZipStream {
  on(event: 'data', listener: (chunk: Uint8Array) => void): JSZipStream;
  on(event: 'error', listener: (error: unknown) => void): JSZipStream;
  on(event: 'end', listener: () => void): JSZipStream;
  resume(): JSZipStream;
  pause(): JSZipStream;
}

/** Inflates one entry chunk by chunk, counting, and stops at the limit: memory stays bounded by it. */
function inflateCounted(
  entry: JSZip.JSZipObject,
  file: string,
  name: string,
  limits: ZipLimits,
  counter: { total: number },
): Promise<Uint8Array> {
  const stream = (entry as unknown as { internalStream(type: 'uint8array'): JSZipStream }).internalStream(
    'uint8array',
  );
  return new Promise((resolve, reject) => {
    const chunks: Uint8Array[] = [];
    let size = 0;
    let stopped = false;
    stream
      .on('data', (chunk) => {
        if (stopped) return;
        size += chunk.length;
        counter.total += chunk.length;
        const tooLarge =
          size > limits.maxEntryBytes
            ? new ZipTooLargeError(file, name, limits.maxEntryBytes)
            : counter.total > limits.maxTotalBytes
              ? new ZipTooLargeError(file, undefined, limits.maxTotalBytes)
              : undefined;
        if (tooLarge) {
          stopped = true;
          stream.pause();
          chunks.length = 0;
          reject(tooLarge);
          return;
        }
        chunks.push(chunk);
      })
      .on('error', (error) => {
        if (!stopped) reject(error instanceof Error ? error : new Error(String(error)));
        stopped = true;
      })
      .on('end', () => {
        if (stopped) return;
        const out = new Uint8Array(size);
        let at = 0;
        for (const chunk of chunks) {
          out.set(chunk, at);
          at += chunk.length;
        }
        resolve(out);
      })
      .resume();
  });
}

export async function readZip(
  bytes: Uint8Array,
  file = 'zip',
  limits: ZipLimits = DEFAULT_ZIP_LIMITS,
): Promise<Parts> {
  let zip: JSZip;
  try {
    zip = await JSZip.loadAsync(bytes);
  } catch (error) {
    throw new ZipReadError(file, error instanceof Error ? error.message : String(error));
  }
  const entries: { name: string; entry: JSZip.JSZipObject }[] = [];
  let declaredTotal = 0;
  // Names and declared sizes are all checked before anything is inflated.
  for (const entry of Object.values(zip.files)) {
    // JSZip strips a leading "../" itself but not "..\\": check the name as it was stored.
    const raw = entry.unsafeOriginalName ?? entry.name;
    const name = safePartName(raw);
    if (name === undefined) throw new UnsafeZipEntryError(file, raw);
    if (entry.dir) continue;
    const declared = declaredSize(entry) ?? 0;
    if (declared > limits.maxEntryBytes) throw new ZipTooLargeError(file, name, limits.maxEntryBytes);
    declaredTotal += declared;
    if (declaredTotal > limits.maxTotalBytes)
      throw new ZipTooLargeError(file, undefined, limits.maxTotalBytes);
    entries.push({ name, entry });
  }
  const parts: Parts = new Map();
  const counter = { total: 0 };
  for (const { name, entry } of entries) {
    try {
      parts.set(name, await inflateCounted(entry, file, name, limits, counter));
    } catch (error) {
      if (error instanceof ZipTooLargeError) throw error;
      throw new ZipReadError(file, `${name}: ${error instanceof Error ? error.message : String(error)}`);
    }
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
