import { KeyringError } from '../errors';
import { CredentialStore, credentialKey, type AwsKeyringCredentials } from '../keyring/credential-store';
import type { Keyring } from '../keyring/keyring';
import { Secret, unsafeUnwrap } from '../secret';
import { AUTH_ERROR_CODES, authError } from './auth-errors';
import { awsCredentials, type AwsCredentials, type Credentials, type SsoTokenCredentials } from './credentials';

/**
 * Auth's long-lived credentials in the keyring, stored through the keyring layer's
 * {@link CredentialStore} (Atmos's key `atmos_<realm>_<alias>` and `{"type", "data"}` envelope,
 * §3.2): aws/user keys and IAM Identity Center tokens. AWS session credentials never go there.
 * This file only maps between those envelopes and auth's credential types.
 */

/** The keyring key of `alias` in `realm` (`atmos_<alias>` without a realm). */
export { credentialKey };

/**
 * A keyring failure while reading or writing `alias`: a KeyringError keeps its code and fix
 * (e.g. `KEYRING_UNAVAILABLE`: how to enable the keyring or `auth.keyring.fallback: file`), with
 * the identity or provider and its config path added; anything else is AUTH_KEYRING_FAILED.
 */
function keyringFailure(e: unknown, what: string, keyring: Keyring, where: string): Error {
  if (e instanceof KeyringError) {
    return new KeyringError({ code: e.code, message: `${what} in the ${keyring.type} keyring: ${e.summary}`, where, fix: e.fix, cause: e });
  }
  return authError(AUTH_ERROR_CODES.KEYRING_FAILED, `${what} in the ${keyring.type} keyring failed`, where, 'check the keyring (ATMOS_KEYRING_TYPE, ATMOS_KEYRING_PASSWORD) and try again', e);
}

/** The `aws` envelope data of `alias`; undefined when absent or of another known type. */
async function readAwsData(keyring: Keyring, realm: string, alias: string, where: string): Promise<AwsKeyringCredentials | undefined> {
  let envelope;
  try {
    envelope = await new CredentialStore(keyring, realm).get<AwsKeyringCredentials>(alias);
  } catch (e) {
    throw keyringFailure(e, `reading the credentials of "${alias}" (entry "${credentialKey(realm, alias)}")`, keyring, where);
  }
  if (!envelope) return undefined;
  const plain = unsafeUnwrap(envelope);
  // Another known type under this name (an OIDC token, ...) is not AWS credentials: not configured.
  return plain.type === 'aws' ? plain.data : undefined;
}

/** Reads AWS credentials (an aws/user's keys) stored under `alias`. Undefined when absent. */
export async function readAwsKeyringCredentials(keyring: Keyring, realm: string, alias: string, where: string): Promise<AwsCredentials | undefined> {
  const data = await readAwsData(keyring, realm, alias, where);
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
  const data = await readAwsData(keyring, realm, provider, where);
  if (!data || !data.access_key_id || !data.expiration) return undefined;
  const expiration = new Date(data.expiration);
  if (Number.isNaN(expiration.getTime())) return undefined;
  return { type: 'sso-token', accessToken: Secret.of(data.access_key_id, `sso-token:${provider}`), expiration, region: data.region ?? region, startUrl };
}

/** Stores an IAM Identity Center token under the provider's name. */
export async function writeSsoToken(keyring: Keyring, realm: string, provider: string, token: SsoTokenCredentials, where = `provider "${provider}"`): Promise<void> {
  const data: AwsKeyringCredentials = { access_key_id: unsafeUnwrap(token.accessToken), region: token.region, expiration: token.expiration.toISOString() };
  try {
    await new CredentialStore(keyring, realm).setAws(provider, Secret.of(data, `keyring:${provider}`));
  } catch (e) {
    throw keyringFailure(e, `storing the IAM Identity Center token of "${provider}"`, keyring, where);
  }
}

/** Deletes the entry of `alias` (idempotent). */
export async function deleteKeyringCredentials(keyring: Keyring, realm: string, alias: string, where = `"${alias}"`): Promise<void> {
  try {
    await new CredentialStore(keyring, realm).delete(alias);
  } catch (e) {
    throw keyringFailure(e, `removing the credentials of "${alias}"`, keyring, where);
  }
}

/** Type guard used by callers that hold a union. */
export function isAws(c: Credentials | undefined): c is AwsCredentials {
  return c?.type === 'aws';
}
