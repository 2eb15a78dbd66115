/**
 * What the AWS kinds (SSM, Secrets Manager) share: their options (region, endpoint), one lazily
 * built SDK client per store (the SDK is imported on first use, so processes that never touch AWS
 * do not load it), identity-backed credentials (§5.5), and connection failures reported as the
 * store's own error.
 */
import { AwsConnector } from './aws-connection';
import type { AwsClientConfig, AwsStoreSetup } from './aws-connection';
import type { StoreAuthResolver } from './store';
import { backendError } from './store-errors';
import { isHttpUrl } from './store-http';
import type { StoreOptionsInput, StoreSetup } from './store-kind';

/** Options every AWS kind reads. */
export interface AwsKindOptions {
  readonly region: string;
  /** `options.endpoint` ?? `options.endpoint_url`. */
  readonly endpoint?: string;
}

/** Reads `region` (required, Atmos's message) and `endpoint`/`endpoint_url` (an http(s) URL). */
export function readAwsOptions(input: StoreOptionsInput, service: string): AwsKindOptions {
  const region = input.option('region');
  if (!region) {
    input.problem(`region is required in ${service} store configuration`, `set stores.${input.name}.options.region (e.g. us-east-1)`, 'region');
  }
  const endpoint = input.option('endpoint') || input.option('endpoint_url') || undefined;
  if (endpoint !== undefined && !isHttpUrl(endpoint)) {
    input.problem('options.endpoint must be an http(s) URL', `set stores.${input.name}.options.endpoint to e.g. http://127.0.0.1:4566`, input.options.endpoint !== undefined ? 'endpoint' : 'endpoint_url');
  }
  return { region: region ?? '', endpoint };
}

/** The connection setup of an AWS store. */
export function awsSetup(setup: StoreSetup<AwsKindOptions>): AwsStoreSetup {
  return {
    name: setup.name,
    kind: setup.kind,
    region: setup.options.region,
    endpoint: setup.options.endpoint,
    identity: setup.identity,
    credentials: setup.hooks.awsCredentials?.({ name: setup.name, identity: setup.identity }),
    env: setup.env,
    onClient: setup.hooks.onClient,
  };
}

/** Base of the AWS backends: the client, its endpoint label, auth and close. */
export abstract class AwsBackend<C extends { destroy(): void }> {
  private readonly connector: AwsConnector<C>;

  protected constructor(
    protected readonly store: string,
    setup: AwsStoreSetup,
    service: string,
    build: (config: AwsClientConfig) => Promise<C>,
  ) {
    this.connector = new AwsConnector<C>(setup, service, build);
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
      throw backendError(this.store, 'connect', undefined, this.endpointLabel(), e);
    }
  }
}
