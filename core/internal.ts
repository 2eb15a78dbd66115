/**
 * The internal entry of core: the public API (`./index`) plus what the adapters (cli/, pulumi/,
 * cdktf/) and the benchmarks need beyond it. Not in the package's `exports`: a program imports
 * `infrakey/core` only. Adapters import core through this file or `./index`, nothing deeper
 * (test/unit/architecture/import-boundaries.test.ts). Add a name here when an adapter needs it.
 */
export * from './index';
// Helpers (core/async, core/exec, text)
export { AsyncCache } from './async/memoize-async';
export { Batcher } from './async/batcher';
export { safeText } from './secret';
export { registerAmbientSecrets } from './ambient-secrets';
export { runChild } from './exec/run-child';
export type { ChildOutput } from './exec/run-child';
export { shellQuote } from './exec/shell-quote';
export { parseBooleanFlag } from './config/boolean-flag';
export { parseQueryPath } from './yaml/query-path';
export type { PathSegment } from './yaml/query-path';
// Stores, stacks, secrets
export { buildStoreRegistry } from './stores/store-registry';
export { COMPONENT_TYPES } from './stacks/stack-processor';
export { mergeProviders } from './secrets/providers';
export type { SecretsProviderConfig } from './secrets/providers';
export { buildComponentSecrets } from './secrets/component-secrets';
export { SecretResolver, SecretBackends } from './secrets/secret-resolver';
export { setSecret, deleteSecret, listSecrets, validateSecrets, importSecret } from './secrets/secret-operations';
export { secretEnvironment, componentsWithSecrets, secretText } from './secrets/secret-environment';
export { keygen, pickKeygenProvider } from './secrets/keygen';
export { readSecretImportFile, readSecretValueFile } from './secrets/import-file';
export { describeSecretStorage } from './secrets/secret-storage';
export type { SecretStorage, StoreBackedStorage, StoredEncoding } from './secrets/secret-storage';
// Keyrings and auth
export { selectKeyring } from './keyring/select-keyring';
export type { KeyringConfig } from './keyring/select-keyring';
export { WRITE_ITERATIONS } from './keyring/jwe-entry';
export { configureAwsUser } from './auth/kinds/aws-user/configure-user';
export type { UserPromptIO } from './auth/kinds/aws-user/configure-user';
export { migrateInlineCredentials } from './auth/kinds/aws-user/migrate-inline-credentials';
export { createAuthManager } from './auth/auth-manager';
export { eksExecCredential } from './auth/eks-token';
export { parseAuthConfig } from './auth/auth-config';
export { resolveRealm } from './auth/realm';
export { openAuthKeyring } from './auth/auth-keyring';
export { parseDurationSeconds } from './auth/duration';
export { assumeRolePlan } from './auth/terraform-identity';
export type { AuthInteraction } from './auth/step-context';
