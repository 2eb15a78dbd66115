/**
 * Azure Key Vault (`kind: azure/keyvault`, legacy `azure-key-vault`), as Atmos's
 * `AzureKeyVaultStore`: secret names are the composed path with every character outside
 * `[0-9A-Za-z-]` turned into `-` (runs collapsed, ends trimmed, `""` → `default`); values are
 * JSON-encoded; a raw key (`!store.get`) is only sanitised, without the prefix (Atmos `GetKey`).
 * Stack and component are required (no stack or global scope).
 *
 * The SDK (`@azure/keyvault-secrets`, `@azure/identity`) is imported on first use. Credentials:
 * the identity's Key Vault token when the store (or the component's default identity) names one,
 * else the DefaultAzureCredential chain; `without_authentication` sends a fixed local token
 * (emulators), as Atmos. Key Vault has no batch read: reads run in parallel, 8 at a time.
 */
import type { SecretClient, SecretClientOptions } from '@azure/keyvault-secrets';
import type { TokenCredential } from '@azure/identity';
import { StoreError } from '../../errors';
import { unsafeUnwrap } from '../../secret';
import { backendError, STORE_ERROR_CODES, storeWhere } from '../store-errors';
import { defineStoreKind, type RawRead, type StoreBackend, type StoreOptionsInput } from '../store-kind';
import type { StoreAuthResolver } from '../store';
import { booleanOption, boundedCall, CallTimeoutError, TOKEN_STORE_LIMITS, TokenConnector, type TokenSource } from '../token-connector';
import { jsonCodec } from '../value-codec';

/** Key Vault accepts secret values up to 25 KB. */
export const AZURE_KEYVAULT_MAX_VALUE_BYTES = 25 * 1024;

/** Key Vault names allow only `[0-9A-Za-z-]`: other characters become `-`, runs collapse, ends trim. */
export function azureSecretName(s: string): string {
  const cleaned = s
    .replace(/[^0-9A-Za-z-]/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-+|-+$/g, '');
  return cleaned === '' ? 'default' : cleaned;
}

/** Options of an Azure Key Vault store (Atmos `AzureKeyVaultStoreOptions`). */
export interface AzureKeyVaultOptions {
  /** `options.vault_url`, else `options.endpoint`. */
  readonly vaultUrl: string;
  readonly disableChallengeResourceVerification: boolean;
  /** A fixed local token instead of real credentials (emulators). */
  readonly withoutAuthentication: boolean;
  /** Allows an `http://` vault URL (`insecure_allow_credential_with_http`, `endpoint_insecure`, or `without_authentication`). */
  readonly allowHttp: boolean;
}

/**
 * Process-wide hooks of this kind (`kindHooks['azure/keyvault']`): SDK client options merged in
 * (tests give an `agent` that trusts an emulator's certificate) and a credential used instead of
 * the default chain.
 */
export interface AzureKeyVaultHooks {
  readonly clientOptions?: Partial<SecretClientOptions>;
  readonly credential?: TokenCredential;
}

/** The Azure Key Vault kind. */
export const azureKeyVaultKind = defineStoreKind<AzureKeyVaultOptions>({
  name: 'azure/keyvault',
  aliases: ['azure-key-vault'],
  secret: 'optional',
  auth: 'azure',
  // Atmos GetKey: the raw key only sanitised; the prefix is not applied.
  keys: { stackDelimiter: '-', finalDelimiter: '-', sanitize: azureSecretName, rawKeyPath: (_prefix, raw) => azureSecretName(raw), emptyScope: false },
  codec: () => jsonCodec,
  maxValueBytes: () => AZURE_KEYVAULT_MAX_VALUE_BYTES,
  options: readAzureOptions,
  create: (setup) => new AzureKeyVaultBackend(setup.name, setup.kind, setup.identity, setup.options, (setup.hooks.byKind?.['azure/keyvault'] ?? {}) as AzureKeyVaultHooks),
});

function readAzureOptions(input: StoreOptionsInput): AzureKeyVaultOptions {
  const flag = (key: string): boolean => booleanOption(input, key);
  const vaultUrl = input.option('vault_url') || input.option('endpoint') || '';
  const withoutAuthentication = flag('without_authentication');
  const allowHttp = flag('insecure_allow_credential_with_http') || flag('endpoint_insecure') || withoutAuthentication;
  const disableChallengeResourceVerification = flag('disable_challenge_resource_verification');
  if (vaultUrl === '') {
    input.problem('vault_url is required in azure key vault store configuration', `set stores.${input.name}.options.vault_url to the vault's URI (e.g. https://my-vault.vault.azure.net)`, 'vault_url');
  } else if (!validUrl(vaultUrl, allowHttp)) {
    input.problem(
      `options.vault_url must be an https URL${allowHttp ? ' (or http)' : ''}`,
      `set stores.${input.name}.options.vault_url to e.g. https://my-vault.vault.azure.net (an http:// emulator needs insecure_allow_credential_with_http: true)`,
      input.options.vault_url !== undefined ? 'vault_url' : 'endpoint',
    );
  }
  return { vaultUrl, disableChallengeResourceVerification, withoutAuthentication, allowHttp };
}

