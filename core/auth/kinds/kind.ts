import { AUTH_ERROR_CODES, authError } from '../auth-errors';
import type { AuthConfig, IdentityConfig, IntegrationConfig, ProviderConfig } from '../auth-config';
import type { AuthInteraction } from '../step-context';
import type { Chain } from '../chain';
import type { Credentials } from '../credentials';
import type { AuthContext, StepContext } from '../step-context';

/**
 * The contract of an auth kind (DESIGN.md §1 "Kinds"; Atmos `pkg/auth/types` Provider/Identity).
 * A provider or identity kind is one module that exports one of these objects and is registered
 * by name in `kinds/registry.ts`; nothing outside the module switches on its name. What a kind's
 * credentials become on disk and in a child's environment belongs to their cloud
 * ({@link CloudSessions} in `clouds/`), shared by every kind of that cloud.
 */

/** Where a kind reports the problems of its spec (`auth validate` lists them all at once). */
export interface SpecReport {
  /** The whole auth model, for checks that look at other entries (the kind of a `via`). */
  readonly config: AuthConfig;
  /** An error at config path `path` (resolved to `atmos.yaml:LINE` when known). */
  error(code: string, path: string, message: string, fix: string): void;
}

/** A provider kind: authenticates from nothing (a device login, an OIDC token, ...). */
export interface ProviderKind {
  /** The `kind:` value in atmos.yaml. */
  readonly kind: string;
  /** Other names Atmos accepts for the same kind. */
  readonly aliases?: readonly string[];
  /**
   * True when the credentials come from the environment each time (CI tokens): never cached,
   * never persisted, and the chain after it is re-run on every authentication.
   */
  readonly ambient?: boolean;
  /** Reports every problem of the provider's fields. */
  validate(provider: ProviderConfig, report: SpecReport): void;
  /** Authenticates from nothing. */
  authenticate(provider: ProviderConfig, ctx: StepContext): Promise<Credentials>;
  /** The provider's cached credentials (a token in the keyring) if still good; no network. */
  cached?(provider: ProviderConfig, ctx: StepContext): Promise<Credentials | undefined>;
  /** Removes what the provider cached (`auth logout --all`, a revoked token); true when something was there. */
  forget?(provider: ProviderConfig, ctx: AuthContext): Promise<boolean>;
}

/** Who a session is, as `auth whoami` shows it. Never key material. */
export interface PrincipalInfo {
  readonly principal?: string;
  readonly account?: string;
  readonly userId?: string;
}

/** An identity kind: derives credentials from its `via` (or, standalone, from its own config). */
export interface IdentityKind {
  readonly kind: string;
  readonly aliases?: readonly string[];
  /** The {@link CloudSessions} (by name) that persist its credentials and point tools at them. */
  readonly cloud: string;
  /** Ends a chain without `via` (aws/user). */
  readonly standalone?: boolean;
  /** The credential-file folder of a chain rooted at this standalone identity (default: its name). */
  readonly rootFolder?: string;
  /** False: its sessions are never written to or read back from the cloud's files (test kinds). */
  readonly persists?: boolean;
  /** Reports every problem of the identity's fields (`via` rules common to all kinds are checked by the caller). */
  validate(identity: IdentityConfig, report: SpecReport): void;
  /** Derives the identity's credentials from `base` (the previous step's; none when standalone). */
  authenticate(identity: IdentityConfig, base: Credentials | undefined, ctx: StepContext): Promise<Credentials>;
  /** The region of a chain that is this identity alone (aws/user: `credentials.region`). */
  rootRegion?(identity: IdentityConfig): string | undefined;
  /**
   * Settings of the identity its cloud keeps with the session location (GCP: `project`, `region`,
   * `zone` for the child's variables), read from its config alone.
   */
  settings?(identity: IdentityConfig): Readonly<Record<string, string>>;
  /** Who the credentials are without asking the cloud (test kinds); default: the cloud's whoami. */
  whoami?(credentials: Credentials): PrincipalInfo;
  /**
   * The step as a role a tool can assume itself from the previous step's session (Terraform's
   * `assume_role` block); only kinds that are such a hop have it (aws/assume-role).
   */
  roleHop?(identity: IdentityConfig, where: (path: string) => string): RoleHop;
}

/** One role assumption a tool can do itself. */
export interface RoleHop {
  readonly identity: string;
  readonly roleArn: string;
  /** `principal.session_name`, when set (else the tool picks one). */
  readonly sessionName?: string;
  readonly externalId?: string;
  readonly durationSeconds?: number;
}

/**
 * Where one identity's session lives (realm-scoped files). Every path of it is under `realmDir`,
 * checked when it is computed.
 */
export interface SessionLocation {
  /** `{XDG config}/atmos/{realm}`. */
  readonly realmDir: string;
  /** The cloud's own fields (AWS: credentialsFile, configFile, profile). */
  readonly [field: string]: string;
}

