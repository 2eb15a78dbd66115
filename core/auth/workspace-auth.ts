import type { AtmosConfig } from '../config/atmos-config';
import { AuthManager } from './auth-manager';
import { openAuthKeyring } from './auth-keyring';
import { mergeComponentAuth } from './component-auth';
import { isDisabledValue } from './identity-selection';
import { identityAwsContext, storeAuthResolver } from './store-auth';
import type { AwsCredentialsProvider, StoreAuthResolver } from '../stores/store';
import type { PasswordPrompt } from '../keyring/keyring-password';
import type { GcpCredentials } from './clouds/gcp-credentials';
import { authError, AUTH_ERROR_CODES } from './auth-errors';
import { identityKind } from './kinds/registry';

/** Managers per (config, component auth) so that sessions are cached for the Workspace's life. */
const managers = new WeakMap<AtmosConfig, Map<string, AuthManager>>();

/** Whether (and how) the file keyring may prompt for its password: CLI on a terminal only. */
export type KeyringPromptOption = { isTTY: boolean; prompt?: PasswordPrompt } | undefined;

/**
 * The AuthManager behind `Workspace.auth()` / `Workspace.identity()`: the global `auth:` (or a
 * component's effective auth), the keyring opened lazily on first need, non-interactive unless
 * `keyringPrompt` allows it (library use must never wait for a prompt).
 */
export function workspaceAuthManager(config: AtmosConfig, env: NodeJS.ProcessEnv, cwd: string, componentAuth?: unknown, keyringPrompt?: KeyringPromptOption): AuthManager {
  let perConfig = managers.get(config);
  if (!perConfig) managers.set(config, (perConfig = new Map()));
  const key = componentAuth === undefined ? '' : JSON.stringify(componentAuth);
  let manager = perConfig.get(key);
  if (!manager) {
    const raw = componentAuth === undefined ? config.auth : mergeComponentAuth(config.auth, componentAuth);
    manager = new AuthManager(raw, {
      env,
      ...(config.file ? { configDir: config.dir } : {}),
      locate: (p) => config.locate(p),
      keyring: () => openAuthKeyring(config.auth.keyring as Record<string, unknown> | undefined, { env, cwd, isTTY: keyringPrompt?.isTTY ?? false, ...(keyringPrompt?.prompt ? { prompt: keyringPrompt.prompt } : {}) }),
      // Same override as the CLI (`credential_files.mode: process` profiles run this command).
      ...(env.INFRAKEY_CREDENTIAL_PROCESS_COMMAND ? { credentialProcessCommand: env.INFRAKEY_CREDENTIAL_PROCESS_COMMAND } : {}),
    });
    perConfig.set(key, manager);
  }
  return manager;
}

/**
 * Auth options for the store registry (§5.5): a resolver that authenticates lazily (the manager
 * is built on the first store call, so a broken `auth:` cannot break stores without identities)
 * and the default identity adopted by stores without their own. When auth is disabled
 * (`ATMOS_IDENTITY=false`) the resolver gives no credentials: stores use the SDK's default chain.
 */
export function storeAuthOptions(config: AtmosConfig, env: NodeJS.ProcessEnv, cwd: string, keyringPrompt?: KeyringPromptOption): { resolver: StoreAuthResolver; defaultIdentity?: string } {
  // Disabled: stores (even those naming an identity) use the SDK's default chain, as Atmos.
  if (isDisabledValue(env.ATMOS_IDENTITY)) return { resolver: async () => ({}) };
  let defaultIdentity: string | undefined;
  try {
    const s = workspaceAuthManager(config, env, cwd, undefined, keyringPrompt).select();
    if (s.kind === 'identity') defaultIdentity = s.name;
  } catch {
    defaultIdentity = undefined; // reported when an identity is actually used
  }
  return {
    resolver: (identity, store) => storeAuthResolver(workspaceAuthManager(config, env, cwd, undefined, keyringPrompt))(identity, store),
    ...(defaultIdentity ? { defaultIdentity } : {}),
  };
}

/** AWS credentials of one caller: a credentials source, region, endpoint and who it is. */
export interface AwsCredentialSource {
  readonly credentials?: AwsCredentialsProvider;
  readonly region?: string;
  readonly endpoint?: string;
  /** The identity, for messages; absent: the SDK's default chain (ambient credentials). */
  readonly identity?: string;
  readonly env: NodeJS.ProcessEnv;
}

