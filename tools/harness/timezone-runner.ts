/** Child side of runInTimeZone: `node --import tsx timezone-runner.ts <module> <export>`. */
import { pathToFileURL } from 'node:url';
import { RESULT_MARKER } from './timezone';

async function main(): Promise<void> {
  const [modulePath, exportName] = process.argv.slice(2);
  const loaded = (await import(pathToFileURL(modulePath).href)) as Record<string, unknown>;
  // tsx hands a CommonJS module's exports over as `default`.
  const exports = (loaded[exportName] === undefined ? loaded.default : loaded) as
    Record<string, unknown> | undefined;
  const scenario = exports?.[exportName];
  if (typeof scenario !== 'function') throw new Error(`${modulePath} exports no function ${exportName}`);
  const result: unknown = await (scenario as () => unknown)();
  process.stdout.write(`${RESULT_MARKER}${JSON.stringify(result)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
