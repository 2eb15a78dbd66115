/**
 * The store registry: one {@link Store} per entry of atmos.yaml `stores:` (semantics §5.1).
 *
 * Building it follows Atmos's `processStoreConfig`: the kind is `kind`, else the legacy `type`,
 * mapped through the alias table; secret-by-default kinds (keychain, onepassword, github/actions)
 * become `secret: true`; `secret: true` on a backend that does not encrypt at rest (redis,
 * artifactory) is refused; options are validated. Every problem is reported at once, each naming
 * `stores.<name>...` and, when a locator is given, the atmos.yaml line. Nothing connects or
 * authenticates here: clients are created on first use.
 */
import { ConfigError, StoreError } from '../errors';
import type { InfrakeyError } from '../errors';
import { AsmStore } from './asm-store';
import type { AwsStoreSetup } from './aws-connection';
import type { StoreSettings } from './base-store';
import { KeychainStore, defaultKeychainKeyring } from './keychain-store';
import type { KeychainBackendSpec, KeychainKeyringFactory } from './keychain-store';
import { defaultStackDelimiter, finalDelimiter } from './key-path';
import { RedisStore } from './redis-store';
import { SsmStore } from './ssm-store';
import { STORE_KINDS } from './store';
import type { AwsCredentialsProvider, Store, StoreAuthResolver, StoreKind } from './store';
import { STORE_ERROR_CODES } from './store-errors';

/** One `stores.<name>` entry as written in atmos.yaml. */
export interface StoreConfigEntry {
  kind?: string;
  type?: string;
  secret?: boolean;
  identity?: string;
  options?: Record<string, unknown>;
}

/** Legacy `type` values and their canonical kind (§5.1). Unknown values pass through. */
export const STORE_KIND_ALIASES: Readonly<Record<string, StoreKind>> = {
  'aws-ssm-parameter-store': 'aws/ssm',
  'aws-secrets-manager': 'aws/asm',
  'azure-key-vault': 'azure/keyvault',
  'google-secret-manager': 'gcp/secretmanager',
  'google/secretmanager': 'gcp/secretmanager',
  gsm: 'gcp/secretmanager',
  'hashicorp-vault': 'hashicorp/vault',
  redis: 'redis',
  artifactory: 'artifactory',
  '1password': 'onepassword',
  onepassword: 'onepassword',
  keychain: 'keychain',
  keyring: 'keychain',
  'github-actions': 'github/actions',
};

/** Kinds that are secret stores whatever the config says. */
export const SECRET_BY_DEFAULT_KINDS: readonly StoreKind[] = ['onepassword', 'keychain', 'github/actions'];
/** Kinds that cannot be secret: they do not encrypt values at rest. */
export const SECRET_INCAPABLE_KINDS: readonly StoreKind[] = ['redis', 'artifactory'];
/** Kinds that ignore `identity` (Atmos warns). */
const NOT_IDENTITY_AWARE: readonly StoreKind[] = ['redis', 'artifactory', 'keychain', 'onepassword', 'github/actions'];

/** Maps `kind`/`type` to a canonical kind; undefined when unknown. */
export function resolveStoreKind(entry: { kind?: unknown; type?: unknown }): { kind?: StoreKind; written: string } {
  const written = typeof entry.kind === 'string' && entry.kind !== '' ? entry.kind : typeof entry.type === 'string' ? entry.type : '';
  const mapped = STORE_KIND_ALIASES[written] ?? written;
  return { kind: (STORE_KINDS as readonly string[]).includes(mapped) ? (mapped as StoreKind) : undefined, written };
}

/** What a kind factory receives. */
export interface StoreFactoryInput {
  readonly name: string;
  readonly kind: StoreKind;
  readonly secret: boolean;
  readonly identity?: string;
  readonly options: Readonly<Record<string, unknown>>;
  /** Reads a string option; records a problem (and returns undefined) when it is not a string. */
  readonly option: (key: string) => string | undefined;
  /** Records a problem about `options.<key>` (or the entry when key is undefined). */
  readonly problem: (message: string, fix: string, key?: string) => void;
  readonly env: NodeJS.ProcessEnv;
  readonly settings: (defaults?: { prefix?: string; stackDelimiter?: string }) => StoreSettings;
}

