import { findIdentity, parseAuthConfig, str, type AuthConfig, type IdentityConfig, type ParsedAuthConfig } from './auth-config';
import { AUTH_ERROR_CODES, authError, locateWhere } from './auth-errors';
import { clientSettings, endpointFor, configuredEndpoint, mapAwsError } from './aws-sdk';
import { buildChain, resolvePrincipalSetting, type Chain } from './chain';
import { identityEnvironment, prepareChildEnvironment } from './child-env';
import { credentialFilePaths, readAwsProfile, removeAwsProfile, writeAwsProfile, type CredentialFilePaths } from './credential-files';
import { isExpired, isFresh, type AwsCredentials, type Credentials } from './credentials';
import { isDisabledValue, noDefaultIdentityError, selectIdentity, type IdentitySelection } from './identity-selection';
import { deleteKeyringCredentials } from './keyring-credentials';
import { AMBIENT_PROVIDER_KINDS, identityKindStatus, providerKindStatus } from './kinds';
import { resolveRealm, type Realm } from './realm';
import { headlessInteraction, type AuthInteraction, type StepContext } from './step-context';
import { validateAuthConfig, type AuthValidation } from './validate-auth';
import { authenticateIdentityStep } from './identity-steps';
import { authenticateProviderStep, cachedProviderStep } from './provider-steps';
import { memoizeAsync, type MemoizedAsync } from '../async/memoize-async';
import type { Keyring } from '../keyring/keyring';
import { unsafeUnwrap } from '../secret';

/** Options of {@link AuthManager}. */
export interface AuthManagerOptions {
  /** Environment for ATMOS_* / XDG / AWS_ENDPOINT_URL / Actions variables. Default `process.env`. */
  readonly env?: NodeJS.ProcessEnv;
  /** The folder of the atmos.yaml in use (realm hash, credential_process `--config`). */
  readonly configDir?: string;
  /** Maps a config path to `atmos.yaml:LINE`. */
  readonly locate?: (path: string) => string | undefined;
  /**
   * The keyring, or a function that opens it on first use (it may prompt for a password, or fail
   * with KEYRING_UNAVAILABLE / KEYRING_CONFIG_INVALID); called only when an entry is read or written,
   * so identities that need no keyring work without one. Omitted: no keyring (aws/user identities
   * then need inline `credentials:`).
   */
  readonly keyring?: Keyring | (() => Promise<Keyring>);
  /** How to reach the user; default: non-interactive, notices dropped. */
  readonly interaction?: AuthInteraction;
  /** Command that prints credential_process JSON (`credential_files.mode: process`). Default `infrakey`. */
  readonly credentialProcessCommand?: string;
  /** Extra trusted CA certificates (PEM) for HTTPS token endpoints. */
  readonly httpsCa?: readonly string[];
  /** Clock and sleep (tests). */
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
}

/** The outcome of authenticating an identity. */
export interface AuthResult {
  readonly identity: string;
  readonly chain: Chain;
  readonly credentials: Credentials;
  readonly paths: CredentialFilePaths;
  readonly region?: string;
  readonly expiration?: Date;
  /** True when no network call was needed (cached session reused). */
  readonly fromCache: boolean;
}

/** What `auth whoami` shows. Never contains key material. */
export interface WhoamiInfo {
  readonly realm: string;
  readonly realmSource: Realm['source'];
  readonly provider: string;
  readonly identity: string;
  readonly principal?: string;
  readonly account?: string;
  readonly userId?: string;
  readonly region?: string;
  readonly expiration?: string;
  readonly environment: Record<string, string>;
  readonly paths: { credentials_file: string; config_file: string; profile: string };
}

/** What `auth logout` removed. */
export interface LogoutResult {
  readonly identities: string[];
  readonly providers: string[];
}

/**
 * Authenticates identities through their chains and keeps their sessions in the realm-scoped
 * credential files (§1.9). One manager per loaded config; it caches sessions per process.
 */
