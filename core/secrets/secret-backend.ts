/**
 * One face over the two tracks of secret backends (semantics §6.1): a `secret: true` store
 * (track 1) or a SOPS provider (track 2). The resolver and the CLI talk only to this interface,
 * so batching, caching and messages are the same for both.
 */
import type { ReadResult } from '../read-result';
import type { Store } from '../stores/store';
import { unsupported } from '../stores/store-errors';
import type { SecretCoordinate } from './coordinates';


/** A backend of declared secrets. */
export interface SecretBackend {
  /** Identifies the backend instance; with `location` it keys the per-process value cache. */
  readonly id: string;
  /** For messages and listings: `store secrets/ssm (aws/ssm)` or `sops dev-sops`. */
  readonly label: string;
  /** `store` or `sops`. */
  readonly track: 'store' | 'sops';
  /**
   * Largest value (UTF-8 bytes of the stored text) the backend accepts, checked before writing;
   * undefined: the backend checks itself (store kinds) or has no limit.
   */
  readonly maxValueBytes?: number;
  /** The data is on this machine (SOPS files, keychain): listing status needs no network. */
  readonly local: boolean;
  /** Where a coordinate lives: the backend key path, or `file#key` for SOPS. */
  location(coord: SecretCoordinate): string;
  /** Reads many coordinates with as few backend calls as possible; results in request order. */
  readMany(coords: readonly SecretCoordinate[]): Promise<ReadResult[]>;
  /** Existence without fetching or decrypting the value; `undefined` when the backend cannot tell. */
  has(coord: SecretCoordinate): Promise<boolean | undefined>;
  write(coord: SecretCoordinate, value: unknown): Promise<void>;
  remove(coord: SecretCoordinate): Promise<void>;
}

/** Track 1: a `secret: true` store. */
export class StoreSecretBackend implements SecretBackend {
  readonly id: string;
  readonly label: string;
  readonly track = 'store' as const;
  readonly local: boolean;

  constructor(readonly store: Store) {
    this.id = `store:${store.name}`;
    this.label = `store ${store.name} (${store.kind})`;
    this.local = store.local;
  }

  location(coord: SecretCoordinate): string {
    return this.store.locate(this.store.keyPath(coord.stack, coord.component, coord.key));
  }

  async readMany(coords: readonly SecretCoordinate[]): Promise<ReadResult[]> {
    const results = await this.store.getMany(coords.map((c) => ({ stack: c.stack, component: c.component, key: c.key })));
    // Messages name the same location as listings (a Vault path with its mount).
    return results.map((r) => (r.location === '' ? r : { ...r, location: this.store.locate(r.location) }));
  }

  async has(coord: SecretCoordinate): Promise<boolean | undefined> {
    if (!this.store.has) return undefined;
    return this.store.has(coord.stack, coord.component, coord.key);
  }

  async write(coord: SecretCoordinate, value: unknown): Promise<void> {
    if (!this.store.set) throw unsupported(this.store.name, 'set', this.store.kind);
    await this.store.set(coord.stack, coord.component, coord.key, value);
  }

  async remove(coord: SecretCoordinate): Promise<void> {
    if (!this.store.delete) throw unsupported(this.store.name, 'delete', this.store.kind);
    await this.store.delete(coord.stack, coord.component, coord.key);
  }
}