/** Builds a store of one kind; returns undefined after recording problems. */
export type StoreFactory = (input: StoreFactoryInput) => Store | undefined;

/** Options of {@link buildStoreRegistry}. */
export interface StoreRegistryOptions {
  /** Maps a config path (`stores.x.options.region`) to `file:line`, for messages. */
  locate?: (configPath: string) => string | undefined;
  /** Environment for `ATMOS_REDIS_URL`, `AWS_ENDPOINT_URL`; default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** AWS credentials per store (the auth layer, tests); default: identity, else the SDK chain. */
  awsCredentials?: (store: { name: string; identity?: string }) => AwsCredentialsProvider | undefined;
  /** Called with every AWS SDK client a store creates (middleware for call counting). */
  onAwsClient?: (client: unknown, info: { store: string; service: string }) => void;
  /** Opens the keyring of a keychain store; default {@link defaultKeychainKeyring}. */
  keyringFactory?: KeychainKeyringFactory;
  /** Extra or replacement backends by kind (fakes for Vault, Azure, GCP, 1Password in tests). */
  factories?: Partial<Record<StoreKind, StoreFactory>>;
  /** Auth resolver and default identity for identity-aware stores (§5.5). */
  auth?: { resolver: StoreAuthResolver; defaultIdentity?: string };
}

/** The configured stores. */
export class StoreRegistry {
  private readonly stores: ReadonlyMap<string, Store>;

  constructor(stores: ReadonlyMap<string, Store>) {
    this.stores = stores;
  }

  /** The store named `name`; throws STORE_NOT_CONFIGURED. */
  get(name: string): Store {
    const store = this.stores.get(name);
    if (!store) {
      const known = [...this.stores.keys()].sort();
      throw new StoreError({
        code: STORE_ERROR_CODES.NOT_CONFIGURED,
        message: `store "${name}" is not configured`,
        where: `stores.${name}`,
        fix: known.length > 0 ? `use one of: ${known.join(', ')}; or add stores.${name} to atmos.yaml` : `add a stores: section with stores.${name} to atmos.yaml`,
      });
    }
    return store;
  }

  /** The store named `name`, or undefined. */
  find(name: string): Store | undefined {
    return this.stores.get(name);
  }

  has(name: string): boolean {
    return this.stores.has(name);
  }

  /** Store names, sorted. */
  names(): string[] {
    return [...this.stores.keys()].sort();
  }

  /** Every store, by name order. */
  list(): Store[] {
    return this.names().map((n) => this.stores.get(n) as Store);
  }

  /** Gives every identity-aware store the auth resolver; stores without `identity` adopt `defaultIdentity`. */
  setAuthResolver(resolver: StoreAuthResolver, defaultIdentity?: string): void {
    for (const s of this.stores.values()) s.setAuthResolver?.(resolver, defaultIdentity);
  }

  /** Closes connections (redis). */
  async close(): Promise<void> {
    await Promise.all([...this.stores.values()].map((s) => s.close?.()));
  }
}

/**
 * Builds the registry from the plain `stores:` object of atmos.yaml (`undefined`/`null`: no
 * stores). Throws one ConfigError (`STORES_INVALID`) listing every problem.
 */
