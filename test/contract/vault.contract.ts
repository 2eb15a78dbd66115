/**
 * The store contract (store-contract.ts) over a real Vault dev server (`vault server -dev`, built
 * from its Go module by scripts/build-engines.sh and started by scripts/services.sh), KV v2 at
 * the dev server's `secret/` mount.
 */
import { VAULT_MAX_VALUE_BYTES } from '../../core/stores/kinds/hashicorp-vault';
import { vaultAddr, vaultToken } from '../support/services';
import { describeStoreContract, run, strip } from './store-contract';

describeStoreContract([
  {
    name: 'vault',
    config: () => ({ kind: 'hashicorp/vault', options: { address: vaultAddr(), token: vaultToken(), mount: 'secret', prefix: `infrakey/${run}` } }),
    typedScalars: true,
    rawKeyFor: strip(`infrakey/${run}`),
    // The field `value` holds the value itself: a string holding JSON text stays that string.
    jsonTextDecodes: false,
    // The value's JSON text: an ASCII string plus its two quotes.
    maxStringChars: VAULT_MAX_VALUE_BYTES - 2,
  },
  {
    name: 'vault-secret',
    config: () => ({ kind: 'hashicorp-vault', secret: true, options: { url: vaultAddr(), token: vaultToken(), path: '/secret/', prefix: `infrakey/${run}/s/` } }),
    typedScalars: true,
    rawKeyFor: strip(`infrakey/${run}/s`),
    jsonTextDecodes: false,
    maxStringChars: VAULT_MAX_VALUE_BYTES - 2,
  },
]);
