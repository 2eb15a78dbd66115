import type { StoreAuthContext, StoreAuthResolver } from '../stores/store';
import type { AuthManager } from './auth-manager';
import { configuredEndpoint } from './aws-sdk';
import { AUTH_ERROR_CODES, authError } from './auth-errors';
import type { AzureCredentials } from './clouds/azure-credentials';
import { isFresh, toSdkCredentials, type AwsCredentials } from './credentials';

/**
 * The resolver identity-backed stores and SOPS KMS use (§5.5, §6.6): authenticates the identity
 * lazily through the manager, then hands the SDK exactly the identity's realm-scoped session
 * (read from its credential files, re-authenticated when less than 15 minutes remain), its
 * region and its configured endpoint. The store's own region and endpoint win over these.
 */
export function storeAuthResolver(manager: AuthManager): StoreAuthResolver {
  return (identity, store) => (store.cloud === 'azure' ? identityAzureContext(manager, identity, store.name) : identityAwsContext(manager, identity));
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
