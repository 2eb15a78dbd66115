/**
 * JFrog Artifactory (`kind: artifactory`). Known to the registry (names, secret policy: never, it
 * does not encrypt at rest; key composition §5.3); the backend is not built yet, so a store of this
 * kind is refused with STORE_KIND_UNSUPPORTED. Adding it = `options` + `create` here.
 */
import { prefixedRawKey } from '../key-path';
import { defineStoreKind } from '../store-kind';
import { jsonCodec } from '../value-codec';

/** The Artifactory kind. */
export const artifactoryKind = defineStoreKind({
  name: 'artifactory',
  aliases: ['artifactory'],
  secret: 'never',
  keys: { stackDelimiter: '/', finalDelimiter: '/', rawKeyPath: prefixedRawKey, emptyScope: false },
  codec: () => jsonCodec,
});
