/** The PCF control builds for tests that pack `solution/`: from the build cache, built at most once per source change. */
import path from 'node:path';
import { silentLogger } from '../../dataverse/logger';
import { type ControlBuild, readControlBuilds } from './pack';
import { cachedPcfBuild } from './pcfcache';

export const PCF_ROOT = path.resolve(__dirname, '..', '..', 'pcf-controls');

/** The folder holding `<Control>/` builds, to pass as `packSolutions({ pcfDir })`. */
export async function builtControlsDir(): Promise<string> {
  return (await cachedPcfBuild({ pcfRoot: PCF_ROOT, logger: silentLogger })).dir;
}

/** The builds named as a solution with this publisher prefix declares them, for `buildSolutionParts`. */
export async function builtControls(prefix = 'idr'): Promise<ControlBuild[]> {
  return readControlBuilds(await builtControlsDir(), prefix);
}
