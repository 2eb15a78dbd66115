import { StoreError } from '../../errors';

/**
 * Stable codes of SOPS failures. Messages name files, key paths, recipients and key sources,
 * never a value or key material.
 */
export type SopsErrorCode =
  | 'SOPS_MAC_MISMATCH'
  | 'SOPS_DECRYPT_FAILED'
  | 'SOPS_NO_RECIPIENTS'
  | 'SOPS_RECIPIENT_INVALID'
  | 'SOPS_AGE_KEY_INVALID'
  | 'SOPS_AGE_KEY_MISSING'
  | 'SOPS_PATH_TEMPLATE'
  | 'SOPS_FILE_NOT_FOUND'
  | 'SOPS_FORMAT_INVALID'
  | 'SOPS_FORMAT_UNSUPPORTED'
  | 'SOPS_KEY_PATH_INVALID'
  | 'SOPS_CONFIG_INVALID'
  | 'SOPS_WRITE_FAILED'
  | 'SOPS_LOCK_TIMEOUT'
  | 'SOPS_ENCRYPT_FAILED'
  | 'SOPS_GPG_NOT_FOUND'
  | 'SOPS_KEY_TIMEOUT';

/** A SOPS file, key or `.sops.yaml` problem. */
export class SopsError extends StoreError {
  declare readonly code: SopsErrorCode;
}

/** Shorthand used across the sops folder. */
export function sopsError(code: SopsErrorCode, message: string, where?: string, fix?: string, cause?: unknown): SopsError {
  return new SopsError({ code, message, where, fix, cause });
}
