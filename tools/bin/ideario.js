#!/usr/bin/env node
// The `ideario` command (package.json "bin"). An installed package runs the bundle `npm pack` built
// (tools/bin/build.ts → out/cli/ideario.cjs); a clone runs the TypeScript source through tsx.
'use strict';
const { existsSync } = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..', '..');
const bundle = path.join(root, 'out', 'cli', 'ideario.cjs');
const source = path.join(root, 'tools', 'cli', 'main.ts');

if (existsSync(source)) {
  let register;
  try {
    ({ register } = require('tsx/cjs/api'));
  } catch {
    register = undefined;
  }
  if (register) {
    register();
    require(source);
    return;
  }
}
if (existsSync(bundle)) {
  require(bundle);
} else {
  process.stderr.write(
    'ideario: neither the built CLI (out/cli/ideario.cjs) nor tsx to run tools/cli/main.ts was found; run `npm ci` in the clone.\n',
  );
  process.exitCode = 1;
}
