import { Secret } from '../secret';
import type { Keyring } from './keyring';
import { secretLabel, toPlain } from './keyring-values';

/**
 * In-process keyring: a Map that lives as long as the object. Nothing touches disk. Useful for
 * tests and for sessions that must not persist anything (Atmos `type: memory`).
 */
export class MemoryKeyring implements Keyring {
  readonly type = 'memory' as const;
  readonly canList = true;
  private readonly entries = new Map<string, string>();

  async get(key: string): Promise<Secret<string> | undefined> {
    const value = this.entries.get(key);
    return value === undefined ? undefined : Secret.of(value, secretLabel(key));
  }

  async set(key: string, value: string | Secret<string>): Promise<void> {
    this.entries.set(key, toPlain(value, key));
  }

  async delete(key: string): Promise<void> {
    this.entries.delete(key);
  }

  async list(): Promise<string[]> {
    return [...this.entries.keys()].sort();
  }
}
