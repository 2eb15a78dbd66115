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
// Secrets (core/secrets)
export { parseDeclarations, scopeForPosition, backendLabel, SECRET_SCOPES } from './secrets/declaration';
export type { SecretDeclaration, ParsedDeclarations, DeclarationSources } from './secrets/declaration';
export { coordinateFor, scopeDescription } from './secrets/coordinates';
export type { SecretCoordinate } from './secrets/coordinates';
export { mergeProviders, checkBackend, SUPPORTED_PROVIDER_KINDS } from './secrets/providers';
export type { SecretsProviderConfig } from './secrets/providers';
export { buildComponentSecrets, declaredNames } from './secrets/component-secrets';
export type { ComponentSecrets } from './secrets/component-secrets';
export { SecretResolver, SecretBackends, applyPath } from './secrets/secret-resolver';
export type { CachedRead, ResolveOneOptions, ResolverStats } from './secrets/secret-resolver';
export type { SecretBackend, SecretRead } from './secrets/secret-backend';
export { secretFunction } from './secrets/secret-function';
export { SecretsService, throwProblems } from './secrets/secrets-service';
export type { SecretTarget, SecretsServiceOptions } from './secrets/secrets-service';
export { setSecret, deleteSecret, listSecrets, validateSecrets, importSecret, assertValid } from './secrets/secret-operations';
export type { SecretChange, SecretListEntry, SecretStatus, ValidationReport, ImportFrom } from './secrets/secret-operations';
export { keygen, pickKeygenProvider } from './secrets/keygen';
export type { KeygenResult } from './secrets/keygen';
export { SECRET_ERROR_CODES } from './secrets/secret-errors';
export { describeSecretStorage } from './secrets/secret-storage';
export type { SecretStorage, StoreBackedStorage, SopsBackedStorage, StoredEncoding, SecretStorageSource } from './secrets/secret-storage';
// SOPS (core/secrets/sops): in-process sops files with age
export { SopsError, decryptSopsFile, encryptSopsDocument, setSopsValue, deleteSopsValue, listSopsKeys, sopsFormatForPath, SOPS_FILE_MODE, SOPS_DIR_MODE } from './secrets/sops';
export type { SopsErrorCode, SopsFormat, SopsSource, SopsKeyOptions, SopsKeyPath, SopsWriteOptions, EncryptSopsOptions } from './secrets/sops';
export { resolveAgeIdentities, defaultAgeKeysPath, parseAgeKeys, expandKeyPath, generateAgeIdentity, ageRecipientOf, generateAgeKeyFile } from './secrets/sops';
export type { AgeKeySpec, AgeKeyStoreReader, AgeKeyResolveOptions, ResolvedAgeIdentities, AgeIdentityInput } from './secrets/sops';
export { resolveSopsRecipients, upsertSopsYamlRecipient, pathRegexForTemplate, SOPS_CONFIG_FILE, renderSopsPath, sopsFilePath } from './secrets/sops';
export type { ResolvedRecipients, SopsPathContext } from './secrets/sops';
// Keyrings (core/keyring)
export { KEYRING_TYPES, isKeyringType } from './keyring/keyring';
export type { Keyring, KeyringType } from './keyring/keyring';
export { MemoryKeyring } from './keyring/memory-keyring';
export { FileKeyring } from './keyring/file-keyring';
export type { FileKeyringOptions } from './keyring/file-keyring';
export { SystemKeyring, SYSTEM_KEYRING_ACCOUNT, SYSTEM_KEYRING_TIMEOUT_MS } from './keyring/system-keyring';
export type { SystemKeyringOptions, SystemKeyringProbe } from './keyring/system-keyring';
export { openKeyring, selectKeyring } from './keyring/select-keyring';
export type { OpenKeyringOptions, SelectKeyringOptions, KeyringConfig, KeyringEnvironment } from './keyring/select-keyring';
export { WRITE_ITERATIONS, MIN_READ_ITERATIONS, MAX_READ_ITERATIONS } from './keyring/jwe-entry';
export { MIN_PASSWORD_LENGTH, DEFAULT_PASSWORD_ENV } from './keyring/keyring-password';
export type { PasswordPrompt } from './keyring/keyring-password';
export { defaultFileKeyringDir, resolveFileKeyringDir } from './keyring/keyring-paths';
export { CredentialStore, credentialKey as keyringCredentialKey, encodeEnvelope, decodeEnvelope, CREDENTIAL_TYPES } from './keyring/credential-store';
export type { CredentialType, CredentialEnvelope, AwsKeyringCredentials } from './keyring/credential-store';
// Auth (core/auth)
export { AuthManager, createAuthManager } from './auth/auth-manager';
export type { AuthManagerOptions, AuthResult, WhoamiInfo, LogoutResult } from './auth/auth-manager';
export { parseAuthConfig } from './auth/auth-config';
export type { AuthConfig, IdentityConfig, ProviderConfig, ParsedAuthConfig, CredentialFilesMode } from './auth/auth-config';
export { validateAuthConfig } from './auth/validate-auth';
export type { AuthValidation } from './auth/validate-auth';
export { buildChain, AWS_USER_ROOT } from './auth/chain';
export type { Chain } from './auth/chain';
export { resolveRealm, validateRealm, realmHash } from './auth/realm';
export type { Realm, RealmSource } from './auth/realm';
export { selectIdentity, isDisabledValue } from './auth/identity-selection';
export type { IdentitySelection } from './auth/identity-selection';
export { credentialFilePaths } from './auth/credential-files';
export type { CredentialFilePaths } from './auth/credential-files';
export { prepareChildEnvironment, identityEnvironment, STRIPPED_AWS_VARS } from './auth/child-env';
export { AUTH_ERROR_CODES } from './auth/auth-errors';
export { openAuthKeyring } from './auth/auth-keyring';
export { consoleSigninUrl } from './auth/console-url';
export { sanitizeSessionName } from './auth/kinds/assume-role';
export { parseDurationSeconds } from './auth/duration';
export { headlessInteraction } from './auth/step-context';
export { identityProfileFiles, assumeRolePlan, ASSUME_ROLE_PLAN_ERROR } from './auth/terraform-identity';
export type { AwsProfileFiles, AssumeRoleHop, AssumeRolePlan } from './auth/terraform-identity';
export type { AuthInteraction } from './auth/step-context';
export type { AwsCredentials, Credentials } from './auth/credentials';
