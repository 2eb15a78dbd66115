#!/usr/bin/env node
// Bundles the `infrakey` command into one file (dist/cli/infrakey.js).
//
// Why: a CLI process pays for every module it loads. Resolving and compiling hundreds of small
// files (our core, yaml, zod/mini, commander) cost ~3x `node -e 0`; one tree-shaken file loads in
// a fraction of that (benchmark B2). Libraries (infrakey/core, /pulumi, /cdktf) stay plain tsc
// output. Packages that are heavy and only needed by some commands (AWS SDK, ioredis, the OS
// keyring binding, prompts, re2js, the Azure and Google SDKs) stay external and are loaded on first use.
//
// The bin (scripts/cli-launcher.js) runs the bundle from a V8 code cache through `vm.Script`,
// where `import()` is not available without an experimental flag. So the bundle has no
// `import()`: external packages (all of them have a CommonJS entry) are loaded with `require`
// when first used, and the ESM-only ones (age-encryption, jose, @octokit/rest) are bundled: esbuild keeps a
// module reached only by `import()` uninitialised until that call, so they still cost nothing
// until a command uses them. The build fails if an `import(` survives.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const esbuild = require('esbuild');

const root = path.join(__dirname, '..');
const external = [
  '@aws-sdk/*',
  '@smithy/*',
  // MSAL (Azure logins): loaded on first use by the Azure kinds only.
  '@azure/*',
  'ioredis',
  '@napi-rs/keyring',
  '@inquirer/prompts',
  'proper-lockfile',
  // Loads its WebAssembly module from its own folder at run time (HCL !include only).
  '@cdktn/hcl2json',
  // Linear-time Go regexps for .sops.yaml path_regex and encrypted_regex: only some SOPS writes need it.
  're2js',
  // Azure Key Vault and Google Secret Manager stores: their SDKs load on the stores' first use
  // (google-auth-library: below).
  '@azure/*',
  '@google-cloud/*',
  'google-gax',
  'google-gax/*',
  // Hosted store clients, loaded by their store kind on first use: 1Password Connect (axios),
  // the 1Password SDK (a 14 MB WebAssembly core read from its own folder), libsodium.
  // (Octokit is ESM-only: bundled, see above.)
  '@1password/connect',
  '@1password/sdk',
  'libsodium-wrappers',
  // Google credentials (Application Default Credentials) for SOPS gcp-kms and the Secret Manager
  // store, with its HTTP stack.
  'google-auth-library',
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
    supported: { 'dynamic-import': false },
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
    const out = fs.readFileSync(path.join(root, 'dist/cli/infrakey-bundle.js'), 'utf8');
    const at = out.search(/(?<![\w$.])import\(/);
    if (at >= 0) throw new Error(`dist/cli/infrakey-bundle.js still calls import() (${out.slice(at, at + 60)}): the launcher cannot run it; make the package external with a CommonJS entry, or bundle it`);
    // The bin is a small launcher that loads the bundle with a V8 code cache made at exit
    // (scripts/cli-launcher.js says why): later starts skip compiling what the command runs.
    const bin = path.join(root, 'dist/cli/infrakey.js');
    fs.copyFileSync(path.join(__dirname, 'cli-launcher.js'), bin);
    fs.chmodSync(bin, 0o755);
  })
  .catch((error) => {
    console.error(error.message);
    process.exit(1);
  });
