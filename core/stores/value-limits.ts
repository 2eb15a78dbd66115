/**
 * infrakey's own bound on values, on top of each backend's limit. A backend's limit is declared by
 * its kind module (`maxValueBytes`: SSM 4 KiB or 8 KiB advanced, Secrets Manager 64 KiB, Redis
 * 512 MiB) and enforced by the store (STORE_VALUE_TOO_LARGE); the secrets layer refuses anything
 * above the smaller of that and {@link DEFAULT_MAX_VALUE_BYTES} before any request
 * (SECRET_VALUE_TOO_LARGE, naming the secret only: issue 10, item 6), so files, keyrings and every
 * masked output stay bounded.
 *
 * Sizes are of the stored text in UTF-8 bytes (strings as they are, other values as JSON).
 */
import type { Store } from './store';

/** infrakey's bound for any one value (SOPS files, keychains, and every store kind): 1 MiB. */
export const DEFAULT_MAX_VALUE_BYTES = 1_048_576;

/** The largest value infrakey writes to `store`: its backend's limit, at most the default bound. */
export function maxValueBytes(store: Pick<Store, 'maxValueBytes'>): number {
  return Math.min(store.maxValueBytes ?? DEFAULT_MAX_VALUE_BYTES, DEFAULT_MAX_VALUE_BYTES);
}

/** Size in bytes of a value as a backend stores it. */
export function storedValueBytes(value: unknown): number {
  const text = typeof value === 'string' ? value : JSON.stringify(value) ?? '';
  return Buffer.byteLength(text, 'utf8');
}
