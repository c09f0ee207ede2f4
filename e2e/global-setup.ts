/**
 * Starts what `npm start` starts (packed solutions, webhook host, emulator with the small demo) on free
 * ports, in memory, and waits until the demo's system jobs are done. Tests read the URL from
 * IDEARIO_E2E_URL; global-teardown.ts stops it.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { silentLogger } from '../dataverse/logger';
import { runStart, type RunningStart } from '../tools/cli/start';

declare global {
  var idearioE2e: RunningStart | undefined;
}

export default async function globalSetup(): Promise<void> {
  const dist = mkdtempSync(path.join(tmpdir(), 'ideario-e2e-'));
  const running = await runStart({
    port: 0,
    hostPort: 0,
    reset: false,
    demo: true,
    demoSize: 'small',
    memory: true,
    distDir: dist,
    logger: silentLogger,
    print: () => undefined,
    asyncConcurrency: 4,
    waitIdle: true,
  });
  globalThis.idearioE2e = running;
  process.env.IDEARIO_E2E_URL = running.emulator.url;
}
