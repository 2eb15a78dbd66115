/**
 * The store contract (store-contract.ts) over the token-based cloud stores, each against its named
 * FAKE (Microsoft's and Google's documented REST APIs, test/fakes/): azure/keyvault over
 * FakeKeyVault (HTTPS, the client trusting the fake's certificate) and gcp/secretmanager over
 * FakeSecretManager (REST v1), both through the vendors' own SDKs.
 */
import { FakeKeyVault } from '../fakes/fake-keyvault';
import { FakeSecretManager } from '../fakes/fake-secret-manager';
import { trustingAgent } from '../support/tls-cert';
import { describeStoreContract, run } from './store-contract';

const keyVault = new FakeKeyVault();
const secretManager = new FakeSecretManager({ anonymous: true });
beforeAll(async () => {
  await keyVault.start();
  await secretManager.start();
});
afterAll(async () => {
  await keyVault.stop();
  await secretManager.stop();
});

/** `path` relative to `prefix` + `delimiter`, or undefined. */
const after = (prefix: string, delimiter: string) => (path: string) => (path.startsWith(`${prefix}${delimiter}`) ? path.slice(prefix.length + 1) : undefined);

describeStoreContract([
  {
    name: 'azure-keyvault',
    config: () => ({ kind: 'azure/keyvault', secret: true, options: { vault_url: keyVault.url, prefix: `ik-${run}`, without_authentication: true, disable_challenge_resource_verification: true } }),
    registryOptions: () => ({ kindHooks: { 'azure/keyvault': { clientOptions: { agent: trustingAgent(keyVault.ca()) } } } }),
    typedScalars: true,
    // Atmos GetKey: the raw key is sanitised only, the prefix is not applied: the full name reads it.
    rawKeyFor: (path) => path,
    jsonTextDecodes: false,
    // 25 KB, JSON-quoted.
    maxStringChars: 25 * 1024 - 2,
    listed: ['one', 'sibling-x', 'sub-three', 'two'],
  },
  {
    name: 'gcp-secretmanager',
    config: () => ({ kind: 'gcp/secretmanager', secret: true, options: { project_id: 'infrakey-test', endpoint: secretManager.url, without_authentication: true, prefix: `ik_${run}` } }),
    typedScalars: true,
    // Atmos GetKey: prefix + "_" + raw key.
    rawKeyFor: after(`ik_${run}`, '_'),
    jsonTextDecodes: false,
    // 64 KiB, JSON-quoted.
    maxStringChars: 64 * 1024 - 2,
    listed: ['one', 'sub_three', 'two'],
  },
]);
