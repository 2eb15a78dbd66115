/**
 * HashiCorp Vault KV v2 (`kind: hashicorp/vault`, legacy `hashicorp-vault`), as Atmos's
 * `hashicorp_vault_store.go`: each (stack, component, key) is one KV v2 secret under
 * `options.mount`, holding the value in its field `value` (any JSON type, not a JSON string);
 * a secret written by another tool without a `value` field reads as its whole data map. Token
 * auth only (`options.token`, else `VAULT_TOKEN`); `VAULT_NAMESPACE` is sent as Vault's own client
 * sends it. Atmos ignores `identity` on Vault stores, and so does infrakey.
 *
 * Client: Node's built-in `fetch` against Vault's HTTP API (four KV v2 endpoints), not the
 * `node-vault` package: node-vault forwards only axios's `timeout`, an idle-socket limit that a
 * server sending one byte a second never reaches, and its `debug` output prints request bodies,
 * i.e. the value, when `DEBUG=node-vault` is set. Here every request is bounded as a whole by an
 * AbortSignal ({@link VAULT_LIMITS}) and nothing is logged.
 *
 * Verbs: KV v2 has no batch read, so reads go one secret per request with the store's bounded
 * concurrency. `delete` is Atmos's soft delete of the latest version (recoverable with
 * `vault kv undelete`); `has` reads the secret's metadata (never the value) and is false when the
 * current version is deleted or destroyed, so a deleted key is absent (Atmos's `Has` says true
 * there: fixed). `list` walks the metadata tree below the scope (LIST is one level per call) and
 * leaves out deleted keys.
 */
import { StoreError } from '../../errors';
import { composeKey } from '../key-path';
import { mapLimit } from '../kind-store';
import { backendError, keyInvalid, STORE_ERROR_CODES, storeWhere } from '../store-errors';
import { defineStoreKind, type RawRead, type StoreBackend } from '../store-kind';
import { goJson, type ValueCodec } from '../value-codec';
import { isHttpUrl, ResponseTooLargeError, storeFetch } from '../store-http';

/**
 * Vault `GetKey`: `trimRight(prefix, "/") + "/" + trimLeft(raw, "/")` when a prefix is set, else
 * the raw key; a leading `/` is dropped as Vault's HTTP server drops it ({@link vaultComposeKey}).
 */
export function vaultRawKeyPath(prefix: string, rawKey: string): string {
  return (prefix === '' ? rawKey : `${prefix.replace(/\/+$/, '')}/${rawKey.replace(/^\/+/, '')}`).replace(/^\/+/, '');
}

/**
 * Atmos's composition (§5.3, `/` between every part), without the leading `/` an empty prefix
 * leaves: KV v2 paths are relative to the mount, and Vault serves `data//a/b` as `data/a/b`, so
 * the path shown (`secret list`, messages, CDKTF's `name`) is the one the secret really has.
 */
export function vaultComposeKey(parts: { prefix: string; stackDelimiter: string; stack: string; component: string; key: string }): string {
  return composeKey(parts.prefix, parts.stackDelimiter, parts.stack, parts.component, parts.key, '/').replace(/^\/+/, '');
}

/**
 * Time and size limits of the Vault client. One request (connection, headers and body) takes at
 * most `requestTimeoutMs`; a request that fails at the network level or with HTTP 5xx is sent
 * once more, so one call fails within {@link VAULT_CALL_BOUND_MS}.
 */
export const VAULT_LIMITS = {
  requestTimeoutMs: 6000,
  maxAttempts: 2,
  retryDelayMs: 200,
  /** Largest answer read (a value at the limit, JSON-escaped, plus Vault's envelope). */
  maxResponseBytes: 8 * 1024 * 1024,
  /** `list`: entries and folder depth walked below a scope. */
  maxListEntries: 10_000,
  maxListDepth: 32,
  /** Reads in flight at once (KV v2 has no batch read). */
  readConcurrency: 8,
  /** Metadata reads in flight while `list` leaves out deleted keys. */
  listConcurrency: 8,
} as const;

/** The longest one store call can take before it fails. */
export const VAULT_CALL_BOUND_MS = VAULT_LIMITS.maxAttempts * VAULT_LIMITS.requestTimeoutMs + VAULT_LIMITS.retryDelayMs;

/**
 * Largest encoded value (the JSON text of the value) infrakey writes: 512 KiB, the per-entry limit
 * of Consul storage, the smallest of Vault's common storage backends (integrated storage takes
 * 1 MiB per entry by default, and the listener 32 MiB per request).
 */
