import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { memoryLogger } from '../../dataverse/logger';
import { loadWebResourceBuilder, WebResourceBuildUnavailableError } from '../solution/pack';
import { PCF_ROOT } from '../solution/pcfcache.testkit';
import { runPack } from './pack';
import { runUnpack } from './unpack';

const SOLUTION_ROOT = path.resolve(__dirname, '../../solution');
const tempDirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ideario-cli-pack-'));
  tempDirs.push(dir);
  return dir;
}
afterAll(() => tempDirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('ideario pack', () => {
  it('validates, writes the zips and prints where they are', async () => {
    const out = tempDir();
    const logger = memoryLogger();
    const printed: string[] = [];
    const code = await runPack(
      { out, root: SOLUTION_ROOT, webResourceBuild: path.join(out, 'no-build.ts'), pcfRoot: PCF_ROOT },
      logger,
      (l) => printed.push(l),
    );
    expect(code).toBe(0);
    expect(
      printed
        .filter((l) => l.endsWith('.zip'))
        .map((p) => path.basename(p))
        .sort(),
    ).toEqual(
      readdirSync(out)
        .filter((f) => f.endsWith('.zip'))
        .sort(),
    );
    // Each control's bundle size, then the four zips.
    expect(printed).toHaveLength(8);
    expect(printed).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^ImpactRanking bundle\.js: \d+\.\d KB$/),
        expect.stringMatching(/^InterestProfile bundle\.js: \d+\.\d KB$/),
        expect.stringMatching(/^QuotationTimeline bundle\.js: \d+\.\d KB$/),
        expect.stringMatching(/^TargetBuilder bundle\.js: \d+\.\d KB$/),
      ]),
    );
    expect(readdirSync(path.join(out, 'pcf')).sort()).toEqual([
      'ImpactRanking',
      'InterestProfile',
      'QuotationTimeline',
      'TargetBuilder',
    ]);
    expect(logger.lines.some((l) => l.startsWith('warn') && l.includes('no-build.ts not found'))).toBe(true);
  });

  it('stops with the validation problems and writes nothing when the source is wrong', async () => {
    const root = tempDir();
    cpSync(SOLUTION_ROOT, root, { recursive: true });
    const manifest = path.join(root, 'IdearioGroupQuotes', 'src', 'Other', 'Solution.xml');
    writeFileSync(
      manifest,
      readFileSync(manifest, 'utf8').replace('<Version>1.0.0.0</Version>', '<Version>1.0</Version>'),
    );
    const out = tempDir();
    const logger = memoryLogger();
    const code = await runPack(
      { out, root, webResourceBuild: path.join(out, 'none.ts') },
      logger,
      () => undefined,
    );
    expect(code).toBe(1);
    expect(readdirSync(out)).toEqual([]);
    const error = logger.lines.find((l) => l.startsWith('error')) ?? '';
    expect(error).toContain('nothing written');
    expect(error).toContain('Solution.xml');
    expect(error).toContain('"1.0" is not four numbers');
  });

  it('names the build file that cannot build the form scripts', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'build.js');
    writeFileSync(file, 'module.exports = { somethingElse: 1 };');
    await expect(loadWebResourceBuilder(file)).rejects.toThrow(WebResourceBuildUnavailableError);
    await expect(loadWebResourceBuilder(file)).rejects.toThrow(/build\.js.*buildWebResources/);
    expect(await loadWebResourceBuilder(path.join(dir, 'absent.ts'))).toBeUndefined();
  });
});

describe('ideario unpack', () => {
  it('says when the zip does not exist', async () => {
    const logger = memoryLogger();
    const missing = path.join(tempDir(), 'nope.zip');
    expect(await runUnpack(missing, tempDir(), logger, () => undefined)).toBe(1);
    expect(logger.lines).toEqual([`error unpack failed: ${missing} does not exist`]);
  });

  it('says when the file is not a zip', async () => {
    const logger = memoryLogger();
    const file = path.join(tempDir(), 'notes.zip');
    writeFileSync(file, 'not a zip');
    expect(await runUnpack(file, tempDir(), logger, () => undefined)).toBe(1);
    expect(logger.lines[0]).toContain('is not a readable zip');
  });
});
