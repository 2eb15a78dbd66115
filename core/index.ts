/**
 * The public API of infrakey (`infrakey/core`, also the package root): what a program needs to
 * read an Atmos project, its secrets and its identities.
 *
 * - {@link Workspace}: `atmos.yaml` + stacks behind one face (`describeComponent`, `secret`,
 *   `secrets`, `identity`, `auth`), and the types of what it returns.
 * - {@link Secret} and {@link unsafeUnwrap}: values that never print; {@link redactor} masks
 *   every unwrapped value in text.
 * - Errors: {@link InfrakeyError} and its subclasses, each with a stable `code`
 *   (`*_ERROR_CODES`), `where` and `fix`.
 * - Keyrings: {@link openKeyring} and the memory, file and system keyrings.
 * - Config loading: {@link loadAtmosConfig}, {@link discoverAtmosConfig}.
 *
 * Adapters and the CLI reach the rest of core through `core/internal.ts`, which the package does
 * not export; `test/unit/architecture/public-api.test.ts` keeps this surface in review.
 */
// Workspace and what it returns
export { Workspace } from './workspace';
export type { WorkspaceLoadOptions, DescribeComponentOptions, SecretReadTarget, FunctionsFactory, FunctionsContext } from './workspace';
export type { ComponentTarget } from './component-target';
export type { StackEngine, StackSummary } from './stacks/stack-engine';
export type { DeprecatedField } from './stacks/deprecated-fields';
export type { ResolvedComponent } from './stacks/component-resolver';
export type { ComponentType } from './stacks/stack-processor';
export type { YamlMap } from './stacks/deep-merge';
export type { ComponentProvenance, ValueOrigin } from './stacks/provenance';
export type { YamlFunctionResolver } from './yaml/resolve-functions';
export type { SecretsService } from './secrets/secrets-service';
export type { AuthManager, AuthResult, WhoamiInfo, LogoutResult } from './auth/auth-manager';
export type { IdentityHandle, IdentityCredentialFiles, IdentityGcpSession } from './auth/identity-handle';
export type { IdentityAzureSettings } from './auth/clouds/azure-sessions';
export type { AwsCredentials, Credentials, CredentialsBase, CredentialTypes } from './auth/credentials';
export type { GcpCredentials } from './auth/clouds/gcp-credentials';
// Secret values
export { Secret, unsafeUnwrap, Redactor, redactor, MASK } from './secret';
// Errors and their codes
export { InfrakeyError, ConfigError, StackError, DeclarationError, AuthError, StoreError, KeyringError, LeakError, UsageError, isInfrakeyError } from './errors';
export type { ErrorDetails, SourceLocation } from './errors';
export { STORE_ERROR_CODES } from './stores/store-errors';
export { SECRET_ERROR_CODES } from './secrets/secret-errors';
export { AUTH_ERROR_CODES } from './auth/auth-errors';
export { AUTH_USER_ERROR_CODES } from './auth/kinds/aws-user/configure-user';
export { SopsError } from './secrets/sops';
export type { SopsErrorCode } from './secrets/sops';
// Keyrings
export { openKeyring } from './keyring/select-keyring';
export type { OpenKeyringOptions, KeyringEnvironment } from './keyring/select-keyring';
export { KEYRING_TYPES } from './keyring/keyring';
export type { Keyring, KeyringType } from './keyring/keyring';
export { MemoryKeyring } from './keyring/memory-keyring';
export { FileKeyring } from './keyring/file-keyring';
export type { FileKeyringOptions } from './keyring/file-keyring';
export { SystemKeyring } from './keyring/system-keyring';
export type { SystemKeyringOptions, SystemKeyringProbe } from './keyring/system-keyring';
export type { PasswordPrompt } from './keyring/keyring-password';
// Config loading
export { loadAtmosConfig, loadAtmosConfigSync } from './config/load-config';
export type { LoadAtmosConfigOptions } from './config/load-config';
export type { AtmosConfig, StacksConfig, ComponentsConfig, StoreEntry } from './config/atmos-config';
export { discoverAtmosConfig } from './config/discovery';
export type { Discovery } from './config/discovery';
