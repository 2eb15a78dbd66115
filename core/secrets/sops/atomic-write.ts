import { randomBytes } from 'node:crypto';
import { chmod, mkdir, open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { sopsError } from './sops-error';

/**
 * Writes a file atomically: a temporary file in the same folder, created with the final mode
 * (so the content is never readable by others, not even briefly), fsynced, then renamed over
 * the target. Missing parent folders are created with `dirMode`; existing ones are left alone.
 */
export async function writeFileAtomic(path: string, data: string, mode: number, dirMode: number): Promise<void> {
  const dir = dirname(path);
  try {
    await mkdir(dir, { recursive: true, mode: dirMode });
  } catch (e) {
    throw sopsError('SOPS_WRITE_FAILED', `cannot create folder (${(e as NodeJS.ErrnoException).code ?? 'error'})`, dir, 'check the path and its permissions', e);
  }
  const tmp = join(dir, `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const fh = await open(tmp, 'wx', mode);
    try {
      await fh.writeFile(data, 'utf8');
      await fh.sync();
    } finally {
      await fh.close();
    }
    // The umask may have narrowed the mode further; make it exact.
    await chmod(tmp, mode);
    await rename(tmp, path);
  } catch (e) {
    await unlink(tmp).catch(() => undefined);
    throw sopsError('SOPS_WRITE_FAILED', `cannot write file (${(e as NodeJS.ErrnoException).code ?? 'error'})`, path, 'check the path and its permissions', e);
  }
}
