// Lets a child `node` process load the TypeScript sources directly (the same way jest does, with
// @swc/core), so the multi-process tests exercise the code under test, not a stale dist/ build.
// Dynamic import() stays a real import() so ESM-only packages (jose) load as in production.
'use strict';
const fs = require('node:fs');
const swc = require('@swc/core');

require.extensions['.ts'] = function compileTs(module, filename) {
  const source = fs.readFileSync(filename, 'utf8');
  const { code } = swc.transformSync(source, {
    filename,
    jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
    module: { type: 'commonjs', ignoreDynamic: true },
    sourceMaps: false,
  });
  module._compile(code, filename);
};
