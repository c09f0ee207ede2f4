import type { RunningStart } from '../tools/cli/start';

declare global {
  var idearioE2e: RunningStart | undefined;
}

export default async function globalTeardown(): Promise<void> {
  await globalThis.idearioE2e?.close();
}
