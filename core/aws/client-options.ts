/**
 * The one place that sets how every AWS SDK client infrakey builds (SSM and Secrets Manager
 * stores, STS, SSO, SSO OIDC, KMS) waits for AWS. Without `throwOnRequestTimeout` the installed
 * `@smithy/node-http-handler` only logs a warning when `requestTimeout` passes, so an endpoint
 * that accepts the connection and never answers would hold a command forever.
 *
 * Bound of one SDK call: `maxAttempts × requestTimeoutMs` plus the SDK's retry back-off (under a
 * second for one retry), i.e. about 12.5 s; a refused or unroutable endpoint fails within
 * `maxAttempts × connectionTimeoutMs`.
 */

/** Time limits of every AWS client (documented in the README's guarantees). */
export const AWS_CLIENT_LIMITS = {
  /** TCP (and TLS) connection set-up. */
  connectionTimeoutMs: 2000,
  /** One HTTP request, from sending to the last byte of the answer. */
  requestTimeoutMs: 6000,
  /** Attempts per call, the first included. */
  maxAttempts: 2,
} as const;

/** The longest one SDK call can take before it fails (attempts × request time + back-off). */
export const AWS_CALL_BOUND_MS = AWS_CLIENT_LIMITS.maxAttempts * AWS_CLIENT_LIMITS.requestTimeoutMs + 1000;

/** What the caller decides per client. */
export interface AwsClientTarget<C> {
  readonly region: string;
  /** Undefined: the SDK's public endpoint. */
  readonly endpoint?: string;
  /** Undefined: the SDK default chain. */
  readonly credentials?: C;
}

/** The SDK client configuration: the target plus the time limits. */
export interface AwsClientOptions<C> {
  region: string;
  endpoint?: string;
  credentials?: C;
  maxAttempts: number;
  requestHandler: { connectionTimeout: number; requestTimeout: number; throwOnRequestTimeout: true };
}

/** Configuration for `new XxxClient(...)` of any AWS SDK v3 client. */
export function awsClientOptions<C>(target: AwsClientTarget<C>): AwsClientOptions<C> {
  return {
    region: target.region,
    ...(target.endpoint !== undefined && target.endpoint !== '' ? { endpoint: target.endpoint } : {}),
    ...(target.credentials !== undefined ? { credentials: target.credentials } : {}),
    maxAttempts: AWS_CLIENT_LIMITS.maxAttempts,
    requestHandler: {
      connectionTimeout: AWS_CLIENT_LIMITS.connectionTimeoutMs,
      requestTimeout: AWS_CLIENT_LIMITS.requestTimeoutMs,
      throwOnRequestTimeout: true,
    },
  };
}
