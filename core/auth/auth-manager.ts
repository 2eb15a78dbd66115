import { readFileSync, statSync } from 'node:fs';
import { delimiter } from 'node:path';
import { findIdentity, parseAuthConfig, type AuthConfig, type IdentityConfig, type IntegrationConfig, type ParsedAuthConfig } from './auth-config';
import { AUTH_ERROR_CODES, authError, locateWhere } from './auth-errors';
import { buildChain, chainRegion } from './build-chain';
import type { Chain } from './chain';
import type { CredentialFilePaths } from './credential-files';
import { credentialProcessCommand } from './credential-process';
import { isExpired, isFresh, type Credentials } from './credentials';
import { isDisabledValue, noDefaultIdentityError, selectIdentity, type IdentitySelection } from './identity-selection';
import type { CloudSessions, IdentityKind, IntegrationContext, ProviderKind, SessionLocation } from './kinds/kind';
import { cloudSessions, identityKind, identityKindStatus, implementedIdentityKinds, implementedIntegrationKinds, implementedProviderKinds, integrationKind, providerKind, providerKindStatus } from './kinds/registry';
import { resolveRealm, type Realm } from './realm';
import { headlessInteraction, type AuthContext, type AuthInteraction, type StepContext } from './step-context';
import { validateAuthConfig, type AuthValidation } from './validate-auth';
import { memoizeAsync, type MemoizedAsync } from '../async/memoize-async';
import type { Keyring } from '../keyring/keyring';

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
  /**
   * Command that prints credential_process JSON (`credential_files.mode: process`). Default: the
   * installed CLI by absolute path, run by this Node binary (works with an empty PATH).
   */
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
  /** Where the identity's session lives (for AWS identities: {@link CredentialFilePaths}). */
  readonly paths: SessionLocation;
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
  /** The session's files as its cloud names them (AWS: credentials_file, config_file, profile). */
  readonly paths: Readonly<Record<string, string>>;
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
  /** Integration targets already provisioned by this manager (Atmos: once per process per target). */
  private readonly integrationsRan = new Set<string>();
  private readonly httpsCa?: readonly string[];

  constructor(rawAuth: unknown, opts: AuthManagerOptions = {}) {
    this.opts = opts;
    this.env = opts.env ?? process.env;
    this.httpsCa = opts.httpsCa ?? extraCaCertificates(this.env);
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

  /** Paths of the identity's AWS credential files (nothing is created). */
  paths(name: string): CredentialFilePaths {
    const chain = this.chain(name);
    const { cloud } = this.sessionsOf(chain.target);
    if (cloud.cloud !== 'aws') {
      throw authError(AUTH_ERROR_CODES.KIND_UNSUPPORTED, `identity "${chain.target.name}" (${chain.target.kind}) has no AWS credential files`, this.where(chain.target.path), 'use an identity whose credentials are AWS credentials');
    }
    return this.location(chain, chain.target) as unknown as CredentialFilePaths;
  }

  /**
   * Where the identity's session lives as its cloud describes it, and the cloud's name (config
   * only: nothing is created, nobody logs in). The adapters read a cloud's own fields from it.
   */
  sessionLocation(name: string): { cloud: string; location: SessionLocation } {
    const chain = this.chain(name);
    return { cloud: this.sessionsOf(chain.target).cloud.cloud, location: this.location(chain, chain.target) };
  }

  /** The identity's region as Atmos resolves it for the environment (may be undefined). */
  region(name: string): string | undefined {
    return chainRegion(this.chain(name));
  }

  /** `auth env`: what points tools at the identity's session (files, profile, region, its `env:`). Never keys. */
  environment(name: string): Record<string, string> {
    const chain = this.chain(name);
    const vars = { ...this.sessionsOf(chain.target).cloud.environment(this.location(chain, chain.target), chainRegion(chain)) };
    for (const e of chain.target.env) vars[e.key] = e.value;
    return { ...vars, ...this.integrationEnvironment(chain) };
  }

  /** The environment for a child process run as the identity (§2.4). */
  childEnvironment(name: string, base: NodeJS.ProcessEnv = this.env): NodeJS.ProcessEnv {
    const chain = this.chain(name);
    return { ...this.sessionsOf(chain.target).cloud.prepareEnvironment(base, this.location(chain, chain.target), chainRegion(chain)), ...this.integrationEnvironment(chain) };
  }

  /**
   * The integrations linked to the identity: `via.identity` is it, or `via.provider` is the root
   * provider of its chain (Atmos `findIntegrationsForIdentity`). `autoOnly`: those with
   * `spec.auto_provision` (default true).
   */
  linkedIntegrations(name: string, autoOnly = false): IntegrationConfig[] {
    const chain = this.chain(name);
    return [...this.config.integrations.values()].filter(
      (i) => (i.via?.identity === chain.target.name || (i.via?.provider !== undefined && i.via.provider === chain.provider?.name)) && (!autoOnly || i.autoProvision),
    );
  }

  /**
   * Runs the identity's linked integrations now (all of them, `auto_provision` or not), after
   * authenticating it; the first failure throws. Returns one summary line per integration.
   */
  async executeIntegrations(name: string): Promise<string[]> {
    const linked = this.linkedIntegrations(name);
    if (linked.length === 0) {
      throw authError(AUTH_ERROR_CODES.INTEGRATION_FAILED, `identity "${this.chain(name).target.name}" has no linked integrations`, this.where('auth.integrations'), 'add an integration with via: {identity: NAME} to auth.integrations');
    }
    const r = await this.authenticate(name, { integrations: false });
    const out: string[] = [];
    for (const i of linked) out.push(await this.integrationKindOf(i).execute(i, r.credentials, this.integrationContext(r.chain)));
    return out;
  }

  /** Variables of the linked integrations; KUBECONFIG and KUBE_CONFIG_PATH joined (path list, no duplicates), others last wins. */
  private integrationEnvironment(chain: Chain): Record<string, string> {
    const out: Record<string, string> = {};
    for (const i of this.linkedIntegrations(chain.target.name)) {
      const kind = integrationKind(i.kind);
      if (!kind) continue;
      for (const [k, v] of Object.entries(kind.environment(i, this.env))) {
        if ((k === 'KUBECONFIG' || k === 'KUBE_CONFIG_PATH') && out[k]) {
          const parts = out[k].split(delimiter);
          if (!parts.includes(v)) out[k] = [...parts, v].join(delimiter);
        } else {
          out[k] = v;
        }
      }
    }
    return out;
  }

  /**
   * Atmos `triggerIntegrations`: after an authentication, the identity's auto-provision
   * integrations run once per target; a failure is a warning, never the login's failure.
   */
  private async triggerIntegrations(chain: Chain, credentials: Credentials): Promise<void> {
    const notify = (text: string) => (this.opts.interaction ?? headlessInteraction()).notify(text);
    for (const i of this.linkedIntegrations(chain.target.name, true)) {
      const kind = integrationKind(i.kind);
      if (!kind) {
        notify(`warning: integration "${i.name}": kind ${i.kind || '(none)'} is not implemented by infrakey; skipped\n`);
        continue;
      }
      const key = kind.targetKey(i);
      if (this.integrationsRan.has(key)) continue;
      this.integrationsRan.add(key);
      try {
        notify(`✓ ${await kind.execute(i, credentials, this.integrationContext(chain))}\n`);
      } catch (e) {
        this.integrationsRan.delete(key);
        const code = (e as { code?: string }).code;
        notify(`warning: integration "${i.name}" failed${code ? ` [${code}]` : ''}: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}\n`);
      }
    }
  }

  private integrationKindOf(i: IntegrationConfig) {
    const kind = integrationKind(i.kind);
    if (!kind) {
      throw authError(AUTH_ERROR_CODES.INTEGRATION_KIND_UNSUPPORTED, `integration "${i.name}": kind ${i.kind || '(none)'} is not implemented by infrakey`, this.where(`${i.path}.kind`), `use one of ${implementedIntegrationKinds().join(', ')}`);
    }
    return kind;
  }

  private integrationContext(chain: Chain): IntegrationContext {
    return { env: this.env, chain, ...(this.opts.configDir ? { configDir: this.opts.configDir } : {}), interaction: this.opts.interaction ?? headlessInteraction(), now: () => this.now(), where: (p) => this.where(p) };
  }

  /**
   * Authenticates `name` through its chain. Steps whose session is cached with more than
   * 15 minutes left are reused; `force` re-runs the target step (as `auth login` does) while
   * still reusing earlier steps.
   */
  async authenticate(name: string, opts: { force?: boolean; integrations?: boolean } = {}): Promise<AuthResult> {
    const chain = this.chain(name);
    const { provider: pKind, identities: kinds } = this.kindsOf(chain);
    const paths = this.location(chain, chain.target);
    const key = `${this.realm.value}:${chain.label}`;
    const now = this.now();
    const memo = this.cache.get(key);
    if (!opts.force && memo && isFresh(memo.credentials, now)) return { ...memo, fromCache: true };

    const ctx = this.stepContext(chain);
    const n = chain.identities.length;
    const ambient = pKind?.ambient === true;
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
    if (start === 0 && chain.provider && pKind) {
      base = ambient ? undefined : await pKind.cached?.(chain.provider, ctx);
      providerFromCache = base !== undefined;
      base ??= await pKind.authenticate(chain.provider, ctx);
    }
    for (let i = start; i < n; i++) {
      const id = chain.identities[i];
      let next: Credentials;
      try {
        next = await kinds[i].authenticate(id, base, ctx);
      } catch (e) {
        // `auth login` with a cached provider token that the server revoked: drop it and log in
        // again instead of failing until the token's nominal expiry.
        if (!(opts.force && providerFromCache && i === 0 && chain.provider && pKind && (e as { code?: string }).code === AUTH_ERROR_CODES.CREDENTIALS_EXPIRED)) throw e;
        await pKind.forget?.(chain.provider, ctx);
        providerFromCache = false;
        base = await pKind.authenticate(chain.provider, ctx);
        next = await kinds[i].authenticate(id, base, ctx);
      }
      if (kinds[i].persists !== false) await this.persist(chain, id, next);
      base = next;
    }
    const result = this.result(chain, base!, paths, false);
    this.cache.set(key, result);
    if (opts.integrations !== false) await this.triggerIntegrations(chain, result.credentials);
    return result;
  }

  /**
   * The identity's session without any network call (Atmos `GetCachedCredentials`): the process
   * cache, else the session its cloud wrote. Expired sessions count as none.
   */
  async cachedCredentials(name: string): Promise<Credentials | undefined> {
    const chain = this.chain(name);
    const memo = this.cache.get(`${this.realm.value}:${chain.label}`);
    if (memo && !isExpired(memo.credentials, this.now())) return memo.credentials;
    const c = await this.cachedStep(chain, chain.identities.length - 1);
    return c && !isExpired(c, this.now()) ? c : undefined;
  }

  /**
   * The session its cloud wrote for the identity, read now (another process may have refreshed
   * it), or undefined; no process cache, no network.
   */
  async storedSession(name: string): Promise<Credentials | undefined> {
    const chain = this.chain(name);
    return this.cachedStep(chain, chain.identities.length - 1, `${chain.target.name}:store`);
  }

  /** Who the identity is, asked of its cloud (AWS: STS GetCallerIdentity; logging in silently when needed). */
  async whoami(name: string): Promise<WhoamiInfo> {
    const r = await this.authenticate(name);
    const { kind, cloud } = this.sessionsOf(r.chain.target);
    const who = kind.whoami
      ? kind.whoami(r.credentials)
      : await cloud.whoami(r.credentials, { chain: r.chain, env: this.env, ...(r.region ? { region: r.region } : {}), where: this.where(r.chain.target.path), ...(this.httpsCa ? { httpsCa: this.httpsCa } : {}) });
    return {
      realm: this.realm.value,
      realmSource: this.realm.source,
      provider: r.chain.rootName,
      identity: r.identity,
      ...(who.principal ? { principal: who.principal } : {}),
      ...(who.account ? { account: who.account } : {}),
      ...(who.userId ? { userId: who.userId } : {}),
      ...(r.region ? { region: r.region } : {}),
      ...(r.expiration ? { expiration: r.expiration.toISOString() } : {}),
      environment: this.environment(name),
      paths: cloud.describe(r.paths),
    };
  }

  /**
   * A console sign-in URL for the identity's session (its cloud's console), using the cached
   * session or logging in. AUTH_CONSOLE_FAILED when the cloud has no console or the session is
   * not of its cloud.
   */
  async consoleUrl(name: string, opts: { destination?: string; durationSeconds?: number } = {}): Promise<string> {
    const chain = this.chain(name);
    const where = this.where(chain.target.path);
    const { cloud } = this.sessionsOf(chain.target);
    const creds = (await this.cachedCredentials(name)) ?? (await this.authenticate(name)).credentials;
    if (!cloud.consoleUrl || creds.type !== cloud.cloud) {
      throw authError(AUTH_ERROR_CODES.CONSOLE_FAILED, `identity "${chain.target.name}" (${chain.target.kind}) has no console sign-in URL: infrakey, as Atmos, builds one for AWS sessions only`, where, 'use an aws/* identity, or sign in to the cloud\'s console in the browser');
    }
    const region = chainRegion(chain);
    return cloud.consoleUrl(creds, { identity: chain.target.name, where, ...(region ? { region } : {}), ...opts });
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
      let cloud: CloudSessions;
      try {
        chain = this.chain(n);
        cloud = this.sessionsOf(chain.target).cloud;
      } catch {
        continue; // a broken identity has nothing on disk
      }
      const removed = await cloud.remove(this.location(chain, chain.target));
      for (const k of [...this.cache.keys()]) if (k.endsWith(` -> ${chain.target.name}`) || k.endsWith(`:${chain.target.name}`)) this.cache.delete(k);
      if (removed) identities.push(chain.target.name);
      for (const i of 'all' in target ? [] : this.linkedIntegrations(chain.target.name)) await this.cleanupIntegration(i);
    }
    if ('all' in target) for (const i of this.config.integrations.values()) await this.cleanupIntegration(i);
    const providers: string[] = [];
    if ('all' in target) {
      // Provider caches (the IAM Identity Center token in the keyring) go only with --all, as in
      // Atmos: logging out one identity must not end the sessions of its siblings.
      const ctx = this.authContext();
      for (const p of this.config.providers.values()) {
        const kind = providerKind(p.kind);
        if (kind?.forget && (await kind.forget(p, ctx))) providers.push(p.name);
      }
      this.cache.clear();
    }
    return { identities, providers };
  }

  /** Atmos: logout cleans up integrations; a failure is a warning (the sessions are gone either way). */
  private async cleanupIntegration(i: IntegrationConfig): Promise<void> {
    const kind = integrationKind(i.kind);
    if (!kind) return;
    try {
      await kind.cleanup(i, { env: this.env, ...(this.opts.configDir ? { configDir: this.opts.configDir } : {}), interaction: this.opts.interaction ?? headlessInteraction(), now: () => this.now(), where: (p) => this.where(p) });
      this.integrationsRan.delete(kind.targetKey(i));
    } catch (e) {
      (this.opts.interaction ?? headlessInteraction()).notify(`warning: integration "${i.name}" cleanup failed: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}\n`);
    }
  }

  /** The `credential_process` JSON (Version 1) for the identity, authenticating as needed. */
  async credentialProcessJson(name: string): Promise<string> {
    const r = await this.authenticate(name);
    const { cloud } = this.sessionsOf(r.chain.target);
    if (!cloud.processJson || r.credentials.type !== cloud.cloud) {
      throw authError(AUTH_ERROR_CODES.KIND_UNSUPPORTED, `identity "${r.identity}" does not produce AWS credentials (credential_process is an AWS protocol)`, this.where(r.chain.target.path), 'use an aws/* identity');
    }
    return cloud.processJson(r.credentials);
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

  private result(chain: Chain, credentials: Credentials, paths: SessionLocation, fromCache: boolean): AuthResult {
    const region = chainRegion(chain) ?? credentials.region;
    return { identity: chain.target.name, chain, credentials, paths, ...(region ? { region } : {}), ...(credentials.expiration ? { expiration: credentials.expiration } : {}), fromCache };
  }

  /**
   * The registered kinds of every step of the chain. A kind infrakey does not implement (or that
   * nobody knows) fails here, before anything is authenticated.
   */
  private kindsOf(chain: Chain): { provider?: ProviderKind; identities: IdentityKind[] } {
    let provider: ProviderKind | undefined;
    if (chain.provider) {
      const p = chain.provider;
      provider = providerKind(p.kind);
      if (!provider) {
        const status = p.kind === '' ? 'unknown' : providerKindStatus(p.kind);
        throw authError(
          status === 'unknown' ? AUTH_ERROR_CODES.KIND_UNKNOWN : AUTH_ERROR_CODES.KIND_UNSUPPORTED,
          status === 'unknown' ? `invalid provider kind: unsupported provider kind: ${p.kind || '(none)'} (provider "${p.name}")` : `provider "${p.name}": kind ${p.kind} is not implemented by infrakey`,
          this.where(`${p.path}.kind`),
          `use a provider of kind ${implementedProviderKinds().join(', ')}`,
        );
      }
    }
    const identities = chain.identities.map((id) => this.identityKindOf(id));
    return { ...(provider ? { provider } : {}), identities };
  }

  private identityKindOf(id: IdentityConfig): IdentityKind {
    if (id.kind === '') {
      throw authError(AUTH_ERROR_CODES.FIELD_MISSING, `identity "${id.displayName}" is not configured (it has no kind). Did you forget to specify a profile?`, this.where(id.path), `set ${id.path}.kind, or activate the profile that defines it (--profile)`);
    }
    const kind = identityKind(id.kind);
    if (kind) return kind;
    const status = identityKindStatus(id.kind);
    throw authError(
      status === 'unknown' ? AUTH_ERROR_CODES.KIND_UNKNOWN : AUTH_ERROR_CODES.KIND_UNSUPPORTED,
      status === 'unknown' ? `invalid identity kind: unsupported identity kind: ${id.kind} (identity "${id.name}")` : `identity "${id.name}": kind ${id.kind} is not implemented by infrakey`,
      this.where(`${id.path}.kind`),
      `use an identity of kind ${implementedIdentityKinds().join(', ')}`,
    );
  }

  /** The identity's kind and the cloud that keeps its sessions. */
  private sessionsOf(id: IdentityConfig): { kind: IdentityKind; cloud: CloudSessions } {
    const kind = this.identityKindOf(id);
    const cloud = cloudSessions(kind.cloud);
    if (!cloud) throw new Error(`identity kind ${kind.kind} names cloud "${kind.cloud}", which is not registered`);
    return { kind, cloud };
  }

  /** Where `id`'s session lives in `chain`'s folder (the chain's root names the folder). */
  private location(chain: Chain, id: IdentityConfig): SessionLocation {
    const { kind, cloud } = this.sessionsOf(id);
    return cloud.location(this.env, this.realm.value, chain.rootName, id.name, { chain, ...(kind.settings ? { settings: kind.settings(id) } : {}), persists: kind.persists !== false });
  }

  private async cachedStep(chain: Chain, index: number, label?: string): Promise<Credentials | undefined> {
    const id = chain.identities[index];
    const { kind, cloud } = this.sessionsOf(id);
    if (kind.persists === false) return undefined;
    return cloud.load(this.location(chain, id), label ?? `${id.name}:cached`);
  }

  private async persist(chain: Chain, id: IdentityConfig, creds: Credentials): Promise<void> {
    // The session is written for `id` as the target of its own sub-chain: its region and
    // endpoint are those of `id`, not of the identity being logged in.
    const sub = buildChain(this.config, id.name);
    const region = chainRegion(sub);
    await this.sessionsOf(id).cloud.persist(this.location(chain, id), creds, {
      chain: sub,
      env: this.env,
      ...(region ? { region } : {}),
      ...(this.config.credentialFilesMode === 'process' ? { credentialProcess: credentialProcessCommand({ command: this.opts.credentialProcessCommand, configDir: this.opts.configDir, identity: id.name }) } : {}),
    });
  }

  private authContext(): AuthContext {
    return {
      env: this.env,
      realm: this.realm.value,
      keyring: () => this.keyring(),
      interaction: this.opts.interaction ?? headlessInteraction(),
      now: () => this.now(),
      sleep: this.opts.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms))),
      ...(this.httpsCa ? { httpsCa: this.httpsCa } : {}),
      where: (p) => this.where(p),
    };
  }

  private stepContext(chain: Chain): StepContext {
    return { ...this.authContext(), chain };
  }
}

