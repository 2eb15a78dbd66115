import type { Keyring } from '../keyring/keyring';
import { unsafeUnwrap } from '../secret';
import { AUTH_ERROR_CODES, authError } from './auth-errors';
import { awsCredentials, type AwsCredentials, type Credentials, type SsoTokenCredentials } from './credentials';
import { Secret } from '../secret';

/**
 * Long-lived credentials in the keyring, in Atmos's format (§3.2): key `atmos_<realm>_<alias>`
 * (alias = lower-cased provider or identity name), value `{"type": T, "data": {...}}`.
 * What goes there: aws/user keys and IAM Identity Center tokens. AWS session credentials never do.
 */

/** The keyring key of `alias` in `realm` (`atmos_<alias>` without a realm). */
export function credentialKey(realm: string, alias: string): string {
  return realm ? `atmos_${realm}_${alias.toLowerCase()}` : `atmos_${alias.toLowerCase()}`;
}

interface AwsData {
  access_key_id?: string;
  secret_access_key?: string;
  session_token?: string;
  region?: string;
  expiration?: string;
  mfa_arn?: string;
  session_duration?: string;
}

/** Reads AWS credentials (an aws/user's keys) stored under `alias`. Undefined when absent. */
export async function readAwsKeyringCredentials(keyring: Keyring, realm: string, alias: string, where: string): Promise<AwsCredentials | undefined> {
  const data = await readEnvelope(keyring, realm, alias, where);
  if (!data || !data.access_key_id || !data.secret_access_key) return undefined;
  return awsCredentials(
    {
      accessKeyId: data.access_key_id,
      secretAccessKey: data.secret_access_key,
      sessionToken: data.session_token,
      region: data.region,
      expiration: data.expiration ? new Date(data.expiration) : undefined,
      mfaArn: data.mfa_arn,
      sessionDuration: data.session_duration,
    },
    `keyring:${alias}`,
  );
}

/** Reads an IAM Identity Center token stored under the provider's name (Atmos: AWS creds whose key id is the token). */
export async function readSsoToken(keyring: Keyring, realm: string, provider: string, startUrl: string, region: string, where: string): Promise<SsoTokenCredentials | undefined> {
  const data = await readEnvelope(keyring, realm, provider, where);
  if (!data || !data.access_key_id || !data.expiration) return undefined;
  const expiration = new Date(data.expiration);
  if (Number.isNaN(expiration.getTime())) return undefined;
  return { type: 'sso-token', accessToken: Secret.of(data.access_key_id, `sso-token:${provider}`), expiration, region: data.region ?? region, startUrl };
}

/** Stores an IAM Identity Center token under the provider's name. */
export async function writeSsoToken(keyring: Keyring, realm: string, provider: string, token: SsoTokenCredentials): Promise<void> {
  const data: AwsData = { access_key_id: unsafeUnwrap(token.accessToken), region: token.region, expiration: token.expiration.toISOString() };
  await keyring.set(credentialKey(realm, provider), Secret.of(JSON.stringify({ type: 'aws', data }), `keyring:${provider}`));
}

/** Deletes the entry of `alias` (idempotent). */
export async function deleteKeyringCredentials(keyring: Keyring, realm: string, alias: string): Promise<void> {
  await keyring.delete(credentialKey(realm, alias));
}

async function readEnvelope(keyring: Keyring, realm: string, alias: string, where: string): Promise<AwsData | undefined> {
  const key = credentialKey(realm, alias);
  let value: Secret<string> | undefined;
  try {
    value = await keyring.get(key);
  } catch (e) {
    throw authError(
      AUTH_ERROR_CODES.KEYRING_FAILED,
      `failed to read credentials for "${alias}" from the ${keyring.type} keyring (entry "${key}")`,
      where,
      'check the keyring (ATMOS_KEYRING_TYPE, ATMOS_KEYRING_PASSWORD) and try again',
      e,
    );
  }
  if (!value) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(unsafeUnwrap(value));
  } catch {
    throw authError(AUTH_ERROR_CODES.KEYRING_FAILED, `keyring entry "${key}" is not a credential envelope`, where, `replace it: infrakey auth user configure --identity ${alias}`);
  }
  const env = parsed as { type?: unknown; data?: unknown };
  if (env.type !== 'aws' || typeof env.data !== 'object' || env.data === null) {
    if (env.type === 'oidc' || env.type === 'gcp' || env.type === 'atmos-pro' || env.type === 'mock') return undefined;
    throw authError(AUTH_ERROR_CODES.KEYRING_FAILED, `keyring entry "${key}": unknown credential type`, where, `replace it: infrakey auth user configure --identity ${alias}`);
  }
  return env.data as AwsData;
}

/** Type guard used by callers that hold a union. */
export function isAws(c: Credentials | undefined): c is AwsCredentials {
  return c?.type === 'aws';
}
