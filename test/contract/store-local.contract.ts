/**
 * The store contract (store-contract.ts) over the backends that need no service: the keychain
 * store over the memory and the file keyrings. Runs without moto, redis or D-Bus.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeStoreContract, run } from './store-contract';

const keyringDir = mkdtempSync(join(tmpdir(), 'infrakey-store-contract-'));
afterAll(() => {
  rmSync(keyringDir, { recursive: true, force: true });
});

describeStoreContract([
  { name: 'keychain-memory', config: () => ({ kind: 'keychain', options: { backend: 'memory' } }), typedScalars: true, rawKeyFor: (p) => p, jsonTextDecodes: false },
  {
    name: 'keychain-file',
    config: () => ({ type: 'keyring', options: { backend: 'file', file_dir: keyringDir, prefix: `atmos-${run}` } }),
    typedScalars: true,
    rawKeyFor: (p) => p,
    jsonTextDecodes: false,
  },
]);
