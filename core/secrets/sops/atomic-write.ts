import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { writeFileAtomic as writeAtomically } from '../../fs/atomic-write';
import { sopsError } from './sops-error';

/**
 * Writes a SOPS file atomically (`core/fs/atomic-write`). Missing parent folders are created
 * with `dirMode`; existing ones are left alone.
 */
export async function writeFileAtomic(path: string, data: string, mode: number, dirMode: number): Promise<void> {
  const dir = dirname(path);
  try {
    await mkdir(dir, { recursive: true, mode: dirMode });
  } catch (e) {
    throw sopsError('SOPS_WRITE_FAILED', `cannot create folder (${(e as NodeJS.ErrnoException).code ?? 'error'})`, dir, 'check the path and its permissions', e);
  }
  try {
    await writeAtomically(path, data, { mode });
  } catch (e) {
    throw sopsError('SOPS_WRITE_FAILED', `cannot write file (${(e as NodeJS.ErrnoException).code ?? 'error'})`, path, 'check the path and its permissions', e);
  }
}
