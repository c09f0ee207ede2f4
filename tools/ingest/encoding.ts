/**
 * The encodings ingest reads. CSV exports from Excel and older systems are often Latin-1 / Windows-1252;
 * read as UTF-8 their accents become U+FFFD silently, so a file is checked before anything is sent.
 */
import { createReadStream } from 'node:fs';
import { IngestOptionError, NotUtf8Error } from './errors';

export const INGEST_ENCODINGS = ['utf8', 'latin1'] as const;
export type IngestEncoding = (typeof INGEST_ENCODINGS)[number];

export function parseEncoding(text: string | undefined): IngestEncoding {
  const value = (text ?? 'utf8')
    .toLowerCase()
    .replace(/^utf-8$/, 'utf8')
    .replace(/^(iso-?8859-1|latin-1)$/, 'latin1');
  if ((INGEST_ENCODINGS as readonly string[]).includes(value)) return value as IngestEncoding;
  throw new IngestOptionError(`--encoding must be utf8 or latin1; got '${text ?? ''}'.`);
}

/**
 * Streams the file through a strict UTF-8 decoder and throws NotUtf8Error at the first invalid byte
 * (with its line), so memory stays at one chunk whatever the file's size.
 */
export async function assertUtf8(file: string): Promise<void> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let line = 1;
  let offset = 0;
  for await (const chunk of createReadStream(file)) {
    const bytes = chunk as Buffer;
    try {
      decoder.decode(bytes, { stream: true });
    } catch {
      throw new NotUtf8Error(
        file,
        line + countLines(bytes, firstInvalid(bytes)),
        offset + firstInvalid(bytes),
      );
    }
    line += countLines(bytes, bytes.length);
    offset += bytes.length;
  }
  try {
    decoder.decode();
  } catch {
    throw new NotUtf8Error(file, line, offset);
  }
}

function countLines(bytes: Buffer, end: number): number {
  let n = 0;
  for (let i = 0; i < end; i++) if (bytes[i] === 0x0a) n++;
  return n;
}

/** Index of the first byte that starts no valid UTF-8 sequence in this chunk (approximate at a chunk edge). */
function firstInvalid(bytes: Buffer): number {
  for (let i = 0; i < bytes.length;) {
    const b = bytes[i] ?? 0;
    const length =
      b < 0x80 ? 1 : b >= 0xc2 && b < 0xe0 ? 2 : b >= 0xe0 && b < 0xf0 ? 3 : b >= 0xf0 && b < 0xf5 ? 4 : 0;
    if (length === 0) return i;
    for (let k = 1; k < length; k++) {
      if (i + k >= bytes.length) return i;
      if (((bytes[i + k] ?? 0) & 0xc0) !== 0x80) return i;
    }
    i += length;
  }
  return bytes.length;
}
