/**
 * 1Password (`kind: onepassword`, legacy `1password`). Known to the registry (names, secret by
 * default); the backend, and its reference-based addressing (`op://` templates, §5.3), are not
 * built yet, so a store of this kind is refused with STORE_KIND_UNSUPPORTED.
 */
import { defineStoreKind } from '../store-kind';
import { jsonCodec } from '../value-codec';

/** The 1Password kind. */
export const onePasswordKind = defineStoreKind({
  name: 'onepassword',
  aliases: ['1password', 'onepassword'],
  secret: 'always',
  keys: { stackDelimiter: '-', finalDelimiter: '/', rawKeyPath: (_prefix, raw) => raw, emptyScope: true },
  codec: () => jsonCodec,
});
