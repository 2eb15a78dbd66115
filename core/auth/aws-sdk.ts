import { isMap, str, type IdentityConfig, type ProviderConfig } from './auth-config';
import { AUTH_ERROR_CODES, authError } from './auth-errors';
import type { Chain } from './chain';
import { toSdkCredentials, type AwsCredentials } from './credentials';
import { AWS_CLIENT_LIMITS, awsClientOptions, type AwsClientOptions } from '../aws/client-options';

/**
 * Loading and configuring the AWS SDK clients auth uses (STS, SSO, SSO OIDC, KMS for SOPS).
 * The clients are loaded with dynamic `import()` so that a process that never authenticates
 * never loads the SDK. Every client gets an explicit region, endpoint (when one is configured),
 * credentials and time limits; ambient environment keys are never consulted.
 */

/** Client settings shared by every auth SDK client (time limits from core/aws/client-options). */
export type AwsClientSettings = AwsClientOptions<ReturnType<typeof toSdkCredentials>>;

/**
 * The time limits of every AWS client (core/aws/client-options), under auth's historical names.
 * Worst case per call: `maxAttempts` × `requestTimeout` plus the SDK's retry pause (under a second).
 */
export const AWS_AUTH_TIMEOUTS = {
  connectionTimeout: AWS_CLIENT_LIMITS.connectionTimeoutMs,
  requestTimeout: AWS_CLIENT_LIMITS.requestTimeoutMs,
  maxAttempts: AWS_CLIENT_LIMITS.maxAttempts,
} as const;

/**
 * The endpoint of `service` for a chain step: the step's own `spec.endpoint_url`, else the nearest
 * one up its chain (identity `via` → ... → provider), else `AWS_ENDPOINT_URL_<SERVICE>`, else
 * `AWS_ENDPOINT_URL`, else undefined (the public AWS endpoint).
 */
export function endpointFor(chain: Chain, stepIndex: number, service: string, env: NodeJS.ProcessEnv): string | undefined {
  for (let i = stepIndex; i >= 0; i--) {
    const e = stepEndpoint(chain.identities[i]);
    if (e) return e;
  }
  if (chain.provider) {
    const e = providerEndpoint(chain.provider);
    if (e) return e;
  }
  return str(env[`AWS_ENDPOINT_URL_${service.toUpperCase()}`]) ?? str(env.AWS_ENDPOINT_URL);
}

/** The endpoint a provider's own calls use (SSO OIDC/portal), from its spec or the environment. */
export function providerEndpointFor(provider: ProviderConfig, service: string, env: NodeJS.ProcessEnv): string | undefined {
  return providerEndpoint(provider) ?? str(env[`AWS_ENDPOINT_URL_${service.toUpperCase().replace(/-/g, '_')}`]) ?? str(env.AWS_ENDPOINT_URL);
}

/** The configured endpoint of the identity or, going up, of its via (no environment fallback). */
export function configuredEndpoint(chain: Chain): string | undefined {
  for (let i = chain.identities.length - 1; i >= 0; i--) {
    const e = stepEndpoint(chain.identities[i]);
    if (e) return e;
  }
  return chain.provider ? providerEndpoint(chain.provider) : undefined;
}

function stepEndpoint(id: IdentityConfig): string | undefined {
  const resolver = isMap(id.credentials.aws) && isMap(id.credentials.aws.resolver) ? str(id.credentials.aws.resolver.url) : undefined;
  return str(id.spec.endpoint_url) ?? resolver;
}

function providerEndpoint(p: ProviderConfig): string | undefined {
  return str(p.spec.endpoint_url);
}

/** Settings for one client. */
export function clientSettings(region: string, endpoint: string | undefined, creds?: AwsCredentials): AwsClientSettings {
  return awsClientOptions({ region, ...(endpoint ? { endpoint } : {}), ...(creds ? { credentials: toSdkCredentials(creds) } : {}) });
}

/** Error names by which STS says the calling credentials are expired or revoked. */
const EXPIRED_NAMES = new Set(['ExpiredToken', 'ExpiredTokenException', 'InvalidClientTokenId', 'UnrecognizedClientException', 'TokenRefreshRequired']);

/** The AWS error name of an SDK failure, if any. */
export function awsErrorName(e: unknown): string | undefined {
  if (e && typeof e === 'object') {
    const o = e as { name?: unknown; Code?: unknown; code?: unknown };
    for (const v of [o.name, o.Code, o.code]) if (typeof v === 'string' && v !== 'Error') return v;
  }
  return undefined;
}

/** True when an SDK failure means "the base credentials are expired or revoked". */
export function isExpiredCredentialsError(e: unknown): boolean {
  const n = awsErrorName(e);
  return n !== undefined && EXPIRED_NAMES.has(n);
}

/** True for a network failure or time-out (no answer from the endpoint). */
export function isNetworkError(e: unknown): boolean {
  const n = awsErrorName(e) ?? '';
  const code = (e as { code?: unknown })?.code;
  return ['TimeoutError', 'RequestTimeout', 'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EHOSTUNREACH'].includes(n) ||
    (typeof code === 'string' && ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EHOSTUNREACH'].includes(code));
}

/**
 * Turns an SDK failure of `action` for identity `name` into an AuthError with a stable code. The
 * SDK's message is kept (it names the error, never the keys); AWS never echoes secrets in errors.
 */
export function mapAwsError(e: unknown, action: string, name: string, where: string, endpoint: string | undefined, loginIdentity: string): Error {
  const awsName = awsErrorName(e) ?? 'Error';
  const detail = e instanceof Error ? e.message : String(e);
  if (isExpiredCredentialsError(e)) {
    return authError(
      AUTH_ERROR_CODES.CREDENTIALS_EXPIRED,
      `${action} for identity "${name}" failed: the base credentials are expired or revoked (${awsName})`,
      where,
      `run \`infrakey auth login --identity ${loginIdentity}\` to log in again`,
      e,
    );
  }
  if (isNetworkError(e)) {
    return authError(
      AUTH_ERROR_CODES.TIMEOUT,
      `${action} for identity "${name}" got no answer from ${endpoint ?? 'the AWS endpoint'} (${awsName}: ${detail})`,
      where,
      'check the network, the region and spec.endpoint_url / AWS_ENDPOINT_URL',
      e,
    );
  }
  return authError(AUTH_ERROR_CODES.STS_FAILED, `${action} for identity "${name}" failed (${awsName}: ${detail})`, where, 'check the role ARN, its trust policy and the base identity\'s permissions', e);
}
