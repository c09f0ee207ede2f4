/**
 * `npm run build:azure`: the webhook host as an Azure Functions app folder, out/azure, ready to zip and
 * deploy ("Zip deployment for Azure Functions": the folder holds host.json, package.json and
 * node_modules, no build on the server). Our code and its packages are bundled into dist/index.js;
 * @azure/functions stays a real package in node_modules, with its own dependencies, because the
 * Functions worker hands it the runtime (`@azure/functions-core`) when the app loads.
 */
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';
import { BUNDLED_FONT_DIR, fontFilesToBundle } from '../../plugins/handlers/groupquotes/pdf';

export const AZURE_OUT = path.join('out', 'azure');
const APP_DIR = path.join('plugins', 'host', 'azure');
/** Provided by the Functions worker at run time; never bundled. */
const RUNTIME_PACKAGES = ['@azure/functions', '@azure/functions-core'];

interface PackageJson {
  name?: string;
  version?: string;
  main?: string;
  dependencies?: Record<string, string>;
}

function readPackage(file: string): PackageJson {
  return JSON.parse(readFileSync(file, 'utf8')) as PackageJson;
}

/** The package and, recursively, what it depends on, as installed in the repository's node_modules. */
function packageClosure(root: string, name: string, seen = new Set<string>()): Set<string> {
  if (seen.has(name)) return seen;
  const manifest = path.join(root, 'node_modules', name, 'package.json');
  if (!existsSync(manifest))
    throw new Error(`${name} is not installed in ${root}/node_modules: run npm ci first.`);
  seen.add(name);
  for (const dependency of Object.keys(readPackage(manifest).dependencies ?? {}))
    packageClosure(root, dependency, seen);
  return seen;
}

export interface AzureBuild {
  readonly outDir: string;
  readonly main: string;
  readonly packages: readonly string[];
}

export async function buildAzureApp(root: string, outDir = path.join(root, AZURE_OUT)): Promise<AzureBuild> {
  const app = path.join(root, APP_DIR);
  const manifest = readPackage(path.join(app, 'package.json'));
  const installed = readPackage(path.join(root, 'node_modules', '@azure', 'functions', 'package.json'));
  const wanted = manifest.dependencies?.['@azure/functions'];
  if (wanted !== installed.version)
    throw new Error(
      `${APP_DIR}/package.json wants @azure/functions ${wanted ?? '(none)'} but ${installed.version ?? '?'} is installed; make them match (the tests run against the installed one).`,
    );
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const main = manifest.main ?? 'dist/index.js';
  await build({
    entryPoints: [path.join(app, 'index.ts')],
    outfile: path.join(outDir, main),
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    external: RUNTIME_PACKAGES,
    logLevel: 'warning',
  });
  cpSync(path.join(app, 'host.json'), path.join(outDir, 'host.json'));
  // The quotation PDFs embed these fonts; the bundle reads them from fonts/ beside dist/.
  for (const [source, name] of fontFilesToBundle()) cpSync(source, path.join(outDir, BUNDLED_FONT_DIR, name));
  writeFileSync(path.join(outDir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  const packages = [...packageClosure(root, '@azure/functions')].sort();
  for (const name of packages)
    cpSync(path.join(root, 'node_modules', name), path.join(outDir, 'node_modules', name), {
      recursive: true,
    });
  return { outDir, main, packages };
}

if (require.main === module) {
  void buildAzureApp(path.resolve(__dirname, '..', '..')).then((built) =>
    console.log(
      `Built ${built.outDir} (${built.main}, ${built.packages.join(', ')}). Zip its content and deploy it: ` +
        'az functionapp deployment source config-zip -g <group> -n <app> --src <zip> (README "Run the host in Azure").',
    ),
  );
}
