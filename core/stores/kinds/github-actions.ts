/**
 * GitHub Actions secrets (`kind: github/actions`, legacy `github-actions`). Known to the registry
 * (names, secret by default); the backend, and its flat secret names (§5.3), are not built yet, so
 * a store of this kind is refused with STORE_KIND_UNSUPPORTED.
 */
import { defineStoreKind } from '../store-kind';
import { jsonCodec } from '../value-codec';

/** The GitHub Actions kind. */
export const githubActionsKind = defineStoreKind({
  name: 'github/actions',
  aliases: ['github-actions'],
  secret: 'always',
  keys: { stackDelimiter: '-', finalDelimiter: '/', rawKeyPath: (_prefix, raw) => raw, emptyScope: true },
  codec: () => jsonCodec,
});
