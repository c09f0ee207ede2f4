import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildCli } from './build';

const ROOT = path.join(__dirname, '..', '..');

function ideario(bin: string, args: string[], cwd: string) {
  const result = spawnSync(process.execPath, [bin, ...args], { cwd, encoding: 'utf8', timeout: 120_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

let work: string;
beforeEach(() => {
  work = mkdtempSync(path.join(tmpdir(), 'ideario-bin-'));
});
afterEach(() => rmSync(work, { recursive: true, force: true }));

it('runs from a clone: the TypeScript source through tsx', () => {
  const help = ideario(path.join(ROOT, 'tools', 'bin', 'ideario.js'), ['--help'], ROOT);
  expect(help.code).toBe(0);
  for (const command of ['auth', 'deploy', 'ingest', 'sweep', 'rescore'])
    expect(help.stdout).toMatch(new RegExp(`^  ${command} `, 'm'));

  const list = ideario(path.join(ROOT, 'tools', 'bin', 'ideario.js'), ['auth', 'list'], work);
  expect(list).toMatchObject({
    code: 0,
    stdout: expect.stringContaining('No environment recorded') as string,
  });
});

it('runs from an installed package: the bundle built at pack time, without tsx or the sources', async () => {
  const pkg = path.join(work, 'node_modules', 'ideario');
  mkdirSync(path.join(pkg, 'tools', 'bin'), { recursive: true });
  copyFileSync(path.join(ROOT, 'tools', 'bin', 'ideario.js'), path.join(pkg, 'tools', 'bin', 'ideario.js'));
  await buildCli(ROOT, path.join(pkg, 'out', 'cli', 'ideario.cjs'));
  // The package's dependencies, as npm installs them beside it.
  symlinkSync(path.join(ROOT, 'node_modules'), path.join(pkg, 'node_modules'), 'dir');

  const bin = path.join(pkg, 'tools', 'bin', 'ideario.js');
  const help = ideario(bin, ['sweep', '--help'], work);
  expect(help.code).toBe(0);
  expect(help.stdout).toContain('--retry-budget <duration>');
  const refused = ideario(bin, ['rescore', '--dry-run'], work);
  expect(refused.code).toBe(1);
  expect(refused.stderr + refused.stdout).toContain('No environment selected');
});
