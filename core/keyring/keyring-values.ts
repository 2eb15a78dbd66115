import { KeyringError } from '../errors';
import { Secret, unsafeUnwrap } from '../secret';

/** The label a keyring value carries when printed: `[secret:keyring:<key>]`. */
export function secretLabel(key: string): string {
  return `keyring:${key}`;
}

/**
 * The plaintext of a value handed to `Keyring.set`. Accepts a string or a Secret of a string;
 * anything else is a programming error reported without echoing the value.
 */
export function toPlain(value: string | Secret<string>, key: string): string {
  const plain = Secret.isSecret(value) ? unsafeUnwrap(value) : value;
  if (typeof plain !== 'string') {
    throw new KeyringError({
      code: 'KEYRING_VALUE_INVALID',
      message: `keyring value for "${key}" is not a string`,
      where: `keyring entry "${key}"`,
      fix: 'store strings only; serialise objects with JSON.stringify first',
    });
  }
  return plain;
}