export function buildStoreRegistry(stores: unknown, opts: StoreRegistryOptions = {}): StoreRegistry {
  const env = opts.env ?? process.env;
  const problems: InfrakeyError[] = [];
  const where = (path: string): string => {
    const loc = opts.locate?.(path);
    return loc ? `${loc} (${path})` : path;
  };
  const built = new Map<string, Store>();
  if (stores === undefined || stores === null) return new StoreRegistry(built);
  if (!isRecord(stores)) {
    throw new ConfigError({ code: 'STORES_INVALID', message: 'stores must be a map of store name to store config', where: where('stores'), fix: 'write stores: as `<name>: {kind: ..., options: {...}}` entries' });
  }

  for (const [name, raw] of Object.entries(stores)) {
    const base = `stores.${name}`;
    const add = (code: string, message: string, fix: string, path = base): void => {
      problems.push(new StoreError({ code, message: `store "${name}": ${message}`, where: where(path), fix }));
    };
    if (!isRecord(raw)) {
      add(STORE_ERROR_CODES.OPTION_INVALID, 'the store config must be a map', 'write it as `{kind: aws/ssm, options: {...}}`');
      continue;
    }
    for (const field of ['kind', 'type', 'identity'] as const) {
      if (raw[field] !== undefined && raw[field] !== null && typeof raw[field] !== 'string') add(STORE_ERROR_CODES.OPTION_INVALID, `${field} must be a string`, `set ${base}.${field} to a string`, `${base}.${field}`);
    }
    if (raw.secret !== undefined && raw.secret !== null && typeof raw.secret !== 'boolean') {
      add(STORE_ERROR_CODES.OPTION_INVALID, 'secret must be true or false', `set ${base}.secret to true or false`, `${base}.secret`);
    }
    if (raw.options !== undefined && raw.options !== null && !isRecord(raw.options)) {
      add(STORE_ERROR_CODES.OPTION_INVALID, 'options must be a map', `write ${base}.options as a map`, `${base}.options`);
      continue;
    }
    const { kind, written } = resolveStoreKind(raw);
    const kindPath = typeof raw.kind === 'string' && raw.kind !== '' ? `${base}.kind` : `${base}.type`;
    if (!kind) {
      add(
        STORE_ERROR_CODES.KIND_UNKNOWN,
        written === '' ? 'no kind: set kind (or the legacy type)' : `store type not found: ${written}`,
        `set ${base}.kind to one of: ${STORE_KINDS.join(', ')}`,
        written === '' ? base : kindPath,
      );
      continue;
    }
    const secret = SECRET_BY_DEFAULT_KINDS.includes(kind) || raw.secret === true;
    if (secret && SECRET_INCAPABLE_KINDS.includes(kind)) {
      add(
        STORE_ERROR_CODES.CANNOT_BE_SECRET,
        `store cannot be marked secret: backend does not encrypt values at rest: store "${name}" uses backend "${kind}"`,
        `remove secret: true from ${base}, or use an encrypting backend (aws/ssm, aws/asm, hashicorp/vault, keychain, ...) for secrets`,
        raw.secret === true ? `${base}.secret` : base,
      );
      continue;
    }
    const identity = typeof raw.identity === 'string' && raw.identity !== '' ? raw.identity : undefined;
    const options = (isRecord(raw.options) ? raw.options : {}) as Record<string, unknown>;
    let failed = false;
    const input: StoreFactoryInput = {
      name,
      kind,
      secret,
      identity: NOT_IDENTITY_AWARE.includes(kind) ? undefined : identity,
      options,
      env,
      option: (key) => {
        const v = options[key];
        if (v === undefined || v === null) return undefined;
        if (typeof v === 'string') return v;
        if (typeof v === 'number' || typeof v === 'boolean') return String(v);
        failed = true;
        add(STORE_ERROR_CODES.OPTION_INVALID, `options.${key} must be a string`, `set ${base}.options.${key} to a string`, `${base}.options.${key}`);
        return undefined;
      },
      problem: (message, fix, key) => {
        failed = true;
        add(STORE_ERROR_CODES.OPTION_INVALID, message, fix, key ? `${base}.options.${key}` : base);
      },
      settings: (defaults = {}) => {
        const delimiter = input.option('stack_delimiter');
        if (delimiter === '') input.problem('options.stack_delimiter cannot be empty', `remove ${base}.options.stack_delimiter or set it to a delimiter such as "-"`, 'stack_delimiter');
        return {
          name,
          kind,
          secret,
          identity: input.identity,
          prefix: input.option('prefix') || defaults.prefix || '',
          stackDelimiter: delimiter || defaults.stackDelimiter || defaultStackDelimiter(kind),
          finalDelimiter: finalDelimiter(kind),
        };
      },
    };
    const factory = opts.factories?.[kind] ?? builtinFactory(kind, opts);
    if (!factory) {
      add(
        STORE_ERROR_CODES.KIND_UNSUPPORTED,
        `backend "${kind}" is not available in infrakey yet`,
        `use one of: aws/ssm, aws/asm, redis, keychain; or remove ${base}`,
        kindPath,
      );
      continue;
    }
    const store = factory(input);
    if (store && !failed) {
      built.set(name, store);
      if (opts.auth) store.setAuthResolver?.(opts.auth.resolver, opts.auth.defaultIdentity);
    }
  }

  if (problems.length === 1) throw problems[0];
  if (problems.length > 1) {
    throw new ConfigError({
      code: 'STORES_INVALID',
      message: `${problems.length} problems in stores:`,
      where: where('stores'),
      fix: 'fix each store listed above',
      problems,
    });
  }
  return new StoreRegistry(built);
}

