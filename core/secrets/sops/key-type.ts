import type { AgeIdentityInput } from './age';
import type { ResolvedAgeIdentities } from './age-keys';
import type { SopsFormat } from './formats/store';
import type { SopsKmsKeyServiceSource } from './key-types/aws-kms-service';
import type { SopsGcpKmsServiceSource } from './key-types/gcp-kms-service';
import type { Secret } from '../../secret';
import { sopsError, type SopsError } from './sops-error';

/**
 * A SOPS master key type (`age`, `aws-kms`; next `pgp`, `gcp-kms`): how its entries look in the
 * file's `sops` section, where its recipients come from (`.sops.yaml` creation rules, key groups,
 * the provider's spec), and how it wraps and unwraps a file's 32-byte data key. Each type is one
 * module under `key-types/`, registered by name in `key-types/index.ts`; the SOPS engine never
 * switches on a type's name.
 *
 * `E` is one parsed entry of the file (`sops.<field>[i]`), `R` one recipient of a new file.
 */
export interface SopsKeyType<E = unknown, R = unknown> {
  /** Registry name: `age`, `aws-kms` (the provider kind is `sops/<name>`). */
  readonly name: string;
  /** Other names of its provider kind (`gpg`: Atmos writes `sops/gpg` for `pgp`). */
  readonly aliases?: readonly string[];
  /** The `sops` metadata field (and `.sops.yaml` rule / key-group field) of its entries: `age`, `kms`. */
  readonly field: string;
  /** For messages: `age`, `AWS KMS`. */
  readonly label: string;
  /** A local type opens a file without the network; local types are tried first. */
  readonly local: boolean;
  /** Reads `sops.<field>` (or `key_groups[0].<field>`); throws SOPS_FORMAT_INVALID naming `at`. */
  parseEntries(list: unknown, file: string, at: string): E[];
  /** One entry as written, fields in sops' order. */
  entryRaw(entry: E): Record<string, unknown>;
  /** Recipients of a flat creation rule (`age:`, `kms:` with `aws_profile`, …). */
  recipientsFromRule(rule: Readonly<Record<string, unknown>>): R[];
  /** Recipients of one `key_groups[i]` of a creation rule. */
  recipientsFromGroup(group: Readonly<Record<string, unknown>>): R[];
  /** The provider's own recipients (`spec.age_recipients`), which replace `.sops.yaml` when given. */
  readonly spec?: { readonly field: string; recipients(value: unknown): R[] };
  /** Tries the entries; the data key, or why none opened it. */
  unwrap(entries: readonly E[], keys: SopsKeyOptions): Promise<SopsUnwrapResult>;
  /** Wraps a new data key to each recipient; throws SOPS_RECIPIENT_INVALID / SOPS_ENCRYPT_FAILED naming `where`. */
  wrap(dataKey: Buffer, recipients: readonly R[], keys: SopsKeyOptions, where: string): Promise<E[]>;
}

/** What a key type's unwrap found. */
export interface SopsUnwrapResult {
  /** The 32-byte data key, when an entry opened. */
  readonly key?: Buffer;
  /** Why none opened (names recipients and where keys were looked for, never key material). */
  readonly failure: string;
  readonly fix: string;
  readonly error?: unknown;
  /**
   * A precise error to throw as is when this type holds the file's only entries (e.g. the age
   * key file is missing: SOPS_AGE_KEY_MISSING).
   */
  readonly alone?: SopsError;
}

/** How to find the keys that open a file; each key type reads its own fields. */
export interface SopsKeyOptions {
  /** age: identities to try. When omitted, sops' defaults: SOPS_AGE_KEY_FILE, SOPS_AGE_KEY, keys.txt. */
  ageIdentities?: readonly AgeIdentityInput[];
  /** age: where `ageIdentities` came from (shown when no key matches). */
  keySources?: readonly string[];
  /** age: resolves the identities on first need (only files with age entries need them). */
  ageKeys?: () => Promise<ResolvedAgeIdentities>;
  /**
   * aws-kms: the key service or a function that builds it (called only when a KMS key is used).
   * Default: the ambient AWS credentials.
   */
  kms?: SopsKmsKeyServiceSource;
  /** aws-kms: who KMS calls run as, for messages (e.g. `identity "dev-admin"`). */
  kmsIdentity?: string;
  /**
   * pgp: the GnuPG home gpg runs with (`--homedir`, as sops' GnuPGHome option); absent: gpg's own
   * default (GNUPGHOME, else ~/.gnupg).
   */
  gnupgHome?: string;
  /** pgp: the passphrase of the secret key, read on first need (sent to gpg on fd 3, never argv). */
  pgpPassphrase?: () => Promise<Secret<string> | undefined>;
  /** pgp: environment of gpg (SOPS_GPG_EXEC, GNUPGHOME, GPG_TTY); default `process.env`. */
  gpgEnv?: NodeJS.ProcessEnv;
  /**
   * Bound of one key operation (one gpg run, one Cloud KMS call), in ms; default 60 s for gpg
   * (a pinentry may wait for a person) and 15 s per Cloud KMS call.
   */
  keyTimeoutMs?: number;
  /**
   * gcp-kms: the Cloud KMS service or a function that builds it (called only when a Cloud KMS key
   * is used). Default: Application Default Credentials (as sops).
   */
  gcpKms?: SopsGcpKmsServiceSource;
  /** gcp-kms: who Cloud KMS calls run as, for messages (e.g. `identity "gcp-dev"`). */
  gcpIdentity?: string;
  /** Format, when the file extension does not tell (.yaml/.yml, .json, .env). */
  format?: SopsFormat;
}

/** An error's own text (InfrakeyError: without its location and fix, which are shown apart). */
export function messageOf(e: unknown): string {
  if (!(e instanceof Error)) return 'unknown error';
  const summary = (e as { summary?: unknown }).summary;
  return typeof summary === 'string' ? summary : e.message;
}

/** A scalar of the metadata as a string (sops writes some fields as numbers or booleans). */
export function metaString(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}

/**
 * Reads a key type's `sops.<field>` list (absent: none). Each entry needs the string fields
 * `required` (else SOPS_FORMAT_INVALID naming `at[i]`); `make` builds the entry from them and
 * the raw record.
 */
export function parseEntryList<E>(list: unknown, file: string, at: string, required: readonly string[], make: (fields: Record<string, string>, rec: Record<string, unknown>) => E): E[] {
  if (list === null || list === undefined) return [];
  if (!Array.isArray(list)) throw sopsError('SOPS_FORMAT_INVALID', `${at} is not a list`, file, 'restore the file from version control');
  return list.map((e, i) => {
    const rec = (e && typeof e === 'object' ? e : {}) as Record<string, unknown>;
    const fields: Record<string, string> = {};
    for (const name of required) {
      const v = metaString(rec[name]);
      if (!v) throw sopsError('SOPS_FORMAT_INVALID', `${at}[${i}] lacks ${required.map((r) => `"${r}"`).join(' or ')}`, file, 'restore the file from version control');
      fields[name] = v;
    }
    return make(fields, rec);
  });
}

/** `time.Now().UTC().Format(time.RFC3339)`: an entry's `created_at`. */
export function rfc3339Now(): string {
  return new Date().toISOString().replace(/\.\d+Z$/, 'Z');
}
