import type { IdentityConfig, ProviderConfig } from './auth-config';

/** The synthetic root name of a chain that starts with an aws/user identity (file layout, §2.2; the aws/user kind's `rootFolder`). */
export const AWS_USER_ROOT = 'aws-user';

/**
 * An authentication chain, root first: an optional provider, then identities down to the target.
 * `rootName` names the credential-file folder: the provider, or `aws-user` for an aws/user root.
 */
export interface Chain {
  readonly provider?: ProviderConfig;
  readonly identities: readonly IdentityConfig[];
  readonly target: IdentityConfig;
  readonly rootName: string;
  /** `provider -> id1 -> ... -> target`, for messages and the process cache key. */
  readonly label: string;
}

/**
 * The first non-empty `principal[key]` walking from the target back to the root identity, then
 * the root provider's top-level field (Atmos `ResolvePrincipalSetting`; used for the region).
 */
export function resolvePrincipalSetting(chain: Chain, key: string): string | undefined {
  for (let i = chain.identities.length - 1; i >= 0; i--) {
    const v = chain.identities[i].principal[key];
    if (typeof v === 'string' && v !== '') return v;
  }
  if (key === 'region' && chain.provider?.region) return chain.provider.region;
  return undefined;
}
