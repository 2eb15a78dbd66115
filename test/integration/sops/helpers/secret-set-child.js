// Child process of the concurrent `secret set` test: the real CLI (`cli/program.ts`, loaded from
// the TypeScript sources like the keyring's multi-process test), started with argv as given.
// It loads everything first and prints "ready"; the parent then sends every child its value on
// stdin at the same moment, so the eight read-modify-writes overlap.
'use strict';
require('../../keyring/helpers/ts-register');
const { run } = require('../../../../cli/program.ts');
// Warm what `secret set` on a SOPS file loads, so that no child is still compiling when the
// others write.
require('../../../../core/index.ts');
require('../../../../core/secrets/sops-ops.ts');
require('../../../../core/secrets/sops/sops-file.ts');

process.stdout.write('ready\n');
run(process.argv.slice(2)).then(
  (code) => process.stdout.write('', () => process.exit(code)),
  (e) => {
    process.stderr.write(`error [INTERNAL]: ${e && e.message}\n`);
    process.exit(1);
  },
);
