/**
 * HashiCorp Vault KV v2 (`kind: hashicorp/vault`, legacy `hashicorp-vault`). Known to the registry
 * (names, secret policy, key composition §5.3); the backend is not built yet, so a store of this
 * kind is refused with STORE_KIND_UNSUPPORTED. Adding it = `options` + `create` here.
 */
import { defineStoreKind } from '../store-kind';
import { jsonCodec } from '../value-codec';

/** Vault `GetKey`: `trimRight(prefix, "/") + "/" + trimLeft(raw, "/")`. */
export function vaultRawKeyPath(prefix: string, rawKey: string): string {
  return `${prefix.replace(/\/+$/, '')}/${rawKey.replace(/^\/+/, '')}`;
}

/** The Vault kind. */
export const hashicorpVaultKind = defineStoreKind({
  name: 'hashicorp/vault',
  aliases: ['hashicorp-vault'],
  secret: 'optional',
  keys: { stackDelimiter: '/', finalDelimiter: '/', rawKeyPath: vaultRawKeyPath, emptyScope: false },
  codec: () => jsonCodec,
});
