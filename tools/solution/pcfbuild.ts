/**
 * Builds the PCF controls of pcf-controls/ for packing: pcf-scripts in production mode, then
 * `tsc --noEmit` on the control's project (pcf-scripts exits 0 even when the build fails, so its log
 * must say `[build] Succeeded`), and copies bundle.js, ControlManifest.xml and the resx files to
 * `<outDir>/<Control>/`, where pack.ts reads control builds from.
 */
import { spawn } from 'node:child_process';
import { cp, mkdir, readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../../dataverse/logger';

/** A control failed to build; `log` holds the end of the tool's output with the reason. */
export class PcfBuildFailedError extends Error {
  constructor(
    readonly control: string,
    readonly step: 'pcf-scripts build' | 'tsc --noEmit',
    readonly log: string,
  ) {
    super(
      `PCF control ${control} did not build (${step}). Fix the errors below and pack again:\n${log.trim().split('\n').slice(-25).join('\n')}`,
    );
    this.name = 'PcfBuildFailedError';
  }
}

const SUCCEEDED = '[build] Succeeded';

function run(command: string, args: string[], cwd: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    // pcf-scripts reports usage to Microsoft unless told not to; a pack must not reach the network.
    const child = spawn(command, args, { cwd, env: { ...process.env, PP_TOOLS_TELEMETRY_OPTOUT: 'true' } });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, output }));
  });
}

/** The control folders (those with a ControlManifest.Input.xml), sorted by name. */
export async function findControls(pcfRoot: string): Promise<string[]> {
  const entries = await readdir(pcfRoot, { withFileTypes: true });
  const controls: string[] = [];
  for (const entry of entries) {
    if (!entry.isDirectory()) continue;
    const manifest = path.join(pcfRoot, entry.name, 'ControlManifest.Input.xml');
    if (
      await stat(manifest).then(
        () => true,
        () => false,
      )
    )
      controls.push(entry.name);
  }
  return controls.sort();
}

export async function buildPcfControl(pcfRoot: string, control: string, outDir: string): Promise<void> {
  const dir = path.join(pcfRoot, control);
  const bin = path.resolve(pcfRoot, '..', 'node_modules', '.bin');
  const build = await run(path.join(bin, 'pcf-scripts'), ['build', '--buildMode', 'production'], dir);
  if (build.code !== 0 || !build.output.includes(SUCCEEDED))
    throw new PcfBuildFailedError(control, 'pcf-scripts build', build.output);
  const tsc = await run(path.join(bin, 'tsc'), ['-p', 'tsconfig.json', '--noEmit'], dir);
  if (tsc.code !== 0) throw new PcfBuildFailedError(control, 'tsc --noEmit', tsc.output);
  const built = path.join(dir, 'out', 'controls');
  const target = path.join(outDir, control);
  await rm(target, { recursive: true, force: true });
  await mkdir(target, { recursive: true });
  // Only what the manifest references: the licence banner file webpack writes is not part of a control.
  await cp(path.join(built, 'bundle.js'), path.join(target, 'bundle.js'));
  await cp(path.join(built, 'ControlManifest.xml'), path.join(target, 'ControlManifest.xml'));
  await cp(path.join(built, 'strings'), path.join(target, 'strings'), { recursive: true });
}

/** Builds every control into `<outDir>/<Control>/`; returns each bundle's size in bytes. */
export async function buildPcfControls(
  pcfRoot: string,
  outDir: string,
  logger: Logger,
): Promise<Map<string, number>> {
  const sizes = new Map<string, number>();
  for (const control of await findControls(pcfRoot)) {
    await buildPcfControl(pcfRoot, control, outDir);
    const size = (await stat(path.join(outDir, control, 'bundle.js'))).size;
    sizes.set(control, size);
    logger.info('built PCF control', { control, bundleBytes: size });
  }
  return sizes;
}
