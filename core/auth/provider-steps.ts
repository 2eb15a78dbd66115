import type { ProviderConfig } from './auth-config';
import { AUTH_ERROR_CODES, authError } from './auth-errors';
import type { Credentials } from './credentials';
import { authenticateGithubOidc } from './kinds/github-oidc';
import { authenticateSsoProvider, cachedSsoToken } from './kinds/sso-provider';
import type { StepContext } from './step-context';

/** A provider's cached credentials (IAM Identity Center token in the keyring), if still good. */
export async function cachedProviderStep(provider: ProviderConfig, ctx: StepContext): Promise<Credentials | undefined> {
  if (provider.kind === 'aws/iam-identity-center') return cachedSsoToken(provider, ctx);
  return undefined;
}

/** Authenticates a provider from nothing. */
export async function authenticateProviderStep(provider: ProviderConfig, ctx: StepContext): Promise<Credentials> {
  switch (provider.kind) {
    case 'aws/iam-identity-center':
      return authenticateSsoProvider(provider, ctx);
    case 'github/oidc':
      return authenticateGithubOidc(provider, ctx);
    case 'mock':
    case 'mock/aws':
      return { type: 'mock' };
    default:
      throw authError(AUTH_ERROR_CODES.KIND_UNSUPPORTED, `provider "${provider.name}": kind ${provider.kind} is not implemented by infrakey`, ctx.where(`${provider.path}.kind`), 'use an aws/iam-identity-center or github/oidc provider');
  }
}
