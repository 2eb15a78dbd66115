/* eslint-disable @typescript-eslint/no-require-imports -- synchronous lazy loading keeps cold starts light (benchmark B2) */
/**
 * Opens the keyring behind a `keychain` store (`options.backend` system|file|memory). The
 * keychain store's namespace is not the auth credentials' (semantics §3.7): system entries use the
 * store's `service` (default `atmos-secrets`) as their account; the file backend defaults to
 * `{XDG data}/atmos/keychain` and takes its password from `options.password_env`, else
 * ATMOS_KEYRING_PASSWORD. Keyrings are opened once per store and loaded lazily.
 */
import { join } from 'node:path';
import type { Keyring } from '../keyring/keyring';
import type { KeychainKeyringFactory } from '../stores/kinds/keychain';

/** The keyring factory the workspace gives the store registry. */
export function defaultKeyringFactory(env: NodeJS.ProcessEnv): KeychainKeyringFactory {
  const opened = new Map<string, Keyring>();
  return (spec, storeName) => {
    let k = opened.get(storeName);
    if (k) return k;
    if (spec.backend === 'memory') {
      const { MemoryKeyring } = require('../keyring/memory-keyring') as typeof import('../keyring/memory-keyring');
      k = new MemoryKeyring();
    } else if (spec.backend === 'file') {
      const { FileKeyring } = require('../keyring/file-keyring') as typeof import('../keyring/file-keyring');
      const paths = require('../keyring/keyring-paths') as typeof import('../keyring/keyring-paths');
      const dir = spec.fileDir ? paths.resolveFileKeyringDir(spec.fileDir, { env }) : join(paths.atmosDataDir({ env }), 'keychain');
      k = new FileKeyring({ dir, passwordEnv: spec.passwordEnv, env });
    } else {
      const { SystemKeyring } = require('../keyring/system-keyring') as typeof import('../keyring/system-keyring');
      k = new SystemKeyring({ env, account: spec.service, where: `stores.${storeName}.options.backend` });
    }
    opened.set(storeName, k);
    return k;
  };
}
