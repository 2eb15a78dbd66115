import type { Secret } from '../../secret';
import type { CredentialsBase } from '../credentials';

/**
 * GCP credentials: an OAuth2 access token, as Atmos's `GCPCredentials` (`access_token`,
 * `token_expiry`, `project_id`, `service_account_email`, `scopes`). Produced by the GCP provider
 * and identity kinds; consumed by the GCP cloud module (ADC files, child environment) and by the
 * `gcp/secretmanager` store and the SOPS `gcp-kms` key type when an identity is named.
 */
export interface GcpCredentials extends CredentialsBase {
  readonly type: 'gcp';
  readonly accessToken: Secret<string>;
  /** Undefined: does not expire. */
  readonly expiration?: Date;
  readonly projectId?: string;
  /** The impersonated service account, when there is one. */
  readonly serviceAccountEmail?: string;
  readonly scopes?: readonly string[];
}

declare module '../credentials' {
  interface CredentialTypes {
    gcp: GcpCredentials;
  }
}
