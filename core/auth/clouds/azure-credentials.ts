import type { Secret } from '../../secret';
import type { CredentialsBase } from '../credentials';

/**
 * Azure credentials, as Atmos's `AzureCredentials`: an Azure Resource Manager access token plus
 * the tokens minted for other audiences in the same login (Key Vault, Microsoft Graph). Produced
 * by the Azure provider and identity kinds; consumed by the Azure cloud module (MSAL cache,
 * `azureProfile.json`, child environment) and by the `azure/keyvault` store when an identity is
 * named (it uses `keyVaultToken`).
 */
export interface AzureCredentials extends CredentialsBase {
  readonly type: 'azure';
  /** Token for `https://management.azure.com/.default`. */
  readonly accessToken: Secret<string>;
  readonly expiration?: Date;
  readonly tenantId: string;
  readonly subscriptionId?: string;
  readonly location?: string;
  /** Token for `https://vault.azure.net/.default`, when the provider could mint one. */
  readonly keyVaultToken?: Secret<string>;
  readonly keyVaultExpiration?: Date;
  /** Token for `https://graph.microsoft.com/.default`, when the provider could mint one. */
  readonly graphToken?: Secret<string>;
  readonly graphExpiration?: Date;
  /** Set for service-principal (OIDC, client credentials) logins. */
  readonly clientId?: string;
  readonly isServicePrincipal?: boolean;
  /** Which provider kind minted them (`cli` credentials are never written back to the CLI's files). */
  readonly authMethod?: 'cli' | 'device-code' | 'oidc' | 'interactive';
  /** Azure cloud environment: `public`, `usgovernment`, `china`. */
  readonly cloudEnvironment?: string;
  /** MSAL's `{home-oid}.{home-tenant}` of a user login (guest users: the home tenant differs). */
  readonly homeAccountId?: string;
  /** azure/oidc: the federated token file Terraform reads (`ARM_USE_OIDC`). */
  readonly tokenFilePath?: string;
  /** azure/oidc: the federated token itself; never written to infrakey's own files (Atmos: `json:"-"`). */
  readonly federatedToken?: Secret<string>;
}

declare module '../credentials' {
  interface CredentialTypes {
    azure: AzureCredentials;
  }
}
