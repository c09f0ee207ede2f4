/**
 * Bundles the CLI into out/cli/ideario.cjs for an installed package (`npm pack` runs it as `prepack`),
 * where tsx, a development dependency, is absent. Packages stay external: they come with the package's
 * dependencies, and better-sqlite3 is native.
 */
import path from 'node:path';
import { build } from 'esbuild';

export const CLI_BUNDLE = path.join('out', 'cli', 'ideario.cjs');

export async function buildCli(root: string, outfile = path.join(root, CLI_BUNDLE)): Promise<string> {
  await build({
    entryPoints: [path.join(root, 'tools', 'cli', 'main.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    packages: 'external',
    logLevel: 'warning',
  });
  return outfile;
}

if (require.main === module) {
  void buildCli(path.resolve(__dirname, '..', '..')).then((file) => console.log(`Built ${file}`));
}
