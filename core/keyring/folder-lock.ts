import { join } from 'node:path';
import { KeyringError } from '../errors';

/**
 * Serialises writers of one keyring folder across processes: a `.lock` directory made with an
 * atomic mkdir (proper-lockfile), refreshed while held, and taken over when its holder stopped
 * refreshing it for {@link STALE_MS} (a writer killed with SIGKILL leaves it behind).
 * Held only around the file-system steps of a write, never around key derivation.
 */

/** A lock not refreshed for this long belongs to a dead process. */
export const STALE_MS = 5_000;
/** How long a writer waits for the lock before giving up (longer than STALE_MS). */
const RETRIES = { retries: 60, factor: 1.3, minTimeout: 10, maxTimeout: 250, randomize: true };

/** The lock file's path inside `dir`. Starts with `.`, so no entry name can collide with it. */
export function lockPath(dir: string): string {
  return join(dir, '.lock');
}

/** Runs `fn` while holding the folder's lock. */
export async function withFolderLock<T>(dir: string, fn: () => Promise<T>): Promise<T> {
  let compromised: Error | undefined;
  let release: () => Promise<void>;
  try {
    // Loaded on first write: proper-lockfile pulls in graceful-fs, which every read-only command
    // would otherwise pay for at start-up (benchmark B2).
    const { lock } = await import('proper-lockfile');
    release = await lock(dir, {
      lockfilePath: lockPath(dir),
      realpath: false,
      stale: STALE_MS,
      retries: RETRIES,
      onCompromised: (err) => {
        compromised = err;
      },
    });
  } catch (e) {
    throw new KeyringError({
      code: 'KEYRING_LOCK_TIMEOUT',
      message: `could not lock the file keyring at ${dir}: another process holds ${lockPath(dir)}`,
      where: lockPath(dir),
      fix: `wait for the other infrakey process to finish; if none is running, remove ${lockPath(dir)}`,
      cause: e,
    });
  }
  try {
    const result = await fn();
    if (compromised) {
      throw new KeyringError({
        code: 'KEYRING_LOCK_TIMEOUT',
        message: `the lock on the file keyring at ${dir} was taken over while this process held it (the process stalled for over ${STALE_MS / 1000} s)`,
        where: lockPath(dir),
        fix: 'retry the command',
        cause: compromised,
      });
    }
    return result;
  } finally {
    await release().catch(() => undefined);
  }
}
