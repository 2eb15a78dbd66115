/**
 * azure/keyvault and gcp/secretmanager without a backend: Atmos's key-composition and
 * name-sanitising tables (pkg/store/providers/azure_keyvault_store_test.go,
 * google_secret_manager_store_test.go), raw keys (GetKey), option checks, size limits, and the
 * auth side that hands them tokens (store-token-auth.ts).
 */
import { identityTokenContext, storeTokenOf } from '../../../core/auth/store-token-auth';
import { storeAuthResolver } from '../../../core/auth/store-auth';
import type { AuthManager } from '../../../core/auth/auth-manager';
import { Secret, unsafeUnwrap } from '../../../core/secret';
import { AZURE_KEYVAULT_MAX_VALUE_BYTES, azureSecretName } from '../../../core/stores/kinds/azure-keyvault';
import { GCP_SECRET_MAX_VALUE_BYTES, gcpRawKeyPath, gcpSecretId } from '../../../core/stores/kinds/gcp-secretmanager';
import { buildStoreRegistry } from '../../../core/stores/store-registry';
import { thrown } from '../../support/errors';

const env = {};

describe('azure/keyvault names (Atmos normalizeSecretName and getKey)', () => {
  it('normalizeSecretName table', () => {
    const table: [string, string][] = [
      ['simple-name', 'simple-name'],
      ['path/to/secret', 'path-to-secret'],
      ['secret@#$%^&*()', 'secret'],
      ['secret name with spaces', 'secret-name-with-spaces'],
      ['secret--name---with----hyphens', 'secret-name-with-hyphens'],
      ['-secret-name-', 'secret-name'],
      ['', 'default'],
    ];
    for (const [input, want] of table) expect([input, azureSecretName(input)]).toEqual([input, want]);
  });

  it('composes prefix, stack parts, component parts and key with "-", then sanitises', () => {
    const s = buildStoreRegistry({ kv: { kind: 'azure/keyvault', options: { vault_url: 'https://v.vault.azure.net', prefix: 'atmos' } } }, { env }).get('kv');
    expect(s.keyPath('dev', 'app', 'secret')).toBe('atmos-dev-app-secret');
    expect(s.keyPath('plat-ue2-dev', 'vpc/main', 'vpc_id')).toBe('atmos-plat-ue2-dev-vpc-main-vpc-id');
    const slash = buildStoreRegistry({ kv: { kind: 'azure/keyvault', options: { vault_url: 'https://v.vault.azure.net', stack_delimiter: '/' } } }, { env }).get('kv');
    expect(slash.keyPath('org/dev', 'app', 'k')).toBe('org-dev-app-k');
  });

  it('GetKey sanitises the raw key and ignores the prefix (Atmos test: prefix "myapp", name = normalize(key))', () => {
    const s = buildStoreRegistry({ kv: { kind: 'azure/keyvault', options: { vault_url: 'https://v.vault.azure.net', prefix: 'myapp', stack_delimiter: '/' } } }, { env }).get('kv');
    expect(s.rawKeyPath('app-settings')).toBe('app-settings');
    expect(s.rawKeyPath('database/config')).toBe('database-config');
  });

  it('refuses an empty stack or component (no stack or global scope)', () => {
    const s = buildStoreRegistry({ kv: { kind: 'azure/keyvault', options: { vault_url: 'https://v.vault.azure.net' } } }, { env }).get('kv');
    expect(s.emptyScope).toBe(false);
    expect(thrown(() => s.keyPath('', 'app', 'k')).code).toBe('STORE_KEY_INVALID');
    expect(thrown(() => s.keyPath('dev', '', 'k')).code).toBe('STORE_KEY_INVALID');
  });

  it('options: vault_url (or endpoint) required and https; http only with an insecure option; flags are booleans', () => {
    expect(thrown(() => buildStoreRegistry({ kv: { kind: 'azure/keyvault', options: {} } }, { env })).message).toContain('vault_url is required');
    expect(thrown(() => buildStoreRegistry({ kv: { kind: 'azure/keyvault', options: { vault_url: 'http://127.0.0.1:1' } } }, { env })).where).toBe('stores.kv.options.vault_url');
    expect(buildStoreRegistry({ kv: { kind: 'azure/keyvault', options: { endpoint: 'http://127.0.0.1:1', insecure_allow_credential_with_http: true } } }, { env }).has('kv')).toBe(true);
    expect(thrown(() => buildStoreRegistry({ kv: { kind: 'azure/keyvault', options: { vault_url: 'https://v', without_authentication: 'yes' } } }, { env })).where).toBe('stores.kv.options.without_authentication');
  });

  it('declares the 25 KB value limit and the azure identity cloud; loading builds no client', () => {
    const s = buildStoreRegistry({ kv: { kind: 'azure/keyvault', identity: 'azid', options: { vault_url: 'https://v.vault.azure.net' } } }, { env }).get('kv');
    expect(s.maxValueBytes).toBe(AZURE_KEYVAULT_MAX_VALUE_BYTES);
    expect(AZURE_KEYVAULT_MAX_VALUE_BYTES).toBe(25_600);
    expect(s.identity).toBe('azid');
  });
});

