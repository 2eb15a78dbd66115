/**
 * infrakey/cdktf: Atmos identities and declared secrets for CDK for Terraform (`cdktf`) and its
 * maintained fork CDK Terrain (`cdktn`). The engine is detected from the app's own classes; the
 * AWS provider classes are deep-imported one at a time on first use.
 */
export { IdentityAwsProvider } from './identity-aws-provider';
export type { IdentityAwsProviderProps } from './identity-aws-provider';
export { IdentityAzurermProvider, azurermProviderConfig } from './identity-azurerm-provider';
export type { IdentityAzurermProviderProps } from './identity-azurerm-provider';
export { IdentityGoogleProvider } from './identity-google-provider';
export type { IdentityGoogleProviderProps } from './identity-google-provider';
export { DeclaredSecret } from './declared-secret';
export type { DeclaredSecretProps, DeclaredSecretSource } from './declared-secret';
export { infrakeyContext, CONTEXT_KEYS } from './infrakey-context';
export type { InfrakeyContext } from './infrakey-context';
export { protectSecrets } from './protect-secrets';
export type { ProtectSecretsOptions } from './protect-secrets';
export { engineNameOf } from './engine-name';
export type { EngineName } from './engine-class';
export { CDKTF_ERROR_CODES } from './cdktf-errors';
