/**
 * `npm run build:azure` produces a folder the Functions worker can load as it is: host.json, the
 * package.json naming the bundle, and @azure/functions with its dependencies in node_modules. The bundle
 * is loaded in a separate Node process whose only stand-in is the worker's `@azure/functions-core`
 * (which the runtime provides), and must register the webhook, health and job functions.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { jobs } from '../../plugins/host/catalog';
import { buildAzureApp, type AzureBuild } from './build';

const ROOT = path.join(__dirname, '..', '..');
let work: string;
let built: AzureBuild;

beforeAll(async () => {
  work = mkdtempSync(path.join(tmpdir(), 'ideario-azure-'));
  built = await buildAzureApp(ROOT, path.join(work, 'azure'));
}, 120_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

interface Registered {
  name: string;
  bindings: Record<string, Record<string, unknown>>;
}

/** Loads the app as the worker does, recording what it registers. */
function loadApp(outDir: string): Registered[] {
  const core = path.join(outDir, 'node_modules', '@azure', 'functions-core');
  mkdirSync(core, { recursive: true });
  writeFileSync(
    path.join(core, 'index.js'),
    `const registered = [];
module.exports = {
  registered,
  setProgrammingModel() {},
  registerHook() { return { dispose() {} }; },
  registerFunction(metadata) { registered.push(metadata); return { dispose() {} }; },
};`,
  );
  const script = `const core = require('@azure/functions-core');
require(${JSON.stringify(path.join(outDir, built.main))});
process.stdout.write(JSON.stringify(core.registered));`;
  // No app setting at all: the deps are built on the first invocation, not when the app loads.
  const out = execFileSync(process.execPath, ['-e', script], {
    cwd: outDir,
    env: { PATH: process.env.PATH ?? '' },
    encoding: 'utf8',
  });
  rmSync(core, { recursive: true, force: true });
  return JSON.parse(out) as Registered[];
}

it('writes host.json, package.json and node_modules as a Functions app folder', () => {
  const host = JSON.parse(readFileSync(path.join(built.outDir, 'host.json'), 'utf8')) as {
    version: string;
    extensionBundle: { id: string };
  };
  expect(host.version).toBe('2.0');
  expect(host.extensionBundle.id).toBe('Microsoft.Azure.Functions.ExtensionBundle');
  const manifest = JSON.parse(readFileSync(path.join(built.outDir, 'package.json'), 'utf8')) as {
    main: string;
    dependencies: Record<string, string>;
  };
  const installed = JSON.parse(
    readFileSync(path.join(ROOT, 'node_modules', '@azure', 'functions', 'package.json'), 'utf8'),
  ) as { version: string };
  expect(manifest.dependencies).toEqual({ '@azure/functions': installed.version });
  expect(existsSync(path.join(built.outDir, manifest.main))).toBe(true);
  for (const name of built.packages)
    expect(existsSync(path.join(built.outDir, 'node_modules', name, 'package.json'))).toBe(true);
  expect(built.packages).toContain('@azure/functions');
  // Nothing native or development-only travels: the database of the emulator is not the host's.
  expect(existsSync(path.join(built.outDir, 'node_modules', 'better-sqlite3'))).toBe(false);
  expect(readFileSync(path.join(built.outDir, built.main), 'utf8')).not.toContain('better-sqlite3');
});

it('loads in the Functions worker and registers the webhook, health and every scheduled job', () => {
  const registered = loadApp(built.outDir);
  const byName = new Map(registered.map((r) => [r.name, Object.values(r.bindings)]));
  expect([...byName.keys()].sort()).toEqual(['health', 'webhook', ...jobs.map((j) => j.name)].sort());
  expect(byName.get('webhook')).toEqual(
    expect.arrayContaining([
      expect.objectContaining({
        type: 'httpTrigger',
        direction: 'in',
        route: 'webhook/{solution?}',
        methods: ['POST'],
        authLevel: 'anonymous',
      }),
    ]),
  );
  for (const job of jobs)
    expect(byName.get(job.name)).toEqual([
      expect.objectContaining({ type: 'timerTrigger', direction: 'in' }),
    ]);
});
