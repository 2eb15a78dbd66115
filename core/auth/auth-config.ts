import { AUTH_ERROR_CODES, identityPath, locateWhere, providerPath } from './auth-errors';
import { AuthError } from '../errors';

/**
 * The `auth:` section of atmos.yaml as a typed model. Names are lower-cased as Atmos (Viper)
 * does (§1.5.3): the lower-cased name is used for lookups, INI profiles, AWS_PROFILE and keyring
 * aliases; `displayName` keeps the original spelling for listings.
 */

type Raw = Record<string, unknown>;

/** `via` of an identity: exactly one of the two is set in a valid config. */
export interface Via {
  readonly provider?: string;
  readonly identity?: string;
}

/** A configured provider. */
export interface ProviderConfig {
  /** Lower-cased name. */
  readonly name: string;
  readonly displayName: string;
  readonly kind: string;
  readonly region?: string;
  readonly startUrl?: string;
  readonly spec: Raw;
  readonly sessionDuration?: unknown;
  /** Every field as written (kinds read their own top-level fields: `url`, `driver`, `username`, ...). */
  readonly fields: Raw;
  /** Config path, `auth.providers.<name>`. */
  readonly path: string;
}

/** A configured identity. */
export interface IdentityConfig {
  /** Lower-cased name. */
  readonly name: string;
  readonly displayName: string;
  readonly kind: string;
  readonly default: boolean;
  readonly via?: Via;
  readonly principal: Raw;
  readonly credentials: Raw;
  readonly spec: Raw;
  readonly sessionDuration?: unknown;
  /** `env: [{key, value}]` (case preserved), emitted by `auth env`. */
  readonly env: readonly { key: string; value: string }[];
  readonly path: string;
}

/** A configured integration (`auth.integrations.<name>`: ECR login, EKS kubeconfig, ...). */
export interface IntegrationConfig {
  /** Lower-cased name. */
  readonly name: string;
  readonly displayName: string;
  readonly kind: string;
  /** Exactly one of `identity` / `provider` in a valid config (lower-cased). */
  readonly via?: Via;
  readonly spec: Raw;
  /** `spec.auto_provision` (default true): run after the linked identity authenticates. */
  readonly autoProvision: boolean;
  /** Config path, `auth.integrations.<name>`. */
  readonly path: string;
}

/** How session credentials reach tools (`auth.credential_files.mode`). */
export type CredentialFilesMode = 'files' | 'process';

/** The whole auth model. */
export interface AuthConfig {
  readonly realm?: string;
  readonly providers: ReadonlyMap<string, ProviderConfig>;
  readonly identities: ReadonlyMap<string, IdentityConfig>;
  readonly integrations: ReadonlyMap<string, IntegrationConfig>;
  /** `auth.keyring` as written (selection is the keyring layer's job). */
  readonly keyring?: Raw;
  readonly credentialFilesMode: CredentialFilesMode;
  /** Maps a config path to `atmos.yaml:LINE` when known. */
  readonly locate?: (path: string) => string | undefined;
}

/** Parse result: the model plus the structural problems found (reported by `auth validate`). */
export interface ParsedAuthConfig {
  readonly config: AuthConfig;
  readonly problems: AuthError[];
}

/**
 * Builds the model from the raw `auth` map. Structural problems (wrong types, names differing
 * only by case) are collected rather than thrown, so that validation reports all at once.
 */
