/**
 * Which zip in `dist/` to import, and what it holds. `ideario pack` names zips
 * `<UniqueName>_<version with underscores>[_managed].zip`; when several versions are there, the
 * highest wins. The solution's service endpoints and environment variables are read from the zip
 * itself, through the same loader `pack` and `typegen` use, so deploy configures what it imports.
 */
import { mkdtemp, mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readSolutionSource } from '../solution/loader';
import type { EnvironmentVariableModel, ServiceEndpointModel } from '../solution/model';
import { unpackParts } from '../solution/unpack';
import { child, childText, parseXml } from '../solution/xml';
import { readZip } from '../solution/zip';
import { MissingSolutionZipError } from './errors';

function compareVersions(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const diff = (a[i] ?? 0) - (b[i] ?? 0);
    if (diff !== 0) return diff;
  }
  return 0;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The newest `dist/<solution>_<version>[_managed].zip`; throws MissingSolutionZipError. */
export async function findSolutionZip(distDir: string, solution: string, managed: boolean): Promise<string> {
  let names: string[];
  try {
    names = await readdir(distDir);
  } catch {
    throw new MissingSolutionZipError(solution, distDir, managed);
  }
  const pattern = new RegExp(`^${escapeRegExp(solution)}_(\\d+(?:_\\d+)*)(_managed)?\\.zip$`, 'i');
  let best: { name: string; version: number[] } | undefined;
  for (const name of names) {
    const match = pattern.exec(name);
    if (!match?.[1] || (match[2] !== undefined) !== managed) continue;
    const version = match[1].split('_').map(Number);
    if (!best || compareVersions(version, best.version) > 0) best = { name, version };
  }
  if (!best) throw new MissingSolutionZipError(solution, distDir, managed);
  return path.join(distDir, best.name);
}

export interface SolutionZipContents {
  readonly uniqueName: string;
  readonly version: string;
  readonly managed: boolean;
  readonly serviceEndpoints: readonly ServiceEndpointModel[];
  readonly environmentVariables: readonly EnvironmentVariableModel[];
}

/**
 * Reads the zip's manifest, endpoints and environment variables. Throws when the zip cannot be read;
 * deploy then leaves the verdict to Dataverse's import, whose message is the one admins know.
 */
export async function inspectSolutionZip(bytes: Uint8Array, fileName: string): Promise<SolutionZipContents> {
  const parts = await readZip(bytes, fileName);
  const manifestBytes = parts.get('solution.xml');
  const manifest = manifestBytes
    ? child(parseXml(manifestBytes, `${fileName}/solution.xml`).root, 'SolutionManifest')
    : undefined;
  const files = unpackParts(parts, fileName);
  const dir = await mkdtemp(path.join(tmpdir(), 'ideario-deploy-'));
  try {
    for (const [rel, content] of files) {
      const file = path.join(dir, 'src', ...rel.split('/'));
      if (!file.startsWith(path.join(dir, 'src') + path.sep)) continue;
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(file, content);
    }
    const source = readSolutionSource(dir);
    const model = source.model;
    return {
      uniqueName: (manifest && childText(manifest, 'UniqueName')?.trim()) || (model?.uniqueName ?? ''),
      version: (manifest && childText(manifest, 'Version')?.trim()) || (model?.version ?? ''),
      managed: manifest ? childText(manifest, 'Managed')?.trim() === '1' : false,
      serviceEndpoints: model?.serviceEndpoints ?? [],
      environmentVariables: model?.environmentVariables ?? [],
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
