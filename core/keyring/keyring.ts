import type { Secret } from '../secret';

/**
 * The keyring contract. A keyring holds long-lived credentials (IAM user keys, SSO tokens) by
 * key; values are strings and come back as {@link Secret}s. Three backends implement it:
 * `memory` (in-process), `file` (one JWE per key in a folder, Atmos-compatible) and `system`
 * (macOS Keychain, Windows Credential Manager, Linux Secret Service).
 *
 * Keys are names, never secret: they may appear in errors and logs. Values never do.
 */

/** Backend names as written in `auth.keyring.type` and `ATMOS_KEYRING_TYPE`. */
export type KeyringType = 'system' | 'file' | 'memory';

/** The backend names accepted in configuration, in display order. */
export const KEYRING_TYPES: readonly KeyringType[] = ['system', 'file', 'memory'];

/** True when `value` names a keyring backend. */
export function isKeyringType(value: unknown): value is KeyringType {
  return typeof value === 'string' && (KEYRING_TYPES as readonly string[]).includes(value);
}

/** A store of secret strings by key. Every method may reject with a `KeyringError`. */
export interface Keyring {
  /** The backend. A fallen-back keyring reports the backend actually used. */
  readonly type: KeyringType;

  /** False for backends that cannot enumerate their keys (the system keyring). */
  readonly canList: boolean;

  /** The value stored under `key`, or `undefined` when there is none. */
  get(key: string): Promise<Secret<string> | undefined>;

  /** Stores `value` under `key`, replacing any previous value. Resolves once the value is durable. */
  set(key: string, value: string | Secret<string>): Promise<void>;

  /** Removes `key`. Removing a key that does not exist succeeds (idempotent). */
  delete(key: string): Promise<void>;

  /**
   * Every key, sorted. Backends with `canList === false` reject with `KEYRING_LIST_UNSUPPORTED`
   * (as Atmos: OS keyrings cannot enumerate one application's entries portably).
   */
  list(): Promise<string[]>;
}
