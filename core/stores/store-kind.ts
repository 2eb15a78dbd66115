/**
 * What a store kind declares about itself (DESIGN.md §1 "Kinds"). Each kind is one module under
 * `kinds/` exporting one {@link StoreKindDefinition}, registered by one line in `store-kinds.ts`;
 * nothing outside the module switches on a kind's name. The generic {@link KindStore} turns a
 * definition and its backend into a {@link Store}: key composition, value encoding, size limits,
 * batching and error shapes are the same for every kind.
 *
 * A kind that is known (Atmos names it) but not built yet declares everything except `create`;
 * the registry then refuses it with STORE_KIND_UNSUPPORTED.
 */
import { composeKey } from './key-path';
import type { AwsCredentialsProvider, StoreAuthResolver, StoreCloud, StoreKind } from './store';
import type { ValueCodec } from './value-codec';

/** Whether a store of the kind may be, or always is, a secret store (§5.1). */
export type SecretPolicy =
  /** `secret: true` is allowed (the backend encrypts at rest). */
  | 'optional'
  /** Secret by default, whatever the config says (keychain, 1Password, GitHub Actions). */
  | 'always'
  /** `secret: true` is refused: the backend does not encrypt at rest (redis, artifactory). */
  | 'never';

/**
 * Thrown by a kind's `compose`/`rawKeyPath` when a key cannot name anything in the backend (an
 * invalid GitHub secret name, a 1Password reference that is not `op://vault/item/field`); the
 * store turns it into STORE_KEY_INVALID naming itself.
 */
export class KeyRuleError extends Error {
  override readonly name = 'KeyRuleError';

  constructor(
    message: string,
    /** What to do instead (the STORE_KEY_INVALID fix). */
    readonly fix: string,
  ) {
    super(message);
  }
}

/** Key composition of a kind (semantics §5.3). */
export interface StoreKeyRules {
  /** Default `options.stack_delimiter`. */
  readonly stackDelimiter: string;
  /** Joins prefix, stack parts, component parts and key. */
  readonly finalDelimiter: string;
  /** The prefix when `options.prefix` is empty (keychain: `atmos`). */
  readonly defaultPrefix?: string;
  /**
   * Replaces Atmos's composition for kinds that address differently (1Password references,
   * GitHub's flat secret names); absent: `composeKey` with the delimiters above.
   */
  readonly compose?: (parts: { prefix: string; stackDelimiter: string; stack: string; component: string; key: string }) => string;
  /** Post-processing of a composed path into a valid backend name (Azure, GCP). */
  readonly sanitize?: (path: string) => string;
  /** The backend path of a raw key (`!store.get`, Atmos `GetKey`) under `prefix`. */
  readonly rawKeyPath: (prefix: string, rawKey: string) => string;
  /** Empty stack or component allowed (stack and global secret scopes). */
  readonly emptyScope: boolean;
}

/** What a backend read of one path gives. */
export type RawRead = { readonly raw: string } | 'missing' | Error;

/**
 * The raw I/O of one configured store, built by the kind's `create`. Paths are already composed
 * and values already encoded. Abilities are optional methods: a backend without `remove` has no
 * `delete`, and so on. One of `readMany` (batched) or `readOne` is required.
 */
export interface StoreBackend {
  /** Where the backend is, for messages (no credentials in it). */
  endpointLabel(): string;
  /** A path as the backend's own tools name it (Vault: `<mount>/<path>`); absent: the path itself. */
  locate?(path: string): string;
  /** Reads distinct paths with as few calls as the backend allows. Rejects when the backend is unusable. */
  readMany?(paths: readonly string[]): Promise<Map<string, RawRead>>;
  /** Reads one path (backends without a batch call; run with bounded concurrency). */
  readOne?(path: string): Promise<RawRead>;
  /** Writes an encoded value. */
  write?(path: string, encoded: string): Promise<void>;
  /** Removes a path; a missing path is not an error. */
  remove?(path: string): Promise<void>;
  /** Existence without reading (or decrypting) the value. */
  exists?(path: string): Promise<boolean>;
  /**
   * Paths under `scope` (the composed prefix of a stack and component, no trailing delimiter),
   * relative to it, in any order.
   */
  list?(scope: string): Promise<string[]>;
  /** Adopts the auth resolver (kinds with `auth`). */
  setAuthResolver?(resolver: StoreAuthResolver, defaultIdentity?: string): void;
  /** Releases connections. Idempotent. */
  close?(): Promise<void>;
}

