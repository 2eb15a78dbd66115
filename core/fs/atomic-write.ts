import { randomBytes } from 'node:crypto';
import { open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** Options of {@link writeFileAtomic}. */
export interface AtomicWriteOptions {
  /** The file's mode, applied to the temporary file before any byte is written. */
  readonly mode: number;
  /** Called after the data is durable in the temporary file and before the rename (a last check). */
  readonly beforeRename?: () => Promise<void>;
}

/**
 * Replaces `path` by `data` so that a reader or a crash sees either the old file or the new one,
 * never a mix: a temporary file in the same folder, created with the final mode (the content is
 * never readable by others, not even briefly), written, fsynced, renamed over the target, and the
 * folder fsynced so the rename survives a power cut. The folder must exist. Errors are the file
 * system's own; callers wrap them in their domain's error. The temporary file is removed on failure.
 */
export async function writeFileAtomic(path: string, data: string, opts: AtomicWriteOptions): Promise<void> {
  const dir = dirname(path);
  const tmp = join(dir, `.${basename(path)}.${process.pid}-${randomBytes(6).toString('hex')}.tmp`);
  try {
    const fh = await open(tmp, 'wx', opts.mode);
    try {
      // The umask may have narrowed the mode; make it exact before the data goes in.
      await fh.chmod(opts.mode);
      await fh.writeFile(data, 'utf8');
      await fh.sync();
    } finally {
      await fh.close();
    }
    await opts.beforeRename?.();
    await rename(tmp, path);
  } catch (e) {
    await unlink(tmp).catch(() => undefined);
    throw e;
  }
  await fsyncDir(dir);
}

/** Makes a rename durable (POSIX). Some file systems, and Windows, cannot fsync a folder. */
export async function fsyncDir(dir: string): Promise<void> {
  if (process.platform === 'win32') return;
  try {
    const fh = await open(dir, 'r');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
  } catch {
    // The rename itself has happened; only its durability across a power cut is not ensured.
  }
}
