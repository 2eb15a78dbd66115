/**
 * Google Secret Manager (`kind: gcp/secretmanager`, legacy `google-secret-manager`,
 * `google/secretmanager`, `gsm`), as Atmos's `GSMStore`: secret ids are the composed path joined
 * with `_`, then `/` → `_`, one `__` → `_` pass and `_` trimmed; values are JSON-encoded; a write
 * is CreateSecret (an existing secret is reused) + AddSecretVersion; a read is
 * `versions/latest`; a raw key (`!store.get`) is `prefix + "_" + key`, not sanitised (Atmos
 * `GetKey`). Stack and global scopes are allowed.
 *
 * The client (`@google-cloud/secret-manager`, REST transport, no gRPC) is imported on first use.
 * Credentials, in Atmos's order: `without_authentication`; the identity's access token (store or
 * default identity); `options.credentials` (JSON or a file path); `GOOGLE_OAUTH_ACCESS_TOKEN`;
 * Application Default Credentials. Secret Manager has no batch read: reads run in parallel, 8 at
 * a time.
 */
import type { SecretManagerServiceClient } from '@google-cloud/secret-manager';
import { StoreError } from '../../errors';
import { unsafeUnwrap } from '../../secret';
import { backendError, STORE_ERROR_CODES, storeWhere } from '../store-errors';
import { defineStoreKind, type RawRead, type StoreBackend, type StoreOptionsInput } from '../store-kind';
import type { StoreAuthResolver } from '../store';
import { booleanOption, boundedCall, CallTimeoutError, TOKEN_STORE_LIMITS, TokenConnector, type TokenSource } from '../token-connector';
import { jsonCodec } from '../value-codec';

/** A secret version's payload holds at most 64 KiB. */
export const GCP_SECRET_MAX_VALUE_BYTES = 64 * 1024;

/** Secret ids: `/` → `_`, one `__` → `_` pass, trim `_`. */
export function gcpSecretId(s: string): string {
  return s.replaceAll('/', '_').replaceAll('__', '_').replace(/^_+|_+$/g, '');
}

/** Atmos `GetKey`: `prefix + "_" + key` when a prefix is set, nothing sanitised. */
export function gcpRawKeyPath(prefix: string, rawKey: string): string {
  return prefix !== '' ? `${prefix}_${rawKey}` : rawKey;
}

/** Options of a Secret Manager store (Atmos `GSMStoreOptions`). */
export interface GcpSecretManagerOptions {
  readonly projectId: string;
  /** User-managed replication locations; empty: automatic replication. */
  readonly locations: readonly string[];
  /** Service-account JSON, or a path to it. */
  readonly credentials?: string;
  /** `host[:port]` of the API (`endpoint` ?? `endpoint_url`, scheme stripped). */
  readonly endpoint?: string;
  /** Plain HTTP to `endpoint` (`endpoint_insecure`, or an `http://` endpoint). */
  readonly insecure: boolean;
  readonly withoutAuthentication: boolean;
}

/** The Google Secret Manager kind. */
export const gcpSecretManagerKind = defineStoreKind<GcpSecretManagerOptions>({
  name: 'gcp/secretmanager',
  aliases: ['google-secret-manager', 'google/secretmanager', 'gsm'],
  secret: 'optional',
  auth: 'gcp',
  keys: { stackDelimiter: '-', finalDelimiter: '_', sanitize: gcpSecretId, rawKeyPath: gcpRawKeyPath, emptyScope: true },
  codec: () => jsonCodec,
  maxValueBytes: () => GCP_SECRET_MAX_VALUE_BYTES,
  options: readGcpOptions,
  create: (setup) => new GcpSecretManagerBackend(setup.name, setup.kind, setup.identity, setup.options, setup.env),
});

