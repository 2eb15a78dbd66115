/**
 * The Store contract: a key/value backend addressed either by coordinates (stack, component, key),
 * composed into a backend path per Atmos's rules (§5.3), or by a raw key (`!store.get`, GetKey).
 *
 * Every store reads in batches through {@link Store.getMany}: a secrets resolver hands one store all
 * the keys it needs and the store makes as few backend calls as the backend allows (SSM: 10 names a
 * call, Secrets Manager: 20). `get`/`getKey` are conveniences over the same path.
 *
 * Values are plain JSON-like data (decoded per §5.4). A store never wraps them in `Secret`: the
 * secrets layer does that, and registers them with the Redactor, as soon as it receives them.
 */
import type { ComponentTarget } from '../component-target';
import type { ReadResult } from '../read-result';

/** Canonical store kinds (Atmos `kind`, §5.1). */
export const STORE_KINDS = [
  'aws/ssm',
  'aws/asm',
  'azure/keyvault',
  'gcp/secretmanager',
  'hashicorp/vault',
  'redis',
  'artifactory',
  'onepassword',
  'keychain',
  'github/actions',
] as const;
export type StoreKind = (typeof STORE_KINDS)[number];

/** What a store can do beyond reading. */
export interface StoreCapabilities {
  /** `set` is available. */
  readonly set: boolean;
  /** `delete` is available. */
  readonly delete: boolean;
  /** `list` is available (keychain over the system keyring: no). */
  readonly list: boolean;
  /** `has` is available: existence without fetching or decrypting the value. */
  readonly has: boolean;
  /** Empty stack or component are allowed in coordinates (stack/global secret scopes). */
  readonly emptyScope: boolean;
  /** The data lives on this machine (keychain). */
  readonly local: boolean;
  /** The store can authenticate with an Atmos identity (§5.5). */
  readonly identityAware: boolean;
}

/** Coordinates of a value; composed into the backend path with §5.3. */
export interface StoreCoordinate extends ComponentTarget {
  readonly key: string;
}

/** One read: coordinates, or a raw key used as `getKey` would. */
export type StoreRequest = StoreCoordinate | { readonly rawKey: string };

/** True when the request is a raw-key request. */
export function isRawKeyRequest(r: StoreRequest): r is { readonly rawKey: string } {
  return typeof (r as { rawKey?: unknown }).rawKey === 'string';
}


/** Plain AWS credentials as the AWS SDK takes them. */
export interface AwsCredentialsLike {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
  readonly expiration?: Date;
}

/** A function returning AWS credentials; the SDK calls it when it needs (fresh) credentials. */
export type AwsCredentialsProvider = () => Promise<AwsCredentialsLike>;

/**
 * What an identity gives a cloud store (Atmos `AuthContext`, §5.5). The store's own `region` and
 * endpoint win over these.
 */
export interface StoreAuthContext {
  /** AWS credentials; absent → the SDK default chain. */
  readonly credentials?: AwsCredentialsProvider;
  readonly region?: string;
  /** The identity's / provider's `spec.endpoint_url`. */
  readonly endpointUrl?: string;
}

/** Authenticates `identity` for a store (wired to the auth manager by the Auth layer). */
export type StoreAuthResolver = (identity: string, store: { readonly name: string; readonly kind: StoreKind }) => Promise<StoreAuthContext>;

/** The common face of every store. */
export interface Store {
  /** The store's name in `stores:`. */
  readonly name: string;
  readonly kind: StoreKind;
  /** `secret: true`: readable only through `!secret` and the secret CLI, never `!store`. */
  readonly secret: boolean;
  /** The configured `identity`, if any. */
  readonly identity?: string;
  readonly capabilities: StoreCapabilities;

  /** The backend path for coordinates (§5.3). Throws STORE_KEY_INVALID on an empty key. */
  keyPath(stack: string, component: string, key: string): string;
  /** The backend path for a raw key (`GetKey`). */
  rawKeyPath(rawKey: string): string;

  /** Reads one value. Throws STORE_KEY_NOT_FOUND when it does not exist. */
  get(stack: string, component: string, key: string): Promise<unknown>;
  /** Reads one value by raw key. Throws STORE_KEY_NOT_FOUND when it does not exist. */
  getKey(rawKey: string): Promise<unknown>;
  /** Reads many values with as few backend calls as possible. Results are in request order. */
  getMany(requests: readonly StoreRequest[]): Promise<ReadResult[]>;

  /** Writes a value (encoded per §5.4). Present when `capabilities.set`. */
  set?(stack: string, component: string, key: string, value: unknown): Promise<void>;
  /** Deletes a value; deleting a missing value is not an error. Present when `capabilities.delete`. */
  delete?(stack: string, component: string, key: string): Promise<void>;
  /** Keys under (stack, component), relative to that prefix, sorted. Present when `capabilities.list`. */
  list?(stack: string, component: string): Promise<string[]>;
  /** Existence without reading (or decrypting) the value. Present when `capabilities.has`. */
  has?(stack: string, component: string, key: string): Promise<boolean>;

  /** Gives an identity-aware store its auth resolver (and the default identity it adopts when it has none). */
  setAuthResolver?(resolver: StoreAuthResolver, defaultIdentity?: string): void;
  /** Releases connections (redis). Idempotent. */
  close?(): Promise<void>;
}

/** A store that can write. */
export type WritableStore = Store & Required<Pick<Store, 'set'>>;