describe('gcp/secretmanager ids (Atmos getKey, GetKey, gsmSecretNames)', () => {
  it('TestGSMStore_GetKey table', () => {
    const table: [string, string, string, string, string, string][] = [
      ['test-prefix', '-', 'dev-usw2', 'app', 'config', 'test-prefix_dev_usw2_app_config'],
      ['test-prefix', '-', 'dev-usw2', 'app/service', 'config/key', 'test-prefix_dev_usw2_app_service_config_key'],
      ['test/prefix', '-', 'dev-usw2-prod', 'app/service/db', 'config-key-name', 'test_prefix_dev_usw2_prod_app_service_db_config-key-name'],
      ['test-prefix', '_', 'dev_usw2_prod', 'app/service', 'config-key', 'test-prefix_dev_usw2_prod_app_service_config-key'],
    ];
    for (const [prefix, delim, stack, component, key, want] of table) {
      const s = buildStoreRegistry({ g: { kind: 'gcp/secretmanager', options: { project_id: 'p', prefix, stack_delimiter: delim } } }, { env }).get('g');
      expect([stack, component, key, s.keyPath(stack, component, key)]).toEqual([stack, component, key, want]);
    }
  });

  it('sanitising: "/" → "_", one "__" pass, "_" trimmed; stack and global scopes allowed', () => {
    expect(gcpSecretId('/atmos/_dev_app_k')).toBe('atmos_dev_app_k');
    expect(gcpSecretId('a___b')).toBe('a__b');
    const s = buildStoreRegistry({ g: { kind: 'gcp/secretmanager', options: { project_id: 'p' } } }, { env }).get('g');
    expect(s.emptyScope).toBe(true);
    expect(s.keyPath('', '', 'GLOBAL')).toBe('GLOBAL');
    expect(s.keyPath('prod', '', 'K')).toBe('prod_K');
  });

  it('GetKey: prefix + "_" + key, not sanitised (TestGSMStore_GetKey_MoreCases)', () => {
    expect(gcpRawKeyPath('myprefix', 'k')).toBe('myprefix_k');
    expect(gcpRawKeyPath('', 'k')).toBe('k');
    const s = buildStoreRegistry({ g: { kind: 'gcp/secretmanager', options: { project_id: 'p', prefix: 'myprefix' } } }, { env }).get('g');
    expect(s.rawKeyPath('k')).toBe('myprefix_k');
  });

  it('options: project_id required; locations a list; endpoint host[:port] with an optional scheme', () => {
    expect(thrown(() => buildStoreRegistry({ g: { kind: 'gsm', options: {} } }, { env })).message).toContain('project_id is required');
    expect(thrown(() => buildStoreRegistry({ g: { kind: 'gcp/secretmanager', options: { project_id: 'p', locations: 'us-east1' } } }, { env })).where).toBe('stores.g.options.locations');
    expect(thrown(() => buildStoreRegistry({ g: { kind: 'gcp/secretmanager', options: { project_id: 'p', endpoint: 'http://h/x y' } } }, { env })).where).toBe('stores.g.options.endpoint');
    expect(buildStoreRegistry({ g: { kind: 'google-secret-manager', options: { project_id: 'p', endpoint_url: 'http://127.0.0.1:9', locations: ['us-east1'] } } }, { env }).has('g')).toBe(true);
  });

  it('declares the 64 KiB payload limit', () => {
    const s = buildStoreRegistry({ g: { kind: 'gcp/secretmanager', options: { project_id: 'p' } } }, { env }).get('g');
    expect(s.maxValueBytes).toBe(GCP_SECRET_MAX_VALUE_BYTES);
    expect(GCP_SECRET_MAX_VALUE_BYTES).toBe(65_536);
  });
});