export class AuthManager {
  readonly config: AuthConfig;
  readonly parsed: ParsedAuthConfig;
  readonly realm: Realm;
  readonly env: NodeJS.ProcessEnv;
  private readonly opts: AuthManagerOptions;
  private keyringPromise?: MemoizedAsync<Keyring>;
  private readonly cache = new Map<string, AuthResult>();

  constructor(rawAuth: unknown, opts: AuthManagerOptions = {}) {
    this.opts = opts;
    this.env = opts.env ?? process.env;
    this.parsed = parseAuthConfig(rawAuth, { locate: opts.locate });
    this.config = this.parsed.config;
    this.realm = resolveRealm({ env: this.env, configRealm: this.config.realm, configDir: opts.configDir, where: this.where('auth.realm') });
  }

  /** Every problem of the `auth:` section at once. */
  validate(): AuthValidation {
    return validateAuthConfig(this.parsed);
  }

  /** The chain of an identity, root first. */
  chain(name: string): Chain {
    return buildChain(this.config, name);
  }

  /** `--identity` → `ATMOS_IDENTITY` → default (§1.8). */
  select(flag?: string): IdentitySelection {
    return selectIdentity(this.config, { flag, env: this.env });
  }

  /**
   * The identity name an `auth` command uses. `allowDisabled: false` (the auth verbs) treats a
   * false-ish value as an error instead of silently doing nothing.
   */
  resolveIdentityName(flag?: string): string {
    const s = this.select(flag);
    if (s.kind === 'identity') return s.name;
    if (s.kind === 'disabled') {
      throw authError(
        AUTH_ERROR_CODES.DISABLED,
        `authentication is disabled by ${s.source === 'flag' ? '--identity' : 'ATMOS_IDENTITY'}`,
        s.source === 'flag' ? '--identity' : 'ATMOS_IDENTITY',
        'name an identity (--identity NAME) or unset ATMOS_IDENTITY to use the default',
      );
    }
    throw noDefaultIdentityError(this.config);
  }

  /** Paths of the identity's credential files (nothing is created). */
  paths(name: string): CredentialFilePaths {
    const chain = this.chain(name);
    return credentialFilePaths(this.env, this.realm.value, chain.rootName, chain.target.name);
  }

  /** The identity's region as Atmos resolves it for the environment (may be undefined). */
  region(name: string): string | undefined {
    const chain = this.chain(name);
    if (chain.identities.length === 1 && chain.target.kind === 'aws/user') return str(chain.target.credentials.region);
    return resolvePrincipalSetting(chain, 'region');
  }

  /** `auth env`: file paths, profile, region and the identity's `env:` entries. Never keys. */
  environment(name: string): Record<string, string> {
    const chain = this.chain(name);
    return identityEnvironment(this.paths(name), this.region(name), chain.target.env);
  }

  /** The environment for a child process run as the identity (§2.4). */
  childEnvironment(name: string, base: NodeJS.ProcessEnv = this.env): NodeJS.ProcessEnv {
    return prepareChildEnvironment(base, this.paths(name), this.region(name));
  }

