/**
 * The public API of infrakey's core. Adapters (cli/, pulumi/, cdktf/) import only this file.
 */
export * from './errors';
export { Secret, unsafeUnwrap, Redactor, redactor, MASK } from './secret';
export { YamlFunction, isYamlFunction, YAML_FUNCTION_TAGS } from './yaml/yaml-function';
export type { YamlFunctionTag } from './yaml/yaml-function';
// YAML layer (core/yaml)
export { loadYamlFile, parseYaml } from './yaml/load-yaml';
export type { LoadedYaml, LoadYamlOptions } from './yaml/load-yaml';
export { parseSecretArgs, parseStoreArgs, parseStoreGetArgs, parseEnvArgs } from './yaml/function-args';
export type { SecretArgs, StoreArgs, StoreGetArgs, EnvArgs } from './yaml/function-args';
export { queryPath, parseQueryPath, formatPath } from './yaml/query-path';
export type { PathSegment, QueryPathOptions } from './yaml/query-path';
export { resolveYamlFunctions, containsYamlFunctions, defaultEnvLookup, runExec, decodeExecOutput } from './yaml/resolve-functions';
export type { YamlFunctionResolver, ResolveOptions, ExecOptions } from './yaml/resolve-functions';
// atmos.yaml (core/config)
export { loadAtmosConfig } from './config/load-config';
export type { LoadAtmosConfigOptions } from './config/load-config';
export type { AtmosConfig, StacksConfig, ComponentsConfig, StoreEntry } from './config/atmos-config';
export { discoverAtmosConfig, CONFIG_FILE_NAMES } from './config/discovery';
export type { Discovery } from './config/discovery';
export { xdgConfigHome, xdgDataHome, xdgCacheHome, homeDir } from './config/xdg';
// Stores (core/stores)
export { STORE_KINDS, isRawKeyRequest } from './stores/store';
export type { Store, WritableStore, StoreKind, StoreCapabilities, StoreCoordinate, StoreRequest, StoreReadResult, StoreAuthContext, StoreAuthResolver, AwsCredentialsLike, AwsCredentialsProvider } from './stores/store';
export { StoreRegistry, buildStoreRegistry, resolveStoreKind, STORE_KIND_ALIASES, SECRET_BY_DEFAULT_KINDS, SECRET_INCAPABLE_KINDS } from './stores/store-registry';
export type { StoreConfigEntry, StoreRegistryOptions, StoreFactory, StoreFactoryInput } from './stores/store-registry';
export type { KeychainBackendSpec, KeychainKeyringFactory } from './stores/keychain-store';
export { composeKey, composeKeyPrefix, backendKeyPath } from './stores/key-path';
export { STORE_ERROR_CODES } from './stores/store-errors';
export { StoreBatchReader } from './stores/batch-reader';
export { evaluateStore, evaluateStoreGet, storeFunctionResolver } from './stores/store-function';
export type { StoreFunctionContext } from './stores/store-function';
// Stacks and Workspace (core/stacks, core/workspace.ts)
export { Workspace } from './workspace';
export type { WorkspaceLoadOptions, DescribeComponentOptions, FunctionsFactory, FunctionsContext } from './workspace';
export { StackEngine } from './stacks/stack-engine';
export type { StackEngineOptions, StackSummary, ResolveComponentOptions } from './stacks/stack-engine';
export type { ResolvedComponent, ComponentMergeSettings } from './stacks/component-resolver';
export type { SecretScope, SecretDeclarationSource } from './stacks/secrets-scope';
export { COMPONENT_TYPES } from './stacks/stack-processor';
export type { ComponentType } from './stacks/stack-processor';
export { deepMerge } from './stacks/deep-merge';
export type { ListMergeStrategy } from './stacks/deep-merge';
