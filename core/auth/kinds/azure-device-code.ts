import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { AccountInfo, PublicClientApplication } from '@azure/msal-node';
import { writeFileAtomic } from '../../fs/atomic-write';
import { withFileLock } from '../../fs/file-lock';
import { xdgCacheHome } from '../../config/xdg';
import { str, type ProviderConfig } from '../auth-config';
import { AUTH_ERROR_CODES, authError } from '../auth-errors';
import { forgetTenant } from '../clouds/azure-cli-files';
import type { AzureCredentials } from '../clouds/azure-credentials';
import {
  AZURE_CLI_CLIENT_ID,
  azureCredentials,
  azureFailure,
  azureProviderSpec,
  checkAzureProviderSpec,
  msalAuthority,
  msalErrorText,
  msalNetworkClient,
  type AzureProviderSpec,
  type ScopedToken,
} from '../clouds/azure-entra';
import { realmMsalCache } from '../clouds/azure-sessions';
import { ensurePrivateDir, fileFailure } from '../credential-files';
import type { AuthContext, StepContext } from '../step-context';
import { Secret } from '../../secret';
import type { ProviderKind } from './kind';

/** Atmos's limit on a device login (15 minutes). */
export const AZURE_DEVICE_CODE_TIMEOUT_S = 15 * 60;

/**
 * MSAL's cache persisted in the realm file (Atmos `NewMSALCache`): read under the file lock before
 * each access, written back (atomically, 0600 in 0700 folders) only when MSAL changed it.
 */
function realmCachePlugin(file: string) {
  const lock = <T>(fn: () => Promise<T>) =>
    withFileLock({ lockPath: `${file}.lock`, subject: `the Azure MSAL cache ${file}`, toError: (f) => authError(f.reason === 'io' ? AUTH_ERROR_CODES.FILES_FAILED : AUTH_ERROR_CODES.FILE_LOCK_TIMEOUT, f.message, f.where, f.fix, f.cause) }, fn);
  const ready = () => ensurePrivateDir(path.dirname(file), path.dirname(path.dirname(file)));
  return {
    async beforeCacheAccess(c: { tokenCache: { deserialize(s: string): void } }) {
      await ready();
      await lock(async () => {
        let text: string;
        try {
          text = await fs.readFile(file, 'utf8');
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
          throw fileFailure(e, 'read', file);
        }
        try {
          c.tokenCache.deserialize(text);
        } catch {
          // Atmos: an unreadable cache starts empty (the next login rewrites it).
        }
      });
    },
    async afterCacheAccess(c: { cacheHasChanged: boolean; tokenCache: { serialize(): string } }) {
      if (!c.cacheHasChanged) return;
      await ready();
      await lock(async () => {
        try {
          await writeFileAtomic(file, c.tokenCache.serialize(), { mode: 0o600 });
        } catch (e) {
          throw fileFailure(e, 'write', file);
        }
      });
    },
  };
}

/** A public client (the Azure CLI's client id unless `spec.client_id`) over the realm MSAL cache. */
export async function realmPublicClient(spec: AzureProviderSpec, ctx: AuthContext): Promise<PublicClientApplication> {
  const { PublicClientApplication } = await import('@azure/msal-node');
  return new PublicClientApplication({
    auth: { clientId: spec.clientId ?? AZURE_CLI_CLIENT_ID, ...msalAuthority(spec.cloud, spec.tenantId, ctx.env) },
    cache: { cachePlugin: realmCachePlugin(realmMsalCache(ctx.env, ctx.realm)) },
    system: { networkClient: msalNetworkClient(ctx.httpsCa) },
  });
}

/** Graph and Key Vault tokens minted silently for `account` (optional, as in Atmos). */
async function extraTokens(app: PublicClientApplication, account: AccountInfo, spec: AzureProviderSpec): Promise<{ graph?: ScopedToken; keyVault?: ScopedToken }> {
  const one = async (scope: string): Promise<ScopedToken | undefined> => {
    try {
      const r = await app.acquireTokenSilent({ account, scopes: [scope] });
      return r?.accessToken && r.expiresOn ? { token: r.accessToken, expiresOn: r.expiresOn } : undefined;
    } catch {
      return undefined;
    }
  };
  const graph = await one(spec.cloud.graphScope);
  const keyVault = await one(spec.cloud.keyVaultScope);
  return { ...(graph ? { graph } : {}), ...(keyVault ? { keyVault } : {}) };
}

/**
 * A user login through the realm MSAL cache (Atmos's device-code and interactive providers):
 * the cached account of the tenant is tried silently first (its refresh token survives restarts),
 * else `acquire` runs the kind's own flow. Then Graph and Key Vault tokens are minted silently.
 */