/** The AWS credentials of `identity`, authenticated now through `manager`; no identity: ambient. */
export async function awsCredentialSourceFor(manager: AuthManager | undefined, identity: string | undefined, env: NodeJS.ProcessEnv): Promise<AwsCredentialSource> {
  if (!manager || !identity) return { env };
  const ctx = await identityAwsContext(manager, identity);
  return { credentials: ctx.credentials, ...(ctx.region ? { region: ctx.region } : {}), ...(ctx.endpointUrl ? { endpoint: ctx.endpointUrl } : {}), identity, env };
}

/**
 * The AWS credentials of SOPS providers' KMS keys (§6.6): the provider's `identity`, else the
 * default identity (`--identity`/`ATMOS_IDENTITY`, else `default: true`) of the component's
 * effective auth, authenticated lazily through the Workspace's manager; with neither, or with auth
 * disabled (`ATMOS_IDENTITY=false`), the ambient AWS credentials. The SOPS code builds its KMS key
 * service on them (core/secrets/sops/key-types/aws-kms-service.ts).
 */
export function sopsAwsCredentials(config: AtmosConfig, env: NodeJS.ProcessEnv, cwd: string, keyringPrompt?: KeyringPromptOption): (provider: { identity?: string; componentAuth?: unknown }) => Promise<AwsCredentialSource> {
  return async (provider) => {
    if (isDisabledValue(env.ATMOS_IDENTITY)) return { env };
    const manager = workspaceAuthManager(config, env, cwd, provider.componentAuth ?? undefined, keyringPrompt);
    let identity = provider.identity;
    if (!identity) {
      const s = manager.select();
      if (s.kind === 'identity') identity = s.name;
    }
    return awsCredentialSourceFor(manager, identity, env);
  };
}

/** GCP credentials of one caller: a credentials source and who it is; none: ADC. */
export interface GcpCredentialSource {
  readonly credentials?: () => Promise<GcpCredentials>;
  /** The identity, for messages; absent: Application Default Credentials. */
  readonly identity?: string;
  readonly env: NodeJS.ProcessEnv;
}

/**
 * The GCP credentials of SOPS providers' Cloud KMS keys (§6.6), as {@link sopsAwsCredentials}: the
 * provider's `identity` (which must produce GCP credentials), else the component's default
 * identity when it is a GCP one, else (or with auth disabled) Application Default Credentials, as
 * sops. The identity authenticates only when a Cloud KMS key is used.
 */
export function sopsGcpCredentials(config: AtmosConfig, env: NodeJS.ProcessEnv, cwd: string, keyringPrompt?: KeyringPromptOption): (provider: { identity?: string; componentAuth?: unknown; where?: string }) => Promise<GcpCredentialSource> {
  return async (provider) => {
    if (isDisabledValue(env.ATMOS_IDENTITY)) return { env };
    const manager = workspaceAuthManager(config, env, cwd, provider.componentAuth ?? undefined, keyringPrompt);
    const explicit = provider.identity;
    let identity = explicit;
    if (!identity) {
      const s = manager.select();
      if (s.kind === 'identity') identity = s.name;
    }
    if (!identity) return { env };
    const name = identity;
    // A default identity of another cloud does not speak for Cloud KMS: ADC then, decided from its
    // kind without authenticating it (an explicit provider identity of another cloud is an error).
    if (!explicit && !isGcpIdentity(manager, name)) return { env };
    const load = async (): Promise<GcpCredentials> => {
      const r = await manager.authenticate(name);
      if (r.credentials.type !== 'gcp') {
        throw authError(
          AUTH_ERROR_CODES.KIND_UNSUPPORTED,
          `identity "${name}" produces ${r.credentials.type} credentials, and Cloud KMS needs GCP credentials`,
          provider.where ?? `auth.identities.${name}`,
          'set the SOPS provider\'s identity to a gcp/* identity, or remove it to use Application Default Credentials',
        );
      }
      return r.credentials as GcpCredentials;
    };
    return { credentials: load, identity: name, env };
  };
}

/** Whether `name`'s kind is a GCP one (a registered kind's cloud; Atmos's `gcp/*` kinds infrakey lacks count too). */
function isGcpIdentity(manager: AuthManager, name: string): boolean {
  const kindName = manager.chain(name).target.kind;
  const kind = identityKind(kindName);
  return kind ? kind.cloud === 'gcp' : kindName.startsWith('gcp/');
}
