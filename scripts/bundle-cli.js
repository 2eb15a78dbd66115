#!/usr/bin/env node
// Bundles the `infrakey` command into one file (dist/cli/infrakey.js).
//
// Why: a CLI process pays for every module it loads. Resolving and compiling hundreds of small
// files (our core, yaml, zod/mini, commander) cost ~3x `node -e 0`; one tree-shaken file loads in
// a fraction of that (benchmark B2). Libraries (infrakey/core, /pulumi, /cdktf) stay plain tsc
// output. Packages that are heavy and only needed by some commands (AWS SDK, ioredis, the OS
// keyring binding, age-encryption, jose, prompts, re2js) stay external and are loaded on first use.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const esbuild = require('esbuild');

const root = path.join(__dirname, '..');
const external = [
  '@aws-sdk/*',
  '@smithy/*',
  'ioredis',
  '@napi-rs/keyring',
  'age-encryption',
  'jose',
  '@inquirer/prompts',
  'proper-lockfile',
  // Loads its WebAssembly module from its own folder at run time (HCL !include only).
  '@cdktn/hcl2json',
  // Linear-time Go regexps for .sops.yaml path_regex and encrypted_regex: only some SOPS writes need it.
  're2js',
  // Hosted store clients, loaded by their store kind on first use: 1Password Connect (axios),
  // the 1Password SDK (a 14 MB WebAssembly core read from its own folder), Octokit, libsodium.
  '@1password/connect',
  '@1password/sdk',
  '@octokit/rest',
  'libsodium-wrappers',
];

esbuild
  .build({
    entryPoints: [path.join(root, 'cli/main.ts')],
    outfile: path.join(root, 'dist/cli/infrakey-bundle.js'),
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    // ESM builds tree-shake (zod/mini especially); CommonJS builds would pull everything in.
    mainFields: ['module', 'main'],
    conditions: ['import', 'node'],
    external,
    minifyWhitespace: true,
    minifySyntax: true,
    keepNames: true,
    sourcemap: 'linked',
    // Some ESM dependencies call createRequire(import.meta.url); give them this file's URL.
    define: { 'import.meta.url': '__infrakeyImportMetaUrl' },
    banner: { js: "const __infrakeyImportMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
    logLevel: 'warning',
  })
  .then(() => {
    // The bin is a small launcher so that Node 22.1+ can cache the bundle's compiled code on disk
    // before the bundle is compiled (a no-op on Node 20). That halves later start-ups on Node 24.
    const launcher = [
      '#!/usr/bin/env node',
      "'use strict';",
      "const { enableCompileCache } = require('node:module');",
      'if (enableCompileCache) {',
      '  try {',
      '    enableCompileCache();',
      '  } catch {',
      '    // a read-only temp folder only costs speed',
      '  }',
      '}',
      "require('./infrakey-bundle.js');",
      '',
    ].join('\n');
    const bin = path.join(root, 'dist/cli/infrakey.js');
    fs.writeFileSync(bin, launcher, { mode: 0o755 });
  })
  .catch((error) => {
    console.error(error.message);
    process.exit(1);
  });