/** What an identity's kind tells its cloud about the session location. */
export interface LocationStep {
  readonly settings?: Readonly<Record<string, string>>;
  /** False: the kind never writes sessions (its child environment has none to point at). */
  readonly persists?: boolean;
  /** The chain that holds the identity (Azure keeps its tenant and subscription from it). */
  readonly chain?: Chain;
}

/**
 * One cloud's sessions (Atmos: the cloud-specific half of `PostAuthenticate`, `Environment`,
 * `PrepareEnvironment`, `Logout`, and the credentials' `Validate` for whoami): where they are
 * written, how a child process is pointed at them, and who they are.
 */
export interface CloudSessions<L extends SessionLocation = SessionLocation> {
  /** The name identity kinds give as their `cloud`. */
  readonly cloud: string;
  /**
   * The location of `identity`'s session in a chain rooted at `root` (nothing is created); `step`:
   * what its kind says (its {@link IdentityKind.settings}, whether it persists sessions) and the
   * chain that holds `identity` (a cloud may keep config-derived fields there: Azure's tenant,
   * subscription).
   */
  location(env: NodeJS.ProcessEnv, realm: string, root: string, identity: string, step?: LocationStep): L;
  /** Writes the session (or, in credential_process mode, only the command that fetches it). */
  persist(location: L, credentials: Credentials, opts: { chain: Chain; region?: string; credentialProcess?: string; env?: NodeJS.ProcessEnv }): Promise<void>;
  /** Reads a written session back (undefined when absent); expired sessions are returned as such. */
  load(location: L, label: string): Promise<Credentials | undefined>;
  /** Removes the session; true when anything was removed. */
  remove(location: L): Promise<boolean>;
  /**
   * Variables that point a tool at the session (`auth env`); never key material. The identity's
   * own `env:` is added over them by the auth manager, for every cloud alike.
   */
  environment(location: L, region: string | undefined): Record<string, string>;
  /** A child's environment: ambient credentials of the cloud removed, the session's variables set. */
  prepareEnvironment(base: NodeJS.ProcessEnv, location: L, region: string | undefined): NodeJS.ProcessEnv;
  /** The files and profile `auth whoami` shows. */
  describe(location: L): Record<string, string>;
  /** Asks the cloud who the credentials are (AWS: STS GetCallerIdentity). */
  whoami(credentials: Credentials, ctx: { chain: Chain; env: NodeJS.ProcessEnv; region?: string; where: string; httpsCa?: readonly string[] }): Promise<PrincipalInfo>;
  /** A console sign-in URL, for clouds that have one. */
  consoleUrl?(credentials: Credentials, opts: { identity: string; where: string; region?: string; destination?: string; durationSeconds?: number }): Promise<string>;
  /** The credential_process JSON of the session, for clouds whose SDKs run such a command. */
  processJson?(credentials: Credentials): string;
}

/** What an integration receives besides its config and the identity's credentials. */
export interface IntegrationContext {
  readonly env: NodeJS.ProcessEnv;
  /** The chain of the identity whose credentials it uses (its endpoint and region rules apply). */
  readonly chain: Chain;
  /** The folder of the atmos.yaml in use (commands written into files find the config again). */
  readonly configDir?: string;
  readonly interaction: AuthInteraction;
  now(): number;
  where(path: string): string;
}

/**
 * An integration kind (Atmos `pkg/auth/integrations`: `aws/ecr`, `aws/eks`, ...): after its
 * identity authenticates (`spec.auto_provision`, default true) it turns the identity's credentials
 * into a tool's login (a registry entry in the Docker config, a kubeconfig context), adds the
 * variables that point tools at what it wrote to the identity's environment, and removes it on
 * logout. One module per kind, registered in `kinds/registry.ts`.
 */
export interface IntegrationKind {
  readonly kind: string;
  /** Reports every problem of the integration's spec (`via` rules are checked by the caller). */
  validate(integration: IntegrationConfig, report: SpecReport): void;
  /** Runs it; returns a one-line summary for the user (no secret in it). */
  execute(integration: IntegrationConfig, credentials: Credentials, ctx: IntegrationContext): Promise<string>;
  /** Removes what it wrote; true when something was removed. */
  cleanup(integration: IntegrationConfig, ctx: Omit<IntegrationContext, 'chain'>): Promise<boolean>;
  /** Variables for the identity's environment (paths only, never a secret). */
  environment(integration: IntegrationConfig, env: NodeJS.ProcessEnv): Record<string, string>;
  /** Integrations with the same key do the same work: run once per process (Atmos `integrationTargetKey`). */
  targetKey(integration: IntegrationConfig): string;
}

/** The error of an identity whose `via` yields credentials its kind cannot derive from. */
export function wrongBaseError(identity: IdentityConfig, base: Credentials | undefined, ctx: StepContext): Error {
  return authError(
    AUTH_ERROR_CODES.VIA_INVALID,
    `identity "${identity.name}" (${identity.kind}) cannot derive credentials from ${base ? `${base.type} credentials` : 'nothing'}`,
    ctx.where(`${identity.path}.via`),
    'point via at a provider or identity whose credentials this kind accepts',
  );
}
