import { AuthError } from '../errors';

/**
 * Stable codes of every auth failure. docs/errors.md lists them; tests assert on them.
 * Messages name identities, providers and config paths, never credential values.
 */
export const AUTH_ERROR_CODES = {
  /** The `auth:` section is not a map, or a field has the wrong type. */
  CONFIG_INVALID: 'AUTH_CONFIG_INVALID',
  /** A provider or identity `kind` that Atmos does not know. */
  KIND_UNKNOWN: 'AUTH_KIND_UNKNOWN',
  /** An Atmos kind infrakey does not implement (azure/*, gcp/*, aws/saml, ...). */
  KIND_UNSUPPORTED: 'AUTH_KIND_UNSUPPORTED',
  /** A field the kind requires is missing. */
  FIELD_MISSING: 'AUTH_FIELD_MISSING',
  /** `via` is missing, has both `provider` and `identity`, or is set where it must not be. */
  VIA_INVALID: 'AUTH_VIA_INVALID',
  /** `via` names a provider or identity that is not configured. */
  VIA_UNKNOWN: 'AUTH_VIA_UNKNOWN',
  /** Identities that reach each other through `via.identity`. */
  CYCLE: 'AUTH_CYCLE',
  /** More than one identity has `default: true`. */
  DEFAULT_MULTIPLE: 'AUTH_DEFAULT_MULTIPLE',
  /** No identity given and none is marked `default: true`. */
  NO_DEFAULT: 'AUTH_NO_DEFAULT',
  /** Two identities (or providers) whose names differ only by case. */
  NAME_COLLISION: 'AUTH_NAME_COLLISION',
  /**
   * A provider or identity name that would escape the realm folder or break the credential files
   * (path separators, `..`, control characters, brackets), or a resolved path outside the realm.
   */
  NAME_INVALID: 'AUTH_NAME_INVALID',
  IDENTITY_NOT_FOUND: 'AUTH_IDENTITY_NOT_FOUND',
  /** `ATMOS_AUTH_REALM` or `auth.realm` breaks the realm rules (§2.1). */
  REALM_INVALID: 'AUTH_REALM_INVALID',
  /** Auth was disabled (`--identity=false`, `ATMOS_IDENTITY=off`) but a command needs it. */
  DISABLED: 'AUTH_DISABLED',
  /** The base credentials of a chain are expired or were revoked (ExpiredToken, InvalidClientTokenId). */
  CREDENTIALS_EXPIRED: 'AUTH_CREDENTIALS_EXPIRED',
  /** No cached session for the identity (whoami, credentials without --login). */
  /** aws/user without keys in YAML or in the keyring. */
  USER_NOT_CONFIGURED: 'AUTH_USER_NOT_CONFIGURED',
  /** A prompt (MFA code) is needed but stdin is not a terminal. */
  PROMPT_REQUIRES_TTY: 'AUTH_PROMPT_REQUIRES_TTY',
  /** The keyring failed for a reason other than "not found". */
  KEYRING_FAILED: 'AUTH_KEYRING_FAILED',
  /** An STS call failed for another reason (denied, bad role ARN, network). */
  STS_FAILED: 'AUTH_STS_FAILED',
  /** IAM Identity Center device login: expired code, denied, or a portal/OIDC error. */
  SSO_FAILED: 'AUTH_SSO_FAILED',
  /** A Google token call failed: ADC, the STS token exchange, IAM Credentials generateAccessToken, or the WIF token source. */
  GCP_FAILED: 'AUTH_GCP_FAILED',
  /**
   * A GCP provider plugin would run without the identity's token: the program does not run under
   * `infrakey auth exec -i X` (the Pulumi GCP provider reads `GOOGLE_OAUTH_ACCESS_TOKEN`).
   */
  GCP_ENV_MISSING: 'AUTH_GCP_ENV_MISSING',
  /** GitHub Actions OIDC: not in Actions, bad request URL, or token endpoint failure. */
  OIDC_FAILED: 'AUTH_OIDC_FAILED',
  /** Another process held the credential files' lock for the whole wait (which outlasts the stale threshold). */
  FILE_LOCK_TIMEOUT: 'AUTH_FILE_LOCK_TIMEOUT',
  /** The disk (or quota) is full while writing the credential files. */
  FILES_NO_SPACE: 'AUTH_FILES_NO_SPACE',
  /** Permission denied or a read-only file system at the credential files. */
  FILES_PERMISSION: 'AUTH_FILES_PERMISSION',
  /** A folder where a credential file should be, or a file where a folder of its path should be. */
  FILES_NOT_A_FILE: 'AUTH_FILES_NOT_A_FILE',
  /** Another file-system failure at the credential files (or their lock). */
  FILES_FAILED: 'AUTH_FILES_FAILED',
  /** Credential files readable by others, or in a folder others can write or own (refused, as ssh does). */
  FILES_INSECURE: 'AUTH_FILES_INSECURE',
  /** A network call exceeded its time limit. */
  TIMEOUT: 'AUTH_TIMEOUT',
  /** aws/saml: the IdP refused the login, answered something that is not a SAML response, or the driver cannot run here. */
  SAML_FAILED: 'AUTH_SAML_FAILED',
  /** aws/saml: a `driver` infrakey cannot run (browser-only, or a vendor flow not implemented). */
  SAML_DRIVER_UNSUPPORTED: 'AUTH_SAML_DRIVER_UNSUPPORTED',
  /** aws/saml: the IdP asks for a second factor infrakey cannot answer (Okta push/SMS, a code factor without a terminal, an ADFS MFA page, the Keycloak OTP form). */
  SAML_MFA_UNSUPPORTED: 'AUTH_SAML_MFA_UNSUPPORTED',
  /** aws/ambient: no AWS credentials in the environment (variables, shared files, container or instance role). */
  AMBIENT_NOT_FOUND: 'AUTH_AMBIENT_NOT_FOUND',
  /** An integration (aws/ecr, aws/eks) failed: config, cloud call or the file it writes. */
  INTEGRATION_FAILED: 'AUTH_INTEGRATION_FAILED',
  /** An integration `kind` that Atmos does not know, or one infrakey does not implement. */
  INTEGRATION_KIND_UNSUPPORTED: 'AUTH_INTEGRATION_KIND_UNSUPPORTED',
  /** Entra ID refused or failed an Azure login (device code denied or expired, federated token rejected, token endpoint error). */
  AZURE_FAILED: 'AUTH_AZURE_FAILED',
  /** azure/cli: the Azure CLI's files hold no usable login for the tenant (run `az login`). */
  AZURE_CLI_NOT_LOGGED_IN: 'AUTH_AZURE_CLI_NOT_LOGGED_IN',
  /** `auth console` could not obtain a sign-in token. */
  CONSOLE_FAILED: 'AUTH_CONSOLE_FAILED',
} as const;

/** The config path of an identity (`auth.identities.<name>`), for `where`. */
export function identityPath(name: string, field?: string): string {
  return `auth.identities.${name}${field ? `.${field}` : ''}`;
}

/** The config path of a provider (`auth.providers.<name>`), for `where`. */
export function providerPath(name: string, field?: string): string {
  return `auth.providers.${name}${field ? `.${field}` : ''}`;
}

/** Builds an AuthError; `where` is a config path, optionally resolved to `atmos.yaml:LINE`. */
export function authError(
  code: string,
  message: string,
  where: string | undefined,
  fix: string,
  cause?: unknown,
): AuthError {
  return new AuthError({ code, message, where, fix, cause });
}

/** Formats `path` as `file:line (path)` when a locator knows the line. */
export function locateWhere(path: string, locate?: (path: string) => string | undefined): string {
  const at = locate?.(path);
  return at && at !== path ? `${at} (${path})` : path;
}
