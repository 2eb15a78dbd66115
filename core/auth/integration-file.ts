import { mkdir, readFile, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { AUTH_ERROR_CODES, authError } from './auth-errors';
import { writeFileAtomic } from '../fs/atomic-write';
import { withFileLock } from '../fs/file-lock';

/**
 * Read-modify-write of a file an integration shares with other tools (the Docker config, a
 * kubeconfig): under the project's file lock (`<file>.lock`), replaced atomically with `mode`, its
 * folder created with 0700 when missing (an existing folder is left as it is: it is the user's).
 * `update` gets the current text (undefined when absent) and returns the new text, `null` to
 * delete the file, or undefined to leave it unchanged. Returns true when the file changed.
 */
export async function updateSharedFile(file: string, mode: number, update: (current: string | undefined) => string | null | undefined, what: string): Promise<boolean> {
  const fail = (e: unknown): Error =>
    authError(AUTH_ERROR_CODES.INTEGRATION_FAILED, `${what}: ${file} could not be written (${(e as { code?: string }).code ?? (e instanceof Error ? e.message : String(e))})`, file, 'check the folder\'s owner, permissions and free space', e);
  try {
    await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  } catch (e) {
    throw fail(e);
  }
  return withFileLock({ lockPath: `${file}.lock`, subject: `${what} ${file}` }, async (lock) => {
    let current: string | undefined;
    try {
      current = await readFile(file, 'utf8');
    } catch (e) {
      if ((e as { code?: string }).code !== 'ENOENT') throw fail(e);
    }
    const next = update(current);
    if (next === undefined) return false;
    lock.assertHeld();
    try {
      if (next === null) {
        if (current === undefined) return false;
        await unlink(file);
      } else {
        await writeFileAtomic(file, next, { mode });
      }
    } catch (e) {
      throw fail(e);
    }
    return true;
  });
}
