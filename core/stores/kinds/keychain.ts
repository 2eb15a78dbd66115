/**
 * The keychain store (`kind: keychain`, legacy `keyring`): a store over a {@link Keyring} (the OS
 * keychain, an encrypted file folder, or memory). It is secret by default and local. Its
 * namespace is not the auth credential namespace (semantics §3.7): entries live under the service
 * `atmos-secrets` with keys `atmos/<stack parts>/<component parts>/<key>` (prefix `atmos`, stack
 * delimiter `-`, final delimiter `/`). Values are JSON; reads JSON-decode, else the raw text.
 */
import { memoizeAsync, type MemoizedAsync } from '../../async/memoize-async';
import { KeyringError, StoreError } from '../../errors';
import { FileKeyring } from '../../keyring/file-keyring';
import type { Keyring } from '../../keyring/keyring';
import { defaultFileKeyringDir, resolveFileKeyringDir } from '../../keyring/keyring-paths';
import { MemoryKeyring } from '../../keyring/memory-keyring';
import { SystemKeyring } from '../../keyring/system-keyring';
import { unsafeUnwrap } from '../../secret';
import { STORE_ERROR_CODES, storeWhere, unsupported } from '../store-errors';
import { defineStoreKind, type RawRead, type StoreBackend } from '../store-kind';
import { jsonCodec } from '../value-codec';

/** The keyring a keychain store is configured with (`options.backend`, `service`, ...). */
export interface KeychainBackendSpec {
  readonly backend: 'system' | 'file' | 'memory';
  /** Service (system keyring) / namespace; default `atmos-secrets`. */
  readonly service: string;
  /** File backend folder (`options.file_dir`). */
  readonly fileDir?: string;
  /** Env var with the file backend password (`options.password_env`). */
  readonly passwordEnv?: string;
}

/** Opens the keyring of a keychain store. */
export type KeychainKeyringFactory = (spec: KeychainBackendSpec, storeName: string) => Keyring | Promise<Keyring>;

/**
 * Opens the keyring a keychain store is configured with: memory; the file keyring in
 * `file_dir` (default `{XDG data}/atmos/keyring`, as Atmos); or the OS keyring with account
 * `service`. An unavailable OS keyring is an error, never a silent no-op (Atmos fails config
 * load too, §3.7).
 */
export async function defaultKeychainKeyring(spec: KeychainBackendSpec, storeName: string, env: NodeJS.ProcessEnv = process.env): Promise<Keyring> {
  switch (spec.backend) {
    case 'memory':
      return new MemoryKeyring();
    case 'file': {
      const dir = spec.fileDir ? resolveFileKeyringDir(spec.fileDir, { env }) : defaultFileKeyringDir({ env });
      return new FileKeyring({ dir, passwordEnv: spec.passwordEnv, env });
    }
    case 'system': {
      const kr = new SystemKeyring({ env, account: spec.service, where: `stores.${storeName}.options.backend` });
      const probe = await kr.probe();
      if (!probe.available) {
        throw new KeyringError({ code: 'KEYRING_UNAVAILABLE', message: `the system keyring is not available: ${probe.reason}`, where: `stores.${storeName}` });
      }
      return kr;
    }
  }
}

/** Hooks of the keychain kind (`StoreRegistryOptions.keyringFactory`). */
export interface KeychainHooks {
  readonly keyringFactory?: KeychainKeyringFactory;
}

/** The keychain kind. */
export const keychainKind = defineStoreKind<KeychainBackendSpec>({
  name: 'keychain',
  aliases: ['keychain', 'keyring'],
  secret: 'always',
  local: true,
  keys: {
    stackDelimiter: '-',
    finalDelimiter: '/',
    defaultPrefix: 'atmos',
    // The raw key is used as is.
    rawKeyPath: (_prefix, rawKey) => rawKey,
    emptyScope: true,
  },
  codec: () => jsonCodec,
  options(input) {
    const backend = input.option('backend') || 'system';
    if (backend !== 'system' && backend !== 'file' && backend !== 'memory') {
      input.problem(`options.backend "${backend}" is not a keyring backend`, `set stores.${input.name}.options.backend to system, file or memory`, 'backend');
    }
    return {
      backend: backend as KeychainBackendSpec['backend'],
      service: input.option('service') || 'atmos-secrets',
      fileDir: input.option('file_dir') || undefined,
      passwordEnv: input.option('password_env') || undefined,
    };
  },
  create(setup) {
    const hooks = setup.hooks.byKind?.keychain as KeychainHooks | undefined;
    const open = hooks?.keyringFactory ?? ((spec: KeychainBackendSpec, name: string) => defaultKeychainKeyring(spec, name, setup.env));
    const backend = new KeychainBackend(setup.name, setup.options, open);
    // OS keyrings cannot enumerate one application's entries portably (Atmos: same limit).
    if (setup.options.backend === 'system') return withoutList(backend);
    return backend;
  },
});

