/**
 * The bytes of everything Ideario ships to a browser: each form script as `webresources/build.ts`
 * bundles it, and each PCF control's bundle.js as `ideario pack` builds it (production mode). Each is
 * built three times (a figure is a median of runs): a difference between runs means a build that is not
 * reproducible. The PCF controls' budget is 50 KB; the form scripts' target is 10 KB (issue 8).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { silentLogger } from '../../dataverse/logger';
import { bundleWebResource, WEB_RESOURCES } from '../../webresources/build';
import { buildPcfControls } from '../solution/pcfbuild';
import { cachedPcfBuild } from '../solution/pcfcache';
import { figure, type Figure } from './figures';
import type { BenchOptions } from './results';

const RUNS = 3;

export async function figures(_options: BenchOptions): Promise<Figure[]> {
  const samples = new Map<string, number[]>();
  const add = (name: string, bytes: number) => samples.set(name, [...(samples.get(name) ?? []), bytes]);
  for (let run = 0; run < RUNS; run++) {
    for (const item of WEB_RESOURCES)
      add(`bundle.bytes.${item.folder}`, Buffer.byteLength(await bundleWebResource(item), 'utf8'));
  }
  // A control's first sample is the cached build `ideario pack` uses (built under its lock when the
  // sources changed); the others are fresh production builds of the same sources, so a size that moves
  // between them is a build that is not reproducible, as for the form scripts.
  const pcfRoot = path.join(__dirname, '..', '..', 'pcf-controls');
  const addControls = (sizes: ReadonlyMap<string, number>) => {
    for (const [control, bytes] of sizes) add(`bundle.bytes.${control.toLowerCase()}`, bytes);
  };
  addControls((await cachedPcfBuild({ pcfRoot, logger: silentLogger })).sizes);
  for (let run = 1; run < RUNS; run++) {
    const out = await mkdtemp(path.join(tmpdir(), 'ideario-bench-pcf-'));
    try {
      addControls(await buildPcfControls(pcfRoot, out, silentLogger));
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  }
  return [...samples].map(([name, values]) => figure(name, 'bytes', values));
}
