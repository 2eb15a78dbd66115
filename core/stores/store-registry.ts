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
import { KindStore } from './kind-store';
import type { KeychainHooks, KeychainKeyringFactory } from './kinds/keychain';
import type { AwsCredentialsProvider, Store, StoreAuthResolver, StoreKind } from './store';
import { STORE_ERROR_CODES } from './store-errors';
import type { StoreHooks, StoreKindDefinition, StoreOptionsInput } from './store-kind';
import { STORE_KINDS, resolveStoreKind, storeKind } from './store-kinds';

export { STORE_KIND_ALIASES, SECRET_BY_DEFAULT_KINDS, SECRET_INCAPABLE_KINDS, resolveStoreKind } from './store-kinds';

/** One `stores.<name>` entry as written in atmos.yaml. */
export interface StoreConfigEntry {
  kind?: string;
  type?: string;
  secret?: boolean;
  identity?: string;
  options?: Record<string, unknown>;
}

/** What a replacement factory receives (tests: fakes for kinds not built yet). */
export interface StoreFactoryInput extends StoreOptionsInput {
  readonly kind: StoreKind;
  readonly identity?: string;
}

/** Builds a store of one kind in place of the built-in backend; returns undefined after recording problems. */
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
  /** Replacement stores by kind (fakes for kinds not built yet, in tests). */
  factories?: Partial<Record<StoreKind, StoreFactory>>;
  /** Kind-specific hooks by kind name (see each kind module). */
  kindHooks?: Readonly<Record<string, unknown>>;
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
  const hooks: StoreHooks = {
    awsCredentials: opts.awsCredentials,
    onClient: opts.onAwsClient,
    byKind: { ...(opts.keyringFactory ? { keychain: { keyringFactory: opts.keyringFactory } satisfies KeychainHooks } : {}), ...opts.kindHooks },
  };
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
    const def = storeKind(kind)!;
    const secret = def.secret === 'always' || raw.secret === true;
    if (secret && def.secret === 'never') {
      add(
        STORE_ERROR_CODES.CANNOT_BE_SECRET,
        `store cannot be marked secret: backend does not encrypt values at rest: store "${name}" uses backend "${kind}"`,
        `remove secret: true from ${base}, or use an encrypting backend (aws/ssm, aws/asm, hashicorp/vault, keychain, ...) for secrets`,
        raw.secret === true ? `${base}.secret` : base,
      );
      continue;
    }
    // Kinds that do not authenticate with an identity ignore it (Atmos warns).
    const identity = def.auth !== undefined && typeof raw.identity === 'string' && raw.identity !== '' ? raw.identity : undefined;
    const options = (isRecord(raw.options) ? raw.options : {}) as Record<string, unknown>;
    let failed = false;
    const input: StoreFactoryInput = {
      name,
      kind,
      secret,
      identity,
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
    };
    const replacement = opts.factories?.[kind];
    if (!replacement && !def.create) {
      add(
        STORE_ERROR_CODES.KIND_UNSUPPORTED,
        `backend "${kind}" is not available in infrakey yet`,
        `use one of: ${builtKinds().join(', ')}; or remove ${base}`,
        kindPath,
      );
      continue;
    }
    const store = replacement ? replacement(input) : buildStore(def, input, hooks);
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

/** A store of a built kind: its options, then the common prefix and stack delimiter, then its backend. */
function buildStore(def: StoreKindDefinition<unknown>, input: StoreFactoryInput, hooks: StoreHooks): Store {
  const options = def.options ? def.options(input) : {};
  const delimiter = input.option('stack_delimiter');
  if (delimiter === '') {
    input.problem('options.stack_delimiter cannot be empty', `remove stores.${input.name}.options.stack_delimiter or set it to a delimiter such as "-"`, 'stack_delimiter');
  }
  const backend = def.create!({ name: input.name, kind: def.name, secret: input.secret, identity: input.identity, options, env: input.env, hooks });
  return new KindStore(
    {
      name: input.name,
      kind: def.name,
      secret: input.secret,
      identity: input.identity,
      prefix: def.prefix ? def.prefix(options, input.option('prefix') ?? '') : input.option('prefix') || def.keys.defaultPrefix || '',
      stackDelimiter: delimiter || def.keys.stackDelimiter,
      keys: def.keys,
      local: def.local === true,
      codec: def.codec(input.secret),
      maxValueBytes: def.maxValueBytes?.(options),
    },
    backend,
  );
}

/** Kinds with a backend in this build. */
function builtKinds(): string[] {
  return STORE_KINDS.filter((k) => storeKind(k)?.create !== undefined);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