function builtinFactory(kind: StoreKind, opts: StoreRegistryOptions): StoreFactory | undefined {
  switch (kind) {
    case 'aws/ssm':
    case 'aws/asm':
      return (input) => {
        const region = input.option('region');
        if (!region) {
          input.problem(`region is required in ${kind === 'aws/ssm' ? 'ssm' : 'secrets manager'} store configuration`, `set stores.${input.name}.options.region (e.g. us-east-1)`, 'region');
        }
        const endpoint = input.option('endpoint') || input.option('endpoint_url') || undefined;
        if (endpoint !== undefined && !isHttpUrl(endpoint)) {
          input.problem('options.endpoint must be an http(s) URL', `set stores.${input.name}.options.endpoint to e.g. http://127.0.0.1:4566`, input.options.endpoint !== undefined ? 'endpoint' : 'endpoint_url');
        }
        if (kind === 'aws/ssm') {
          for (const k of ['read_role_arn', 'write_role_arn']) {
            if (input.option(k)) input.problem(`options.${k} is not supported by infrakey yet`, `remove stores.${input.name}.options.${k} and give the store an identity that assumes the role instead`, k);
          }
        }
        const settings = input.settings();
        const aws: AwsStoreSetup = {
          name: input.name,
          kind,
          region: region ?? '',
          endpoint,
          identity: input.identity,
          credentials: opts.awsCredentials?.({ name: input.name, identity: input.identity }),
          env: input.env,
          onClient: opts.onAwsClient,
        };
        return kind === 'aws/ssm' ? new SsmStore({ ...settings, aws }) : new AsmStore({ ...settings, aws });
      };
    case 'redis':
      return (input) => {
        const url = input.option('url') || input.env.ATMOS_REDIS_URL || '';
        if (url === '') {
          input.problem('either url must be set in options or ATMOS_REDIS_URL environment variable must be set', `set stores.${input.name}.options.url (redis://host:6379/0) or ATMOS_REDIS_URL`, 'url');
        } else if (!/^rediss?:\/\//.test(url) || !isParsableUrl(url)) {
          input.problem('options.url must be a redis:// or rediss:// URL', `set stores.${input.name}.options.url to e.g. redis://127.0.0.1:6379/0`, 'url');
        }
        return new RedisStore({ ...input.settings(), url });
      };
    case 'keychain':
      return (input) => {
        const backend = input.option('backend') || 'system';
        if (backend !== 'system' && backend !== 'file' && backend !== 'memory') {
          input.problem(`options.backend "${backend}" is not a keyring backend`, `set stores.${input.name}.options.backend to system, file or memory`, 'backend');
        }
        const spec: KeychainBackendSpec = {
          backend: backend as KeychainBackendSpec['backend'],
          service: input.option('service') || 'atmos-secrets',
          fileDir: input.option('file_dir') || undefined,
          passwordEnv: input.option('password_env') || undefined,
        };
        return new KeychainStore({ ...input.settings({ prefix: 'atmos', stackDelimiter: '-' }), spec, openKeyring: opts.keyringFactory ?? ((spec, name) => defaultKeychainKeyring(spec, name, input.env)) });
      };
    default:
      return undefined;
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isHttpUrl(s: string): boolean {
  return /^https?:\/\//.test(s) && isParsableUrl(s);
}

function isParsableUrl(s: string): boolean {
  try {
    new URL(s);
    return true;
  } catch {
    return false;
  }
}
