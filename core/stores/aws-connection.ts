/**
 * How an AWS-backed store reaches AWS: region, endpoint and credentials, resolved lazily on the
 * first operation (Atmos builds its SDK clients lazily too, §5.5), so that loading a config with
 * AWS stores neither loads the SDK nor authenticates.
 *
 * Precedence: the store's `endpoint` (wins over `endpoint_url`) → the identity's endpoint →
 * `AWS_ENDPOINT_URL_<SERVICE>` → `AWS_ENDPOINT_URL` → the public AWS endpoint. Credentials: the
 * injected provider → the identity's → the SDK default chain.
 */
import { awsClientOptions, type AwsClientOptions } from '../aws/client-options';
import { disposeMemoized, memoizeAsync } from '../async/memoize-async';
import { StoreError } from '../errors';
import { causeSummary } from '../masking/cause-summary';
import type { AwsCredentialsProvider, StoreAuthResolver, StoreKind } from './store';
import { STORE_ERROR_CODES, storeWhere } from './store-errors';

/** What an AWS store was configured with. */
export interface AwsStoreSetup {
  readonly name: string;
  readonly kind: StoreKind;
  readonly region: string;
  /** `options.endpoint` ?? `options.endpoint_url`. */
  readonly endpoint?: string;
  readonly identity?: string;
  /** An injected credentials provider (tests, the auth layer); wins over identity and chain. */
  readonly credentials?: AwsCredentialsProvider;
  readonly env: NodeJS.ProcessEnv;
  /** Called with every SDK client the store creates (middleware for call counting, tracing). */
  readonly onClient?: (client: unknown, info: { store: string; service: string }) => void;
}

/** The resolved connection. */
export interface AwsConnection {
  readonly region: string;
  /** Undefined: the SDK's public endpoint. */
  readonly endpoint?: string;
  /** Where requests go, for messages. */
  readonly endpointLabel: string;
  readonly credentials?: AwsCredentialsProvider;
}

/**
 * Resolves and caches an AWS connection and the SDK client built on it. `service` is the SDK's
 * endpoint id (`ssm`, `secretsmanager`) used for `AWS_ENDPOINT_URL_<SERVICE>` and messages.
 */
export class AwsConnector<C extends { destroy(): void }> {
  private resolver?: StoreAuthResolver;
  private defaultIdentity?: string;
  // A failure is not cached: the next call tries again.
  private readonly client = memoizeAsync(() => this.create());

  constructor(
    private readonly setup: AwsStoreSetup,
    private readonly service: string,
    private readonly build: (config: AwsClientConfig) => Promise<C>,
  ) {}

  /** Adopts the auth resolver; a store without its own identity adopts `defaultIdentity` (§5.5). */
  setAuthResolver(resolver: StoreAuthResolver, defaultIdentity?: string): void {
    this.resolver = resolver;
    this.defaultIdentity = defaultIdentity;
    this.client.clear();
  }

  /** The identity the store authenticates with, if any. */
  effectiveIdentity(): string | undefined {
    return this.setup.identity ?? this.defaultIdentity;
  }

  /** Best-known endpoint before the client exists (for messages). */
  endpointLabel(): string {
    return this.staticEndpoint() ?? `https://${this.service}.${this.setup.region}.amazonaws.com`;
  }

  /** The SDK client, created once. A failure is not cached: the next call tries again. */
  get(): Promise<{ client: C; connection: AwsConnection }> {
    return this.client();
  }

  /** Destroys the SDK client (its keep-alive sockets would hold the process open). */
  async close(): Promise<void> {
    await disposeMemoized(this.client, ({ client }) => client.destroy());
  }

  private staticEndpoint(): string | undefined {
    const env = this.setup.env;
    const serviceVar = `AWS_ENDPOINT_URL_${this.service.toUpperCase()}`;
    return nonEmpty(this.setup.endpoint) ?? nonEmpty(env[serviceVar]) ?? nonEmpty(env.AWS_ENDPOINT_URL);
  }

  private async create(): Promise<{ client: C; connection: AwsConnection }> {
    let region = this.setup.region;
    let endpoint = nonEmpty(this.setup.endpoint);
    let credentials = this.setup.credentials;
    const identity = this.effectiveIdentity();
    if (identity !== undefined && this.resolver) {
      try {
        const ctx = await this.resolver(identity, { name: this.setup.name, kind: this.setup.kind, cloud: 'aws' });
        region = region || ctx.region || '';
        endpoint = endpoint ?? nonEmpty(ctx.endpointUrl);
        credentials = credentials ?? ctx.credentials;
      } catch (e) {
        if (e instanceof StoreError) throw e;
        throw new StoreError({
          code: STORE_ERROR_CODES.AUTH_FAILED,
          message: `store "${this.setup.name}": auth context not available for identity "${identity}" (${causeSummary(e)})`,
          where: storeWhere(this.setup.name),
          fix: `fix the cause shown in parentheses; then, if the session is gone, log in with the identity (infrakey auth login -i ${identity}) or check auth.identities.${identity}`,
          cause: e,
        });
      }
    }
    endpoint = endpoint ?? this.staticEndpoint();
    const connection: AwsConnection = {
      region,
      endpoint,
      endpointLabel: endpoint ?? `https://${this.service}.${region}.amazonaws.com`,
      credentials,
    };
    // Time limits (connect, request, attempts) come from the one helper every AWS client uses.
    const client = await this.build(awsClientOptions({ region, endpoint, credentials }));
    this.setup.onClient?.(client, { store: this.setup.name, service: this.service });
    return { client, connection };
  }
}

/** The SDK client config the stores set. */
export type AwsClientConfig = AwsClientOptions<AwsCredentialsProvider>;

function nonEmpty(s: string | undefined): string | undefined {
  return s === undefined || s === '' ? undefined : s;
}
