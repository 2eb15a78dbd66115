import { createHash } from 'node:crypto';

/**
 * Keys ↔ file names of the file keyring.
 *
 * Atmos's backend (99designs/keyring v1.2.2) names a file after its key with only `/` and `%`
 * percent-encoded. That is unsafe for arbitrary keys (`..`, `\` on Windows, NUL, names that are
 * too long), so infrakey encodes more, but in a way that leaves every key Atmos actually writes
 * (`atmos_<realm>_<alias>`: letters, digits, `_`, `-`, `.`) byte-for-byte the same file name:
 *
 * - Characters in {@link SAFE} stay as they are; every other character becomes `%XX` per UTF-8
 *   byte, upper-case hex, which is also how 99designs encodes `/` (`%2F`) and `%` (`%25`).
 * - A leading or trailing `.` becomes `%2E` (no `.`/`..`, no hidden files, no Windows trailing
 *   dot); infrakey's own temp and lock files start with `.` so they can never collide with an entry.
 * - A Windows device name (`con`, `nul`, `com1`...) gets its first character encoded.
 * - The empty key is the file `%` (not a valid escape, so no other key maps to it).
 * - A name longer than {@link MAX_NAME} bytes becomes `%~` + SHA-256 of the key; the key itself
 *   is inside the encrypted entry, so `list()` recovers it by decrypting.
 *
 * Decoding accepts any `%XX` escape, so names written by 99designs decode to their keys too.
 * A key whose 99designs name differs from ours (it contains a character outside SAFE other
 * than `/` and `%`) is still found: the keyring also looks up {@link legacyFileName}.
 */

/** Characters kept verbatim in file names: portable on Linux, macOS and Windows. */
const SAFE = /^[A-Za-z0-9_\-.@+=,]$/;
/** Longest encoded name kept readable; filesystems allow 255 bytes. */
export const MAX_NAME = 200;
/** Prefix of hashed names. `%~` is not a valid escape, so it never starts an encoded name. */
export const HASHED_PREFIX = '%~';
const WINDOWS_DEVICE = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\.|$)/i;

/** The file name infrakey uses for `key`. Never contains a path separator, never `.` or `..`. */
export function fileNameForKey(key: string): string {
  if (key === '') return '%';
  let name = '';
  for (const ch of key) name += SAFE.test(ch) ? ch : percentBytes(ch);
  if (name.startsWith('.')) name = '%2E' + name.slice(1);
  if (name.endsWith('.')) name = name.slice(0, -1) + '%2E';
  if (WINDOWS_DEVICE.test(name)) name = percentBytes(name[0]) + name.slice(1);
  if (Buffer.byteLength(name) > MAX_NAME) name = HASHED_PREFIX + createHash('sha256').update(key, 'utf8').digest('hex');
  return name;
}

/**
 * The name 99designs/keyring would use (`/` and `%` percent-encoded), when it is a safe single
 * path component that differs from {@link fileNameForKey}; otherwise undefined.
 */
export function legacyFileName(key: string): string | undefined {
  const name = key.replace(/[%/]/g, (c) => percentBytes(c));
  // A dot name is never an entry: `.lock` is the keyring's own lock folder, `.tmp-*` its temp files.
  if (name === fileNameForKey(key) || !isEntryFileName(name)) return undefined;
  const unsafe = process.platform === 'win32' ? /[\\:*?"<>|]/ : /$^/;
  if (unsafe.test(name) || [...name].some((c) => c.charCodeAt(0) < 0x20) || Buffer.byteLength(name) > 255) return undefined;
  return name;
}

/** True for names that are entries (not temp files, locks or other dot files). */
export function isEntryFileName(name: string): boolean {
  return name !== '' && !name.startsWith('.');
}

/** True when `name` is a hashed name whose key must be read from the entry. */
export function isHashedFileName(name: string): boolean {
  return name.startsWith(HASHED_PREFIX);
}

/** The key a file name stands for (inverse of {@link fileNameForKey}, and of 99designs' encoding). */
export function keyForFileName(name: string): string {
  if (name === '%') return '';
  if (!name.includes('%')) return name;
  const bytes: number[] = [];
  for (let i = 0; i < name.length; ) {
    if (name[i] === '%' && /^[0-9A-Fa-f]{2}$/.test(name.slice(i + 1, i + 3))) {
      bytes.push(parseInt(name.slice(i + 1, i + 3), 16));
      i += 3;
    } else {
      // Not an escape: keep the character as it is (a name some other tool wrote).
      const cp = name.codePointAt(i) as number;
      const ch = String.fromCodePoint(cp);
      bytes.push(...Buffer.from(ch, 'utf8'));
      i += ch.length;
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

function percentBytes(ch: string): string {
  let out = '';
  for (const b of Buffer.from(ch, 'utf8')) out += '%' + b.toString(16).toUpperCase().padStart(2, '0');
  return out;
}
