import { AwsConnector } from './aws-connection';
import type { AwsClientConfig, AwsStoreSetup } from './aws-connection';
import { BaseStore } from './base-store';
import type { StoreSettings } from './base-store';
import type { StoreAuthResolver, StoreCapabilities } from './store';
import { backendError } from './store-errors';
import type { ValueCodec } from './value-codec';

/** SSM and Secrets Manager can do everything, including identity-backed access (§5.5). */
export const AWS_STORE_CAPABILITIES: StoreCapabilities = {
  set: true,
  delete: true,
  list: true,
  has: true,
  emptyScope: true,
  local: false,
  identityAware: true,
};

/** Options of an AWS-backed store after validation. */
export interface AwsStoreOptions extends StoreSettings {
  readonly aws: AwsStoreSetup;
}

/**
 * What SSM and Secrets Manager stores share: one lazily built SDK client per store (the SDK is
 * imported on first use, so processes that never touch AWS do not load it), identity-backed
 * credentials (§5.5), and connection failures reported as the store's own error.
 */
export abstract class AwsStore<C extends { destroy(): void }> extends BaseStore {
  readonly capabilities = AWS_STORE_CAPABILITIES;
  private readonly connector: AwsConnector<C>;

  protected constructor(options: AwsStoreOptions, codec: ValueCodec, service: string, build: (config: AwsClientConfig) => Promise<C>) {
    super(options, codec);
    this.connector = new AwsConnector<C>(options.aws, service, build);
  }

  endpointLabel(): string {
    return this.connector.endpointLabel();
  }

  setAuthResolver(resolver: StoreAuthResolver, defaultIdentity?: string): void {
    // A client built with the previous credentials must not be reused.
    void this.connector.close();
    this.connector.setAuthResolver(resolver, defaultIdentity);
  }

  async close(): Promise<void> {
    await this.connector.close();
  }

  /** The SDK client and the endpoint label used in error messages. */
  protected async client(): Promise<{ client: C; connection: { endpointLabel: string } }> {
    try {
      return await this.connector.get();
    } catch (e) {
      throw backendError(this.name, 'connect', undefined, this.endpointLabel(), e);
    }
  }
}
