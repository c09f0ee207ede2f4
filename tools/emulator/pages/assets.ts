/**
 * Scripts the pages load: the form runtime (`client/form.ts`) and the solutions' form libraries under
 * `/WebResources/<name>` (the path Dynamics serves web resources from), bundled from their TypeScript
 * sources with the same build as `ideario pack`, once per process.
 */
import path from 'node:path';
import { build } from 'esbuild';
import { bundleWebResource, WEB_RESOURCES } from '../../../webresources/build';

/** The form runtime could not be bundled (a compile error in `client/`). */
export class PageScriptBuildError extends Error {
  constructor(readonly details: string) {
    super(`Building the emulator's form page script failed: ${details}`);
    this.name = 'PageScriptBuildError';
  }
}

let formScript: Promise<string> | undefined;
let pcfScript: Promise<string> | undefined;

/**
 * `/_ideario/pcf.js`: React, ReactDOM and Fluent UI 9 from node_modules (the versions the manifests
 * name as platform libraries) with the PCF host, in one script served from the emulator itself.
 */
export function pcfHostScript(): Promise<string> {
  pcfScript ??= build({
    entryPoints: [path.join(__dirname, 'client', 'pcf', 'host.ts')],
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2019',
    minify: true,
    write: false,
    legalComments: 'none',
    logLevel: 'silent',
    define: { 'process.env.NODE_ENV': '"production"' },
  }).then(
    (result) => result.outputFiles[0]?.text ?? '',
    (error: unknown) => {
      pcfScript = undefined;
      throw new PageScriptBuildError(error instanceof Error ? error.message : String(error));
    },
  );
  return pcfScript;
}
const libraries = new Map<string, Promise<string>>();

export function formRuntimeScript(): Promise<string> {
  formScript ??= build({
    entryPoints: [path.join(__dirname, 'client', 'form.ts')],
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2019',
    minify: true,
    write: false,
    legalComments: 'none',
    logLevel: 'silent',
  }).then(
    (result) => result.outputFiles[0]?.text ?? '',
    (error: unknown) => {
      formScript = undefined;
      throw new PageScriptBuildError(error instanceof Error ? error.message : String(error));
    },
  );
  return formScript;
}

/** A form library by web resource name, or undefined when no solution has it. */
export function webResourceScript(name: string): Promise<string> | undefined {
  const item = WEB_RESOURCES.find((w) => w.webResourceName === name);
  if (!item) return undefined;
  let script = libraries.get(name);
  if (!script) {
    script = bundleWebResource(item);
    script.catch(() => libraries.delete(name));
    libraries.set(name, script);
  }
  return script;
}
