import { memoizeAsync } from '../../async/memoize-async';
import { Secret, unsafeUnwrap } from '../../secret';
import { decryptArmoredX25519, parseX25519Identity, type X25519Identity } from './age-native';

/**
 * age wrapping of sops data keys. Unwrapping takes the native path for X25519 identities (fast,
 * see age-native.ts) and loads age-encryption only for other identity types; wrapping and key
 * generation use age-encryption, loaded on first use.
 */

type AgeModule = typeof import('age-encryption', { with: { 'resolution-mode': 'import' } });

/** Loads the ESM-only age-encryption package once (a real dynamic import in the CJS build). */
export const loadAge = memoizeAsync((): Promise<AgeModule> => import('age-encryption'));

/** An identity string or a Secret holding one. */
export type AgeIdentityInput = string | Secret<string>;

function reveal(id: AgeIdentityInput): string {
  return typeof id === 'string' ? id : unsafeUnwrap(id);
}

/** Identities prepared once per operation. */
export interface PreparedIdentities {
  native: X25519Identity[];
  other: string[];
}

/** Splits identities into native X25519 ones and the rest. Invalid strings go to `other`. */
export function prepareIdentities(ids: readonly AgeIdentityInput[]): PreparedIdentities {
  const native: X25519Identity[] = [];
  const other: string[] = [];
  for (const id of ids) {
    const text = reveal(id).trim();
    const parsed = parseX25519Identity(text);
    if (parsed) native.push(parsed);
    else other.push(text);
  }
  return { native, other };
}

/**
 * Decrypts an armored age blob. Undefined when no identity matches; throws when the blob is
 * malformed or was altered.
 */
export async function ageDecrypt(armored: string, ids: PreparedIdentities): Promise<Buffer | undefined> {
  if (ids.native.length > 0) {
    const out = decryptArmoredX25519(armored, ids.native);
    if (out) return out;
  }
  if (ids.other.length === 0) return undefined;
  const age = await loadAge();
  const d = new age.Decrypter();
  for (const id of ids.other) d.addIdentity(id);
  try {
    return Buffer.from(await d.decrypt(age.armor.decode(armored)));
  } catch (e) {
    if (e instanceof Error && /no identity matched/i.test(e.message)) return undefined;
    throw e;
  }
}

/** Encrypts `plain` to the recipients and returns the armored age file (trailing newline). */
export async function ageEncryptArmored(plain: Uint8Array, recipients: readonly string[]): Promise<string> {
  const age = await loadAge();
  const e = new age.Encrypter();
  for (const r of recipients) e.addRecipient(r);
  return age.armor.encode(await e.encrypt(plain));
}

/** A fresh native X25519 identity and its recipient. */
export async function generateAgeIdentity(): Promise<{ identity: Secret<string>; recipient: string }> {
  const age = await loadAge();
  const identity = await age.generateX25519Identity();
  const recipient = await age.identityToRecipient(identity);
  return { identity: Secret.of(identity, 'age identity'), recipient };
}

/** The recipient of an identity (native X25519 without loading age-encryption). */
export async function ageRecipientOf(identity: AgeIdentityInput): Promise<string> {
  const text = reveal(identity).trim();
  const native = parseX25519Identity(text);
  if (native) return native.recipient;
  const age = await loadAge();
  return age.identityToRecipient(text);
}

/** True when the string is an age recipient age-encryption accepts (`age1...`, `age1pq1...`). */
export async function isValidRecipient(recipient: string): Promise<boolean> {
  const age = await loadAge();
  try {
    new age.Encrypter().addRecipient(recipient);
    return true;
  } catch {
    return false;
  }
}
