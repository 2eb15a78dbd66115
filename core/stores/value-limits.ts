/**
 * The generic size check of `secret set` (issue 10, item 6): a value larger than its backend
 * accepts is refused before any request, with a coded error that names the secret only. Store
 * kinds declare their own limits (`maxValueBytes` in `core/stores/kinds/*`, enforced on the encoded
 * value as `STORE_VALUE_TOO_LARGE`); a backend without one — a SOPS file — uses this bound.
 */

/** infrakey's bound for one value in a SOPS file: 1 MiB keeps files and masked output bounded. */
export const SOPS_MAX_VALUE_BYTES = 1_048_576;

/** Size in bytes of a value as a backend stores it: strings as UTF-8, other values as JSON. */
export function storedValueBytes(value: unknown): number {
  const text = typeof value === 'string' ? value : JSON.stringify(value) ?? '';
  return Buffer.byteLength(text, 'utf8');
}
