/**
 * infrakey for Pulumi: declared secrets as secret Outputs, component config, identity-backed AWS
 * providers and a ManagedSecret resource. Logic lives in core; this module translates types.
 */
import './adapter-env';
export { getSecret, getSecrets, secretText } from './get-secret';
export type { GetSecretOptions } from './get-secret';
export { componentConfig } from './component-config';
export type { ComponentConfig, ComponentConfigOptions } from './component-config';
export { awsProvider } from './aws-provider';
export type { AwsProviderOptions, IdentityFiles } from './aws-provider';
export { azureNativeProvider, azureNativeArgs } from './azure-provider';
export type { AzureNativeProviderArgs, AzureNativeProviderOptions } from './azure-provider';
export { gcpProvider } from './gcp-provider';
export type { GcpProviderArgs, GcpProviderOptions } from './gcp-provider';
export { ManagedSecret, managedSecretProvider, runtimeSpecifier } from './managed-secret';
export type { ManagedSecretArgs, ManagedSecretOptions } from './managed-secret';
export { managedSecretRuntime } from './managed-secret-runtime';
export type { ManagedSecretCoordinates, ManagedSecretKey, ManagedSecretWritten } from './managed-secret-runtime';
export { SecretBatcher, secretBatcher } from './secret-batcher';
export type { SecretRequest, BatcherStats } from './secret-batcher';
export { locateWorkspace, resetWorkspaces, resolveTarget, programDirectory } from './workspace-locator';
export type { WorkspaceOptions, TargetOptions } from './workspace-locator';
export type { ComponentTarget } from '../core/index';
export { InfrakeyPulumiError } from './pulumi-error';