export const VAULT_MAX_VALUE_BYTES = 512 * 1024;

/** Options of a Vault store. */
export interface VaultOptions {
  /** `options.address`, `options.url` or `VAULT_ADDR`, without a trailing slash. */
  readonly address: string;
  readonly token?: string;
  /** The KV v2 mount (`options.mount`, legacy `options.path`), without surrounding slashes. */
  readonly mount: string;
  readonly namespace?: string;
}

/**
 * The field `value` holds the value itself (Atmos puts `{value: <any>}`), so the stored text is
 * that value's JSON and reads back as exactly that JSON: a string stays a string even when it
 * holds JSON text (Atmos returns `data["value"]` without decoding it).
 */
export const vaultCodec: ValueCodec = {
  encoding: 'json-or-raw',
  encode: goJson,
  decode: (raw) => JSON.parse(raw) as unknown,
};

/** The Vault kind. */
export const hashicorpVaultKind = defineStoreKind<VaultOptions>({
  name: 'hashicorp/vault',
  aliases: ['hashicorp-vault'],
  secret: 'optional',
  keys: { stackDelimiter: '/', finalDelimiter: '/', compose: vaultComposeKey, rawKeyPath: vaultRawKeyPath, emptyScope: false },
  codec: () => vaultCodec,
  maxValueBytes: () => VAULT_MAX_VALUE_BYTES,
  options(input) {
    const address = (input.option('address') || input.option('url') || input.env.VAULT_ADDR || '').replace(/\/+$/, '');
    if (address === '') {
      input.problem('address is required in hashicorp vault store configuration', `set stores.${input.name}.options.address (https://vault.example.com:8200) or VAULT_ADDR`, 'address');
    } else if (!isHttpUrl(address)) {
      input.problem('options.address must be an http:// or https:// URL', `set stores.${input.name}.options.address to e.g. https://vault.example.com:8200`, 'address');
    }
    const mount = (input.option('mount') || input.option('path') || '').replace(/^\/+|\/+$/g, '');
    if (mount === '') {
      input.problem('mount is required in hashicorp vault store configuration', `set stores.${input.name}.options.mount to the KV v2 secrets engine's mount (e.g. secret)`, 'mount');
    } else if (!safeSegments(mount)) {
      input.problem('options.mount cannot contain empty, "." or ".." segments', `set stores.${input.name}.options.mount to the KV v2 mount path (e.g. secret or kv/team)`, 'mount');
    }
    const token = input.option('token') || input.env.VAULT_TOKEN || undefined;
    const namespace = input.env.VAULT_NAMESPACE || undefined;
    return { address, mount, ...(token ? { token } : {}), ...(namespace ? { namespace } : {}) };
  },
  create: (setup) => new VaultBackend(setup.name, setup.options),
});

/** The answer of one Vault request (the body parsed as JSON when there is one). */
interface VaultAnswer {
  readonly status: number;
  readonly body: unknown;
}

/** A Vault answer with a status infrakey does not take; its body (Vault's error text) is dropped. */
class VaultResponseError extends Error {
  readonly $metadata: { httpStatusCode: number };
  constructor(status: number) {
    super(`HTTP ${status}`);
    this.name = 'VaultResponseError';
    this.$metadata = { httpStatusCode: status };
  }
}

/** One Vault store's client. */
class VaultBackend implements StoreBackend {
  constructor(
    private readonly name: string,
    private readonly options: VaultOptions,
  ) {}

  endpointLabel(): string {
    return this.options.address;
  }

  /** `<mount>/<path>`: what `vault kv get` takes, and the secret's place in Vault's tree. */
  locate(path: string): string {
    return `${this.options.mount}/${path}`;
  }

