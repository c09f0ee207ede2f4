/**
 * Bundles each form script `webresources/<folder>/index.ts` into one minified IIFE that publishes
 * its exports under a namespace (`Ideario.GroupQuotes.Opportunity.onLoad`), which is how FormXml
 * names handlers ("Configure a form event handler", Power Apps docs). The bundle starts with
 * `var Ideario = Ideario || {}`, so it never replaces another library's namespace.
 */
import { mkdir, readdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { build } from 'esbuild';
import { minify, type MinifyOptions } from 'terser';
import type { Language } from '../domain/quotation/language';
import * as opportunityMessages from './opportunity/messages';
import * as roomBlockMessages from './roomblock/messages';
import { readResx, writeResx } from './resx';

export interface WebResourceBuild {
  /** Folder under `webresources/` holding `index.ts`. */
  folder: string;
  /** Namespace the bundle's exports are published under. */
  globalName: string;
  /** Web resource name in the solution; also the bundle's path under the output folder. */
  webResourceName: string;
  /**
   * The script's texts, read with `Xrm.Utility.getResourceString(resource, key)`: written as one RESX
   * web resource per language, `<resource>.<LCID>.resx`, which the solution lists as the library's dependencies.
   */
  strings?: { resource: string; text: (language: Language) => Readonly<Record<string, string>> };
}

/** The LCIDs the RESX files are written for ("Microsoft locale ID values"): English (US), Spanish (Spain). */
export const RESX_LANGUAGES: Readonly<Record<number, Language>> = { 1033: 'en', 3082: 'es' };

/** Every form script and where it goes; the solution's forms name these libraries and namespaces. */
export const WEB_RESOURCES: readonly WebResourceBuild[] = [
  {
    folder: 'opportunity',
    globalName: 'Ideario.GroupQuotes.Opportunity',
    webResourceName: 'idr_/groupquotes/opportunity.js',
    strings: { resource: opportunityMessages.STRINGS_RESOURCE, text: opportunityMessages.opportunityStrings },
  },
  {
    folder: 'concept',
    globalName: 'Ideario.Interests.Concept',
    webResourceName: 'idr_/interests/concept.js',
  },
  {
    folder: 'roomblock',
    globalName: 'Ideario.GroupQuotes.RoomBlock',
    webResourceName: 'idr_/groupquotes/roomblock.js',
    strings: { resource: roomBlockMessages.STRINGS_RESOURCE, text: roomBlockMessages.roomBlockStrings },
  },
];

/** A `webresources/<folder>/index.ts` with no entry in WEB_RESOURCES: it would never reach a solution. */
export class UnregisteredWebResourceError extends Error {
  constructor(readonly folder: string) {
    super(
      `webresources/${folder}/index.ts has no entry in WEB_RESOURCES (webresources/build.ts). ` +
        `Add { folder: '${folder}', globalName: 'Ideario.<Solution>.<Form>', webResourceName: 'idr_/…/${folder}.js' }.`,
    );
    this.name = 'UnregisteredWebResourceError';
  }
}

/** esbuild reported errors for one bundle. */
export class WebResourceBuildError extends Error {
  constructor(
    readonly folder: string,
    readonly messages: readonly string[],
  ) {
    super(`Building webresources/${folder}/index.ts failed:\n${messages.join('\n')}`);
    this.name = 'WebResourceBuildError';
  }
}

const SOURCE_ROOT = __dirname;

/**
 * A second pass over esbuild's output: terser joins the declarations of every module, inlines functions
 * called once and drops what that leaves unused, which esbuild's single pass does not (~6% of a form script);
 * a third pass still finds some.
 * unsafe_arrows only writes arrows for functions that never use `this` or `arguments`: no bundled
 * code calls a plain function with `new` (TypeScript classes stay classes).
 */
const TERSER_OPTIONS: MinifyOptions = {
  ecma: 2020,
  compress: { ecma: 2020, passes: 3, unsafe_arrows: true },
  format: { ascii_only: true },
};

async function exists(file: string): Promise<boolean> {
  try {
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
}

/** Folders under `webresources/` that hold an `index.ts`, sorted so the build order is stable. */
export async function findWebResourceFolders(root = SOURCE_ROOT): Promise<string[]> {
  const entries = await readdir(root, { withFileTypes: true });
  const folders: string[] = [];
  for (const entry of entries) {
    if (
      entry.isDirectory() &&
      !entry.name.startsWith('__') &&
      (await exists(path.join(root, entry.name, 'index.ts')))
    ) {
      folders.push(entry.name);
    }
  }
  return folders.sort();
}

/** The names `webresources/<folder>/index.ts` exports: the handlers the bundle publishes. */
async function entryExports(entry: string): Promise<string[]> {
  const result = await build({
    entryPoints: [entry],
    bundle: false,
    format: 'esm',
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  return Object.values(result.metafile.outputs)
    .flatMap((output) => output.exports)
    .sort();
}

/** Bundles one form script and returns its text (same input, same bytes). */
export async function bundleWebResource(item: WebResourceBuild, root = SOURCE_ROOT): Promise<string> {
  const entry = path.join(root, item.folder, 'index.ts');
  const fail = (error: unknown): never => {
    const errors = (
      error as { errors?: { text: string; location?: { file: string; line: number } | null }[] }
    ).errors;
    if (!errors) throw error;
    throw new WebResourceBuildError(
      item.folder,
      errors.map((e) => (e.location ? `${e.location.file}:${e.location.line}: ${e.text}` : e.text)),
    );
  };
  const names = await entryExports(entry).catch(fail);
  // The namespace is built by hand rather than with esbuild's globalName: for an ES module entry that
  // brings ~450 bytes of export helpers (getters, __esModule) a form handler never needs. An entry whose
  // one export is the default (the handlers object) is published as it is: no name is written twice.
  const parts = item.globalName.split('.');
  const namespaces = parts.slice(0, -1).map((_, i) => parts.slice(0, i + 1).join('.'));
  const publish =
    names.length === 1 && names[0] === 'default'
      ? `import handlers from './index';\n${item.globalName} = handlers;\n`
      : `import { ${names.join(', ')} } from './index';\n${item.globalName} = { ${names.join(', ')} };\n`;
  const result = await build({
    stdin: {
      contents: publish,
      resolveDir: path.join(root, item.folder),
      sourcefile: `${item.folder}/publish.ts`,
      loader: 'ts',
    },
    // `var` at the top level of a classic script: an existing namespace of another library is kept.
    banner: {
      js: [
        '"use strict";',
        `var ${parts[0]}=${parts[0]}||{};`,
        ...namespaces.slice(1).map((n) => `${n}=${n}||{};`),
      ].join(''),
    },
    bundle: true,
    format: 'iife',
    platform: 'browser',
    // Model-driven apps support current Edge, Chrome, Firefox and Safari only ("Supported web browsers and
    // mobile devices", Power Apps docs), all of which run ES2020.
    target: 'es2020',
    // Syntax and whitespace only: terser renames after it, and renames better from the original names
    // than from esbuild's (~60 bytes on the Opportunity script).
    minifySyntax: true,
    minifyWhitespace: true,
    write: false,
    legalComments: 'none',
    charset: 'ascii',
    sourcemap: false,
    logLevel: 'silent',
    absWorkingDir: path.resolve(root, '..'),
  }).catch(fail);
  const minified = await minify(result.outputFiles[0].text, TERSER_OPTIONS);
  if (minified.code === undefined) throw new WebResourceBuildError(item.folder, ['terser wrote no code']);
  return minified.code;
}

export interface ResxWebResource {
  /** `idr_/opportunity/strings.3082.resx` */
  webResourceName: string;
  lcid: number;
  text: string;
}

/** The RESX web resources of a form script, one per language; none when it has no strings. */
export function resxWebResources(item: WebResourceBuild): ResxWebResource[] {
  const { strings } = item;
  if (!strings) return [];
  return Object.entries(RESX_LANGUAGES).map(([lcid, language]) => ({
    webResourceName: `${strings.resource}.${lcid}.resx`,
    lcid: Number(lcid),
    text: writeResx(strings.text(language)),
  }));
}

/**
 * What a page that loads these libraries has for `Xrm.Utility.getResourceString`: their RESX files read
 * back, by resource name and LCID (the emulator's pages and the harness use it).
 */
export function loadedResources(
  items: readonly WebResourceBuild[],
): Record<string, Record<number, Record<string, string>>> {
  const loaded: Record<string, Record<number, Record<string, string>>> = {};
  for (const item of items) {
    if (!item.strings) continue;
    const byLanguage: Record<number, Record<string, string>> = {};
    for (const resx of resxWebResources(item))
      byLanguage[resx.lcid] = readResx(resx.text, resx.webResourceName);
    loaded[item.strings.resource] = byLanguage;
  }
  return loaded;
}

/**
 * Builds every form script into `outDir/<web resource name>` (e.g.
 * `dist/webresources/idr_/groupquotes/opportunity.js`), with its RESX files beside it under their own
 * names, and returns the files written.
 */
export async function buildWebResources(outDir = 'dist/webresources'): Promise<string[]> {
  const folders = await findWebResourceFolders();
  const written: string[] = [];
  for (const folder of folders) {
    const item = WEB_RESOURCES.find((w) => w.folder === folder);
    if (!item) throw new UnregisteredWebResourceError(folder);
    const text = await bundleWebResource(item);
    const file = path.join(outDir, ...item.webResourceName.split('/'));
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, text, 'utf8');
    written.push(file);
    for (const resx of resxWebResources(item)) {
      const resxFile = path.join(outDir, ...resx.webResourceName.split('/'));
      await mkdir(path.dirname(resxFile), { recursive: true });
      await writeFile(resxFile, resx.text, 'utf8');
      written.push(resxFile);
    }
  }
  return written;
}