  /**
   * Authenticates `name` through its chain. Steps whose session is cached with more than
   * 15 minutes left are reused; `force` re-runs the target step (as `auth login` does) while
   * still reusing earlier steps.
   */
  async authenticate(name: string, opts: { force?: boolean } = {}): Promise<AuthResult> {
    const chain = this.chain(name);
    this.checkImplemented(chain);
    const paths = credentialFilePaths(this.env, this.realm.value, chain.rootName, chain.target.name);
    const key = `${this.realm.value}:${chain.label}`;
    const now = this.now();
    const memo = this.cache.get(key);
    if (!opts.force && memo && isFresh(memo.credentials, now)) return { ...memo, fromCache: true };

    const ctx = this.stepContext(chain);
    const n = chain.identities.length;
    const ambient = chain.provider !== undefined && AMBIENT_PROVIDER_KINDS.has(chain.provider.kind);
    let start = 0;
    let base: Credentials | undefined;
    if (!ambient) {
      for (let i = opts.force ? n - 2 : n - 1; i >= 0; i--) {
        const cached = await this.cachedStep(chain, i);
        if (cached && isFresh(cached, now)) {
          base = cached;
          start = i + 1;
          break;
        }
      }
    }
    if (start === n && base) {
      const result = this.result(chain, base, paths, true);
      this.cache.set(key, result);
      return result;
    }
    let providerFromCache = false;
    if (start === 0 && chain.provider) {
      base = ambient ? undefined : await cachedProviderStep(chain.provider, ctx);
      providerFromCache = base !== undefined;
      base ??= await authenticateProviderStep(chain.provider, ctx);
    }
    for (let i = start; i < n; i++) {
      const id = chain.identities[i];
      let next: Credentials;
      try {
        next = await authenticateIdentityStep(id, base, ctx);
      } catch (e) {
        // `auth login` with a cached provider token that the server revoked: drop it and log in
        // again instead of failing until the token's nominal expiry.
        if (!(opts.force && providerFromCache && i === 0 && chain.provider && (e as { code?: string }).code === AUTH_ERROR_CODES.CREDENTIALS_EXPIRED)) throw e;
        const keyring = await this.keyring();
        if (keyring) await deleteKeyringCredentials(keyring, this.realm.value, chain.provider.name, this.where(chain.provider.path));
        providerFromCache = false;
        base = await authenticateProviderStep(chain.provider, ctx);
        next = await authenticateIdentityStep(id, base, ctx);
      }
      if (next.type === 'aws') await this.persist(chain, id, next);
      base = next;
    }
    const result = this.result(chain, base!, paths, false);
    this.cache.set(key, result);
    return result;
  }

  /**
   * The identity's session without any network call (Atmos `GetCachedCredentials`): the process
   * cache, else the credential files. Expired sessions count as none.
   */
  async cachedCredentials(name: string): Promise<AwsCredentials | undefined> {
    const chain = this.chain(name);
    const memo = this.cache.get(`${this.realm.value}:${chain.label}`);
    if (memo?.credentials.type === 'aws' && !isExpired(memo.credentials, this.now())) return memo.credentials;
    const c = await this.cachedStep(chain, chain.identities.length - 1);
    return c?.type === 'aws' && !isExpired(c, this.now()) ? c : undefined;
  }

  /** Who the identity is, checked with STS GetCallerIdentity (logging in silently when needed). */
  async whoami(name: string): Promise<WhoamiInfo> {
    const r = await this.authenticate(name);
    let principal: string | undefined;
    let account: string | undefined;
    let userId: string | undefined;
    if (r.credentials.type === 'aws') {
      const endpoint = endpointFor(r.chain, r.chain.identities.length - 1, 'sts', this.env);
      const { STSClient, GetCallerIdentityCommand } = await import('@aws-sdk/client-sts');
      const client = new STSClient(clientSettings(r.region ?? r.credentials.region ?? 'us-east-1', endpoint, r.credentials));
      try {
        const out = await client.send(new GetCallerIdentityCommand({}));
        principal = out.Arn;
        account = out.Account;
        userId = out.UserId;
      } catch (e) {
        throw mapAwsError(e, 'sts:GetCallerIdentity', r.identity, this.where(r.chain.target.path), endpoint, r.identity);
      } finally {
        client.destroy();
      }
    } else if (r.credentials.type === 'mock') {
      account = r.credentials.account;
    }
    return {
      realm: this.realm.value,
      realmSource: this.realm.source,
      provider: r.chain.rootName,
      identity: r.identity,
      ...(principal ? { principal } : {}),
      ...(account ? { account } : {}),
      ...(userId ? { userId } : {}),
      ...(r.region ? { region: r.region } : {}),
      ...(r.expiration ? { expiration: r.expiration.toISOString() } : {}),
      environment: this.environment(name),
      paths: { credentials_file: r.paths.credentialsFile, config_file: r.paths.configFile, profile: r.paths.profile },
    };
  }

