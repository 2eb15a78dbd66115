import type { StoreAuthContext, StoreAuthResolver } from '../stores/store';
import type { AuthManager } from './auth-manager';
import { configuredEndpoint } from './aws-sdk';
import { AUTH_ERROR_CODES, authError } from './auth-errors';
import type { AzureCredentials } from './clouds/azure-credentials';
import type { GcpCredentials } from './clouds/gcp-credentials';
import { isFresh, REUSE_BUFFER_MS, toSdkCredentials, type AwsCredentials, type Credentials } from './credentials';
import { azureKeyVaultToken, identityOfCloud } from './store-token-auth';
import { Secret, unsafeUnwrap } from '../secret';

/**
 * The resolver identity-backed stores and SOPS KMS use (§5.5, §6.6): authenticates the identity
 * lazily through the manager, then hands the SDK exactly the identity's realm-scoped session
 * (read from its credential files, re-authenticated when less than 15 minutes remain), its
 * region and its configured endpoint. The store's own region and endpoint win over these.
 */
export function storeAuthResolver(manager: AuthManager): StoreAuthResolver {
  return async (identity, store) => {
    if (store.cloud === 'aws') return identityAwsContext(manager, identity);
    // A default identity of another cloud does not speak for this store: its SDK chain then.
    if (store.adopted && !identityOfCloud(manager, identity, store.cloud)) return {};
    if (store.cloud === 'gcp') {
      const ctx = await identityGcpContext(manager, identity, store);
      const gcpToken = ctx.gcpToken!;
      // The Secret Manager store's bearer token: the identity's access token, as a Secret.
      return {
        ...ctx,
        token: async () => {
          const t = await gcpToken();
          return { token: Secret.of(t.accessToken, 'gcp-access-token'), ...(t.expiration ? { expiresOn: t.expiration } : {}) };
        },
      };
    }
    const ctx = await identityAzureContext(manager, identity, store.name);
    const azure = ctx.azure!;
    // The Key Vault store's bearer token is the identity's Key Vault token (store-token-auth.ts);
    // checked now, so an identity that has none fails as an auth problem naming it.
    azureKeyVaultToken(identity, await azure());
    return {
      ...ctx,
      token: async () => {
        let creds = (await azure()) as AzureCredentials;
        // The session is fresh by its ARM token; the Key Vault token may expire sooner.
        if (creds.keyVaultExpiration && creds.keyVaultExpiration.getTime() <= Date.now() + REUSE_BUFFER_MS) {
          const r = await manager.authenticate(identity, { force: true });
          if (r.credentials.type === 'azure') creds = r.credentials;
        }
        return azureKeyVaultToken(identity, creds);
      },
    };
  };
}

/**
 * The Azure context of an identity, authenticated now: its {@link AzureCredentials} (ARM, Key
 * Vault and Graph tokens, tenant, subscription), read again from its session and re-authenticated
 * when less than 15 minutes remain. An identity whose chain yields no Azure credentials is refused.
 */
export async function identityAzureContext(manager: AuthManager, identity: string, storeName: string): Promise<StoreAuthContext> {
  const first = await manager.authenticate(identity);
  const wrong = (type: string) =>
    authError(AUTH_ERROR_CODES.KIND_UNSUPPORTED, `store "${storeName}" is an Azure store, but identity "${identity}" yields ${type} credentials`, `stores.${storeName}.identity`, 'name an azure/* identity (azure/subscription) in the store\'s identity');
  if (first.credentials.type !== 'azure') throw wrong(first.credentials.type);
  return {
    azure: async (): Promise<AzureCredentials> => {
      const stored = await manager.storedSession(identity);
      if (stored?.type === 'azure' && isFresh(stored)) return stored;
      const r = await manager.authenticate(identity);
      if (r.credentials.type !== 'azure') throw wrong(r.credentials.type);
      return r.credentials;
    },
  };
}

/**
 * The GCP context of an identity for a GCP store: its access token (from the identity's session
 * files while more than 15 minutes remain, else a new login through the chain) and its project.
 * An identity of another cloud is AUTH_KIND_UNSUPPORTED naming the store.
 */
export async function identityGcpContext(manager: AuthManager, identity: string, store: { readonly name: string; readonly kind: string }): Promise<StoreAuthContext> {
  const gcpOf = (c: Credentials, where: string): GcpCredentials => {
    if (c.type !== 'gcp') {
      throw authError(AUTH_ERROR_CODES.KIND_UNSUPPORTED, `store "${store.name}" (${store.kind}) needs GCP credentials, and identity "${identity}" produces ${c.type} credentials`, where, `set stores.${store.name}.identity to a gcp/* identity, or remove it to use Application Default Credentials`);
    }
    return c;
  };
  const first = await manager.authenticate(identity);
  const where = manager.where(first.chain.target.path);
  let creds = gcpOf(first.credentials, where);
  return {
    gcpToken: async () => {
      if (!isFresh(creds)) {
        const stored = await manager.storedSession(identity);
        creds = stored?.type === 'gcp' && isFresh(stored) ? { ...stored, ...(creds.projectId && !stored.projectId ? { projectId: creds.projectId } : {}) } : gcpOf((await manager.authenticate(identity)).credentials, where);
      }
      return { accessToken: unsafeUnwrap(creds.accessToken), ...(creds.expiration ? { expiration: creds.expiration } : {}), ...(creds.projectId ? { projectId: creds.projectId } : {}) };
    },
  };
}

/** The AWS context (credentials provider, region, endpoint) of an identity, authenticated now. */
export async function identityAwsContext(manager: AuthManager, identity: string): Promise<StoreAuthContext> {
  const first = await manager.authenticate(identity);
  const chain = first.chain;
  const endpointUrl = configuredEndpoint(chain);
  const region = first.region ?? (first.credentials.type === 'aws' ? first.credentials.region : undefined);
  return {
    ...(region ? { region } : {}),
    ...(endpointUrl ? { endpointUrl } : {}),
    credentials: async () => {
      // The files are the source of truth (another process may have refreshed them); in
      // credential_process mode there are none and the manager's session is used.
      const stored = await manager.storedSession(identity);
      let creds: AwsCredentials | undefined = stored?.type === 'aws' ? stored : undefined;
      if (!isFresh(creds)) {
        const r = await manager.authenticate(identity);
        creds = r.credentials.type === 'aws' ? r.credentials : undefined;
      }
      if (!creds) throw new Error(`identity "${identity}" produced no AWS credentials`);
      return toSdkCredentials(creds);
    },
  };
}
