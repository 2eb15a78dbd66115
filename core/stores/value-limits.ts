/**
 * The largest value each backend accepts, in one place, so that a value too large is refused
 * before any request with a coded error that names the secret only (issue 10, item 6) instead of
 * a backend error, a truncated write or a masker that chokes on it.
 *
 * Sizes are of the stored text in UTF-8 bytes (strings as they are, other values as JSON).
 */

/** AWS SSM Parameter Store, Standard tier (the tier infrakey writes): 4 KB. */
const SSM_STANDARD_MAX = 4096;
/** AWS Secrets Manager: 64 KB of SecretString. */
const ASM_MAX = 65_536;
/**
 * infrakey's own bound for backends without a documented limit (SOPS files, keychains, Redis):
 * 1 MiB per value keeps files, keyrings and every masked output bounded.
 */
export const DEFAULT_MAX_VALUE_BYTES = 1_048_576;

/** Limits by store kind (Atmos `kind` names); kinds not listed use {@link DEFAULT_MAX_VALUE_BYTES}. */
export const MAX_VALUE_BYTES: Readonly<Record<string, number>> = {
  'aws/ssm': SSM_STANDARD_MAX,
  'aws/asm': ASM_MAX,
  sops: DEFAULT_MAX_VALUE_BYTES,
};

/** The limit for a store kind (or `sops`). */
export function maxValueBytes(kind: string): number {
  return MAX_VALUE_BYTES[kind] ?? DEFAULT_MAX_VALUE_BYTES;
}

/** Size in bytes of a value as a backend stores it. */
export function storedValueBytes(value: unknown): number {
  const text = typeof value === 'string' ? value : JSON.stringify(value) ?? '';
  return Buffer.byteLength(text, 'utf8');
}
