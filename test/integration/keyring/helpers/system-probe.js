// Child process: one get() on the system keyring; prints {ms, code, message} as JSON.
// Run with a broken or locked Secret Service to prove the call fails fast instead of hanging.
'use strict';
require('./ts-register');
const { SystemKeyring } = require('../../../../core/keyring/system-keyring.ts');

const start = Date.now();
new SystemKeyring()
  .get(process.env.KR_KEY || 'infrakey-probe-key')
  .then(
    (v) => ({ ms: Date.now() - start, ok: true, found: v !== undefined }),
    (e) => ({ ms: Date.now() - start, ok: false, code: e.code, message: e.message }),
  )
  .then((r) => process.stdout.write(JSON.stringify(r) + '\n'));
