import { createHash } from 'node:crypto';
import * as path from 'node:path';
import { AUTH_ERROR_CODES, authError } from './auth-errors';

/** Where the realm came from, as `auth whoami` shows it. */
export type RealmSource = 'env' | 'config' | 'config-path' | 'default';

/** The credential-isolation namespace (§2.1) and its source. */
export interface Realm {
  readonly value: string;
  readonly source: RealmSource;
}

/**
 * Resolves the realm exactly as Atmos does (§2.1): `ATMOS_AUTH_REALM` → `auth.realm` → the first
 * 8 bytes (16 hex chars) of SHA-256 of the lower-cased, slash-normalised config directory →
 * `default`. Explicit values are validated; an invalid one is an `AUTH_REALM_INVALID` error.
 */
export function resolveRealm(opts: { env: NodeJS.ProcessEnv; configRealm?: unknown; configDir?: string; where?: string }): Realm {
  const fromEnv = opts.env.ATMOS_AUTH_REALM;
  if (fromEnv !== undefined && fromEnv !== '') {
    validateRealm(fromEnv, 'ATMOS_AUTH_REALM environment variable', 'ATMOS_AUTH_REALM');
    return { value: fromEnv, source: 'env' };
  }
  if (typeof opts.configRealm === 'string' && opts.configRealm !== '') {
    validateRealm(opts.configRealm, 'auth.realm configuration', opts.where ?? 'auth.realm');
    return { value: opts.configRealm, source: 'config' };
  }
  if (opts.configDir) return { value: realmHash(opts.configDir), source: 'config-path' };
  return { value: 'default', source: 'default' };
}

/** The hashed realm of a config directory (Atmos `CliConfigPath`). */
export function realmHash(configDir: string): string {
  // Go's filepath.Clean: normalised, no trailing separator (except the root itself).
  let cleaned = path.normalize(configDir);
  while (cleaned.length > 1 && (cleaned.endsWith('/') || cleaned.endsWith(path.sep))) cleaned = cleaned.slice(0, -1);
  const normalised = cleaned.split(path.sep).join('/').toLowerCase();
  return createHash('sha256').update(normalised).digest('hex').slice(0, 16);
}

/** Throws `AUTH_REALM_INVALID` unless `value` is a valid realm (§2.1 rules, Atmos's texts). */
export function validateRealm(value: string, origin: string, where: string): void {
  const problem = realmProblem(value);
  if (problem) {
    throw authError(
      AUTH_ERROR_CODES.REALM_INVALID,
      `invalid realm value: ${origin}: ${problem}`,
      where,
      'use 1-64 characters from a-z, 0-9, "-" and "_", not starting or ending with "-" or "_", e.g. "acme-prod"',
    );
  }
}

/** The first rule `value` breaks, in Atmos's words, or undefined. */
export function realmProblem(value: string): string | undefined {
  if (value === '') return 'realm cannot be empty';
  if (value.length > 64) return `realm exceeds maximum length of 64 characters: got ${value.length}`;
  if (value.includes('/') || value.includes('\\') || value.includes('..')) {
    return 'realm cannot contain path traversal characters (/, \\, ..)';
  }
  const bad = [...new Set([...value].filter((c) => !/[a-z0-9_-]/.test(c)))];
  if (bad.length > 0) {
    const shown = bad.map((c) => (c === ' ' ? "' '" : c)).join(' ');
    return `realm contains invalid characters: [${shown}] (only lowercase letters, numbers, hyphens, and underscores are allowed)`;
  }
  if (/^[-_]/.test(value)) return 'realm cannot start with hyphen or underscore';
  if (/[-_]$/.test(value)) return 'realm cannot end with hyphen or underscore';
  if (/--|__|-_|_-/.test(value)) return 'realm cannot contain consecutive hyphens or underscores';
  return undefined;
}
