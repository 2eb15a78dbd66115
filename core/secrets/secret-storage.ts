/**
 * Where and how a declared secret is stored, without reading it: the backend kind, the exact
 * backend key (§5.3 / §6.4) and how the value is encoded there (§5.4). Infrastructure adapters use
 * it to let the deployment tool read the value itself (a Terraform data source on the exact SSM
 * parameter name) instead of carrying the plaintext through the program.
 */
import type { StoreKind, StoredEncoding } from '../stores/store';
import { coordinateFor, type SecretCoordinate } from './coordinates';
import type { SecretScope } from './declaration';
import { notDeclared } from './secret-errors';
import type { ComponentTarget } from '../component-target';
import type { SecretsService } from './secrets-service';

/** How the stored text maps back to the value (§5.4); declared by each store kind's codec. */
export type { StoredEncoding };

/** A declaration backed by a secret store. */
export interface StoreBackedStorage {
  readonly track: 'store';
  /** The store's name in `stores:`. */
  readonly store: string;
  readonly kind: StoreKind;
  /** The exact backend key (SSM parameter name, Secrets Manager secret id, ...). */
  readonly keyPath: string;
  /** `stores.<name>.options.region`, when set. */
  readonly region?: string;
  /** `stores.<name>.identity`, when set. */
  readonly identity?: string;
  /** `stores.<name>.options.mount` (or its legacy spelling `path`) without surrounding `/`: a Vault store's KV v2 mount. */
  readonly mount?: string;
  readonly encoding: StoredEncoding;
  /**
   * `stores.<name>.options` as written, for the CDKTF data source of the kind (Key Vault's
   * `key_vault_id`, Secret Manager's `project_id`); never put into Terraform JSON as a whole.
   */
  readonly storeOptions: Readonly<Record<string, unknown>>;
}

/** A declaration backed by a SOPS provider (only infrakey can decrypt it). */
export interface SopsBackedStorage {
  readonly track: 'sops';
  /** The provider's name in `secrets.providers`. */
  readonly provider: string;
  readonly encoding: 'json-or-raw';
}

/** Everything known about where one declared secret lives. Never contains the value. */
export type SecretStorage = (StoreBackedStorage | SopsBackedStorage) & {
  /** The declared name (the key under `secrets.vars`). */
  readonly name: string;
  readonly scope: SecretScope;
  /** The coordinate the backend is addressed with (stack/component emptied by scope). */
  readonly coordinate: SecretCoordinate;
  /** Where the declaration was written (`file:line`), for messages. */
  readonly where?: string;
};

/** What {@link describeSecretStorage} needs of a workspace. */
export interface SecretStorageSource {
  secretsLayer(): SecretsService;
  readonly config: { readonly stores: Readonly<Record<string, unknown>> };
}

function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Describes how `name`, declared by the component of `target`, is stored. Contacts no backend and
 * authenticates nothing. Throws the declaration's own error when it is invalid, and
 * SECRET_NOT_DECLARED when the component does not declare it.
 */
export function describeSecretStorage(workspace: SecretStorageSource, name: string, target: ComponentTarget): SecretStorage {
  const layer = workspace.secretsLayer();
  const cs = layer.forComponent(target);
  const problem = cs.invalid.get(name);
  if (problem) throw problem;
  const decl = cs.declarations.get(name);
  if (!decl) throw notDeclared(name, target.stack, target.component, cs.where, [...new Set([...cs.declarations.keys(), ...cs.invalid.keys()])].sort());
  const coordinate = coordinateFor(decl, cs.stack, cs.component);
  const common = { name: decl.name, scope: decl.scope, coordinate, ...(decl.where !== undefined ? { where: decl.where } : {}) };
  if (decl.store === undefined) {
    return { ...common, track: 'sops', provider: decl.sops ?? '', encoding: 'json-or-raw' };
  }
  // checkBackend already verified that the store exists and is a secret store.
  const store = layer.registry.find(decl.store)!;
  const entry = workspace.config.stores[decl.store];
  const options = isMap(entry) && isMap(entry.options) ? entry.options : {};
  const region = typeof options.region === 'string' && options.region !== '' ? options.region : undefined;
  const mountOption = [options.mount, options.path].find((v): v is string => typeof v === 'string' && v !== '');
  const mount = mountOption?.replace(/^\/+|\/+$/g, '');
  return {
    ...common,
    track: 'store',
    store: store.name,
    kind: store.kind,
    keyPath: store.keyPath(coordinate.stack, coordinate.component, coordinate.key),
    ...(region !== undefined ? { region } : {}),
    ...(store.identity !== undefined ? { identity: store.identity } : {}),
    ...(mount ? { mount } : {}),
    encoding: store.encoding,
    storeOptions: options,
  };
}
