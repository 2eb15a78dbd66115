import { KeyringError } from '../errors';
import { Secret, unsafeUnwrap } from '../secret';
import type { Keyring } from './keyring';

/**
 * Credentials in the keyring, exactly as Atmos stores them (atmos-semantics.md §3.2):
 * key `atmos_<realm>_<alias>` (`atmos_<alias>` without a realm), alias = the lower-cased
 * provider or identity name, value = the JSON envelope `{"type": T, "data": {...}}`.
 */

/** Envelope types Atmos knows. */
export type CredentialType = 'aws' | 'gcp' | 'oidc' | 'atmos-pro' | 'mock';
export const CREDENTIAL_TYPES: readonly CredentialType[] = ['aws', 'gcp', 'oidc', 'atmos-pro', 'mock'];

/** Long-lived AWS credentials (Atmos `AWSCredentials`); every field optional, snake_case as stored. */
export interface AwsKeyringCredentials {
  access_key_id?: string;
  secret_access_key?: string;
  session_token?: string;
  region?: string;
  /** RFC 3339. */
  expiration?: string;
  mfa_arn?: string;
  session_duration?: string;
}

/** The stored envelope. `data` is the credentials JSON of `type`. */
export interface CredentialEnvelope<D = Record<string, unknown>> {
  type: CredentialType;
  data: D;
}

// Field order of Atmos's Go structs, so that the JSON we write matches theirs byte for byte.
const AWS_FIELDS: readonly (keyof AwsKeyringCredentials)[] = [
  'access_key_id',
  'secret_access_key',
  'session_token',
  'region',
  'expiration',
  'mfa_arn',
  'session_duration',
];

/** The keyring key of `alias` in `realm` (empty realm → legacy `atmos_<alias>`). */
export function credentialKey(realm: string, alias: string): string {
  const a = alias.toLowerCase();
  return realm ? `atmos_${realm}_${a}` : `atmos_${a}`;
}

/** Serialises an envelope as Atmos does (omitting empty fields, Go field order for AWS). */
export function encodeEnvelope(envelope: CredentialEnvelope): string {
  if (!CREDENTIAL_TYPES.includes(envelope.type)) {
    throw new KeyringError({
      code: 'CREDENTIAL_TYPE_UNSUPPORTED',
      message: `unsupported credential type "${String(envelope.type)}"`,
      fix: `use one of: ${CREDENTIAL_TYPES.join(', ')}`,
    });
  }
  let data: Record<string, unknown> = {};
  if (envelope.type === 'aws') {
    const src = envelope.data as AwsKeyringCredentials;
    for (const f of AWS_FIELDS) if (src[f] !== undefined && src[f] !== '') data[f] = src[f];
  } else {
    data = { ...envelope.data };
  }
  return JSON.stringify({ type: envelope.type, data });
}

/** Parses a stored envelope; `key` names the entry in errors. */
export function decodeEnvelope(text: string, key: string): CredentialEnvelope {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  const env = parsed as { type?: unknown; data?: unknown } | undefined;
  if (!env || typeof env !== 'object' || typeof env.type !== 'string' || !env.data || typeof env.data !== 'object') {
    throw new KeyringError({
      code: 'KEYRING_CORRUPT',
      message: `the keyring entry "${key}" is not a credential envelope ({"type", "data"})`,
      where: `keyring entry "${key}"`,
      fix: 'delete the entry and store the credential again (infrakey auth user configure, or log in again)',
    });
  }
  if (!(CREDENTIAL_TYPES as readonly string[]).includes(env.type)) {
    throw new KeyringError({
      code: 'CREDENTIAL_TYPE_UNKNOWN',
      message: `unknown credential type "${env.type}" in the keyring entry "${key}"`,
      where: `keyring entry "${key}"`,
      fix: `upgrade infrakey, or delete the entry; known types: ${CREDENTIAL_TYPES.join(', ')}`,
    });
  }
  const data = { ...(env.data as Record<string, unknown>) };
  // Go writes a zero time.Time for "no expiration".
  if (data.expiration === '0001-01-01T00:00:00Z') delete data.expiration;
  return { type: env.type as CredentialType, data };
}

/** Credential storage for auth, over any {@link Keyring}, scoped to one realm. */
export class CredentialStore {
  constructor(
    readonly keyring: Keyring,
    readonly realm: string,
  ) {}

  /** The keyring key of `alias`. */
  keyFor(alias: string): string {
    return credentialKey(this.realm, alias);
  }

  /**
   * The envelope stored for `alias`, or undefined. With `expectedType`, an entry of another
   * type is an error (`CREDENTIAL_TYPE_MISMATCH`) rather than a silent miss.
   */
  async get<D = Record<string, unknown>>(alias: string, expectedType?: CredentialType): Promise<Secret<CredentialEnvelope<D>> | undefined> {
    const key = this.keyFor(alias);
    const raw = await this.keyring.get(key);
    if (!raw) return undefined;
    const envelope = decodeEnvelope(unsafeUnwrap(raw), key);
    if (expectedType && envelope.type !== expectedType) {
      throw new KeyringError({
        code: 'CREDENTIAL_TYPE_MISMATCH',
        message: `the keyring entry "${key}" holds "${envelope.type}" credentials, not "${expectedType}"`,
        where: `keyring entry "${key}"`,
        fix: `check that "${alias}" is the right name; to replace the entry, delete it and store the credential again`,
      });
    }
    return Secret.of(envelope as CredentialEnvelope<D>, `credentials:${alias.toLowerCase()}`);
  }

  /** AWS credentials of `alias` (type `aws`), or undefined. */
  async getAws(alias: string): Promise<Secret<AwsKeyringCredentials> | undefined> {
    const env = await this.get<AwsKeyringCredentials>(alias, 'aws');
    return env?.map((e) => e.data, `credentials:${alias.toLowerCase()}`);
  }

  /** Stores an envelope for `alias`. */
  async set(alias: string, envelope: CredentialEnvelope | Secret<CredentialEnvelope>): Promise<void> {
    const plain = Secret.isSecret(envelope) ? unsafeUnwrap(envelope) : envelope;
    await this.keyring.set(this.keyFor(alias), Secret.of(encodeEnvelope(plain), this.keyFor(alias)));
  }

  /** Stores AWS credentials for `alias` (type `aws`). */
  async setAws(alias: string, creds: AwsKeyringCredentials | Secret<AwsKeyringCredentials>): Promise<void> {
    const data = Secret.isSecret(creds) ? unsafeUnwrap(creds) : creds;
    await this.set(alias, { type: 'aws', data: data as Record<string, unknown> });
  }

  /** Removes the entry of `alias` (idempotent). With `expectedType`, refuses to remove another type. */
  async delete(alias: string, expectedType?: CredentialType): Promise<void> {
    if (expectedType) await this.get(alias, expectedType);
    await this.keyring.delete(this.keyFor(alias));
  }

  /** Aliases stored in this realm (keyrings that can list only). */
  async list(): Promise<string[]> {
    const prefix = this.realm ? `atmos_${this.realm}_` : 'atmos_';
    return (await this.keyring.list()).filter((k) => k.startsWith(prefix)).map((k) => k.slice(prefix.length));
  }
}
