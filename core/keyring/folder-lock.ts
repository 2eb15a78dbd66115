import { join } from 'node:path';
import { KeyringError } from '../errors';
import { lockTimings, withFileLock } from '../fs/file-lock';

/**
 * Serialises writers of one keyring folder across processes with the project's file lock
 * (`core/fs/file-lock`): a `.lock` folder inside the keyring folder, refreshed while held and
 * taken over when its holder stopped refreshing it for {@link STALE_MS}. Held only around the
 * file-system steps of a write, never around key derivation.
 */

/** A lock not refreshed for this long belongs to a dead process. */
export const STALE_MS = 5_000;
/** How long a writer waits for a live holder before giving up (outlasts STALE_MS). */
export const WAIT_MS = lockTimings({ staleMs: STALE_MS, waitMs: 15_000 }).waitMs;

/** The lock file's path inside `dir`. Starts with `.`, so no entry name can collide with it. */
export function lockPath(dir: string): string {
  return join(dir, '.lock');
}

/** Runs `fn` while holding the folder's lock. */
export function withFolderLock<T>(dir: string, fn: () => Promise<T>): Promise<T> {
  return withFileLock(
    {
      lockPath: lockPath(dir),
      subject: `the file keyring at ${dir}`,
      staleMs: STALE_MS,
      waitMs: WAIT_MS,
      toError: (f) => new KeyringError({ code: f.reason === 'io' ? 'KEYRING_UNAVAILABLE' : 'KEYRING_LOCK_TIMEOUT', message: f.message, where: f.where, fix: f.fix, cause: f.cause }),
    },
    () => fn(),
  );
}