describe('store tokens from identities (store-token-auth.ts)', () => {
  const azure = (kv?: string) => ({ type: 'azure', accessToken: Secret.of('arm-token'), tenantId: 't', ...(kv ? { keyVaultToken: Secret.of(kv), keyVaultExpiration: new Date(Date.now() + 3600_000) } : {}) }) as never;
  const gcp = { type: 'gcp', accessToken: Secret.of('ya29.gcp'), expiration: new Date(Date.now() + 3600_000) } as never;

  it('azure stores take keyVaultToken (never the ARM token); gcp stores the access token; other clouds none', () => {
    expect(unsafeUnwrap(storeTokenOf('azure', azure('kv-tok'))!.token)).toBe('kv-tok');
    expect(storeTokenOf('azure', azure())).toBeUndefined();
    expect(unsafeUnwrap(storeTokenOf('gcp', gcp)!.token)).toBe('ya29.gcp');
    expect(storeTokenOf('gcp', azure('kv-tok'))).toBeUndefined();
  });

  it('the resolver dispatches on the store cloud and re-authenticates a token about to expire', async () => {
    let logins = 0;
    const soon = { type: 'azure', accessToken: Secret.of('a'), tenantId: 't', keyVaultToken: Secret.of('kv-old'), keyVaultExpiration: new Date(Date.now() + 60_000) };
    const manager = {
      authenticate: async () => {
        logins++;
        return { credentials: logins === 1 ? soon : azure('kv-new'), chain: { provider: 'p', identities: [] } };
      },
      storedSession: async () => (logins === 1 ? soon : undefined),
    } as unknown as AuthManager;
    const ctx = await storeAuthResolver(manager)('azid', { name: 'kv', kind: 'azure/keyvault', cloud: 'azure' });
    expect(unsafeUnwrap((await ctx.token!()).token)).toBe('kv-new');
    expect(logins).toBeGreaterThanOrEqual(2);
    expect(ctx.credentials).toBeUndefined();
    // GCP stores take the identity's access token.
    const g = { authenticate: async () => ({ credentials: gcp, chain: { target: { path: [] } } }), where: () => 'auth.identities.gid' } as unknown as AuthManager;
    expect(unsafeUnwrap((await (await storeAuthResolver(g)('gid', { name: 'g', kind: 'gcp/secretmanager', cloud: 'gcp' })).token!()).token)).toBe('ya29.gcp');
  });

  it('an identity of another cloud (or without a Key Vault token) fails naming the identity, without token text', async () => {
    const manager = { authenticate: async () => ({ credentials: azure(), chain: {} }) } as unknown as AuthManager;
    const e = (await identityTokenContext(manager, 'azid', 'azure').catch((x: unknown) => x)) as Error;
    expect(e.message).toBe('identity "azid" produced azure credentials without an Azure Key Vault token');
    const g = (await identityTokenContext(manager, 'azid', 'gcp').catch((x: unknown) => x)) as Error;
    expect(g.message).toContain('without a GCP access token');
    expect(g.message).not.toContain('arm-token');
  });

  it('an adopted default identity of another cloud gives no token (the SDK chain), without authenticating it', async () => {
    let logins = 0;
    const manager = (kind: string) =>
      ({
        chain: () => ({ target: { kind } }),
        authenticate: async () => {
          logins++;
          return { credentials: azure('kv-tok'), chain: {} };
        },
        storedSession: async () => undefined,
      }) as unknown as AuthManager;
    const resolve = (kind: string, adopted: boolean) => storeAuthResolver(manager(kind))('dflt', { name: 'kv', kind: 'azure/keyvault', cloud: 'azure', adopted });
    expect(await resolve('aws/permission-set', true)).toEqual({});
    expect(logins).toBe(0);
    expect(unsafeUnwrap((await (await resolve('azure/device-code', true)).token!()).token)).toBe('kv-tok');
    // The store's own identity is used whatever its kind (credentials of the wrong cloud fail naming it).
    await expect(resolve('aws/permission-set', false)).resolves.toHaveProperty('token');
    const noKv = { chain: () => ({ target: { kind: 'azure/x' } }), authenticate: async () => ({ credentials: azure(), chain: {} }), storedSession: async () => undefined } as unknown as AuthManager;
    await expect(storeAuthResolver(noKv)('azid', { name: 'kv', kind: 'azure/keyvault', cloud: 'azure' })).rejects.toThrow('identity "azid" produced azure credentials without an Azure Key Vault token');
  });
});

