import type { Secret } from '../secret';
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

/**
 * A canonical store kind name (Atmos `kind`, §5.1): `aws/ssm`, `redis`, ... Every kind is one
 * module under `kinds/`, registered in `store-kinds.ts`; `STORE_KINDS` there lists them.
 */
export type StoreKind = string;

/** The cloud whose identity credentials a kind takes (§5.5). */
export type StoreCloud = 'aws' | 'azure' | 'gcp';

/**
 * How the stored text maps back to the value (§5.4), for tools that read the backend themselves:
 * - `ssm-secret`: a SecureString of a secret SSM store: text as written, except `""` (the empty
 *   string) and JSON maps and lists, which are JSON;
 * - `json-or-raw`: JSON-decode, else the raw text (Secrets Manager and most other backends).
 */
export type StoredEncoding = 'ssm-secret' | 'json-or-raw';

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

/** An OAuth2 bearer token for a store's cloud (Azure Key Vault audience, GCP access token). */
export interface StoreBearerToken {
  readonly token: Secret<string>;
  /** Undefined: not known (treated as valid until the backend refuses it). */
  readonly expiresOn?: Date;
}

/** A GCP OAuth2 access token as Google's clients take it (from a gcp/* identity). */
export interface GcpTokenLike {
  readonly accessToken: string;
  readonly expiration?: Date;
  /** The identity's project (`principal.project_id`, the service account's project, ...). */
  readonly projectId?: string;
}

/** A function returning a fresh GCP access token; the client calls it when it needs one. */
export type GcpTokenProvider = () => Promise<GcpTokenLike>;

/**
 * What an Azure store takes of an identity's Azure credentials: the part of the auth layer's
 * `AzureCredentials` it reads, declared here so that stores (and SOPS, which uses them) never
 * import the auth layer.
 */
export interface AzureStoreCredentials {
  readonly accessToken: Secret<string>;
  readonly expiration?: Date;
  readonly tenantId: string;
  readonly subscriptionId?: string;
  /** Token for `https://vault.azure.net/.default`, when the provider could mint one. */
  readonly keyVaultToken?: Secret<string>;
  readonly keyVaultExpiration?: Date;
}

/**
 * What an identity gives a cloud store (Atmos `AuthContext`, §5.5). The store's own `region` and
 * endpoint win over these.
 */
export interface StoreAuthContext {
  /** AWS credentials; absent → the SDK default chain. */
  readonly credentials?: AwsCredentialsProvider;
  /**
   * Azure and GCP stores: the identity's bearer token for the store's service (Azure: the Key
   * Vault token; GCP: the OAuth2 access token), fetched fresh when the SDK needs one.
   */
  readonly token?: () => Promise<StoreBearerToken>;
  /**
   * Azure credentials of the identity (stores whose cloud is `azure`, e.g. `azure/keyvault`, which
   * uses `keyVaultToken`): fresh on each call, re-authenticated when less than 15 minutes remain.
   */
  readonly azure?: () => Promise<AzureStoreCredentials>;
  /** GCP stores (`cloud: 'gcp'`): the identity's access token; absent → Application Default Credentials. */
  readonly gcpToken?: GcpTokenProvider;
  readonly region?: string;
  /** The identity's / provider's `spec.endpoint_url`. */
  readonly endpointUrl?: string;
}

/** Authenticates `identity` for a store (wired to the auth manager by the Auth layer). */
export type StoreAuthResolver = (
  identity: string,
  store: {
    readonly name: string;
    readonly kind: StoreKind;
    readonly cloud: StoreCloud;
    /** The identity is the default one the store adopted, not its own `identity` (§5.5). */
    readonly adopted?: boolean;
  },
) => Promise<StoreAuthContext>;

/** The common face of every store. */
export interface Store {
  /** The store's name in `stores:`. */
  readonly name: string;
  readonly kind: StoreKind;
  /** `secret: true`: readable only through `!secret` and the secret CLI, never `!store`. */
  readonly secret: boolean;
  /** The configured `identity`, if any (only on kinds that authenticate with an identity). */
  readonly identity?: string;
  /** The data lives on this machine (keychain): listing needs no network. */
  readonly local: boolean;
  /** Empty stack or component are allowed in coordinates (stack/global secret scopes). */
  readonly emptyScope: boolean;
  /** How values are stored (§5.4). */
  readonly encoding: StoredEncoding;
  /** Largest encoded value (UTF-8 bytes) the backend accepts, declared by the kind; undefined: none known. */
  readonly maxValueBytes?: number;

  /** The backend path for coordinates (§5.3). Throws STORE_KEY_INVALID on an empty key. */
  keyPath(stack: string, component: string, key: string): string;
  /** The backend path for a raw key (`GetKey`). */
  rawKeyPath(rawKey: string): string;
  /**
   * Where a backend path lives, as the backend's own tools name it, for listings and messages:
   * the path itself, or with what the path is relative to (a Vault path under its KV mount).
   */
  locate(path: string): string;

  /** Reads one value. Throws STORE_KEY_NOT_FOUND when it does not exist. */
  get(stack: string, component: string, key: string): Promise<unknown>;
  /** Reads one value by raw key. Throws STORE_KEY_NOT_FOUND when it does not exist. */
  getKey(rawKey: string): Promise<unknown>;
  /** Reads many values with as few backend calls as possible. Results are in request order. */
  getMany(requests: readonly StoreRequest[]): Promise<ReadResult[]>;

  // Abilities: present exactly when the backend can do them.
  /** Writes a value (encoded per §5.4); refuses a value larger than the backend accepts. */
  set?(stack: string, component: string, key: string, value: unknown): Promise<void>;
  /** Deletes a value; deleting a missing value is not an error. */
  delete?(stack: string, component: string, key: string): Promise<void>;
  /** Keys under (stack, component), relative to that prefix, sorted. */
  list?(stack: string, component: string): Promise<string[]>;
  /** Existence without reading (or decrypting) the value. */
  has?(stack: string, component: string, key: string): Promise<boolean>;

  /** Gives an identity-aware store its auth resolver (and the default identity it adopts when it has none). */
  setAuthResolver?(resolver: StoreAuthResolver, defaultIdentity?: string): void;
  /** Releases connections (redis). Idempotent. */
  close?(): Promise<void>;
}

/** A store that can write. */
export type WritableStore = Store & Required<Pick<Store, 'set'>>;
