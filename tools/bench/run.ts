/** `npm run bench`: runs every tools/bench/*.bench.ts in name order, one header per file. */
import { readdirSync } from 'node:fs';
import path from 'node:path';

interface BenchModule {
  run(): Promise<void>;
}

function isBenchModule(value: unknown): value is BenchModule {
  return (
    typeof value === 'object' && value !== null && typeof (value as { run?: unknown }).run === 'function'
  );
}

async function main(): Promise<void> {
  const files = readdirSync(__dirname)
    .filter((name) => name.endsWith('.bench.ts'))
    .sort();
  for (const file of files) {
    console.log(`\n=== ${file} ===`);
    const loaded: unknown = await import(path.join(__dirname, file));
    if (!isBenchModule(loaded)) throw new Error(`${file} does not export async function run()`);
    await loaded.run();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
