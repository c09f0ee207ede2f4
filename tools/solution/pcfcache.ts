/**
 * A cache of the PCF control builds, keyed by a hash of what goes into the bundles: building the three
 * controls takes about a minute on two cores, and every pack of `solution/` needs them. Builds live in
 * `node_modules/.cache/ideario-pcf/<hash>/<Control>/`; a lock folder makes concurrent callers (parallel
 * jest workers, `npm start` beside a test run) build once while the others wait for the result.
 */
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../../dataverse/logger';
import { buildPcfControls, findControls } from './pcfbuild';

/** Another process held the build lock for longer than the ceiling without finishing. */
export class PcfCacheLockTimeoutError extends Error {
  constructor(
    readonly lockDir: string,
    readonly waitedMs: number,
  ) {
    super(
      `Waited ${Math.round(waitedMs / 1000)} s for another process building the PCF controls ` +
        `(lock ${lockDir}). If no build is running, delete that folder and try again.`,
    );
    this.name = 'PcfCacheLockTimeoutError';
  }
}

// What the bundles are built from; tests, test kits and build outputs are not.
// What a control bundle may import: its sources, domain/, the generated names and the shared queries.
const HASHED_ROOTS = [
  'pcf-controls',
  'domain',
  path.join('dataverse', 'generated'),
  path.join('dataverse', 'queries'),
];
const HASHED_FILES = ['package-lock.json', path.join('tools', 'solution', 'pcfbuild.ts')];
const SKIPPED_DIRS = new Set(['out', 'node_modules', '__fixtures__']);
const SKIPPED_FILE = /\.(test|int\.test|testkit)\.tsx?$/;

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const files: string[] = [];
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!SKIPPED_DIRS.has(entry.name)) files.push(...(await listFiles(full)));
    } else if (entry.isFile() && !SKIPPED_FILE.test(entry.name)) files.push(full);
  }
  return files;
}

/** The hash of every file a control bundle is built from (paths and contents), as 16 hex digits. */
export async function pcfSourceHash(repoRoot: string): Promise<string> {
  const files: string[] = [];
  for (const root of HASHED_ROOTS) files.push(...(await listFiles(path.join(repoRoot, root))));
  for (const file of HASHED_FILES) files.push(path.join(repoRoot, file));
  const hash = createHash('sha256');
  for (const file of files.map((f) => path.relative(repoRoot, f).split(path.sep).join('/')).sort()) {
    const bytes = await readFile(path.join(repoRoot, file)).catch(() => Buffer.alloc(0));
    hash.update(`${file}\0${bytes.length}\0`);
    hash.update(bytes);
  }
  return hash.digest('hex').slice(0, 16);
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes the lock folder, or returns false while a live process holds it (a dead holder's lock is removed). */
async function tryLock(lockDir: string): Promise<boolean> {
  try {
    await mkdir(lockDir);
    await writeFile(path.join(lockDir, 'pid'), String(process.pid));
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const pid = Number(await readFile(path.join(lockDir, 'pid'), 'utf8').catch(() => ''));
    // No pid yet: the holder is between mkdir and writeFile; wait for it.
    if (pid > 0 && !alive(pid)) await rm(lockDir, { recursive: true, force: true });
    return false;
  }
}

export interface CachedPcfBuild {
  /** Folder holding `<Control>/` build outputs (bundle.js, ControlManifest.xml, strings/). */
  dir: string;
  /** Each control's bundle.js size in bytes. */
  sizes: Map<string, number>;
  /** True when this call built the controls, false when it found them in the cache. */
  built: boolean;
}

export interface PcfCacheOptions {
  /** `pcf-controls/`; the repository root is its parent. */
  pcfRoot: string;
  /** Defaults to `<repo>/node_modules/.cache/ideario-pcf`. */
  cacheRoot?: string;
  logger: Logger;
  /** Ceiling on waiting for another process's build. */
  lockTimeoutMs?: number;
  /** The build itself; pcfbuild.ts's by default. */
  build?: (pcfRoot: string, outDir: string, logger: Logger) => Promise<unknown>;
}

async function sizesOf(dir: string, controls: string[]): Promise<Map<string, number>> {
  const sizes = new Map<string, number>();
  for (const control of controls) sizes.set(control, (await stat(path.join(dir, control, 'bundle.js'))).size);
  return sizes;
}

async function complete(dir: string, controls: string[]): Promise<boolean> {
  for (const control of controls) if (!(await exists(path.join(dir, control, 'bundle.js')))) return false;
  return true;
}

/** The controls' builds for the current sources: from the cache, or built once (under the lock) and cached. */
export async function cachedPcfBuild(options: PcfCacheOptions): Promise<CachedPcfBuild> {
  const pcfRoot = path.resolve(options.pcfRoot);
  const repoRoot = path.dirname(pcfRoot);
  const cacheRoot = options.cacheRoot ?? path.join(repoRoot, 'node_modules', '.cache', 'ideario-pcf');
  const controls = await findControls(pcfRoot);
  const key = await pcfSourceHash(repoRoot);
  const dir = path.join(cacheRoot, key);
  if (await complete(dir, controls)) return { dir, sizes: await sizesOf(dir, controls), built: false };

  await mkdir(cacheRoot, { recursive: true });
  const lockDir = path.join(cacheRoot, 'lock');
  const ceiling = options.lockTimeoutMs ?? 15 * 60_000;
  const started = Date.now();
  let announced = false;
  while (!(await tryLock(lockDir))) {
    if (await complete(dir, controls)) return { dir, sizes: await sizesOf(dir, controls), built: false };
    if (Date.now() - started > ceiling) throw new PcfCacheLockTimeoutError(lockDir, Date.now() - started);
    if (!announced) options.logger.info('waiting for another process building the PCF controls', { lockDir });
    announced = true;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  try {
    // Someone may have finished between our first look and taking the lock.
    if (await complete(dir, controls)) return { dir, sizes: await sizesOf(dir, controls), built: false };
    const partial = `${dir}.partial`;
    await rm(partial, { recursive: true, force: true });
    options.logger.info('building the PCF controls (cached by source hash)', { key, cacheRoot });
    await (options.build ?? buildPcfControls)(pcfRoot, partial, options.logger);
    // Older builds are for sources that no longer exist here.
    for (const entry of await readdir(cacheRoot)) {
      if (entry !== 'lock' && entry !== path.basename(partial))
        await rm(path.join(cacheRoot, entry), { recursive: true, force: true });
    }
    await rename(partial, dir);
    return { dir, sizes: await sizesOf(dir, controls), built: true };
  } finally {
    await rm(lockDir, { recursive: true, force: true });
  }
}