/** The backend without its `list` ability. */
function withoutList(backend: KeychainBackend): StoreBackend {
  return {
    endpointLabel: () => backend.endpointLabel(),
    readMany: (paths) => backend.readMany(paths),
    write: (path, encoded) => backend.write(path, encoded),
    remove: (path) => backend.remove(path),
    exists: (path) => backend.exists(path),
  };
}

/** A keychain store's keyring I/O. */
class KeychainBackend implements StoreBackend {
  private keyring?: MemoizedAsync<Keyring>;

  constructor(
    private readonly name: string,
    private readonly spec: KeychainBackendSpec,
    private readonly openKeyring: KeychainKeyringFactory,
  ) {}

  endpointLabel(): string {
    return this.spec.backend === 'file' && this.spec.fileDir ? `file keyring ${this.spec.fileDir}` : `${this.spec.backend} keyring (service ${this.spec.service})`;
  }

  async readMany(paths: readonly string[]): Promise<Map<string, RawRead>> {
    const kr = await this.open();
    const out = new Map<string, RawRead>();
    for (const p of paths) {
      try {
        const secret = await kr.get(p);
        out.set(p, secret === undefined ? 'missing' : { raw: unsafeUnwrap(secret) });
      } catch (e) {
        out.set(p, this.wrap('read', p, e));
      }
    }
    return out;
  }

  async write(path: string, encoded: string): Promise<void> {
    const kr = await this.open();
    try {
      await kr.set(path, encoded);
    } catch (e) {
      throw this.wrap('write', path, e);
    }
  }

  async remove(path: string): Promise<void> {
    const kr = await this.open();
    try {
      await kr.delete(path);
    } catch (e) {
      throw this.wrap('delete', path, e);
    }
  }

  /**
   * Existence. The Keyring contract has no metadata-only lookup, so this reads the entry; the
   * value stays inside the Secret and is never unwrapped or decoded.
   */
  async exists(path: string): Promise<boolean> {
    const kr = await this.open();
    try {
      return (await kr.get(path)) !== undefined;
    } catch (e) {
      throw this.wrap('read', path, e);
    }
  }

  async list(scope: string): Promise<string[]> {
    const kr = await this.open();
    if (!kr.canList) throw unsupported(this.name, 'list', `keychain (${kr.type} backend)`);
    const prefix = `${scope}/`;
    let keys: string[];
    try {
      keys = await kr.list();
    } catch (e) {
      throw this.wrap('list', prefix, e);
    }
    return keys.filter((k) => k.startsWith(prefix) && k.length > prefix.length).map((k) => k.slice(prefix.length));
  }

  private open(): Promise<Keyring> {
    // Opened on first use; a keyring that could not be opened is tried again on the next call.
    this.keyring ??= memoizeAsync(() =>
      Promise.resolve()
        .then(() => this.openKeyring(this.spec, this.name))
        .catch((e: unknown) => {
          throw new StoreError({
            code: STORE_ERROR_CODES.UNREACHABLE,
            message: `store "${this.name}": the ${this.spec.backend} keyring is not available${e instanceof KeyringError ? ` (${e.code})` : ''}`,
            where: storeWhere(this.name),
            fix:
              this.spec.backend === 'system'
                ? 'unlock the OS keychain (on Linux: a running Secret Service such as gnome-keyring), or set options.backend: file'
                : "check the store's keyring options (file_dir, password_env)",
            cause: e instanceof KeyringError ? e : undefined,
          });
        }),
    );
    return this.keyring();
  }

  /** Keyring errors carry codes and names only (no values), so they are kept as the cause. */
  private wrap(operation: string, path: string, e: unknown): StoreError {
    if (e instanceof StoreError) return e;
    const code = e instanceof KeyringError ? e.code : 'Error';
    return new StoreError({
      code: STORE_ERROR_CODES.REQUEST_FAILED,
      message: `store "${this.name}": keychain ${operation} of key "${path}" failed (${code})`,
      where: storeWhere(this.name),
      fix: e instanceof KeyringError && e.fix ? e.fix : "check the store's keyring",
      cause: e instanceof KeyringError ? e : undefined,
    });
  }
}