/**
 * The PEM file named by `NODE_EXTRA_CA_CERTS` in `env` (Node trusts it at start-up, but a token
 * request given its own CA list would not, and an in-process run may have another env); unreadable
 * or larger than 1 MiB: none.
 */
function extraCaCertificates(env: NodeJS.ProcessEnv): readonly string[] | undefined {
  const file = env.NODE_EXTRA_CA_CERTS;
  if (!file) return undefined;
  try {
    if (statSync(file).size > 1024 * 1024) return undefined;
    return [readFileSync(file, 'utf8')];
  } catch {
    return undefined;
  }
}

/** Creates a manager for the `auth:` section of a loaded config. */
export function createAuthManager(config: { auth: Record<string, unknown>; dir?: string; file?: string; locate?(p: string): string }, opts: Omit<AuthManagerOptions, 'configDir' | 'locate'> = {}): AuthManager {
  return new AuthManager(config.auth, { ...opts, ...(config.file && config.dir ? { configDir: config.dir } : {}), ...(config.locate ? { locate: (p: string) => config.locate!(p) } : {}) });
}

/** Looks an identity up without building its chain (for callers that only need its config). */
export function identityConfig(manager: AuthManager, name: string): IdentityConfig | undefined {
  return findIdentity(manager.config, name);
}