function validUrl(s: string, allowHttp: boolean): boolean {
  try {
    const u = new URL(s);
    return u.protocol === 'https:' || (allowHttp && u.protocol === 'http:');
  } catch {
    return false;
  }
}

/** Credential errors of `@azure/identity`: no credentials could be obtained. */
const CREDENTIAL_ERRORS = new Set(['CredentialUnavailableError', 'AuthenticationError', 'AggregateAuthenticationError', 'AuthenticationRequiredError']);

class AzureKeyVaultBackend implements StoreBackend {
  private readonly connector: TokenConnector<SecretClient>;
  /** The first operation of the current client, which the others wait for (see `call`). */
  private firstCall?: { client: SecretClient; done: Promise<void> };

  constructor(
    private readonly store: string,
    kind: string,
    identity: string | undefined,
    private readonly options: AzureKeyVaultOptions,
    private readonly hooks: AzureKeyVaultHooks,
  ) {
    this.connector = new TokenConnector<SecretClient>({ name: store, kind, cloud: 'azure', identity }, (token) => this.build(token));
  }

  endpointLabel(): string {
    return this.options.vaultUrl;
  }

  setAuthResolver(resolver: StoreAuthResolver, defaultIdentity?: string): void {
    this.connector.setAuthResolver(resolver, defaultIdentity);
  }

  async close(): Promise<void> {
    await this.connector.close();
  }

  async readOne(path: string): Promise<RawRead> {
    try {
      const secret = await this.call('GetSecret', path, (c, o) => c.getSecret(path, o));
      return { raw: secret.value ?? '' };
    } catch (e) {
      if (statusOf(e) === 404) return 'missing';
      const err = this.failure('GetSecret', path, e);
      // Unreachable or no credentials: every read would fail the same way.
      if (err.code === STORE_ERROR_CODES.UNREACHABLE || err.code === STORE_ERROR_CODES.AUTH_FAILED) throw err;
      return err;
    }
  }

  async write(path: string, encoded: string): Promise<void> {
    try {
      await this.call('SetSecret', path, (c, o) => c.setSecret(path, encoded, o));
    } catch (e) {
      if (statusOf(e) === 409) {
        throw new StoreError({
          code: STORE_ERROR_CODES.REQUEST_FAILED,
          message: `store "${this.store}": SetSecret key "${path}" was refused (Conflict, HTTP 409): the secret is deleted but recoverable (soft delete)`,
          where: storeWhere(this.store),
          fix: `recover it (az keyvault secret recover --name ${path}) or purge it (az keyvault secret purge --name ${path}), then write again`,
        });
      }
      throw this.failure('SetSecret', path, e);
    }
  }

  /** Soft-deletes the secret and waits until Key Vault reports it deleted; a missing secret is not an error. */
  async remove(path: string): Promise<void> {
    try {
      await this.call('DeleteSecret', path, async (c, o) => {
        const poller = await c.beginDeleteSecret(path, { ...o, intervalInMs: 250 });
        return poller.pollUntilDone({ abortSignal: o.abortSignal });
      });
    } catch (e) {
      if (statusOf(e) === 404) return;
      throw this.failure('DeleteSecret', path, e);
    }
  }

  /** Existence from the secret's versions listing: metadata only, the value is never read (as Atmos). */
  async exists(path: string): Promise<boolean> {
    try {
      await this.call('ListSecretVersions', path, async (c, o) => {
        const page = c.listPropertiesOfSecretVersions(path, o).byPage({ maxPageSize: 1 });
        return page.next();
      });
      return true;
    } catch (e) {
      if (statusOf(e) === 404) return false;
      throw this.failure('ListSecretVersions', path, e);
    }
  }