  /**
   * Removes the identity's profiles from the credential files and its process-cached session.
   * `all`: every identity, plus every provider's cached token in the keyring.
   */
  async logout(target: { identity: string } | { all: true }): Promise<LogoutResult> {
    const names = 'all' in target ? [...this.config.identities.keys()] : [this.chain(target.identity).target.name];
    const identities: string[] = [];
    for (const n of names) {
      let chain: Chain;
      try {
        chain = this.chain(n);
      } catch {
        continue; // a broken identity has nothing on disk
      }
      const removed = await removeAwsProfile(credentialFilePaths(this.env, this.realm.value, chain.rootName, chain.target.name));
      for (const k of [...this.cache.keys()]) if (k.endsWith(` -> ${chain.target.name}`) || k.endsWith(`:${chain.target.name}`)) this.cache.delete(k);
      if (removed) identities.push(chain.target.name);
    }
    const providers: string[] = [];
    if ('all' in target) {
      // Opened only when there are provider tokens to remove: an unusable keyring is an error
      // then (never skipped silently), and configs without SSO never touch it.
      for (const p of this.config.providers.values()) {
        if (p.kind !== 'aws/iam-identity-center') continue;
        const keyring = await this.keyring();
        if (!keyring) continue;
        await deleteKeyringCredentials(keyring, this.realm.value, p.name, this.where(p.path));
        providers.push(p.name);
      }
      this.cache.clear();
    }
    return { identities, providers };
  }

  /** The `credential_process` JSON (Version 1) for the identity, authenticating as needed. */
  async credentialProcessJson(name: string): Promise<string> {
    const r = await this.authenticate(name);
    if (r.credentials.type !== 'aws') {
      throw authError(AUTH_ERROR_CODES.KIND_UNSUPPORTED, `identity "${r.identity}" does not produce AWS credentials`, this.where(r.chain.target.path), 'use an aws/* identity');
    }
    const c = r.credentials;
    return JSON.stringify({
      Version: 1,
      AccessKeyId: unsafeUnwrap(c.accessKeyId),
      SecretAccessKey: unsafeUnwrap(c.secretAccessKey),
      ...(c.sessionToken ? { SessionToken: unsafeUnwrap(c.sessionToken) } : {}),
      ...(c.expiration ? { Expiration: c.expiration.toISOString() } : {}),
    });
  }

  /** `where` text for a config path. */
  where(path: string): string {
    return locateWhere(path, this.opts.locate);
  }

  /**
   * The keyring, opened once on first need; undefined when none was configured. A failure to open
   * it (bad `auth.keyring`) rejects, and is retried on the next call rather than cached.
   */
  async keyring(): Promise<Keyring | undefined> {
    const k = this.opts.keyring;
    if (!k) return undefined;
    if (typeof k !== 'function') return k;
    this.keyringPromise ??= memoizeAsync(k);
    return this.keyringPromise();
  }

  /** True when `value` disables auth (`false|0|no|off`). */
  static isDisabled(value: string | undefined): boolean {
    return isDisabledValue(value);
  }

  private now(): number {
    return this.opts.now?.() ?? Date.now();
  }

  private result(chain: Chain, credentials: Credentials, paths: CredentialFilePaths, fromCache: boolean): AuthResult {
    const region = chain.identities.length === 1 && chain.target.kind === 'aws/user'
      ? str(chain.target.credentials.region) ?? (credentials.type === 'aws' ? credentials.region : undefined)
      : resolvePrincipalSetting(chain, 'region') ?? (credentials.type === 'aws' ? credentials.region : undefined);
    return { identity: chain.target.name, chain, credentials, paths, ...(region ? { region } : {}), ...(credentials.expiration ? { expiration: credentials.expiration } : {}), fromCache };
  }