export function parseAuthConfig(raw: unknown, opts: { locate?: (path: string) => string | undefined } = {}): ParsedAuthConfig {
  const problems: AuthError[] = [];
  const where = (p: string) => locateWhere(p, opts.locate);
  const invalid = (p: string, message: string, fix: string) =>
    problems.push(new AuthError({ code: AUTH_ERROR_CODES.CONFIG_INVALID, message, where: where(p), fix }));

  const auth: Raw = isMap(raw) ? raw : {};
  if (raw !== undefined && raw !== null && !isMap(raw)) invalid('auth', 'auth must be a map', 'write auth: as a map with providers: and identities:');

  const badName = (what: 'provider' | 'identity', displayName: string, p: string) => {
    const problem = nameProblem(displayName);
    if (problem) problems.push(invalidNameError(what, displayName, problem, where(p)));
  };

  const providers = new Map<string, ProviderConfig>();
  for (const [displayName, value] of entries(auth.providers, 'auth.providers', invalid)) {
    const name = displayName.toLowerCase();
    const p = providerPath(displayName);
    badName('provider', displayName, p);
    if (providers.has(name)) {
      problems.push(collision('provider', providers.get(name)!.displayName, displayName, where(p)));
    }
    const v = isMap(value) ? value : {};
    if (!isMap(value)) invalid(p, `provider "${displayName}" must be a map`, `give ${p} a kind: and its fields`);
    providers.set(name, {
      name,
      displayName,
      kind: str(v.kind) ?? '',
      region: str(v.region),
      startUrl: str(v.start_url),
      spec: isMap(v.spec) ? v.spec : {},
      sessionDuration: isMap(v.session) ? v.session.duration : undefined,
      fields: v,
      path: p,
    });
  }

  const identities = new Map<string, IdentityConfig>();
  for (const [displayName, value] of entries(auth.identities, 'auth.identities', invalid)) {
    const name = displayName.toLowerCase();
    const p = identityPath(displayName);
    badName('identity', displayName, p);
    if (identities.has(name)) {
      problems.push(collision('identity', identities.get(name)!.displayName, displayName, where(p)));
    }
    const v = isMap(value) ? value : {};
    if (!isMap(value)) invalid(p, `identity "${displayName}" must be a map`, `give ${p} a kind: and its fields`);
    let via: Via | undefined;
    if (v.via !== undefined && v.via !== null) {
      if (!isMap(v.via)) invalid(`${p}.via`, `identity "${displayName}": via must be a map`, `write via: {provider: NAME} or via: {identity: NAME}`);
      else via = { provider: str(v.via.provider)?.toLowerCase(), identity: str(v.via.identity)?.toLowerCase() };
    }
    identities.set(name, {
      name,
      displayName,
      kind: str(v.kind) ?? '',
      default: v.default === true,
      via,
      principal: isMap(v.principal) ? v.principal : {},
      credentials: isMap(v.credentials) ? v.credentials : {},
      spec: isMap(v.spec) ? v.spec : {},
      sessionDuration: isMap(v.session) ? v.session.duration : undefined,
      env: parseEnv(v.env),
      path: p,
    });
  }

  const integrations = new Map<string, IntegrationConfig>();
  for (const [displayName, value] of entries(auth.integrations, 'auth.integrations', invalid)) {
    const p = `auth.integrations.${displayName}`;
    const v = isMap(value) ? value : {};
    if (!isMap(value)) invalid(p, `integration "${displayName}" must be a map`, `give ${p} a kind:, via: and spec:`);
    const spec = isMap(v.spec) ? v.spec : {};
    integrations.set(displayName.toLowerCase(), {
      name: displayName.toLowerCase(),
      displayName,
      kind: str(v.kind) ?? '',
      via: isMap(v.via) ? { provider: str(v.via.provider)?.toLowerCase(), identity: str(v.via.identity)?.toLowerCase() } : undefined,
      spec,
      autoProvision: spec.auto_provision !== false,
      path: p,
    });
  }
  let credentialFilesMode: CredentialFilesMode = 'files';
  const cf = auth.credential_files;
  if (isMap(cf) && cf.mode !== undefined) {
    if (cf.mode === 'process' || cf.mode === 'files') credentialFilesMode = cf.mode;
    else invalid('auth.credential_files.mode', `unknown credential_files mode "${String(cf.mode)}"`, 'use mode: files (default) or mode: process');
  }

  return {
    config: {
      realm: str(auth.realm),
      providers,
      identities,
      integrations,
      keyring: isMap(auth.keyring) ? auth.keyring : undefined,
      credentialFilesMode,
      locate: opts.locate,
    },
    problems,
  };
}

/**
 * Why `name` cannot name a provider or identity, or undefined. Names become folder names
 * (`aws/<provider>`), INI section headers (`[<identity>]`) and `AWS_PROFILE`, so a name must not
 * contain a path separator, `..`, a control character (newlines included) or a bracket, and must
 * not be `.`.
 */
export function nameProblem(name: string): string | undefined {
  if (name === '') return 'it is empty';
  if (name.includes('/') || name.includes('\\')) return 'it contains a path separator (/ or \\)';
  if (name === '.' || name.includes('..')) return 'it contains ".." or is "."';
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
  if (/[\u0000-\u001f\u007f]/.test(name)) return 'it contains a control character (newline, tab, ...)';
  if (/[[\]]/.test(name)) return 'it contains a bracket ([ or ])';
  return undefined;
}

/** The AUTH_NAME_INVALID error of a bad name; the name is shown JSON-quoted so control characters are visible. */
export function invalidNameError(what: 'provider' | 'identity', name: string, problem: string, where: string): AuthError {
  return new AuthError({
    code: AUTH_ERROR_CODES.NAME_INVALID,
    message: `${what} name ${JSON.stringify(name)} is not allowed: ${problem}`,
    where,
    fix: `rename the ${what} to letters, digits, "-", "_" or "." (names become folder names, INI sections and AWS_PROFILE)`,
  });
}

/** Looks an identity up: exact (lower-cased) first, as Atmos. */
export function findIdentity(config: AuthConfig, name: string): IdentityConfig | undefined {
  return config.identities.get(name) ?? config.identities.get(name.toLowerCase());
}

/** Looks a provider up case-insensitively. */
export function findProvider(config: AuthConfig, name: string): ProviderConfig | undefined {
  return config.providers.get(name) ?? config.providers.get(name.toLowerCase());
}

function collision(what: string, first: string, second: string, where: string): AuthError {
  return new AuthError({
    code: AUTH_ERROR_CODES.NAME_COLLISION,
    message: `${what} names "${first}" and "${second}" differ only by case; Atmos lower-cases names, so one would replace the other`,
    where,
    fix: `rename one of them`,
  });
}

function entries(value: unknown, p: string, invalid: (p: string, m: string, f: string) => void): [string, unknown][] {
  if (value === undefined || value === null) return [];
  if (!isMap(value)) {
    invalid(p, `${p} must be a map of names to definitions`, `write ${p}: as NAME: {kind: ...}`);
    return [];
  }
  return Object.entries(value);
}

function parseEnv(value: unknown): { key: string; value: string }[] {
  if (Array.isArray(value)) {
    return value
      .filter(isMap)
      .filter((e) => typeof e.key === 'string')
      .map((e) => ({ key: e.key as string, value: e.value === undefined || e.value === null ? '' : String(e.value) }));
  }
  if (isMap(value)) return Object.entries(value).map(([key, v]) => ({ key, value: v === undefined || v === null ? '' : String(v) }));
  return [];
}

/** True for a plain object (a YAML map). */
export function isMap(v: unknown): v is Raw {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A non-empty string, else undefined. */
export function str(v: unknown): string | undefined {
  if (typeof v === 'number') return String(v);
  return typeof v === 'string' && v !== '' ? v : undefined;
}