  /**
   * Key Vault has no server-side name filter: every secret's properties are listed (no values)
   * and filtered here by the sanitised scope plus `-`, as Atmos `Keys`.
   */
  async list(scope: string): Promise<string[]> {
    const prefix = scope === '' ? '' : `${azureSecretName(scope)}-`;
    try {
      return await this.call('ListSecrets', prefix, async (c, o) => {
        const names: string[] = [];
        for await (const p of c.listPropertiesOfSecrets(o)) {
          if (p.name.startsWith(prefix) && p.name.length > prefix.length) names.push(p.name.slice(prefix.length));
        }
        return names;
      });
    } catch (e) {
      throw this.failure('ListSecrets', undefined, e);
    }
  }

  /**
   * One SDK operation under the store's time limits. The first operation of a client runs alone:
   * the SDK's challenge authentication sends its first request without a body and restores the
   * body only while the challenge is still pending, so a write racing it would go out empty
   * (HTTP 400) once another request completed the challenge.
   */
  private async call<T>(_operation: string, _path: string, fn: (client: SecretClient, options: { abortSignal: AbortSignal; requestOptions: { timeout: number } }) => Promise<T>): Promise<T> {
    const client = await this.connector.get();
    const run = (): Promise<T> => boundedCall((abortSignal) => fn(client, { abortSignal, requestOptions: { timeout: TOKEN_STORE_LIMITS.tryTimeoutMs } }));
    if (this.firstCall?.client !== client) {
      const first = run();
      this.firstCall = { client, done: first.then(() => undefined, () => undefined) };
      return first;
    }
    await this.firstCall.done;
    return run();
  }

  private async build(token: TokenSource): Promise<SecretClient> {
    const { SecretClient } = await import('@azure/keyvault-secrets');
    const credential = await this.credential(token);
    // The dynamic import resolves the package's ESM typings, the type import its CommonJS ones: same class.
    const client: unknown = new SecretClient(this.options.vaultUrl, credential, {
      disableChallengeResourceVerification: this.options.disableChallengeResourceVerification,
      allowInsecureConnection: this.options.allowHttp,
      retryOptions: { maxRetries: TOKEN_STORE_LIMITS.maxRetries, retryDelayInMs: 200, maxRetryDelayInMs: 1000 },
      ...this.hooks.clientOptions,
    });
    return client as SecretClient;
  }

  private async credential(token: TokenSource): Promise<TokenCredential> {
    if (token) {
      return {
        getToken: async () => {
          const t = await token();
          return { token: unsafeUnwrap(t.token), expiresOnTimestamp: (t.expiresOn ?? new Date(Date.now() + 3600_000)).getTime() };
        },
      };
    }
    if (this.options.withoutAuthentication) {
      // Atmos's localAzureTokenCredential: a fixed, non-functional token for emulators.
      return { getToken: async () => ({ token: 'infrakey-local-token', expiresOnTimestamp: Date.now() + 3600_000 }) };
    }
    if (this.hooks.credential) return this.hooks.credential;
    const { DefaultAzureCredential } = await import('@azure/identity');
    return new DefaultAzureCredential();
  }

  /** Maps an SDK failure to a store error, without the backend's text. */
  private failure(operation: string, path: string | undefined, e: unknown): StoreError {
    if (e instanceof StoreError) return e;
    const name = (e as { name?: unknown })?.name;
    if (typeof name === 'string' && CREDENTIAL_ERRORS.has(name)) {
      return new StoreError({
        code: STORE_ERROR_CODES.AUTH_FAILED,
        message: `store "${this.store}": no Azure credentials for ${operation}${path !== undefined ? ` key "${path}"` : ''} (${name})`,
        where: storeWhere(this.store),
        fix: "set the store's `identity` to an Azure identity and log in, or provide credentials to the DefaultAzureCredential chain (az login, AZURE_CLIENT_ID/AZURE_TENANT_ID/AZURE_CLIENT_SECRET, managed identity)",
      });
    }
    return backendError(this.store, operation, path, this.endpointLabel(), normalizeAzureError(e));
  }
}

/** The HTTP status of an Azure RestError, if any. */
function statusOf(e: unknown): number | undefined {
  const s = (e as { statusCode?: unknown })?.statusCode;
  return typeof s === 'number' ? s : undefined;
}

/** Reshapes an Azure error so the common classifier reads its code and status (never its text). */
function normalizeAzureError(e: unknown): unknown {
  if (e instanceof CallTimeoutError) return e;
  const x = (e ?? {}) as { name?: unknown; code?: unknown; statusCode?: unknown; message?: unknown };
  const status = statusOf(e);
  if (status !== undefined) return { name: typeof x.code === 'string' ? x.code : 'RestError', $metadata: { httpStatusCode: status } };
  if (x.name === 'AbortError') return { name: 'TimeoutError' };
  return e;
}
