import { createDecipheriv, pbkdf2 } from 'node:crypto';
import { promisify } from 'node:util';

/**
 * One file-keyring entry: a JWE compact serialization, `PBES2-HS256+A128KW` key wrapping with a
 * password and `A256GCM` content encryption, written and read with `jose`. The payload is the
 * JSON `Item` of 99designs/keyring (`{"Key":..,"Data":<base64 of the value>,...}`), so Atmos reads
 * what infrakey writes and the other way round, and any JOSE library opens an entry with the
 * password alone (RFC 7516, RFC 7518 §4.8).
 */

/** PBKDF2-HMAC-SHA256 iterations for writes: OWASP's 2023 figure for SHA-256. */
export const WRITE_ITERATIONS = 600_000;
/** Fewest iterations accepted on read (RFC 7518 §4.8.1.2 recommends at least 1,000). */
export const MIN_READ_ITERATIONS = 1_000;
/** Most iterations accepted on read: more would let a planted file stall the process for minutes. */
export const MAX_READ_ITERATIONS = 10_000_000;

export const JWE_ALG = 'PBES2-HS256+A128KW';
export const JWE_ENC = 'A256GCM';

const pbkdf2Async = promisify(pbkdf2);

/** Why an entry could not be opened. `password`: the key wrap does not open with this password. */
export class EntryOpenError extends Error {
  constructor(
    readonly kind: 'corrupt' | 'password',
    readonly detail: string,
  ) {
    super(detail);
  }
}

/** The decrypted content of an entry. */
export interface OpenedEntry {
  key: string;
  value: string;
}

/** Counts PBKDF2 derivations done here (benchmark B4 reads it; each costs ~0.1-0.5 s at 600,000). */
export const derivationStats = { count: 0 };

/** Encrypts `value` for `key`. `iterations` below {@link WRITE_ITERATIONS} is for tests only. */
export async function encryptEntry(key: string, value: string, password: string, iterations = WRITE_ITERATIONS): Promise<string> {
  const { CompactEncrypt } = await import('jose');
  const item = {
    Key: key,
    Data: Buffer.from(value, 'utf8').toString('base64'),
    Label: '',
    Description: '',
    KeychainNotTrustApplication: false,
    KeychainNotSynchronizable: false,
  };
  derivationStats.count++;
  return new CompactEncrypt(Buffer.from(JSON.stringify(item), 'utf8'))
    .setProtectedHeader({ alg: JWE_ALG, enc: JWE_ENC, created: new Date().toISOString() })
    .setKeyManagementParameters({ p2c: iterations })
    .encrypt(Buffer.from(password, 'utf8'));
}

/** The protected header fields that matter, validated before any key derivation. */
export interface EntryHeader {
  p2c: number;
  p2s: string;
}

/** Parses and checks the header; throws `EntryOpenError('corrupt')` on anything unexpected. */
export function readEntryHeader(jwe: string): EntryHeader {
  const parts = jwe.trim().split('.');
  if (parts.length !== 5) throw new EntryOpenError('corrupt', 'not a JWE compact serialization (expected 5 parts)');
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8')) as Record<string, unknown>;
  } catch {
    throw new EntryOpenError('corrupt', 'the JWE header is not valid JSON');
  }
  if (header === null || typeof header !== 'object') throw new EntryOpenError('corrupt', 'the JWE header is not an object');
  if (header.alg !== JWE_ALG || header.enc !== JWE_ENC) {
    throw new EntryOpenError('corrupt', `unsupported algorithms alg=${String(header.alg)} enc=${String(header.enc)} (expected ${JWE_ALG}, ${JWE_ENC})`);
  }
  const { p2c, p2s } = header;
  if (typeof p2c !== 'number' || !Number.isSafeInteger(p2c) || p2c < MIN_READ_ITERATIONS || p2c > MAX_READ_ITERATIONS) {
    throw new EntryOpenError(
      'corrupt',
      `PBKDF2 iteration count ${String(p2c)} is outside the accepted range ${MIN_READ_ITERATIONS}..${MAX_READ_ITERATIONS}; refusing to derive a key`,
    );
  }
  if (typeof p2s !== 'string' || Buffer.from(p2s, 'base64url').length < 8) throw new EntryOpenError('corrupt', 'the PBES2 salt (p2s) is missing or shorter than 8 bytes');
  return { p2c, p2s };
}

/**
 * Decrypts an entry. Throws {@link EntryOpenError}: `password` when the key wrap does not open
 * (wrong password, or a damaged wrapped key/salt), `corrupt` for every other defect.
 */
export async function decryptEntry(jwe: string, password: string): Promise<OpenedEntry> {
  const header = readEntryHeader(jwe);
  const jose = await import('jose');
  let plaintext: Uint8Array;
  try {
    derivationStats.count++;
    ({ plaintext } = await jose.compactDecrypt(jwe.trim(), Buffer.from(password, 'utf8'), {
      keyManagementAlgorithms: [JWE_ALG],
      contentEncryptionAlgorithms: [JWE_ENC],
      maxPBES2Count: MAX_READ_ITERATIONS,
    }));
  } catch (e) {
    if (e instanceof jose.errors.JWEDecryptionFailed) {
      // jose does not say which step failed (by design). Check the key wrap ourselves: only on
      // this failure path, so a successful read still costs one derivation.
      const opens = await passwordOpensKeyWrap(jwe, password, header);
      throw opens
        ? new EntryOpenError('corrupt', 'the content does not authenticate (AES-GCM tag mismatch): the file was modified')
        : new EntryOpenError('password', 'the key wrap does not open with this password');
    }
    throw new EntryOpenError('corrupt', `the JWE is malformed (${(e as Error).message})`);
  }
  return parseItem(plaintext);
}

/** True when the AES key wrap of the entry opens with `password` (RFC 3394 integrity check). */
export async function passwordOpensKeyWrap(jwe: string, password: string, header = readEntryHeader(jwe)): Promise<boolean> {
  const encryptedKey = Buffer.from(jwe.trim().split('.')[1], 'base64url');
  // A256GCM has a 32-byte content key; AES key wrap adds 8 bytes.
  if (encryptedKey.length !== 40) return false;
  const salt = Buffer.concat([Buffer.from(JWE_ALG, 'utf8'), Buffer.of(0), Buffer.from(header.p2s, 'base64url')]);
  derivationStats.count++;
  const kek = await pbkdf2Async(Buffer.from(password, 'utf8'), salt, header.p2c, 16, 'sha256');
  try {
    const d = createDecipheriv('id-aes128-wrap', kek, Buffer.from('A6A6A6A6A6A6A6A6', 'hex'));
    Buffer.concat([d.update(encryptedKey), d.final()]);
    return true;
  } catch {
    return false;
  }
}

function parseItem(plaintext: Uint8Array): OpenedEntry {
  let item: unknown;
  try {
    item = JSON.parse(Buffer.from(plaintext).toString('utf8'));
  } catch {
    throw new EntryOpenError('corrupt', 'the decrypted payload is not JSON');
  }
  const { Key, Data } = (item ?? {}) as { Key?: unknown; Data?: unknown };
  if (typeof Key !== 'string' || !(typeof Data === 'string' || Data === null || Data === undefined)) {
    throw new EntryOpenError('corrupt', 'the decrypted payload is not a keyring item ({"Key", "Data"})');
  }
  // Go marshals []byte as standard base64 and a nil slice as null.
  return { key: Key, value: typeof Data === 'string' ? Buffer.from(Data, 'base64').toString('utf8') : '' };
}
