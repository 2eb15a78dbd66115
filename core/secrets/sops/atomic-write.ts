import { mkdir, rmdir } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { writeFileAtomic as writeAtomically } from '../../fs/atomic-write';
import { withFileLock, type HeldLock } from '../../fs/file-lock';
import { sopsError } from './sops-error';

/**
 * Creates the folder of `path` (and missing parents) with `dirMode`; existing ones are left
 * alone. Returns the topmost folder it created, if any (see {@link removeCreatedDirs}).
 */
export async function ensureParentDir(path: string, dirMode: number): Promise<string | undefined> {
  const dir = dirname(path);
  try {
    return await mkdir(dir, { recursive: true, mode: dirMode });
  } catch (e) {
    throw sopsError('SOPS_WRITE_FAILED', `cannot create folder (${(e as NodeJS.ErrnoException).code ?? 'error'})`, dir, 'check the path and its permissions', e);
  }
}

/** Undoes {@link ensureParentDir} after a failed write: removes the folders it created, if empty. */
export async function removeCreatedDirs(path: string, top: string | undefined): Promise<void> {
  if (top === undefined) return;
  for (let d = dirname(path); d.length >= top.length; d = dirname(d)) {
    try {
      await rmdir(d);
    } catch {
      return;
    }
    if (d === top) return;
  }
}

/**
 * Writes a SOPS file atomically (`core/fs/atomic-write`). Missing parent folders are created
 * with `dirMode`. Under a {@link withSopsFileLock}, pass its lock: the rename happens only while
 * the lock is still this process's.
 */
export async function writeFileAtomic(path: string, data: string, mode: number, dirMode: number, lock?: HeldLock): Promise<void> {
  await ensureParentDir(path, dirMode);
  try {
    await writeAtomically(path, data, { mode, ...(lock ? { beforeRename: async () => lock.assertHeld() } : {}) });
  } catch (e) {
    if (e instanceof Error && 'code' in e && typeof e.code === 'string' && e.code.startsWith('SOPS_')) throw e;
    throw sopsError('SOPS_WRITE_FAILED', `cannot write file (${(e as NodeJS.ErrnoException).code ?? 'error'})`, path, 'check the path and its permissions', e);
  }
}

/** The lock folder of a file: hidden, next to it (`secrets/.dev.enc.yaml.lock`). */
export function sopsLockPath(path: string): string {
  return join(dirname(path), `.${basename(path)}.lock`);
}

/**
 * Serialises read-modify-write of one SOPS file (or `.sops.yaml`) across processes with the
 * project's file lock: without it two `secret set` at once both read the old file and the
 * second rename drops the first one's key. The file's folder must exist.
 */
export function withSopsFileLock<T>(path: string, fn: (lock: HeldLock) => Promise<T>): Promise<T> {
  return withFileLock(
    {
      lockPath: sopsLockPath(path),
      subject: `the SOPS file ${path}`,
      toError: (f) => sopsError(f.reason === 'io' ? 'SOPS_WRITE_FAILED' : 'SOPS_LOCK_TIMEOUT', f.message, f.where, f.fix, f.cause),
    },
    fn,
  );
}
