// Child process for the file-keyring concurrency and crash tests.
// env: KR_DIR, KR_PREFIX, KR_COUNT (0 = forever), KR_ITERATIONS; password in KR_TEST_PASSWORD.
// Prints "ack <key>" after each set() resolved, i.e. once the entry is acknowledged as durable.
'use strict';
require('./ts-register');
const { FileKeyring } = require('../../../../core/keyring/file-keyring.ts');

async function main() {
  const kr = new FileKeyring({
    dir: process.env.KR_DIR,
    passwordEnv: 'KR_TEST_PASSWORD',
    isTTY: false,
    unsafeLowIterationsForTests: Number(process.env.KR_ITERATIONS),
  });
  const count = Number(process.env.KR_COUNT);
  for (let i = 0; count === 0 || i < count; i++) {
    const key = `${process.env.KR_PREFIX}-${i}`;
    await kr.set(key, `value-of-${key}-${'x'.repeat(i % 7)}`);
    process.stdout.write(`ack ${key}\n`);
  }
}
main().then(
  () => process.exit(0),
  (e) => {
    process.stderr.write(`${e && e.code} ${e && e.message}\n`);
    process.exit(1);
  },
);
