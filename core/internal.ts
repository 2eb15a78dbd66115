/**
 * The internal entry of core: the public API (`./index`) plus what the adapters (cli/, pulumi/,
 * cdktf/) and the benchmarks need beyond it. Not in the package's `exports`: a program imports
 * `infrakey/core` only. Adapters import core through this file or `./index`, nothing deeper
 * (test/unit/architecture/import-boundaries.test.ts).
 */
export * from './index';
export { AsyncCache } from './async/memoize-async';
export { Batcher } from './async/batcher';
export { registerAmbientSecrets } from './ambient-secrets';
export { parseQueryPath } from './yaml/query-path';
export type { PathSegment } from './yaml/query-path';
export { buildStoreRegistry } from './stores/store-registry';
export { COMPONENT_TYPES } from './stacks/stack-processor';
export { backendLabel } from './secrets/declaration';
export type { SecretDeclaration } from './secrets/declaration';
export { mergeProviders } from './secrets/providers';
export type { SecretsProviderConfig } from './secrets/providers';
export { buildComponentSecrets } from './secrets/component-secrets';
export { SecretResolver, SecretBackends } from './secrets/secret-resolver';
export { setSecret, deleteSecret, listSecrets, validateSecrets, importSecret, assertValid } from './secrets/secret-operations';
export { keygen, pickKeygenProvider } from './secrets/keygen';
export { describeSecretStorage } from './secrets/secret-storage';
export type { SecretStorage, StoredEncoding } from './secrets/secret-storage';
export { selectKeyring } from './keyring/select-keyring';
export type { KeyringConfig } from './keyring/select-keyring';
export { WRITE_ITERATIONS } from './keyring/jwe-entry';
export { configureAwsUser } from './keyring/configure-user';
export type { UserPromptIO } from './keyring/configure-user';
export { migrateInlineCredentials } from './keyring/migrate-inline-credentials';
export { createAuthManager } from './auth/auth-manager';
export { parseAuthConfig } from './auth/auth-config';
export { resolveRealm } from './auth/realm';
export { openAuthKeyring } from './auth/auth-keyring';
export { consoleSigninUrl } from './auth/console-url';
export { parseDurationSeconds } from './auth/duration';
export { assumeRolePlan } from './auth/terraform-identity';
export type { AuthInteraction } from './auth/step-context';
