/**
 * The bytes of everything Ideario ships to a browser: each form script as `webresources/build.ts`
 * bundles it, and each PCF control's bundle.js as `ideario pack` builds it (production mode). Form scripts are
 * built three times (a figure is a median of runs): a difference between runs means a build that is not
 * reproducible. The PCF controls' budget is 50 KB; the form scripts' target is 10 KB (issue 8).
 */
import path from 'node:path';
import { silentLogger } from '../../dataverse/logger';
import { bundleWebResource, WEB_RESOURCES } from '../../webresources/build';
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
  // A control's bundle comes from the same cached build `ideario pack` uses (built under its lock when
  // the sources changed): its bytes are fixed by the source hash, so one sample is the figure.
  const { sizes } = await cachedPcfBuild({
    pcfRoot: path.join(__dirname, '..', '..', 'pcf-controls'),
    logger: silentLogger,
  });
  for (const [control, bytes] of sizes) add(`bundle.bytes.${control.toLowerCase()}`, bytes);
  return [...samples].map(([name, values]) => figure(name, 'bytes', values));
}