function readGcpOptions(input: StoreOptionsInput): GcpSecretManagerOptions {
  const flag = (key: string): boolean => booleanOption(input, key);
  const projectId = input.option('project_id') ?? '';
  if (projectId === '') input.problem('project_id is required in google secret manager store configuration', `set stores.${input.name}.options.project_id to the GCP project id`, 'project_id');
  else if (!/^[a-z0-9.:-]+$/i.test(projectId)) input.problem(`options.project_id "${projectId}" is not a GCP project id`, `set stores.${input.name}.options.project_id to the project id (letters, digits, hyphens)`, 'project_id');
  const raw = input.options.locations;
  let locations: string[] = [];
  if (Array.isArray(raw) && raw.every((l) => typeof l === 'string' && l !== '')) locations = raw as string[];
  else if (raw !== undefined && raw !== null) input.problem('options.locations must be a list of GCP locations', `set stores.${input.name}.options.locations to e.g. [us-east1, us-central1], or remove it for automatic replication`, 'locations');
  const credentials = input.option('credentials') || undefined;
  const rawEndpoint = (input.option('endpoint') || input.option('endpoint_url') || '').trim();
  const endpoint = rawEndpoint.replace(/^https?:\/\//, '').replace(/\/+$/, '') || undefined;
  if (endpoint !== undefined && !/^[A-Za-z0-9.[\]:-]+$/.test(endpoint)) {
    input.problem('options.endpoint must be host[:port] (a scheme is allowed)', `set stores.${input.name}.options.endpoint to e.g. secretmanager.googleapis.com:443`, input.options.endpoint !== undefined ? 'endpoint' : 'endpoint_url');
  }
  const insecure = flag('endpoint_insecure') || rawEndpoint.startsWith('http://');
  return { projectId, locations, ...(credentials ? { credentials } : {}), ...(endpoint ? { endpoint } : {}), insecure, withoutAuthentication: flag('without_authentication') };
}

/** gRPC status codes the store tells apart. */
const GRPC = { NOT_FOUND: 5, ALREADY_EXISTS: 6, PERMISSION_DENIED: 7, UNAUTHENTICATED: 16, DEADLINE_EXCEEDED: 4, UNAVAILABLE: 14 } as const;
const GRPC_NAMES: Record<number, string> = { 3: 'InvalidArgument', 4: 'DeadlineExceeded', 5: 'NotFound', 6: 'AlreadyExists', 7: 'PermissionDenied', 8: 'ResourceExhausted', 9: 'FailedPrecondition', 13: 'Internal', 14: 'Unavailable', 16: 'Unauthenticated' };

class GcpSecretManagerBackend implements StoreBackend {
  private readonly connector: TokenConnector<SecretManagerServiceClient>;

  constructor(
    private readonly store: string,
    kind: string,
    identity: string | undefined,
    private readonly options: GcpSecretManagerOptions,
    private readonly env: NodeJS.ProcessEnv,
  ) {
    this.connector = new TokenConnector<SecretManagerServiceClient>(
      { name: store, kind, cloud: 'gcp', identity },
      (token) => this.build(token),
      (client) => client.close(),
    );
  }

  endpointLabel(): string {
    const host = this.options.endpoint ?? 'secretmanager.googleapis.com';
    return `${this.options.insecure ? 'http' : 'https'}://${host}`;
  }

  setAuthResolver(resolver: StoreAuthResolver, defaultIdentity?: string): void {
    this.connector.setAuthResolver(resolver, defaultIdentity);
  }

  async close(): Promise<void> {
    await this.connector.close();
  }

  private secretName(id: string): string {
    return `projects/${this.options.projectId}/secrets/${id}`;
  }

  async readOne(path: string): Promise<RawRead> {
    try {
      const [res] = await this.call((c, o) => c.accessSecretVersion({ name: `${this.secretName(path)}/versions/latest` }, o));
      const data = res.payload?.data;
      return { raw: data === undefined || data === null ? '' : Buffer.from(data as Uint8Array | string).toString('utf8') };
    } catch (e) {
      if (grpcCode(e) === GRPC.NOT_FOUND) return 'missing';
      const err = this.failure('AccessSecretVersion', path, e);
      if (err.code === STORE_ERROR_CODES.UNREACHABLE || err.code === STORE_ERROR_CODES.AUTH_FAILED) throw err;
      return err;
    }
  }

  /** CreateSecret (reusing an existing one, as Atmos) then AddSecretVersion. */
  async write(path: string, encoded: string): Promise<void> {
    const replication = this.options.locations.length > 0 ? { userManaged: { replicas: this.options.locations.map((location) => ({ location })) } } : { automatic: {} };
    try {
      await this.call((c, o) => c.createSecret({ parent: `projects/${this.options.projectId}`, secretId: path, secret: { replication } }, o));
    } catch (e) {
      if (grpcCode(e) !== GRPC.ALREADY_EXISTS) throw this.failure('CreateSecret', path, e);
    }
    try {
      await this.call((c, o) => c.addSecretVersion({ parent: this.secretName(path), payload: { data: Buffer.from(encoded, 'utf8') } }, o));
    } catch (e) {
      throw this.failure('AddSecretVersion', path, e);
    }
  }

  /** Deletes the secret with all its versions; a missing secret is not an error. */
  async remove(path: string): Promise<void> {
    try {
      await this.call((c, o) => c.deleteSecret({ name: this.secretName(path) }, o));
    } catch (e) {
      if (grpcCode(e) === GRPC.NOT_FOUND) return;
      throw this.failure('DeleteSecret', path, e);
    }
  }

  /** Existence from the latest version's metadata (GetSecretVersion): the payload is never accessed. */
  async exists(path: string): Promise<boolean> {
    try {
      await this.call((c, o) => c.getSecretVersion({ name: `${this.secretName(path)}/versions/latest` }, o));
      return true;
    } catch (e) {
      if (grpcCode(e) === GRPC.NOT_FOUND) return false;
      throw this.failure('GetSecretVersion', path, e);
    }
  }

  /**
   * ListSecrets with a `name:<scope>*` filter, verified here against `<scope>_` (the filter is a
   * substring match). Atmos filters by the unsanitised scope, which never matches when the prefix
   * is empty or holds `/` (ids are sanitised): infrakey sanitises the scope like the ids.
   */
  async list(scope: string): Promise<string[]> {
    const prefix = scope === '' ? '' : gcpSecretId(scope);
    try {
      return await this.call(async (c, o) => {
        const [secrets] = await c.listSecrets({ parent: `projects/${this.options.projectId}`, ...(prefix ? { filter: `name:${prefix}*` } : {}) }, { ...o, autoPaginate: true });
        const names: string[] = [];
        for (const s of secrets) {
          const id = (s.name ?? '').split('/').pop() ?? '';
          if (prefix === '') names.push(id);
          else if (id.startsWith(`${prefix}_`) && id.length > prefix.length + 1) names.push(id.slice(prefix.length + 1));
        }
        return names;
      });
    } catch (e) {
      throw this.failure('ListSecrets', undefined, e);
    }
  }

  /** One client call under the store's time limits (one retry at most, each try bounded). */
  private async call<T>(fn: (client: SecretManagerServiceClient, options: { timeout: number; maxRetries: number }) => Promise<T>): Promise<T> {
    const client = await this.connector.get();
    return boundedCall(() => fn(client, { timeout: TOKEN_STORE_LIMITS.tryTimeoutMs, maxRetries: TOKEN_STORE_LIMITS.maxRetries }));
  }

  private async build(token: TokenSource): Promise<SecretManagerServiceClient> {
    const [{ SecretManagerServiceClient }, gaxFallback, auth] = await Promise.all([import('@google-cloud/secret-manager'), import('google-gax/fallback'), import('google-auth-library')]);
    const endpoint = this.options.endpoint;
    const [host, port] = endpoint ? splitHostPort(endpoint) : [undefined, undefined];
    const base = {
      fallback: true,
      ...(host ? { apiEndpoint: host } : {}),
      ...(port ? { port } : {}),
      ...(this.options.insecure ? { protocol: 'http' } : {}),
    };
    // Node's own fetch: gaxios would otherwise import node-fetch (ESM) on first use.
    const transporterOptions = { fetchImplementation: globalThis.fetch };
    let authOptions: Record<string, unknown>;
    const envToken = this.env.GOOGLE_OAUTH_ACCESS_TOKEN;
    if (this.options.withoutAuthentication) {
      authOptions = { authClient: new auth.PassThroughClient({ transporterOptions }) };
    } else if (token) {
      const client = new auth.OAuth2Client({ transporterOptions });
      // Called whenever the token is missing or expired: the identity's token, fresh.
      client.refreshHandler = async () => {
        const t = await token();
        return { access_token: unsafeUnwrap(t.token), expiry_date: (t.expiresOn ?? new Date(Date.now() + 3600_000)).getTime() };
      };
      authOptions = { authClient: client };
    } else if (this.options.credentials !== undefined) {
      const source = this.options.credentials.trim().startsWith('{') ? { credentials: parseCredentials(this.store, this.options.credentials) } : { keyFilename: this.options.credentials };
      authOptions = { ...source, clientOptions: { transporterOptions } };
    } else if (envToken) {
      const client = new auth.OAuth2Client({ transporterOptions });
      client.setCredentials({ access_token: envToken });
      authOptions = { authClient: client };
    } else {
      authOptions = { clientOptions: { transporterOptions } };
    }
    return new SecretManagerServiceClient({ ...base, ...authOptions } as ConstructorParameters<typeof SecretManagerServiceClient>[0], gaxFallback as never);
  }

  /** Maps a client failure to a store error, without the backend's text. */
  private failure(operation: string, path: string | undefined, e: unknown): StoreError {
    if (e instanceof StoreError) return e;
    if (isCredentialFailure(e)) {
      return new StoreError({
        code: STORE_ERROR_CODES.AUTH_FAILED,
        message: `store "${this.store}": no GCP credentials for ${operation}${path !== undefined ? ` key "${path}"` : ''}`,
        where: storeWhere(this.store),
        fix: "set the store's `identity` to a GCP identity and log in, or set options.credentials, or provide Application Default Credentials (gcloud auth application-default login, GOOGLE_APPLICATION_CREDENTIALS)",
      });
    }
    return backendError(this.store, operation, path, this.endpointLabel(), normalizeGcpError(e));
  }
}

function splitHostPort(endpoint: string): [string, number | undefined] {
  const m = /^(.*):(\d+)$/.exec(endpoint);
  return m ? [m[1], Number(m[2])] : [endpoint, undefined];
}

function parseCredentials(store: string, json: string): unknown {
  try {
    return JSON.parse(json);
  } catch {
    throw new StoreError({
      code: STORE_ERROR_CODES.OPTION_INVALID,
      message: `store "${store}": options.credentials is not valid JSON`,
      where: `stores.${store}.options.credentials`,
      fix: 'set it to the service-account key JSON, or to the path of that file',
    });
  }
}

/** HTTP statuses of Google's REST mapping, to gRPC codes (https://cloud.google.com/apis/design/errors). */
const HTTP_TO_GRPC: Record<number, number> = { 400: 3, 401: 16, 403: 7, 404: 5, 409: 6, 429: 8, 499: 1, 500: 13, 501: 12, 503: 14, 504: 4 };

/**
 * The gRPC status code of a client error, if any. The REST transport reports some failures as a
 * GoogleError (gRPC code) and others as the HTTP client's error (HTTP status): both are read.
 */
function grpcCode(e: unknown): number | undefined {
  const x = (e ?? {}) as { code?: unknown; status?: unknown };
  if (typeof x.code === 'number' && x.code < 100) return x.code;
  const http = typeof x.status === 'number' ? x.status : typeof x.code === 'number' ? x.code : undefined;
  return http !== undefined ? (HTTP_TO_GRPC[http] ?? 2) : undefined;
}

/** google-auth-library's "no credentials" failures (ADC not found, bad key file). */
function isCredentialFailure(e: unknown): boolean {
  const msg = (e as { message?: unknown })?.message;
  return typeof msg === 'string' && /Could not load the default credentials|Could not refresh access token|No refresh token/.test(msg) && grpcCode(e) === undefined;
}

/** Reshapes a client error so the common classifier reads a name and status (never its text). */
function normalizeGcpError(e: unknown): unknown {
  if (e instanceof CallTimeoutError) return e;
  // Node's fetch fails as TypeError('fetch failed') whose cause holds the socket error, wrapped
  // again by the HTTP client: the network code (ECONNREFUSED, ...) is found down the cause chain.
  const net = networkCode(e);
  if (net !== undefined) return { name: net, code: net };
  const code = grpcCode(e);
  if (code === GRPC.DEADLINE_EXCEEDED) return { name: 'TimeoutError' };
  if (code !== undefined) {
    const status = code === GRPC.PERMISSION_DENIED ? 403 : code === GRPC.UNAUTHENTICATED ? 401 : code === GRPC.NOT_FOUND ? 404 : undefined;
    return { name: GRPC_NAMES[code] ?? `grpc-${code}`, ...(status ? { $metadata: { httpStatusCode: status } } : {}) };
  }
  return e;
}

/** The first `E…` string code down an error's cause chain (at most 5 levels). */
function networkCode(e: unknown): string | undefined {
  let cur: unknown = e;
  for (let depth = 0; depth < 5 && cur && typeof cur === 'object'; depth++) {
    const code = (cur as { code?: unknown }).code;
    if (typeof code === 'string' && /^E[A-Z_]+$/.test(code)) return code;
    cur = (cur as { cause?: unknown }).cause;
  }
  return undefined;
}
