import { Secret, unsafeUnwrap } from '../secret';

/**
 * What every credential has. `type` names its cloud (or token kind); a kind module that brings a
 * new cloud adds its type to {@link CredentialTypes}, so the union stays open and still narrows.
 */
export interface CredentialsBase {
  readonly type: string;
  /** The region the credentials were issued for, when the cloud has regions. */
  readonly region?: string;
  /** Undefined: does not expire. */
  readonly expiration?: Date;
}

/** AWS credentials. Key material is always a {@link Secret}. */
export interface AwsCredentials extends CredentialsBase {
  readonly type: 'aws';
  readonly accessKeyId: Secret<string>;
  readonly secretAccessKey: Secret<string>;
  readonly sessionToken?: Secret<string>;
  readonly region?: string;
  /** Undefined: does not expire (long-lived IAM user keys). */
  readonly expiration?: Date;
  /** aws/user keyring entries carry these (§3.2). */
  readonly mfaArn?: string;
  readonly sessionDuration?: string;
}

/** An OIDC token from a provider such as github/oidc. */
export interface OidcCredentials extends CredentialsBase {
  readonly type: 'oidc';
  readonly token: Secret<string>;
  readonly provider: string;
  readonly audience?: string;
  readonly expiration?: Date;
}

/** An IAM Identity Center access token (Atmos stores it as AWS creds whose key id is the token). */
export interface SsoTokenCredentials extends CredentialsBase {
  readonly type: 'sso-token';
  readonly accessToken: Secret<string>;
  readonly region: string;
  readonly startUrl: string;
  readonly expiration: Date;
}

/** Test kinds (`mock`, `mock/aws`): no key material, an account id only. */
export interface MockCredentials extends CredentialsBase {
  readonly type: 'mock';
  readonly account?: string;
  readonly expiration?: Date;
}

/**
 * Every credential type by its `type` tag. Open: a module adding a cloud (gcp, azure, a GitHub
 * token, ...) extends it with `declare module` and its own `CredentialsBase` subtype.
 */
export interface CredentialTypes {
  aws: AwsCredentials;
  oidc: OidcCredentials;
  'sso-token': SsoTokenCredentials;
  mock: MockCredentials;
}

/** What a provider or identity step produces. */
export type Credentials = CredentialTypes[keyof CredentialTypes];

/** Chain steps reuse credentials only with more than this left (Atmos `minCredentialValidityBuffer`). */
export const REUSE_BUFFER_MS = 15 * 60 * 1000;

/** True when `c` expires more than `bufferMs` from `now` (or never). */
export function isFresh(c: Credentials | undefined, now = Date.now(), bufferMs = REUSE_BUFFER_MS): boolean {
  if (!c) return false;
  if (!c.expiration) return true;
  return c.expiration.getTime() > now + bufferMs;
}

/** True once `c` has expired (no buffer; Atmos `IsExpired`). */
export function isExpired(c: Credentials, now = Date.now()): boolean {
  return c.expiration !== undefined && !(now < c.expiration.getTime());
}

/** Builds AwsCredentials from plain SDK fields; the values are wrapped (and so registered for masking). */
export function awsCredentials(fields: {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  region?: string;
  expiration?: Date;
  mfaArn?: string;
  sessionDuration?: string;
}, label: string): AwsCredentials {
  return {
    type: 'aws',
    accessKeyId: Secret.of(fields.accessKeyId, `${label}:access_key_id`),
    secretAccessKey: Secret.of(fields.secretAccessKey, `${label}:secret_access_key`),
    ...(fields.sessionToken ? { sessionToken: Secret.of(fields.sessionToken, `${label}:session_token`) } : {}),
    ...(fields.region ? { region: fields.region } : {}),
    ...(fields.expiration ? { expiration: fields.expiration } : {}),
    ...(fields.mfaArn ? { mfaArn: fields.mfaArn } : {}),
    ...(fields.sessionDuration ? { sessionDuration: fields.sessionDuration } : {}),
  };
}

/** The SDK's credential identity shape, unwrapped for one client; never logged. */
export function toSdkCredentials(c: AwsCredentials): { accessKeyId: string; secretAccessKey: string; sessionToken?: string; expiration?: Date } {
  return {
    accessKeyId: unsafeUnwrap(c.accessKeyId),
    secretAccessKey: unsafeUnwrap(c.secretAccessKey),
    ...(c.sessionToken ? { sessionToken: unsafeUnwrap(c.sessionToken) } : {}),
    ...(c.expiration ? { expiration: c.expiration } : {}),
  };
}
