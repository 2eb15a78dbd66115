/**
 * How a token-based cloud store (Azure Key Vault, Google Secret Manager) gets its SDK client:
 * built lazily on the first operation (the SDK is imported then, not at config load), with the
 * identity's bearer token when the store (or the component's default identity) names one (§5.5),
 * else the SDK's own default chain (DefaultAzureCredential, Application Default Credentials).
 */
import { disposeMemoized, memoizeAsync } from '../async/memoize-async';
import { StoreError } from '../errors';
import { causeSummary } from '../masking/cause-summary';
import type { StoreAuthResolver, StoreBearerToken, StoreCloud, StoreKind } from './store';
import { STORE_ERROR_CODES, storeWhere } from './store-errors';
import type { StoreOptionsInput } from './store-kind';

/** A source of bearer tokens; undefined: the SDK's default chain. */
export type TokenSource = (() => Promise<StoreBearerToken>) | undefined;

/** Who the connector builds a client for. */
export interface TokenConnectorSetup {
  readonly name: string;
  readonly kind: StoreKind;
  readonly cloud: Exclude<StoreCloud, 'aws'>;
  readonly identity?: string;
}

/** One lazily built client per store; rebuilt when the auth resolver or identity changes. */
export class TokenConnector<C> {
  private resolver?: StoreAuthResolver;
  private defaultIdentity?: string;
  // A failure is not cached: the next call tries again.
  private readonly client = memoizeAsync(() => this.create());

  constructor(
    private readonly setup: TokenConnectorSetup,
    private readonly build: (token: TokenSource) => Promise<C>,
    private readonly dispose: (client: C) => Promise<void> | void = () => undefined,
  ) {}

  /** Adopts the auth resolver; a store without its own identity adopts `defaultIdentity` (§5.5). */
  setAuthResolver(resolver: StoreAuthResolver, defaultIdentity?: string): void {
    void this.close();
    this.resolver = resolver;
    this.defaultIdentity = defaultIdentity;
  }

  /** The identity the store authenticates with, if any. */
  effectiveIdentity(): string | undefined {
    return this.setup.identity ?? this.defaultIdentity;
  }

  /** The SDK client, created once. */
  get(): Promise<C> {
    return this.client();
  }

  /** Releases the client (idempotent). */
  async close(): Promise<void> {
    await disposeMemoized(this.client, this.dispose);
  }

  private async create(): Promise<C> {
    const identity = this.effectiveIdentity();
    if (identity === undefined) return this.build(undefined);
    const { name, kind, cloud } = this.setup;
    if (!this.resolver) {
      // Atmos: "store identity is configured but auth resolver is not set".
      throw new StoreError({
        code: STORE_ERROR_CODES.AUTH_FAILED,
        message: `store "${name}" requires identity "${identity}" but no auth resolver was injected`,
        where: storeWhere(name),
        fix: 'load the store through a Workspace (or give buildStoreRegistry an `auth` resolver), or remove the store\'s identity to use the SDK default chain',
      });
    }
    let token: TokenSource;
    try {
      const ctx = await this.resolver(identity, { name, kind, cloud, ...(this.setup.identity === undefined ? { adopted: true } : {}) });
      token = ctx.token;
    } catch (e) {
      if (e instanceof StoreError) throw e;
      throw new StoreError({
        code: STORE_ERROR_CODES.AUTH_FAILED,
        message: `store "${name}": auth context not available for identity "${identity}" (${causeSummary(e)})`,
        where: storeWhere(name),
        fix: `fix the cause shown in parentheses; then, if the session is gone, log in with the identity (infrakey auth login -i ${identity}) or check auth.identities.${identity}`,
        cause: e,
      });
    }
    // A resolver that gives no token (auth disabled with ATMOS_IDENTITY=false): the default chain, as Atmos.
    return this.build(token);
  }
}

/**
 * Time limits of the Azure and GCP store clients: each SDK try is cut after `tryTimeoutMs`, and a
 * whole call (retries and the token request included) after `callBoundMs`, so a silent endpoint
 * fails with STORE_UNREACHABLE instead of hanging.
 */
export const TOKEN_STORE_LIMITS = {
  tryTimeoutMs: 6000,
  maxRetries: 1,
  callBoundMs: 13_000,
} as const;

/** Thrown when a call passes {@link TOKEN_STORE_LIMITS.callBoundMs}; classified as unreachable. */
export class CallTimeoutError extends Error {
  readonly code = 'ETIMEDOUT';
  constructor(ms: number) {
    super(`no answer within ${ms} ms`);
    this.name = 'TimeoutError';
  }
}

/**
 * Runs `call` with an abort signal that fires after `ms`, and rejects with {@link CallTimeoutError}
 * then even if the SDK does not honour the signal.
 */
export async function boundedCall<T>(call: (signal: AbortSignal) => Promise<T>, ms: number = TOKEN_STORE_LIMITS.callBoundMs): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(new CallTimeoutError(ms));
    }, ms);
  });
  try {
    return await Promise.race([call(controller.signal), deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * A boolean option (`true`/`false`, written as a YAML boolean or string); absent or empty: false.
 * Anything else is recorded as a problem of `options.<key>`.
 */
export function booleanOption(input: StoreOptionsInput, key: string): boolean {
  const v = input.option(key);
  if (v === undefined || v === '' || v === 'false') return false;
  if (v === 'true') return true;
  input.problem(`options.${key} must be true or false`, `set stores.${input.name}.options.${key} to true or false`, key);
  return false;
}
