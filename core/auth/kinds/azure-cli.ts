import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { homeDir } from '../../config/xdg';
import { str, type ProviderConfig } from '../auth-config';
import { AUTH_ERROR_CODES, authError } from '../auth-errors';
import { readJsonFile } from '../clouds/azure-cli-files';
import type { AzureCredentials } from '../clouds/azure-credentials';
import { AZURE_CLI_CLIENT_ID, azureCredentials, azureProviderSpec, checkAzureProviderSpec, msalAuthority, msalErrorText, msalNetworkClient, type ScopedToken } from '../clouds/azure-entra';
import type { StepContext } from '../step-context';
import type { ProviderKind } from './kind';

/** The Azure CLI's folder: `AZURE_CONFIG_DIR`, else `~/.azure` (as az resolves it). */
export function azureCliDir(env: NodeJS.ProcessEnv): string {
  return str(env.AZURE_CONFIG_DIR) ?? path.join(homeDir(env), '.azure');
}

interface ProfileSubscription {
  readonly id?: unknown;
  readonly tenantId?: unknown;
  readonly isDefault?: unknown;
  readonly user?: { readonly name?: unknown; readonly type?: unknown };
}

/**
 * `azure/cli` (Atmos `pkg/auth/providers/azure/cli.go`): the login the Azure CLI already holds.
 * Atmos runs `az account get-access-token --tenant T [--subscription S]`; infrakey does what that
 * command does inside az, without needing az or Python: it reads the CLI's `azureProfile.json` to
 * find the signed-in user of the tenant (and subscription), and asks MSAL, with the CLI's public
 * client id and the CLI's `msal_token_cache.json` as a read-only cache, for an ARM token
 * (`https://management.core.windows.net//.default`, az's default), a cached one when still
 * valid, else redeemed with the CLI's refresh token. Nothing is ever written to the CLI's files.
 * Ambient: re-read on every authentication, never cached (a later `az login` as someone else wins).
 */
export async function authenticateAzureCli(p: ProviderConfig, ctx: StepContext): Promise<AzureCredentials> {
  const spec = azureProviderSpec(p, ctx);
  const dir = azureCliDir(ctx.env);
  const profileFile = path.join(dir, 'azureProfile.json');
  const cacheFile = path.join(dir, 'msal_token_cache.json');
  const notLoggedIn = (why: string) =>
    authError(AUTH_ERROR_CODES.AZURE_CLI_NOT_LOGGED_IN, `provider "${p.name}" (azure/cli): Azure CLI not logged in: ${why}`, ctx.where(p.path), `run \`az login --tenant ${spec.tenantId}\` first (or set AZURE_CONFIG_DIR to the CLI's folder)`);
  const profile = (await readJsonFile(profileFile)) as { subscriptions?: ProfileSubscription[] } | undefined;
  const subs = Array.isArray(profile?.subscriptions) ? profile.subscriptions : [];
  const ofTenant = subs.filter((s) => s && s.tenantId === spec.tenantId);
  const chosen = spec.subscriptionId ? ofTenant.find((s) => s.id === spec.subscriptionId) : ofTenant.find((s) => s.isDefault === true) ?? ofTenant[0];
  if (!chosen) throw notLoggedIn(spec.subscriptionId ? `${profileFile} has no subscription ${spec.subscriptionId} of tenant ${spec.tenantId}` : `${profileFile} has no subscription of tenant ${spec.tenantId}`);
  const user = typeof chosen.user?.name === 'string' ? chosen.user.name : undefined;
  if (chosen.user?.type === 'servicePrincipal') {
    throw authError(AUTH_ERROR_CODES.KIND_UNSUPPORTED, `provider "${p.name}" (azure/cli): the Azure CLI is logged in as a service principal (${user ?? 'unknown'}); infrakey reads only user logins of the CLI`, ctx.where(p.path), 'use azure/oidc for service principals (workload identity federation)');
  }
  const cacheText = await fs.readFile(cacheFile, 'utf8').catch((e: unknown) => {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw notLoggedIn(`${cacheFile} does not exist (on Windows the CLI encrypts its cache as msal_token_cache.bin, which infrakey cannot read)`);
    throw e;
  });
  const { PublicClientApplication } = await import('@azure/msal-node');
  const app = new PublicClientApplication({
    auth: { clientId: AZURE_CLI_CLIENT_ID, ...msalAuthority(spec.cloud, spec.tenantId, ctx.env) },
    cache: {
      // Read-only: tokens MSAL redeems here stay in this process, never in the CLI's files.
      cachePlugin: {
        beforeCacheAccess: async (c) => c.tokenCache.deserialize(cacheText.replace(/^\uFEFF/, '')),
        afterCacheAccess: async () => undefined,
      },
    },
    system: { networkClient: msalNetworkClient(ctx.httpsCa) },
  });
  const accounts = await app.getTokenCache().getAllAccounts();
  const account =
    accounts.find((a) => a.username.toLowerCase() === user?.toLowerCase() && a.tenantId === spec.tenantId) ??
    accounts.find((a) => a.username.toLowerCase() === user?.toLowerCase());
  if (!account) throw notLoggedIn(`${cacheFile} holds no account for ${user ?? 'the profile\'s user'}`);
  const silent = async (scope: string): Promise<ScopedToken> => {
    const r = await app.acquireTokenSilent({ account, scopes: [scope], authority: msalAuthority(spec.cloud, spec.tenantId, ctx.env).authority });
    if (!r?.accessToken || !r.expiresOn) throw new Error('no access token');
    return { token: r.accessToken, expiresOn: r.expiresOn };
  };
  let management: ScopedToken;
  try {
    management = await silent(spec.cloud.legacyManagementScopes[1]);
  } catch (e) {
    throw notLoggedIn(`the CLI's login for ${account.username} cannot be used any more (${msalErrorText(e)})`);
  }
  // Atmos's azure/cli mints only the ARM token; a Key Vault token is added when the CLI's refresh
  // token allows it, so that an azure/keyvault store can use an azure/cli identity.
  const keyVault = await silent(spec.cloud.keyVaultScope).catch(() => undefined);
  return azureCredentials(p.name, {
    management,
    ...(keyVault ? { keyVault } : {}),
    spec,
    authMethod: 'cli',
    ...(typeof chosen.id === 'string' && !spec.subscriptionId ? { subscriptionId: chosen.id } : {}),
  });
}

/** The `azure/cli` provider kind. */
export const azureCliProviderKind: ProviderKind = {
  kind: 'azure/cli',
  ambient: true,
  validate: (p, report) => checkAzureProviderSpec(p, report),
  authenticate: authenticateAzureCli,
};
