import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * One sops value: `ENC[AES256_GCM,data:<b64>,iv:<b64>,tag:<b64>,type:<t>]`, AES-256-GCM with a
 * 32-byte nonce (sops' choice; GCM accepts any nonce length) and the value's key path as
 * additional data, so a value moved to another key no longer authenticates.
 */

/** Type tags sops writes (`int64` and `comment` are read as well). */
export type SopsValueType = 'str' | 'int' | 'int64' | 'float' | 'bool' | 'bytes' | 'comment';

const NONCE_SIZE = 32;
const TAG_SIZE = 16;
const ENC_RE = /^ENC\[AES256_GCM,data:(.+),iv:(.+),tag:(.+),type:(.+)\]/;

/** A parsed `ENC[...]` string. */
export interface EncryptedValue {
  data: Buffer;
  iv: Buffer;
  tag: Buffer;
  type: string;
}

/** True for strings in sops' encrypted-value syntax. */
export function isEncryptedValue(s: unknown): s is string {
  return typeof s === 'string' && ENC_RE.test(s);
}

/** Parses an `ENC[...]` string; undefined when the syntax does not match. */
export function parseEncryptedValue(s: string): EncryptedValue | undefined {
  const m = ENC_RE.exec(s);
  if (!m) return undefined;
  return {
    data: Buffer.from(m[1], 'base64'),
    iv: Buffer.from(m[2], 'base64'),
    tag: Buffer.from(m[3], 'base64'),
    type: m[4],
  };
}

/** Encrypts plaintext bytes; `iv` is given only to reproduce an unchanged value (sops' IV stash). */
export function encryptBytes(plain: Buffer, key: Buffer, aad: string, type: SopsValueType, iv?: Buffer): string {
  const nonce = iv ?? randomBytes(NONCE_SIZE);
  const cipher = createCipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_SIZE });
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const data = Buffer.concat([cipher.update(plain), cipher.final()]);
  const tag = cipher.getAuthTag();
  return `ENC[AES256_GCM,data:${data.toString('base64')},iv:${nonce.toString('base64')},tag:${tag.toString('base64')},type:${type}]`;
}

/** Decrypts a parsed value. Throws (without detail) when authentication fails. */
export function decryptBytes(value: EncryptedValue, key: Buffer, aad: string): Buffer {
  if (value.tag.length !== TAG_SIZE || value.iv.length === 0) throw new Error('malformed encrypted value');
  const decipher = createDecipheriv('aes-256-gcm', key, value.iv, { authTagLength: TAG_SIZE });
  decipher.setAAD(Buffer.from(aad, 'utf8'));
  decipher.setAuthTag(value.tag);
  return Buffer.concat([decipher.update(value.data), decipher.final()]);
}
