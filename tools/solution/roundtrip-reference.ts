/**
 * `tsx tools/solution/roundtrip-reference.ts <dir>`: for each folder under `<dir>` holding the parts
 * of a real Dataverse export, zips it, unpacks the zip into the source layout, packs that back and
 * checks the result has the same parts with the same canonical XML (same bytes for other parts).
 * Exits 1 with a diff of the first difference of each part otherwise.
 */
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { CONTENT_TYPES, readSourceFiles } from './layout';
import { buildSolutionParts, readSolutionIdentity } from './pack';
import { unpackZip } from './unpack';
import { canonicalXml, childText, elements, parseXml } from './xml';
import { writeZipBytes, type Parts } from './zip';

/**
 * The parts of an export kept as loose files. A file that `customizations.xml` names by a path
 * it is not at (a control manifest copied out of `Controls/<name>/`) goes back to that path.
 */
export async function exportFolderParts(folder: string): Promise<Parts> {
  const files = await readSourceFiles(folder);
  const named: string[] = [];
  const customizations = files.get('customizations.xml');
  if (customizations) {
    const root = parseXml(customizations, path.join(folder, 'customizations.xml')).root;
    for (const section of elements(root)) {
      for (const item of elements(section)) {
        const fileName = childText(item, 'FileName');
        if (fileName) named.push(fileName.replace(/^\/+/, ''));
      }
    }
  }
  const parts: Parts = new Map();
  for (const [file, bytes] of files) {
    const target = named.includes(file)
      ? file
      : named.find((n) => !files.has(n) && path.posix.basename(n) === file);
    parts.set(target ?? file, bytes);
  }
  return parts;
}

export interface PartDifference {
  part: string;
  problem: 'missing' | 'extra' | 'different';
  /** For XML parts: the first differing lines of the two canonical texts. */
  diff?: string;
}

function isXmlPart(part: string, bytes: Uint8Array): boolean {
  if (part.toLowerCase().endsWith('.xml')) return true;
  const head = new TextDecoder()
    .decode(bytes.subarray(0, 64))
    .replace(/^\uFEFF/, '')
    .trimStart();
  return head.startsWith('<?xml');
}

function firstDifference(expected: string, actual: string): string {
  const a = expected.split('\n');
  const b = actual.split('\n');
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  const from = Math.max(0, i - 3);
  const lines = [`@@ canonical line ${i + 1} @@`];
  for (let k = from; k < i; k++) lines.push(`  ${a[k]}`);
  for (let k = i; k < Math.min(a.length, i + 6); k++) lines.push(`- ${a[k]}`);
  for (let k = i; k < Math.min(b.length, i + 6); k++) lines.push(`+ ${b[k]}`);
  return lines.join('\n');
}

/** Compares two zips part by part; XML parts by canonical form, component order ignored. */
export function compareParts(expected: Parts, actual: Parts): PartDifference[] {
  const differences: PartDifference[] = [];
  const names = [...new Set([...expected.keys(), ...actual.keys()])].sort();
  for (const part of names) {
    const a = expected.get(part);
    const b = actual.get(part);
    if (!a) {
      differences.push({ part, problem: 'extra' });
      continue;
    }
    if (!b) {
      differences.push({ part, problem: 'missing' });
      continue;
    }
    if (isXmlPart(part, a)) {
      const ca = canonicalXml(a, { ignoreComponentOrder: true });
      const cb = canonicalXml(b, { ignoreComponentOrder: true });
      if (ca !== cb) differences.push({ part, problem: 'different', diff: firstDifference(ca, cb) });
    } else if (Buffer.compare(Buffer.from(a), Buffer.from(b)) !== 0) {
      differences.push({ part, problem: 'different' });
    }
  }
  return differences;
}

/** Zips `parts`, unpacks the zip into a temporary source folder and packs it back. */
export async function roundTrip(parts: Parts, name = 'solution'): Promise<Parts> {
  const temp = await mkdtemp(path.join(os.tmpdir(), 'ideario-roundtrip-'));
  try {
    const zip = path.join(temp, `${name}.zip`);
    await writeFile(zip, await writeZipBytes(parts));
    await unpackZip(zip, path.join(temp, name));
    const source = await readSourceFiles(path.join(temp, name, 'src'));
    const managed = source.has('Other/Solution.xml') ? readSolutionIdentity(source).managed : 0;
    return buildSolutionParts(source, { managed: managed === 1 ? 1 : 0 });
  } finally {
    await rm(temp, { recursive: true, force: true });
  }
}

async function main(dir: string | undefined): Promise<number> {
  if (!dir) {
    console.error('usage: tsx tools/solution/roundtrip-reference.ts <folder of unzipped solution exports>');
    return 2;
  }
  const folders = (await readdir(dir, { withFileTypes: true }))
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
  let failed = 0;
  for (const name of folders) {
    const original = await exportFolderParts(path.join(dir, name));
    const packed = await roundTrip(original, name);
    // Pack always writes [Content_Types].xml, as Dataverse does, even when the folder kept none.
    const differences = compareParts(original, packed).filter(
      (d) => !(d.part === CONTENT_TYPES && d.problem === 'extra' && !original.has(CONTENT_TYPES)),
    );
    if (differences.length === 0) {
      console.log(`ok   ${name}: ${original.size} parts survive unpack → pack`);
      continue;
    }
    failed++;
    console.error(`FAIL ${name}:`);
    for (const d of differences) {
      console.error(`  ${d.part}: ${d.problem}`);
      if (d.diff) console.error(d.diff.replace(/^/gm, '    '));
    }
  }
  return failed === 0 ? 0 : 1;
}

if (require.main === module) {
  main(process.argv[2]).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
      process.exit(1);
    },
  );
}
