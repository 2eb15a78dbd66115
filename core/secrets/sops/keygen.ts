import { appendFile, chmod, mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { unsafeUnwrap } from '../../secret';
import { generateAgeIdentity } from './age';
import { sopsError } from './sops-error';

function rfc3339Local(d: Date): string {
  const pad = (n: number): string => String(Math.abs(n)).padStart(2, '0');
  const off = -d.getTimezoneOffset();
  const zone = off === 0 ? 'Z' : `${off > 0 ? '+' : '-'}${pad(Math.trunc(off / 60))}:${pad(off % 60)}`;
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}${zone}`;
}

/**
 * Generates an age X25519 identity and writes it the way age-keygen does (`# created:`,
 * `# public key:`, the key line). An existing file is appended to, as Atmos keygen does for
 * keys.txt. The file ends up 0600; a missing folder is created 0700 (existing folders are not
 * changed). Returns the recipient (public key) for `.sops.yaml`.
 */
export async function generateAgeKeyFile(path: string, now: Date = new Date()): Promise<{ recipient: string; path: string }> {
  const { identity, recipient } = await generateAgeIdentity();
  const block = `# created: ${rfc3339Local(now)}\n# public key: ${recipient}\n${unsafeUnwrap(identity)}\n`;
  try {
    await mkdir(dirname(path), { recursive: true, mode: 0o700 });
    let prefix = '';
    try {
      const old = await readFile(path, 'utf8');
      if (old.length > 0 && !old.endsWith('\n')) prefix = '\n';
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    await appendFile(path, prefix + block, { mode: 0o600 });
    await chmod(path, 0o600);
  } catch (e) {
    throw sopsError('SOPS_WRITE_FAILED', `cannot write the age key file (${(e as NodeJS.ErrnoException).code ?? 'error'})`, path, 'check the path and its permissions', e);
  }
  return { recipient, path };
}
