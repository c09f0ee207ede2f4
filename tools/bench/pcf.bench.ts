/**
 * Each PCF control's bundle.js as `ideario pack` builds it (production mode), against the 50 KB
 * budget. React and Fluent UI are platform libraries, so the bundle is the control's own code plus
 * react-window (ImpactRanking's virtualised rows) and the domain functions it shares with the server.
 */
import path from 'node:path';
import { silentLogger } from '../../dataverse/logger';
import { cachedPcfBuild } from '../solution/pcfcache';

const BUDGET_BYTES = 50 * 1024;

export async function run(): Promise<void> {
  // The same build pack uses, from the build cache (built under its lock when the sources changed).
  const { sizes } = await cachedPcfBuild({
    pcfRoot: path.join(__dirname, '..', '..', 'pcf-controls'),
    logger: silentLogger,
  });
  for (const [control, bytes] of sizes) {
    const share = ((bytes / BUDGET_BYTES) * 100).toFixed(0);
    console.log(
      `${control.padEnd(20)} bundle.js ${(bytes / 1024).toFixed(1).padStart(6)} KB  (${share}% of 50 KB)`,
    );
  }
}