export async function azureUserLogin(
  p: ProviderConfig,
  ctx: StepContext,
  authMethod: 'device-code' | 'interactive',
  acquire: (app: PublicClientApplication, spec: AzureProviderSpec) => Promise<ScopedToken>,
): Promise<AzureCredentials> {
  const spec = azureProviderSpec(p, ctx);
  const app = await realmPublicClient(spec, ctx);
  const cache = app.getTokenCache();
  const forTenant = async () => (await cache.getAllAccounts()).find((a) => a.tenantId === spec.tenantId);
  let management: ScopedToken | undefined;
  let account = await forTenant();
  if (account) {
    try {
      const r = await app.acquireTokenSilent({ account, scopes: [spec.cloud.managementScope] });
      if (r?.accessToken && r.expiresOn) management = { token: r.accessToken, expiresOn: r.expiresOn };
    } catch {
      management = undefined; // expired or revoked refresh token: a new login follows
    }
  }
  if (!management) {
    management = await acquire(app, spec);
    account = await forTenant();
  }
  const extra = account ? await extraTokens(app, account, spec) : {};
  return azureCredentials(p.name, {
    management,
    ...extra,
    spec,
    authMethod,
    ...(account?.homeAccountId ? { homeAccountId: account.homeAccountId } : {}),
  });
}

/** Atmos's device-code flow (MSAL `acquireTokenByDeviceCode`), the code shown through the interaction. */
async function deviceCodeFlow(p: ProviderConfig, ctx: StepContext, app: PublicClientApplication, spec: AzureProviderSpec): Promise<ScopedToken> {
  if (!ctx.interaction.interactive) {
    throw authError(
      AUTH_ERROR_CODES.PROMPT_REQUIRES_TTY,
      `provider "${p.name}" (azure/device-code): Azure device code flow requires an interactive terminal (no TTY detected) and there is no cached login for tenant ${spec.tenantId}`,
      ctx.where(p.path),
      `run \`infrakey auth login --identity <an identity of ${p.name}>\` in a terminal once (later logins reuse its refresh token), or use azure/oidc in CI`,
    );
  }
  const stop = { fn: (): void => undefined };
  try {
    const r = await app.acquireTokenByDeviceCode({
      scopes: [spec.cloud.managementScope],
      timeout: AZURE_DEVICE_CODE_TIMEOUT_S,
      deviceCodeCallback: (d) => {
        Secret.of(d.deviceCode, 'azure-device-code');
        ctx.interaction.notify(`To log in as provider "${p.name}", open ${d.verificationUri}\nand enter the code: ${d.userCode}\n`);
        ctx.interaction.openBrowser?.(d.verificationUri);
        stop.fn = ctx.interaction.progress?.('Waiting for the device login to be approved') ?? stop.fn;
      },
    });
    if (!r?.accessToken || !r.expiresOn) throw new Error('the token endpoint answered without an access token');
    return { token: r.accessToken, expiresOn: r.expiresOn };
  } catch (e) {
    // MSAL reports a polling error as post_request_failed with the server's error as its message.
    const err = e as { errorCode?: unknown; errorMessage?: unknown };
    const code = err.errorCode === 'post_request_failed' ? String(err.errorMessage ?? '').trim() : err.errorCode;
    if (code === 'authorization_declined' || code === 'access_denied') throw azureFailure(p, ctx, 'the device login was denied', 'run the login again and approve it in the browser', e);
    if (code === 'expired_token' || code === 'device_code_expired') throw azureFailure(p, ctx, 'the device code expired before the login was approved', 'run the login again and approve it within the time shown', e);
    throw azureFailure(p, ctx, `the device login failed (${msalErrorText(e)})`, `check ${p.path}.spec.tenant_id and the network, then run the login again`, e);
  } finally {
    stop.fn();
  }
}

/** Atmos's legacy per-provider token cache, deleted on logout as Atmos does. */
function legacyTokenFile(env: NodeJS.ProcessEnv, provider: string): string {
  return path.join(xdgCacheHome(env), 'azure-device-code', provider, 'token.json');
}

/** The `azure/device-code` provider kind. */
export const azureDeviceCodeProviderKind: ProviderKind = {
  kind: 'azure/device-code',
  validate: (p, report) => checkAzureProviderSpec(p, report),
  authenticate: (p, ctx) => azureUserLogin(p, ctx, 'device-code', (app, spec) => deviceCodeFlow(p, ctx, app, spec)),
  async forget(p, ctx) {
    const legacy = legacyTokenFile(ctx.env, p.name);
    const hadLegacy = await fs.rm(legacy).then(() => true, () => false);
    const tenant = str(p.spec.tenant_id);
    const forgot = tenant ? await forgetTenant(realmMsalCache(ctx.env, ctx.realm), tenant) : false;
    return hadLegacy || forgot;
  },
};
