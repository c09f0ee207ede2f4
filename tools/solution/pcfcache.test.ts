import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { silentLogger } from '../../dataverse/logger';
import { cachedPcfBuild, PcfCacheLockTimeoutError, pcfSourceHash } from './pcfcache';

const tempDirs: string[] = [];
afterAll(() => tempDirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A repository with two controls and a domain module they import. */
function fakeRepo(): { root: string; pcfRoot: string; cacheRoot: string } {
  const root = mkdtempSync(path.join(os.tmpdir(), 'ideario-pcfcache-'));
  tempDirs.push(root);
  for (const control of ['Alpha', 'Beta']) {
    mkdirSync(path.join(root, 'pcf-controls', control), { recursive: true });
    writeFileSync(path.join(root, 'pcf-controls', control, 'ControlManifest.Input.xml'), `<manifest/>`);
    writeFileSync(path.join(root, 'pcf-controls', control, 'index.ts'), `export const name = '${control}';`);
  }
  mkdirSync(path.join(root, 'domain'));
  writeFileSync(path.join(root, 'domain', 'score.ts'), 'export const half = 0.5;');
  writeFileSync(path.join(root, 'package-lock.json'), '{}');
  return { root, pcfRoot: path.join(root, 'pcf-controls'), cacheRoot: path.join(root, 'cache') };
}

/** A stand-in for pcf-scripts that counts its runs and writes what a build writes. */
function countingBuild() {
  const runs: string[] = [];
  const build = async (pcfRoot: string, outDir: string) => {
    runs.push(outDir);
    for (const control of readdirSync(pcfRoot)) {
      await mkdir(path.join(outDir, control), { recursive: true });
      const source = readFileSync(path.join(pcfRoot, control, 'index.ts'), 'utf8');
      await writeFile(path.join(outDir, control, 'bundle.js'), `/* built */${source}`);
    }
  };
  return { runs, build };
}

describe('the PCF build cache', () => {
  it('builds once, then hands back the cached build while the sources are unchanged', async () => {
    const repo = fakeRepo();
    const { runs, build } = countingBuild();
    const first = await cachedPcfBuild({ ...repo, logger: silentLogger, build });
    const second = await cachedPcfBuild({ ...repo, logger: silentLogger, build });
    expect(runs).toHaveLength(1);
    expect([first.built, second.built]).toEqual([true, false]);
    expect(second.dir).toBe(first.dir);
    expect(readFileSync(path.join(second.dir, 'Alpha', 'bundle.js'), 'utf8')).toContain("'Alpha'");
    expect(second.sizes.get('Beta')).toBe(readFileSync(path.join(first.dir, 'Beta', 'bundle.js')).length);
  });

  it('rebuilds when a control or the domain code it bundles changes, and drops the old build', async () => {
    const repo = fakeRepo();
    const { runs, build } = countingBuild();
    const first = await cachedPcfBuild({ ...repo, logger: silentLogger, build });
    writeFileSync(path.join(repo.root, 'domain', 'score.ts'), 'export const half = 0.25;');
    const second = await cachedPcfBuild({ ...repo, logger: silentLogger, build });
    writeFileSync(path.join(repo.pcfRoot, 'Beta', 'index.ts'), "export const name = 'Beta 2';");
    const third = await cachedPcfBuild({ ...repo, logger: silentLogger, build });
    expect(runs).toHaveLength(3);
    expect(new Set([first.dir, second.dir, third.dir]).size).toBe(3);
    expect(readFileSync(path.join(third.dir, 'Beta', 'bundle.js'), 'utf8')).toContain('Beta 2');
    expect(existsSync(first.dir)).toBe(false);
    expect(readdirSync(repo.cacheRoot)).toEqual([path.basename(third.dir)]);
  });

  it('rebuilds when a query the controls share with the CLI changes (dataverse/queries)', async () => {
    const repo = fakeRepo();
    mkdirSync(path.join(repo.root, 'dataverse', 'queries'), { recursive: true });
    writeFileSync(path.join(repo.root, 'dataverse', 'queries', 'target.ts'), "export const q = '<fetch/>';");
    const { runs, build } = countingBuild();
    const first = await cachedPcfBuild({ ...repo, logger: silentLogger, build });
    writeFileSync(path.join(repo.root, 'dataverse', 'queries', 'target.ts'), "export const q = '<fetch />';");
    const second = await cachedPcfBuild({ ...repo, logger: silentLogger, build });
    expect(runs).toHaveLength(2);
    expect(second.dir).not.toBe(first.dir);
  });

  it('ignores tests, test kits and build outputs, which are not in a bundle', async () => {
    const repo = fakeRepo();
    const before = await pcfSourceHash(repo.root);
    writeFileSync(path.join(repo.pcfRoot, 'Alpha', 'index.test.ts'), 'it("x", () => {});');
    writeFileSync(path.join(repo.pcfRoot, 'Alpha', 'alpha.testkit.ts'), 'export {};');
    mkdirSync(path.join(repo.pcfRoot, 'Alpha', 'out'));
    writeFileSync(path.join(repo.pcfRoot, 'Alpha', 'out', 'bundle.js'), 'var a;');
    expect(await pcfSourceHash(repo.root)).toBe(before);
    writeFileSync(path.join(repo.root, 'package-lock.json'), '{"lockfileVersion":3}');
    expect(await pcfSourceHash(repo.root)).not.toBe(before);
  });

  it('builds once for callers that ask at the same time', async () => {
    const repo = fakeRepo();
    const { runs, build } = countingBuild();
    const results = await Promise.all(
      [1, 2, 3].map(() => cachedPcfBuild({ ...repo, logger: silentLogger, build })),
    );
    expect(runs).toHaveLength(1);
    expect(results.filter((r) => r.built)).toHaveLength(1);
    expect(new Set(results.map((r) => r.dir)).size).toBe(1);
    expect(existsSync(path.join(repo.cacheRoot, 'lock'))).toBe(false);
  });

  it('takes over the lock of a process that died mid-build', async () => {
    const repo = fakeRepo();
    // The pid of a process that has exited.
    const dead = spawnSync(process.execPath, ['-e', '0']).pid;
    mkdirSync(path.join(repo.cacheRoot, 'lock'), { recursive: true });
    writeFileSync(path.join(repo.cacheRoot, 'lock', 'pid'), String(dead));
    const { runs, build } = countingBuild();
    const result = await cachedPcfBuild({ ...repo, logger: silentLogger, build });
    expect(result.built).toBe(true);
    expect(runs).toHaveLength(1);
  });

  it('says which lock to delete when a live process holds it past the ceiling', async () => {
    const repo = fakeRepo();
    mkdirSync(path.join(repo.cacheRoot, 'lock'), { recursive: true });
    writeFileSync(path.join(repo.cacheRoot, 'lock', 'pid'), String(process.pid));
    const { runs, build } = countingBuild();
    const waiting = cachedPcfBuild({ ...repo, logger: silentLogger, build, lockTimeoutMs: 300 });
    await expect(waiting).rejects.toThrow(PcfCacheLockTimeoutError);
    await expect(waiting).rejects.toThrow(path.join(repo.cacheRoot, 'lock'));
    expect(runs).toEqual([]);
  });

  it('leaves no half-written build behind when the build fails', async () => {
    const repo = fakeRepo();
    const failing = async (_root: string, outDir: string) => {
      await mkdir(path.join(outDir, 'Alpha'), { recursive: true });
      throw new Error('pcf-scripts: [build] Failed');
    };
    await expect(cachedPcfBuild({ ...repo, logger: silentLogger, build: failing })).rejects.toThrow(
      /\[build\] Failed/,
    );
    const { build } = countingBuild();
    const retried = await cachedPcfBuild({ ...repo, logger: silentLogger, build });
    expect(retried.built).toBe(true);
    expect(readdirSync(repo.cacheRoot)).toEqual([path.basename(retried.dir)]);
  });
});