  private checkImplemented(chain: Chain): void {
    if (chain.provider) {
      const p = chain.provider;
      const status = p.kind === '' ? 'unknown' : providerKindStatus(p.kind);
      if (status !== 'implemented') {
        throw authError(
          status === 'unknown' ? AUTH_ERROR_CODES.KIND_UNKNOWN : AUTH_ERROR_CODES.KIND_UNSUPPORTED,
          status === 'unknown' ? `invalid provider kind: unsupported provider kind: ${p.kind || '(none)'} (provider "${p.name}")` : `provider "${p.name}": kind ${p.kind} is not implemented by infrakey`,
          this.where(`${p.path}.kind`),
          'use an aws/iam-identity-center or github/oidc provider',
        );
      }
    }
    for (const id of chain.identities) {
      if (id.kind === '') {
        throw authError(AUTH_ERROR_CODES.FIELD_MISSING, `identity "${id.displayName}" is not configured (it has no kind). Did you forget to specify a profile?`, this.where(id.path), `set ${id.path}.kind, or activate the profile that defines it (--profile)`);
      }
      const status = identityKindStatus(id.kind);
      if (status !== 'implemented') {
        throw authError(
          status === 'unknown' ? AUTH_ERROR_CODES.KIND_UNKNOWN : AUTH_ERROR_CODES.KIND_UNSUPPORTED,
          status === 'unknown' ? `invalid identity kind: unsupported identity kind: ${id.kind} (identity "${id.name}")` : `identity "${id.name}": kind ${id.kind} is not implemented by infrakey`,
          this.where(`${id.path}.kind`),
          'use aws/user, aws/assume-role or aws/permission-set',
        );
      }
    }
  }

  private async cachedStep(chain: Chain, index: number): Promise<Credentials | undefined> {
    const id = chain.identities[index];
    if (id.kind.startsWith('mock')) return undefined;
    const paths = credentialFilePaths(this.env, this.realm.value, chain.rootName, id.name);
    return readAwsProfile(paths, `${id.name}:cached`);
  }

  private async persist(chain: Chain, id: IdentityConfig, creds: AwsCredentials): Promise<void> {
    const paths = credentialFilePaths(this.env, this.realm.value, chain.rootName, id.name);
    const sub = buildChain(this.config, id.name);
    const region = (sub.identities.length === 1 && id.kind === 'aws/user' ? str(id.credentials.region) : resolvePrincipalSetting(sub, 'region')) ?? creds.region ?? 'us-east-1';
    const processMode = this.config.credentialFilesMode === 'process';
    await writeAwsProfile(paths, creds, {
      region,
      endpointUrl: configuredEndpoint(sub),
      ...(processMode ? { credentialProcess: this.credentialProcessCommand(id.name) } : {}),
    });
  }

  private credentialProcessCommand(identity: string): string {
    const cmd = this.opts.credentialProcessCommand ?? 'infrakey';
    const config = this.opts.configDir ? ` --config ${quoteArg(this.opts.configDir)}` : '';
    return `${cmd}${config} auth credentials --identity ${quoteArg(identity)}`;
  }

  private stepContext(chain: Chain): StepContext {
    return {
      env: this.env,
      chain,
      realm: this.realm.value,
      keyring: () => this.keyring(),
      interaction: this.opts.interaction ?? headlessInteraction(),
      now: () => this.now(),
      sleep: this.opts.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms))),
      ...(this.opts.httpsCa ? { httpsCa: this.opts.httpsCa } : {}),
      where: (p) => this.where(p),
    };
  }
}

function quoteArg(s: string): string {
  return /^[A-Za-z0-9_./:@%+=,-]+$/.test(s) ? s : `"${s.replace(/(["\\$`])/g, '\\$1')}"`;
}

/** Creates a manager for the `auth:` section of a loaded config. */
export function createAuthManager(config: { auth: Record<string, unknown>; dir?: string; file?: string; locate?(p: string): string }, opts: Omit<AuthManagerOptions, 'configDir' | 'locate'> = {}): AuthManager {
  return new AuthManager(config.auth, { ...opts, ...(config.file && config.dir ? { configDir: config.dir } : {}), ...(config.locate ? { locate: (p: string) => config.locate!(p) } : {}) });
}

/** Looks an identity up without building its chain (for callers that only need its config). */
export function identityConfig(manager: AuthManager, name: string): IdentityConfig | undefined {
  return findIdentity(manager.config, name);
}
