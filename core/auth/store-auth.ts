import type { StoreAuthContext, StoreAuthResolver } from '../stores/store';
import type { AuthManager } from './auth-manager';
import { configuredEndpoint } from './aws-sdk';
import { isFresh, toSdkCredentials, type AwsCredentials } from './credentials';
import { identityTokenContext } from './store-token-auth';

/**
 * The resolver identity-backed stores and SOPS KMS use (§5.5, §6.6): authenticates the identity
 * lazily through the manager, then hands the SDK exactly the identity's realm-scoped session
 * (read from its credential files, re-authenticated when less than 15 minutes remain), its
 * region and its configured endpoint. The store's own region and endpoint win over these.
 */
export function storeAuthResolver(manager: AuthManager): StoreAuthResolver {
  // Azure and GCP stores take a bearer token of their service (store-token-auth.ts).
  return (identity, store) => (store.cloud === 'aws' ? identityAwsContext(manager, identity) : identityTokenContext(manager, identity, store.cloud, store.adopted));
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