/** What the registry reads options with (records problems under `stores.<name>.options.<key>`). */
export interface StoreOptionsInput {
  /** The store's name in `stores:`. */
  readonly name: string;
  readonly secret: boolean;
  readonly options: Readonly<Record<string, unknown>>;
  /** Reads a string option (numbers and booleans as text); records a problem when it is not one. */
  readonly option: (key: string) => string | undefined;
  /** Records a problem about `options.<key>` (or the entry when key is undefined). */
  readonly problem: (message: string, fix: string, key?: string) => void;
  readonly env: NodeJS.ProcessEnv;
}

/** Process-wide hooks the registry passes to every kind (tests, the auth layer, benchmarks). */
export interface StoreHooks {
  /** AWS credentials per store; default: identity, else the SDK chain. */
  readonly awsCredentials?: (store: { name: string; identity?: string }) => AwsCredentialsProvider | undefined;
  /** Called with every SDK client a store creates (middleware for call counting). */
  readonly onClient?: (client: unknown, info: { store: string; service: string }) => void;
  /** Kind-specific hooks (e.g. the keychain kind's keyring factory), by kind name. */
  readonly byKind?: Readonly<Record<string, unknown>>;
}

/** What `create` receives: the validated options and the store's settings. */
export interface StoreSetup<O> {
  readonly name: string;
  readonly kind: StoreKind;
  readonly secret: boolean;
  /** The store's identity (kinds with `auth` only). */
  readonly identity?: string;
  readonly options: O;
  readonly env: NodeJS.ProcessEnv;
  readonly hooks: StoreHooks;
}

/** One store kind. `O` is the kind's validated options. */
export interface StoreKindDefinition<O = unknown> {
  /** Canonical name (Atmos `kind`). */
  readonly name: StoreKind;
  /** Atmos's legacy `type` names (and other spellings) that mean this kind. */
  readonly aliases: readonly string[];
  readonly secret: SecretPolicy;
  /** The cloud whose identity the kind authenticates with; absent: `identity` is ignored (as Atmos). */
  readonly auth?: StoreCloud;
  /** The data lives on this machine (keychain). */
  readonly local?: boolean;
  readonly keys: StoreKeyRules;
  /** Value encoding of a store of this kind (§5.4). */
  codec(secret: boolean): ValueCodec;
  /** Largest encoded value in bytes the backend accepts for these options; absent: no limit. */
  maxValueBytes?(options: O): number;
  /**
   * The prefix key composition starts from, given the validated options and `options.prefix`
   * (`""` when unset); absent: `options.prefix`, else `keys.defaultPrefix`. Artifactory puts its
   * `repo_name` in front; 1Password's default vault takes the prefix's place.
   */
  prefix?(options: O, configured: string): string;
  /** Reads and validates `options` (the kind's schema); problems go through `input.problem`. */
  options?(input: StoreOptionsInput): O;
  /**
   * Builds the backend; its SDK is imported on first use, not here. The backend maps its client's
   * errors to store errors (`backendError`, without the backend's text). Absent: not built yet.
   */
  create?(setup: StoreSetup<O>): StoreBackend;
}

/** Declares a kind (typed options flow from `options` to `create` and `maxValueBytes`). */
export function defineStoreKind<O>(definition: StoreKindDefinition<O>): StoreKindDefinition<O> {
  return definition;
}

/** The backend path of coordinates under a kind's key rules (§5.3). */
export function composePath(keys: StoreKeyRules, prefix: string, stackDelimiter: string, stack: string, component: string, key: string): string {
  const joined = keys.compose ? keys.compose({ prefix, stackDelimiter, stack, component, key }) : composeKey(prefix, stackDelimiter, stack, component, key, keys.finalDelimiter);
  return keys.sanitize ? keys.sanitize(joined) : joined;
}
