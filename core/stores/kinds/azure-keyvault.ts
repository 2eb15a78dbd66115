/**
 * Azure Key Vault (`kind: azure/keyvault`, legacy `azure-key-vault`). Known to the registry (names,
 * secret policy, identity cloud, key composition §5.3); the backend is not built yet, so a store
 * of this kind is refused with STORE_KIND_UNSUPPORTED. Adding it = `options` + `create` here.
 */
import { prefixedRawKey } from '../key-path';
import { defineStoreKind } from '../store-kind';
import { jsonCodec } from '../value-codec';

/** Key Vault names allow only `[0-9A-Za-z-]`: other characters become `-`, runs collapse, ends trim. */
export function azureSecretName(s: string): string {
  const cleaned = s
    .replace(/[^0-9A-Za-z-]/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-+|-+$/g, '');
  return cleaned === '' ? 'default' : cleaned;
}

/** The Azure Key Vault kind. */
export const azureKeyVaultKind = defineStoreKind({
  name: 'azure/keyvault',
  aliases: ['azure-key-vault'],
  secret: 'optional',
  auth: 'azure',
  keys: { stackDelimiter: '-', finalDelimiter: '-', sanitize: azureSecretName, rawKeyPath: (prefix, raw) => azureSecretName(prefixedRawKey(prefix, raw)), emptyScope: false },
  codec: () => jsonCodec,
});
