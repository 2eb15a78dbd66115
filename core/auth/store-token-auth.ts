/**
 * Bearer tokens for the token-based cloud stores (§5.5): `azure/keyvault` takes the identity's
 * Key Vault token (`AzureCredentials.keyVaultToken`), `gcp/secretmanager` its OAuth2 access token
 * (`GcpCredentials.accessToken`). The identity is authenticated lazily through the manager; each
 * token request re-authenticates when less than the reuse buffer remains.
 */
import type { StoreAuthContext, StoreBearerToken, StoreCloud } from '../stores/store';
import type { AuthManager } from './auth-manager';
import { identityKind } from './kinds/registry';
import type { AzureCredentials } from './clouds/azure-credentials';
import type { GcpCredentials } from './clouds/gcp-credentials';
import { REUSE_BUFFER_MS, type Credentials } from './credentials';

/** The token of `creds` for a store of `cloud`, or undefined when these credentials have none. */
export function storeTokenOf(cloud: Exclude<StoreCloud, 'aws'>, creds: Credentials): StoreBearerToken | undefined {
  if (cloud === 'azure' && creds.type === 'azure') {
    const az = creds as AzureCredentials;
    return az.keyVaultToken ? { token: az.keyVaultToken, ...(az.keyVaultExpiration ? { expiresOn: az.keyVaultExpiration } : {}) } : undefined;
  }
  if (cloud === 'gcp' && creds.type === 'gcp') {
    const g = creds as GcpCredentials;
    return { token: g.accessToken, ...(g.expiration ? { expiresOn: g.expiration } : {}) };
  }
  return undefined;
}

/** The Key Vault token of an identity's Azure credentials; an identity without one is refused, naming it. */
export function azureKeyVaultToken(identity: string, creds: Pick<AzureCredentials, 'keyVaultToken' | 'keyVaultExpiration'>): StoreBearerToken {
  if (!creds.keyVaultToken) throw new Error(`identity "${identity}" produced azure credentials without an Azure Key Vault token`);
  return { token: creds.keyVaultToken, ...(creds.keyVaultExpiration ? { expiresOn: creds.keyVaultExpiration } : {}) };
}

/** What the token of each cloud is, for messages. */
const TOKEN_NAME: Record<Exclude<StoreCloud, 'aws'>, string> = { azure: 'an Azure Key Vault token', gcp: 'a GCP access token' };

/**
 * Whether `identity`'s kind belongs to `cloud`, decided from its kind without authenticating it (a
 * registered kind's cloud; Atmos's `<cloud>/*` kinds infrakey lacks count too).
 */
export function identityOfCloud(manager: AuthManager, identity: string, cloud: string): boolean {
  const kindName = manager.chain(identity).target.kind;
  const kind = identityKind(kindName);
  return kind ? kind.cloud === cloud : kindName.startsWith(`${cloud}/`);
}

/**
 * The token context of `identity` for an Azure or GCP store, authenticated now. A default identity
 * the store only adopted (`adopted`) whose kind is of another cloud (an AWS identity in a workspace
 * that also has a Key Vault store) does not speak for this store: the SDK's default chain is used,
 * as the gcp-kms SOPS key type does. A store's own identity of another cloud is an error.
 */
export async function identityTokenContext(manager: AuthManager, identity: string, cloud: Exclude<StoreCloud, 'aws'>, adopted = false): Promise<StoreAuthContext> {
  if (adopted && !identityOfCloud(manager, identity, cloud)) return {};
  const first = await manager.authenticate(identity);
  const check = (creds: Credentials): StoreBearerToken => {
    const t = storeTokenOf(cloud, creds);
    if (!t) throw new Error(`identity "${identity}" produced ${creds.type} credentials without ${TOKEN_NAME[cloud]}`);
    return t;
  };
  let current = check(first.credentials);
  return {
    token: async () => {
      if (current.expiresOn && current.expiresOn.getTime() <= Date.now() + REUSE_BUFFER_MS) {
        current = check((await manager.authenticate(identity)).credentials);
      }
      return current;
    },
  };
}
