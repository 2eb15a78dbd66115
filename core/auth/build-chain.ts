import { findIdentity, findProvider, invalidNameError, nameProblem, type AuthConfig, type IdentityConfig, type ProviderConfig } from './auth-config';
import { AUTH_ERROR_CODES, authError, identityPath, locateWhere } from './auth-errors';
import { resolvePrincipalSetting, type Chain } from './chain';
import { identityKind, isStandaloneIdentityKind } from './kinds/registry';

/**
 * Walks from `name` back through `via` to a provider or a standalone identity (§1.7). A cycle is
 * an `AUTH_CYCLE` error listing its members in order; an unknown `via` is `AUTH_VIA_UNKNOWN`.
 */
export function buildChain(config: AuthConfig, name: string): Chain {
  const target = findIdentity(config, name);
  if (!target) {
    throw authError(
      AUTH_ERROR_CODES.IDENTITY_NOT_FOUND,
      `identity not found: "${name}" is not defined in the currently loaded auth config`,
      locateWhere('auth.identities', config.locate),
      `define ${identityPath(name.toLowerCase())} in atmos.yaml, or pick one listed by \`infrakey auth list\``,
    );
  }
  const walked: IdentityConfig[] = [];
  let current: IdentityConfig = target;
  let provider: ProviderConfig | undefined;
  for (;;) {
    const seen = walked.findIndex((i) => i.name === current.name);
    if (seen >= 0) {
      const members = [...walked.slice(seen).map((i) => i.name), current.name];
      throw authError(
        AUTH_ERROR_CODES.CYCLE,
        `circular dependency detected in identity chain: ${members.join(' -> ')}`,
        locateWhere(`${current.path}.via`, config.locate),
        `make one of ${[...new Set(members)].map((m) => `"${m}"`).join(', ')} use via.provider (or no via for aws/user) so the chain ends`,
      );
    }
    walked.push(current);
    const via = current.via;
    if (!via || (!via.provider && !via.identity)) {
      if (isStandaloneIdentityKind(current.kind)) break;
      throw authError(
        AUTH_ERROR_CODES.VIA_INVALID,
        `invalid identity config: identity "${current.name}" has no via configuration`,
        locateWhere(current.path, config.locate),
        `add via: {provider: NAME} or via: {identity: NAME} to ${current.path}`,
      );
    }
    if (via.provider) {
      provider = findProvider(config, via.provider);
      if (!provider) {
        throw authError(
          AUTH_ERROR_CODES.VIA_UNKNOWN,
          `identity "${current.name}": referenced provider "${via.provider}" does not exist`,
          locateWhere(`${current.path}.via.provider`, config.locate),
          `define auth.providers.${via.provider} or fix the name in ${current.path}.via.provider`,
        );
      }
      break;
    }
    const next = findIdentity(config, via.identity!);
    if (!next) {
      throw authError(
        AUTH_ERROR_CODES.VIA_UNKNOWN,
        `identity "${current.name}": referenced identity "${via.identity}" does not exist`,
        locateWhere(`${current.path}.via.identity`, config.locate),
        `define ${identityPath(via.identity!)} or fix the name in ${current.path}.via.identity`,
      );
    }
    current = next;
  }
  const identities = walked.reverse();
  // A bad name is refused before anything is authenticated or written (it would become a path
  // outside the realm, or a section header in the shared credentials file).
  for (const step of [...(provider ? [provider] : []), ...identities]) {
    const problem = nameProblem(step.displayName);
    if (problem) throw invalidNameError(step === provider ? 'provider' : 'identity', step.displayName, problem, locateWhere(step.path, config.locate));
  }
  const rootName = provider ? provider.name : identityKind(identities[0].kind)?.rootFolder ?? identities[0].name;
  const label = [...(provider ? [provider.name] : []), ...identities.map((i) => i.name)].join(' -> ');
  return { provider, identities, target, rootName, label };
}


/**
 * The region of a chain (Atmos's rule, in one place): a chain that is one standalone identity
 * whose kind has its own region field (aws/user `credentials.region`) uses that; every other
 * chain the first `principal.region` from the target back, then the provider's `region`.
 */
export function chainRegion(chain: Chain): string | undefined {
  const root = !chain.provider && chain.identities.length === 1 ? identityKind(chain.target.kind) : undefined;
  if (root?.rootRegion) return root.rootRegion(chain.target);
  return resolvePrincipalSetting(chain, 'region');
}
