// Child process: what a CI job does. No TTY (stdin is /dev/null), no D-Bus, file keyring chosen
// and unlocked from the environment only. Prints the round-tripped value's length and the type.
'use strict';
require('./ts-register');
const { selectKeyring } = require('../../../../core/keyring/select-keyring.ts');
const { unsafeUnwrap } = require('../../../../core/secret.ts');

(async () => {
  const kr = await selectKeyring({ auth: { keyring: { type: 'system' } } });
  await kr.set('atmos_ci_deployer', 'ci-secret-value-123');
  const v = await kr.get('atmos_ci_deployer');
  process.stdout.write(JSON.stringify({ type: kr.type, roundTrip: unsafeUnwrap(v) === 'ci-secret-value-123' }) + '\n');
})().catch((e) => {
  process.stdout.write(JSON.stringify({ error: e.code, message: e.message }) + '\n');
  process.exitCode = 1;
});