  /**
   * KV v2 has no batch read: one request per path, {@link VAULT_LIMITS}.readConcurrency at once.
   * A failure that makes every request fail (unreachable, no token) stops the batch and rejects
   * it, so 200 paths against a dead server take one call's bound, not 200 / concurrency of them;
   * any other failure (a path the token may not read) is that path's result.
   */
  async readMany(paths: readonly string[]): Promise<Map<string, RawRead>> {
    const out = new Map<string, RawRead>();
    let wide: StoreError | undefined;
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < paths.length && !wide) {
        const path = paths[next++];
        try {
          out.set(path, await this.readPath(path));
        } catch (e) {
          if (!(e instanceof StoreError)) throw e;
          if (e.code === STORE_ERROR_CODES.UNREACHABLE || e.code === STORE_ERROR_CODES.AUTH_FAILED) wide ??= e;
          else out.set(path, e);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(VAULT_LIMITS.readConcurrency, paths.length) }, worker));
    if (wide) throw wide;
    return out;
  }

  private async readPath(path: string): Promise<RawRead> {
    const answer = await this.call('read', path, 'GET', this.url('data', path), [404]);
    if (answer.status === 404) return 'missing';
    const data = (answer.body as { data?: { data?: unknown } } | undefined)?.data?.data;
    if (data === null || data === undefined || typeof data !== 'object') return 'missing';
    // Atmos: the field `value`, else (a secret written by another tool) the whole data map.
    const value = Object.prototype.hasOwnProperty.call(data, 'value') ? (data as { value: unknown }).value : data;
    return { raw: JSON.stringify(value) };
  }

  async write(path: string, encoded: string): Promise<void> {
    // The encoded text is spliced in as it is, so Go's encoding (escapes, key order) reaches Vault.
    await this.call('write', path, 'POST', this.url('data', path), [], `{"data":{"value":${encoded}}}`);
  }

  async remove(path: string): Promise<void> {
    // Atmos's kv.Delete: a soft delete of the latest version; a missing secret is not an error.
    await this.call('delete', path, 'DELETE', this.url('data', path), [404]);
  }

  async exists(path: string): Promise<boolean> {
    return (await this.liveVersion(path)) !== undefined;
  }

  async list(composedScope: string): Promise<string[]> {
    // The scope of an empty prefix starts with `/`, dropped as in vaultComposeKey.
    const scope = composedScope.replace(/^\/+/, '');
    const found: string[] = [];
    const walk = async (folder: string, depth: number): Promise<void> => {
      if (depth > VAULT_LIMITS.maxListDepth) throw this.tooMany(scope, `folders deeper than ${VAULT_LIMITS.maxListDepth}`);
      // GET with list=true is Vault's documented equivalent of the LIST verb, which proxies (and Node's HTTP parser) refuse.
      const target = folder === '' ? scope : `${scope}/${folder.replace(/\/$/, '')}`;
      const answer = await this.call('list', `${target}/`, 'GET', `${this.url('metadata', target)}/?list=true`, [404]);
      if (answer.status === 404) return;
      const keys = (answer.body as { data?: { keys?: unknown } } | undefined)?.data?.keys;
      if (!Array.isArray(keys)) return;
      for (const k of keys) {
        if (typeof k !== 'string' || k === '') continue;
        if (k.endsWith('/')) await walk(`${folder}${k}`, depth + 1);
        else found.push(`${folder}${k}`);
        if (found.length > VAULT_LIMITS.maxListEntries) throw this.tooMany(scope, `more than ${VAULT_LIMITS.maxListEntries} keys`);
      }
    };
    await walk('', 0);
    const live = await mapLimit(found, VAULT_LIMITS.listConcurrency, async (rel) => (await this.liveVersion(`${scope}/${rel}`)) !== undefined);
    return found.filter((_, i) => live[i]);
  }

  /** The current version of a secret when it is readable (not deleted, not destroyed); metadata only. */
  private async liveVersion(path: string): Promise<number | undefined> {
    const answer = await this.call('has', path, 'GET', this.url('metadata', path), [404]);
    if (answer.status === 404) return undefined;
    const meta = (answer.body as { data?: { current_version?: unknown; versions?: Record<string, { deletion_time?: unknown; destroyed?: unknown }> } } | undefined)?.data;
    const current = typeof meta?.current_version === 'number' ? meta.current_version : undefined;
    if (current === undefined || current === 0) return undefined;
    const version = meta?.versions?.[String(current)];
    if (!version) return current;
    const deleted = typeof version.deletion_time === 'string' && version.deletion_time !== '';
    return deleted || version.destroyed === true ? undefined : current;
  }

  /** `<address>/v1/<mount>/<data|metadata>/<path>`, each segment URL-encoded. */
  private url(area: 'data' | 'metadata', path: string): string {
    if (!safeSegments(path)) {
      // A `.` or `..` segment would be resolved by the URL parser and reach another Vault endpoint.
      throw keyInvalid(this.name, `Vault path "${path}" cannot contain empty, "." or ".." segments`);
    }
    const encode = (p: string) => p.split('/').map(encodeURIComponent).join('/');
    return `${this.options.address}/v1/${encode(this.options.mount)}/${area}/${encode(path)}`;
  }

  /**
   * One Vault API call: at most {@link VAULT_LIMITS}.maxAttempts attempts, each bounded as a whole
   * by requestTimeoutMs. Statuses in `accept` (and 2xx) are answers; any other fails without
   * Vault's error text.
   */
  private async call(operation: string, path: string, method: string, url: string, accept: readonly number[], body?: string): Promise<VaultAnswer> {
    let last: unknown;
    for (let attempt = 1; attempt <= VAULT_LIMITS.maxAttempts; attempt++) {
      try {
        const answer = await this.send(method, url, body);
        if ((answer.status >= 200 && answer.status < 300) || accept.includes(answer.status)) return answer;
        last = new VaultResponseError(answer.status);
        if (answer.status < 500) break;
      } catch (e) {
        last = fetchFailure(e);
      }
      if (attempt < VAULT_LIMITS.maxAttempts) await new Promise((r) => setTimeout(r, VAULT_LIMITS.retryDelayMs));
    }
    throw this.failure(operation, path, last);
  }

  private async send(method: string, url: string, body: string | undefined): Promise<VaultAnswer> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.options.token) headers['x-vault-token'] = this.options.token;
    if (this.options.namespace) headers['x-vault-namespace'] = this.options.namespace;
    if (body !== undefined) headers['content-type'] = 'application/json';
    // storeFetch bounds the whole exchange and the answer's size, and refuses redirects (the token
    // is never sent to another address).
    const response = await storeFetch(url, { method, headers, body, maxResponseBytes: VAULT_LIMITS.maxResponseBytes, timeoutMs: VAULT_LIMITS.requestTimeoutMs });
    const text = response.body.toString('utf8');
    let parsed: unknown;
    if (text !== '') {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = undefined;
      }
    }
    return { status: response.status, body: parsed };
  }

  private failure(operation: string, path: string, err: unknown): StoreError {
    const status = err instanceof VaultResponseError ? err.$metadata.httpStatusCode : undefined;
    if ((status === 401 || status === 403) && !this.options.token) {
      return new StoreError({
        code: STORE_ERROR_CODES.AUTH_FAILED,
        message: `store "${this.name}": ${operation} key "${path}" was refused (HTTP ${status}) and no Vault token is set`,
        where: storeWhere(this.name),
        fix: `set VAULT_TOKEN (or stores.${this.name}.options.token) to a token that may use ${this.options.mount}/`,
      });
    }
    if (err instanceof ResponseTooLargeError) {
      return new StoreError({
        code: STORE_ERROR_CODES.REQUEST_FAILED,
        message: `store "${this.name}": ${operation} key "${path}": the answer of ${this.options.address} is larger than ${VAULT_LIMITS.maxResponseBytes} bytes`,
        where: storeWhere(this.name),
        fix: 'check that the address points at Vault, and keep values under the store limit',
      });
    }
    return backendError(this.name, operation, path, this.options.address, err);
  }

  private tooMany(scope: string, what: string): StoreError {
    return new StoreError({
      code: STORE_ERROR_CODES.REQUEST_FAILED,
      message: `store "${this.name}": list of "${scope}" stopped: ${what}`,
      where: storeWhere(this.name),
      fix: 'list a narrower scope (one stack and component), or use the vault CLI for bulk listings',
    });
  }
}

/**
 * fetch reports network failures as `TypeError: fetch failed` with the cause carrying the code
 * (ECONNREFUSED, a TLS code, ...): the code becomes the error's name, nothing else of it is kept.
 */
function fetchFailure(e: unknown): unknown {
  if (e instanceof ResponseTooLargeError) return e;
  const err = e as { name?: unknown; cause?: { code?: unknown; name?: unknown } };
  if (err?.name === 'TimeoutError' || err?.name === 'AbortError') return { name: 'TimeoutError', code: 'ETIMEDOUT' };
  const code = typeof err?.cause?.code === 'string' ? err.cause.code : undefined;
  if (code) return { name: code, code };
  // fetch refuses some well-known ports (e.g. 9, 25, 6000) before connecting.
  if ((err?.cause as { message?: unknown } | undefined)?.message === 'bad port') return { name: 'PortBlockedByFetch' };
  return { name: typeof err?.cause?.name === 'string' ? err.cause.name : 'FetchError' };
}

/** No empty, `.` or `..` segment (they would change which endpoint the URL reaches). */
function safeSegments(path: string): boolean {
  return path.split('/').every((s) => s !== '' && s !== '.' && s !== '..' && !/^(%2e|\.){1,2}$/i.test(s));
}
