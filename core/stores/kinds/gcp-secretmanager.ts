/**
 * Google Secret Manager (`kind: gcp/secretmanager`, legacy `google-secret-manager`,
 * `google/secretmanager`, `gsm`). Known to the registry (names, secret policy, identity cloud, key
 * composition §5.3); the backend is not built yet, so a store of this kind is refused with
 * STORE_KIND_UNSUPPORTED. Adding it = `options` + `create` here.
 */
import { prefixedRawKey } from '../key-path';
import { defineStoreKind } from '../store-kind';
import { jsonCodec } from '../value-codec';

/** Secret ids: `/` → `_`, one `__` → `_` pass, trim `_`. */
export function gcpSecretId(s: string): string {
  return s.replaceAll('/', '_').replaceAll('__', '_').replace(/^_+|_+$/g, '');
}

/** The Google Secret Manager kind. */
export const gcpSecretManagerKind = defineStoreKind({
  name: 'gcp/secretmanager',
  aliases: ['google-secret-manager', 'google/secretmanager', 'gsm'],
  secret: 'optional',
  auth: 'gcp',
  keys: { stackDelimiter: '-', finalDelimiter: '_', sanitize: gcpSecretId, rawKeyPath: (prefix, raw) => gcpSecretId(prefixedRawKey(prefix, raw)), emptyScope: true },
  codec: () => jsonCodec,
});
