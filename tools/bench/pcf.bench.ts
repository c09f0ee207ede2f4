/**
 * Each PCF control's bundle.js as `ideario pack` builds it (production mode), against the 50 KB
 * budget. React and Fluent UI are platform libraries, so the bundle is the control's own code plus
 * react-window (ImpactRanking's virtualised rows) and the domain functions it shares with the server.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { silentLogger } from '../../dataverse/logger';
import { buildPcfControls } from '../solution/pcfbuild';

const BUDGET_BYTES = 50 * 1024;

export async function run(): Promise<void> {
  const out = await mkdtemp(path.join(tmpdir(), 'ideario-pcf-'));
  try {
    const sizes = await buildPcfControls(path.join(__dirname, '..', '..', 'pcf-controls'), out, silentLogger);
    for (const [control, bytes] of sizes) {
      const share = ((bytes / BUDGET_BYTES) * 100).toFixed(0);
      console.log(
        `${control.padEnd(20)} bundle.js ${(bytes / 1024).toFixed(1).padStart(6)} KB  (${share}% of 50 KB)`,
      );
    }
  } finally {
    await rm(out, { recursive: true, force: true });
  }
}
