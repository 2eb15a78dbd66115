// Runs a TypeScript CDKTF app the way `cdktf synth` runs `npx ts-node main.ts`, without ts-node:
// `.ts` files are transpiled with @swc/core (a dev dependency), and `infrakey` / `infrakey/cdktf`
// resolve to this repository's sources (an installed package would resolve them to dist/).
// Used by examples/cdktf-aws/synth.sh, scripts/demo.sh and the example's tests.
//   node scripts/run-ts-app.js main.ts     (in the app's folder, CDKTF_OUTDIR/CDKTF_CONTEXT_JSON set)
'use strict';
const Module = require('node:module');
const path = require('node:path');
const fs = require('node:fs');
const { transformSync } = require('@swc/core');

const root = path.resolve(__dirname, '..');
const entries = { infrakey: 'core/index.ts', 'infrakey/core': 'core/index.ts', 'infrakey/cdktf': 'cdktf/index.ts' };
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, parent, ...rest) {
  if (Object.prototype.hasOwnProperty.call(entries, request)) return path.join(root, entries[request]);
  // Packages the app imports resolve from the repository (the example has no node_modules).
  try {
    return resolve.call(this, request, parent, ...rest);
  } catch (e) {
    if (request.startsWith('.') || path.isAbsolute(request)) throw e;
    return resolve.call(this, request, { ...parent, paths: Module._nodeModulePaths(root) }, ...rest);
  }
};
require.extensions['.ts'] = (mod, filename) => {
  const { code } = transformSync(fs.readFileSync(filename, 'utf8'), {
    filename,
    jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
    module: { type: 'commonjs' },
  });
  mod._compile(code, filename);
};
require(path.resolve(process.argv[2]));
