import { mkdirSync, readFileSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { AuthManager } from '../../../core/auth/auth-manager';
import { storeAuthResolver } from '../../../core/auth/store-auth';
import type { AzureCredentials } from '../../../core/auth/clouds/azure-credentials';
import { MemoryKeyring } from '../../../core/keyring/memory-keyring';
import { unsafeUnwrap } from '../../../core/secret';
import { AZ, FakeEntraId, federatedToken, type FakeEntraOptions } from '../../fakes/fake-entra-id';
import { FakeGithubOidc } from '../../fakes/fake-github-oidc';
import { expectPrivateLayout, failure, makeAuthTestEnv, type AuthTestEnv } from './auth-test-env';

const TENANT = AZ.tenant;
const SUB = AZ.subscription;
const SUB2 = '99999999-1111-2222-3333-444444444444';
const APP = AZ.app;

function json(file: string): Record<string, any> {
  return JSON.parse(readFileSync(file, 'utf8')) as Record<string, any>;
}
function mode(p: string): number {
  return statSync(p).mode & 0o777;
}

describe('Azure kinds against the fake Entra ID', () => {
  let t: AuthTestEnv;
  let fake: FakeEntraId;
  const notices: string[] = [];
  async function start(opts: FakeEntraOptions = {}) {
    fake = new FakeEntraId({ subscriptions: [SUB, SUB2], ...opts });
    await fake.start();
    t.env.INFRAKEY_TEST_AZURE_ENDPOINT = fake.origin;
  }
  const manager = (auth: unknown, interactive = true, env = t.env) =>
    new AuthManager(auth, { env, httpsCa: [fake.cert], keyring: new MemoryKeyring(), interaction: { interactive, notify: (s) => notices.push(s) } });
  const deviceAuth = {
    realm: 'az',
    providers: { 'azure-dev': { kind: 'azure/device-code', spec: { tenant_id: TENANT, location: 'westeurope' } } },
    identities: {
      dev: { kind: 'azure/subscription', via: { provider: 'azure-dev' }, principal: { subscription_id: SUB, resource_group: 'rg-app' } },
      prod: { kind: 'azure/subscription', via: { provider: 'azure-dev' }, principal: { subscription_id: SUB2, location: 'northeurope' } },
    },
  };
  beforeEach(() => {
    t = makeAuthTestEnv();
    notices.length = 0;
  });
  afterEach(async () => {
    await fake?.stop();
    t.cleanup();
  });

  test('device code: pending polls, approve; ARM, Graph and Key Vault tokens; the files Atmos writes', async () => {
    await start({ pendingPolls: 2 });
    const m = manager(deviceAuth);
    const r = await m.authenticate('dev');
    const c = r.credentials as AzureCredentials;
    expect(c).toMatchObject({ type: 'azure', tenantId: TENANT, subscriptionId: SUB, location: 'westeurope', authMethod: 'device-code', cloudEnvironment: 'public' });
    expect(c.keyVaultToken && c.graphToken).toBeTruthy();
    // 1 devicecode, 3 polls (2 pending), then Graph and Key Vault by refresh token; no metadata or discovery call.
    expect(fake.count('/devicecode')).toBe(1);
    expect(fake.count('/token', 'device_code')).toBe(3);
    expect(fake.count('/token', 'refresh_token')).toBe(2);
    expect(fake.calls.filter((x) => !/\/oauth2\/v2\.0\/(devicecode|token)$/.test(x.path))).toEqual([]);
    expect(fake.calls[0].form.client_id).toBe('04b07795-8ddb-461a-bbee-02f9e1bf7b46');
    expect(fake.calls[0].form.scope).toContain('https://management.azure.com/.default');
    expect(notices.join('')).toMatch(/open https:\/\/microsoft\.com\/devicelogin\nand enter the code: [0-9A-F]{8}/);

    const home = join(t.root, 'home');
    // Atmos's copy: ~/.azure/atmos/{realm}/{provider}/credentials.json, 0600 in 0700 folders.
    const credFile = join(home, '.azure/atmos/az/azure-dev/credentials.json');
    const file = json(credFile);
    expect(Object.keys(file)).toEqual(['access_token', 'token_type', 'expiration', 'tenant_id', 'subscription_id', 'location', 'graph_api_token', 'graph_api_expiration', 'key_vault_token', 'key_vault_expiration', 'cloud_environment', 'auth_method', 'home_account_id']);
    expect(file).toMatchObject({ access_token: unsafeUnwrap(c.accessToken), token_type: 'Bearer', tenant_id: TENANT, subscription_id: SUB, auth_method: 'device_code', home_account_id: `${fake.user.oid}.${TENANT}` });
    expect(file.expiration).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(mode(credFile)).toBe(0o600);
    expect(mode(join(home, '.azure/atmos/az/azure-dev'))).toBe(0o700);
    expect(mode(join(home, '.azure/atmos/az'))).toBe(0o700);
    // The realm MSAL cache holds the refresh token (MSAL's unified schema), 0600.
    const realmCache = json(join(home, '.azure/atmos/az/msal_token_cache.json'));
    expect(Object.values(realmCache.RefreshToken as object).map((v: any) => v.home_account_id)).toContain(`${fake.user.oid}.${TENANT}`);
    expect(mode(join(home, '.azure/atmos/az/msal_token_cache.json'))).toBe(0o600);

    // The CLI's MSAL cache, updated as Atmos does: Account + ARM/Graph/KV tokens + the refresh token copied.
    const hid = `${fake.user.oid}.${TENANT}`;
    const cli = json(join(home, '.azure/msal_token_cache.json'));
    expect(Object.keys(cli)).toEqual(['AccessToken', 'Account', 'AppMetadata', 'RefreshToken']);
    expect(cli.Account[`${hid}-login.microsoftonline.com-${TENANT}`]).toEqual({
      account_source: 'device_code',
      authority_type: 'MSSTS',
      environment: 'login.microsoftonline.com',
      home_account_id: hid,
      local_account_id: fake.user.oid,
      realm: TENANT,
      username: fake.user.upn,
    });
    const armKey = `${hid}-login.microsoftonline.com-accesstoken-04b07795-8ddb-461a-bbee-02f9e1bf7b46-${TENANT}-https://management.azure.com/.default https://management.core.windows.net/.default https://management.core.windows.net//.default`;
    expect(cli.AccessToken[armKey]).toMatchObject({ credential_type: 'AccessToken', secret: unsafeUnwrap(c.accessToken), token_type: 'Bearer', realm: TENANT, client_id: '04b07795-8ddb-461a-bbee-02f9e1bf7b46' });
    expect(cli.AccessToken[armKey].expires_on).toBe(String(Math.floor(c.expiration!.getTime() / 1000)));
    expect(Object.values(cli.AccessToken as object).map((v: any) => v.target).sort()).toEqual(['https://graph.microsoft.com/.default', 'https://management.azure.com/.default https://management.core.windows.net/.default https://management.core.windows.net//.default', 'https://vault.azure.net/.default']);
    expect(Object.keys(cli.RefreshToken as object).length).toBe(1);
    expect(mode(join(home, '.azure/msal_token_cache.json'))).toBe(0o600);
    expect(mode(join(home, '.azure'))).toBe(0o700);
    // azureProfile.json: the identity's subscription is the default, user type "user".
    const profile = json(join(home, '.azure/azureProfile.json'));
    expect(profile).toEqual({
      installationId: '',
      subscriptions: [{ environmentName: 'AzureCloud', id: SUB, isDefault: true, name: SUB, state: 'Enabled', tenantId: TENANT, user: { name: fake.user.upn, type: 'user' } }],
    });
    // Nothing outside ~/.azure (no XDG file for Azure).
    expectPrivateLayout(t, 'home/.azure');
  });

  test('a guest (B2B) user: the CLI cache uses MSAL\'s home account id, so az sees one account, not two', async () => {
    const HOME_TENANT = 'eeeeeeee-0000-0000-0000-000000000001';
    await start({ user: { oid: '22222222-3333-4444-5555-666666666666', upn: 'guest_example.com#EXT#@contoso.example', homeTenant: HOME_TENANT } });
    const r = await manager(deviceAuth).authenticate('dev');
    const hid = `22222222-3333-4444-5555-666666666666.${HOME_TENANT}`;
    expect(r.credentials).toMatchObject({ homeAccountId: hid });
    const cli = json(join(t.root, 'home/.azure/msal_token_cache.json'));
    expect(Object.keys(cli.Account)).toEqual([`${hid}-login.microsoftonline.com-${TENANT}`]);
    expect(Object.values(cli.AccessToken as object).every((v: any) => v.home_account_id === hid && v.realm === TENANT)).toBe(true);
    expect(Object.values(cli.RefreshToken as object).map((v: any) => v.home_account_id)).toEqual([hid]);
  });

  test('a second identity and a new process reuse the refresh token silently; subscriptions stay per identity', async () => {
    await start({});
    await manager(deviceAuth).authenticate('dev');
    const again = manager(deviceAuth, false); // headless now: no device code needed
    const r = await again.authenticate('prod', { force: true });
    expect(fake.count('/devicecode')).toBe(1);
    expect(r.credentials).toMatchObject({ subscriptionId: SUB2, location: 'northeurope' });
    const profile = json(join(t.root, 'home/.azure/azureProfile.json'));
    expect(profile.subscriptions.map((s: any) => [s.id, s.isDefault])).toEqual([[SUB, false], [SUB2, true]]);
    // Two processes logging in at once: the lock serialises the read-modify-writes, nothing is lost.
    await Promise.all([manager(deviceAuth, false).authenticate('dev', { force: true }), manager(deviceAuth, false).authenticate('prod', { force: true })]);
    const both = json(join(t.root, 'home/.azure/azureProfile.json'));
    expect(both.subscriptions.map((s: any) => s.id).sort()).toEqual([SUB, SUB2].sort());
    expect(both.subscriptions.filter((s: any) => s.isDefault).length).toBe(1);
    // One credentials.json per provider (as Atmos); loading it for `dev` gives dev's own subscription.
    const cached = (await manager(deviceAuth).cachedCredentials('dev')) as AzureCredentials;
    expect(cached).toMatchObject({ subscriptionId: SUB, location: 'westeurope' });
  });

  test('a store naming an Azure identity gets its AzureCredentials (Key Vault token included); an AWS identity is refused', async () => {
    await start({});
    const auth = { ...deviceAuth, providers: { ...deviceAuth.providers, m: { kind: 'mock' } }, identities: { ...deviceAuth.identities, awsy: { kind: 'mock', via: { provider: 'm' } } } };
    const m = manager(auth);
    const resolve = storeAuthResolver(m);
    const ctx = await resolve('dev', { name: 'kv', kind: 'azure/keyvault', cloud: 'azure' });
    expect(ctx.credentials).toBeUndefined();
    const c = await ctx.azure!();
    expect(c).toMatchObject({ type: 'azure', tenantId: TENANT, subscriptionId: SUB });
    expect(unsafeUnwrap(c.keyVaultToken!)).toMatch(/^ey/);
    expect(fake.issued.get(unsafeUnwrap(c.keyVaultToken!))?.aud).toBe('https://vault.azure.net');
    // A second call reads the session back (no new login); a fresh process does too.
    await manager(auth).authenticate('dev');
    expect(fake.count('/devicecode')).toBe(1);
    await expect(resolve('awsy', { name: 'kv', kind: 'azure/keyvault', cloud: 'azure' })).rejects.toMatchObject({ code: 'AUTH_KIND_UNSUPPORTED', message: expect.stringContaining('yields mock credentials') });
  });

  test('headless with no cached login, denied and expired codes: clear errors', async () => {
    await start({});
    // The test-only endpoint accepts loopback https URLs only: a token is never sent elsewhere.
    for (const bad of ['https://evil.example', 'http://127.0.0.1:1']) {
      expect(await failure(manager(deviceAuth, true, { ...t.env, INFRAKEY_TEST_AZURE_ENDPOINT: bad }).authenticate('dev'))).toMatchObject({ code: 'AUTH_CONFIG_INVALID', message: expect.stringContaining('INFRAKEY_TEST_AZURE_ENDPOINT') });
    }
    const headless = await failure(manager(deviceAuth, false).authenticate('dev'));
    expect(headless.code).toBe('AUTH_PROMPT_REQUIRES_TTY');
    expect(fake.calls).toEqual([]);
    await fake.stop();
    await start({ outcome: 'deny' });
    expect(await failure(manager(deviceAuth).authenticate('dev'))).toMatchObject({ code: 'AUTH_AZURE_FAILED', message: expect.stringContaining('denied') });
    await fake.stop();
    await start({ outcome: 'expire' });
    expect(await failure(manager(deviceAuth).authenticate('dev'))).toMatchObject({ code: 'AUTH_AZURE_FAILED', message: expect.stringContaining('expired') });
  });

  test('whoami reads the subscription from ARM; env and exec variables as Atmos; console URL; logout', async () => {
    await start({});
    const m = manager(deviceAuth);
    const who = await m.whoami('dev');
    expect(who).toMatchObject({ identity: 'dev', provider: 'azure-dev', principal: `/subscriptions/${SUB}`, account: TENANT, userId: fake.user.upn });
    expect(fake.calls.at(-1)?.path).toBe(`/subscriptions/${SUB}`);
    expect(who.paths).toMatchObject({ credentials_file: join(t.root, 'home/.azure/atmos/az/azure-dev/credentials.json'), profile: 'dev' });
    expect(m.environment('dev')).toEqual({ AZURE_SUBSCRIPTION_ID: SUB, ARM_SUBSCRIPTION_ID: SUB, AZURE_LOCATION: 'westeurope', ARM_LOCATION: 'westeurope', ARM_USE_CLI: 'true', AZURE_RESOURCE_GROUP: 'rg-app' });
    const child = m.childEnvironment('dev', { PATH: '/bin', AZURE_CLIENT_SECRET: 'ambient', ARM_CLIENT_ID: 'x', AZURE_CONFIG_DIR: '/elsewhere', AWS_PROFILE: 'kept' });
    expect(child).toEqual({ PATH: '/bin', AWS_PROFILE: 'kept', AZURE_SUBSCRIPTION_ID: SUB, ARM_SUBSCRIPTION_ID: SUB, AZURE_LOCATION: 'westeurope', ARM_LOCATION: 'westeurope', ARM_USE_CLI: 'true', AZURE_RESOURCE_GROUP: 'rg-app' });
    expect(await m.consoleUrl('dev')).toBe(`https://portal.azure.com/#@${TENANT}`);
    expect(await m.consoleUrl('dev', { destination: 'subscription' })).toBe(`https://portal.azure.com/#@${TENANT}/resource/subscriptions/${SUB}/overview`);
    expect(await m.consoleUrl('dev', { destination: 'kv' })).toBe(`https://portal.azure.com/#@${TENANT}/blade/HubsExtension/BrowseResource/resourceType/Microsoft.KeyVault%2FVaults`);
    await expect(m.consoleUrl('dev', { destination: 'javascript:alert(1)' })).rejects.toMatchObject({ code: 'AUTH_CONSOLE_FAILED' });

    // Someone else's az entries stay; the tokens infrakey wrote and credentials.json go.
    const cliFile = join(t.root, 'home/.azure/msal_token_cache.json');
    const before = json(cliFile);
    before.AccessToken['other-key'] = { credential_type: 'AccessToken', secret: 'az-own-token', target: 'x' };
    writeFileSync(cliFile, JSON.stringify(before));
    const out = await m.logout({ identity: 'dev' });
    expect(out.identities).toEqual(['dev']);
    expect(existsSync(join(t.root, 'home/.azure/atmos/az/azure-dev/credentials.json'))).toBe(false);
    expect(Object.keys(json(cliFile).AccessToken)).toEqual(['other-key']);
    // --all also forgets the provider's refresh token in the realm cache.
    const all = await m.logout({ all: true });
    expect(all.providers).toEqual(['azure-dev']);
    expect(json(join(t.root, 'home/.azure/atmos/az/msal_token_cache.json')).RefreshToken).toEqual({});
    expect(fake.count('/devicecode')).toBe(1);
    await m.authenticate('dev');
    expect(fake.count('/devicecode')).toBe(2);
  });

  test('azure/oidc: federated token from a file (client_assertion), service-principal files and ARM_USE_OIDC', async () => {
    await start({ federated: [{ clientId: APP, issuer: 'https://token.actions.githubusercontent.com', subject: 'repo:acme/infra:ref:refs/heads/main', audience: 'api://AzureADTokenExchange' }] });
    const tokenFile = join(t.root, 'federated.jwt');
    const assertion = federatedToken('repo:acme/infra:ref:refs/heads/main');
    writeFileSync(tokenFile, `${assertion}\n`);
    const auth = {
      realm: 'ci',
      providers: { 'azure-oidc': { kind: 'azure/oidc', spec: { tenant_id: TENANT, client_id: APP, token_file_path: tokenFile } } },
      identities: { deploy: { kind: 'azure/subscription', via: { provider: 'azure-oidc' }, principal: { subscription_id: SUB } } },
    };
    const m = manager(auth, false);
    const who = await m.whoami('deploy');
    expect(who).toMatchObject({ principal: `/subscriptions/${SUB}`, account: TENANT, userId: APP });
    const cc = fake.calls.filter((c) => c.form.grant_type === 'client_credentials');
    expect(cc.map((c) => c.form.scope).sort()).toEqual(['https://graph.microsoft.com/.default', 'https://management.azure.com/.default', 'https://vault.azure.net/.default']);
    expect(cc[0].form).toMatchObject({ client_id: APP, client_assertion: assertion, client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer' });
    const home = join(t.root, 'home/.azure');
    const cli = json(join(home, 'msal_token_cache.json'));
    expect(cli.Account).toEqual({});
    expect(cli.AppMetadata).toEqual({ [`appmetadata-login.microsoftonline.com-${APP}`]: { client_id: APP, environment: 'login.microsoftonline.com', family_id: '' } });
    expect(Object.keys(cli.AccessToken).every((k) => k.startsWith(`-login.microsoftonline.com-accesstoken-${APP}-${TENANT}-`))).toBe(true);
    expect(json(join(home, 'azureProfile.json')).subscriptions[0].user).toEqual({ name: APP, type: 'servicePrincipal' });
    expect(json(join(home, 'service_principal_entries.json'))).toEqual([{ client_assertion: assertion, client_id: APP, tenant: TENANT }]);
    const file = json(join(home, 'atmos/ci/azure-oidc/credentials.json'));
    expect(file).toMatchObject({ client_id: APP, is_service_principal: true, token_file_path: tokenFile, auth_method: 'oidc' });
    expect(JSON.stringify(file)).not.toContain(assertion); // the federated token is never in Atmos's copy
    expect(m.environment('deploy')).toEqual({ AZURE_SUBSCRIPTION_ID: SUB, ARM_SUBSCRIPTION_ID: SUB, AZURE_TENANT_ID: TENANT, ARM_TENANT_ID: TENANT, ARM_USE_OIDC: 'true', ARM_CLIENT_ID: APP, AZURE_CLIENT_ID: APP, AZURE_FEDERATED_TOKEN_FILE: tokenFile, ARM_OIDC_TOKEN_FILE_PATH: tokenFile });
    // Ambient: every authentication exchanges the token again.
    await m.authenticate('deploy', { force: true });
    expect(fake.count('/token', 'client_credentials')).toBe(6);
    // A token from another subject is refused with the Entra error code, and never echoed.
    writeFileSync(tokenFile, federatedToken('x', { iss: 'https://evil.example' }));
    const err = await failure(manager(auth, false).authenticate('deploy'));
    expect(err).toMatchObject({ code: 'AUTH_AZURE_FAILED', message: expect.stringContaining('invalid_client') });
  });

  test('azure/oidc in GitHub Actions: the token comes through the github/oidc machinery with the Entra audience', async () => {
    const gh = new FakeGithubOidc();
    const url = await gh.start();
    try {
      await start({ federated: [{ clientId: APP, issuer: 'https://token.actions.githubusercontent.com', subject: 'repo:acme/infra:ref:refs/heads/main', audience: 'api://AzureADTokenExchange' }] });
      const env = { ...t.env, GITHUB_ACTIONS: 'true', ACTIONS_ID_TOKEN_REQUEST_URL: url, ACTIONS_ID_TOKEN_REQUEST_TOKEN: gh.requestToken };
      const auth = {
        realm: 'ci',
        providers: { 'azure-oidc': { kind: 'azure/oidc', spec: { tenant_id: TENANT, client_id: APP } } },
        identities: { deploy: { kind: 'azure/subscription', via: { provider: 'azure-oidc' }, principal: { subscription_id: SUB } } },
      };
      const m = new AuthManager(auth, { env, httpsCa: [fake.cert, gh.cert], keyring: new MemoryKeyring() });
      await m.authenticate('deploy');
      expect(gh.requests).toEqual([{ audience: 'api://AzureADTokenExchange', authorized: true }]);
      expect(fake.calls.find((c) => c.form.grant_type === 'client_credentials')?.form.client_assertion).toBe(gh.issued[0]);
      expect(m.environment('deploy')).not.toHaveProperty('AZURE_FEDERATED_TOKEN_FILE');
      const noSource = await failure(new AuthManager(auth, { env: t.env, httpsCa: [fake.cert] }).authenticate('deploy'));
      expect(noSource).toMatchObject({ code: 'AUTH_AZURE_FAILED', message: expect.stringContaining('no federated token source found') });
    } finally {
      await gh.stop();
    }
  });

  /** An Azure CLI folder as `az login` leaves it (MSAL Python's cache schema, azureProfile.json with a BOM). */
  function azLogin(dir: string, opts: { accessTokenValid: boolean }): { cache: string; accessToken: string; refreshToken: string } {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const oid = fake.user.oid;
    const hid = `${oid}.${TENANT}`;
    const env = 'login.microsoftonline.com';
    const cid = '04b07795-8ddb-461a-bbee-02f9e1bf7b46';
    const now = Math.floor(Date.now() / 1000);
    const exp = opts.accessTokenValid ? now + 3000 : now - 60;
    const b = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const accessToken = `${b({ alg: 'RS256' })}.${b({ aud: 'https://management.core.windows.net/', tid: TENANT, oid, upn: fake.user.upn, exp })}.sig`;
    // The refresh token must be one the fake issued (as Entra would have).
    const refreshToken = 'rt-from-az-login';
    fake.refreshTokens.add(refreshToken);
    const target = 'https://management.core.windows.net//user_impersonation https://management.core.windows.net//.default';
    const cache = {
      AccessToken: {
        [`${hid}-${env}-accesstoken-${cid}-${TENANT}-${target}`.toLowerCase()]: { credential_type: 'AccessToken', secret: accessToken, home_account_id: hid, environment: env, client_id: cid, target, realm: TENANT, token_type: 'Bearer', cached_at: String(now - 100), expires_on: String(exp), extended_expires_on: String(exp) },
      },
      RefreshToken: { [`${hid}-${env}-refreshtoken-${cid}--`]: { credential_type: 'RefreshToken', secret: refreshToken, home_account_id: hid, environment: env, client_id: cid, target: target, last_modification_time: String(now - 100), family_id: '1' } },
      IdToken: { [`${hid}-${env}-idtoken-${cid}-${TENANT}-`]: { credential_type: 'IdToken', secret: `${b({ alg: 'RS256' })}.${b({ oid, tid: TENANT, preferred_username: fake.user.upn })}.sig`, home_account_id: hid, environment: env, realm: TENANT, client_id: cid } },
      Account: { [`${hid}-${env}-${TENANT}`]: { home_account_id: hid, environment: env, realm: TENANT, local_account_id: oid, username: fake.user.upn, authority_type: 'MSSTS', account_source: 'authorization_code' } },
      AppMetadata: { [`appmetadata-${env}-${cid}`]: { client_id: cid, environment: env, family_id: '1' } },
    };
    const text = JSON.stringify(cache);
    writeFileSync(join(dir, 'msal_token_cache.json'), text, { mode: 0o600 });
    const profile = { installationId: 'abc', subscriptions: [{ id: SUB, name: 'Dev', state: 'Enabled', user: { name: fake.user.upn, type: 'user' }, isDefault: true, tenantId: TENANT, environmentName: 'AzureCloud', homeTenantId: TENANT, managedByTenants: [] }] };
    writeFileSync(join(dir, 'azureProfile.json'), `\uFEFF${JSON.stringify(profile)}`);
    return { cache: text, accessToken, refreshToken };
  }

  const cliAuth = {
    realm: 'local',
    providers: { 'azure-cli': { kind: 'azure/cli', spec: { tenant_id: TENANT } } },
    identities: { me: { kind: 'azure/subscription', via: { provider: 'azure-cli' }, principal: { subscription_id: SUB } } },
  };

  test('azure/cli: a valid cached token of az is used offline; the CLI files are never written', async () => {
    await start({ refuseScopes: ['vault.azure.net'] });
    const dir = join(t.root, 'home/.azure');
    const az = azLogin(dir, { accessTokenValid: true });
    const profileBefore = readFileSync(join(dir, 'azureProfile.json'));
    const r = await manager(cliAuth, false).authenticate('me');
    const c = r.credentials as AzureCredentials;
    expect(unsafeUnwrap(c.accessToken)).toBe(az.accessToken);
    expect(c).toMatchObject({ authMethod: 'cli', subscriptionId: SUB, tenantId: TENANT });
    expect(c.keyVaultToken).toBeUndefined(); // the tenant refused the vault scope: optional
    expect(fake.count('/token', 'refresh_token')).toBe(1); // only the (refused) Key Vault attempt
    expect(readFileSync(join(dir, 'msal_token_cache.json'), 'utf8')).toBe(az.cache);
    expect(readFileSync(join(dir, 'azureProfile.json')).equals(profileBefore)).toBe(true);
    expect(existsSync(join(dir, 'service_principal_entries.json'))).toBe(false);
    // Atmos's copy is written for the identity, 0600.
    expect(json(join(dir, 'atmos/local/azure-cli/credentials.json'))).toMatchObject({ auth_method: 'cli', subscription_id: SUB });
  });

  test('azure/cli: an expired token is redeemed with the CLI refresh token (AZURE_CONFIG_DIR honoured); nothing written back; not logged in is clear', async () => {
    await start({});
    const dir = join(t.root, 'az-config');
    const az = azLogin(dir, { accessTokenValid: false });
    const env = { ...t.env, AZURE_CONFIG_DIR: dir };
    const r = await manager(cliAuth, false, env).authenticate('me');
    expect(unsafeUnwrap((r.credentials as AzureCredentials).accessToken)).not.toBe(az.accessToken);
    expect(fake.calls.find((c) => c.form.grant_type === 'refresh_token')?.form).toMatchObject({ refresh_token: az.refreshToken, client_id: '04b07795-8ddb-461a-bbee-02f9e1bf7b46' });
    expect(fake.calls.find((c) => c.form.grant_type === 'refresh_token')?.form.scope).toContain('https://management.core.windows.net//.default');
    expect(readFileSync(join(dir, 'msal_token_cache.json'), 'utf8')).toBe(az.cache);
    // The CLI's own files under ~/.azure are not touched either (credentials minted by az are not written back).
    expect(existsSync(join(t.root, 'home/.azure/msal_token_cache.json'))).toBe(false);

    fake.revoked.add(az.refreshToken);
    expect(await failure(manager(cliAuth, false, env).authenticate('me'))).toMatchObject({ code: 'AUTH_AZURE_CLI_NOT_LOGGED_IN', message: expect.stringContaining('invalid_grant') });
    const empty = { ...t.env, AZURE_CONFIG_DIR: join(t.root, 'nothing') };
    const e = await failure(manager(cliAuth, false, empty).authenticate('me'));
    expect(e.code).toBe('AUTH_AZURE_CLI_NOT_LOGGED_IN');
    expect(e.message).toContain('Azure CLI not logged in');
    expect((e as { fix?: string }).fix).toContain(`az login --tenant ${TENANT}`);
  });

  test('azure/interactive: the realm cache login is used silently; without it a clear unsupported error', async () => {
    await start({});
    const interactiveAuth = { ...deviceAuth, providers: { 'azure-dev': { kind: 'azure/interactive', spec: { tenant_id: TENANT } } } };
    expect(await failure(manager(interactiveAuth).authenticate('dev'))).toMatchObject({ code: 'AUTH_KIND_UNSUPPORTED', message: expect.stringContaining('azure/interactive') });
    await manager(deviceAuth).authenticate('dev');
    const r = await manager(interactiveAuth, false).authenticate('dev', { force: true });
    expect(r.credentials).toMatchObject({ type: 'azure', authMethod: 'interactive' });
    expect(fake.count('/devicecode')).toBe(1);
  });

  test('validate reports every Azure spec problem with its path', () => {
    const m = new AuthManager({
      providers: {
        a: { kind: 'azure/device-code', spec: { cloud_environment: 'mars' } },
        b: { kind: 'azure/oidc', spec: { tenant_id: TENANT } },
      },
      identities: { s: { kind: 'azure/subscription', via: { provider: 'a' } } },
    });
    const v = m.validate();
    const got = v.errors.map((e) => `${e.code} ${(e as { where?: string }).where ?? ''}`);
    expect(got).toEqual(expect.arrayContaining([
      expect.stringMatching(/AUTH_FIELD_MISSING auth\.providers\.a\.spec\.tenant_id/),
      expect.stringMatching(/AUTH_CONFIG_INVALID auth\.providers\.a\.spec\.cloud_environment/),
      expect.stringMatching(/AUTH_FIELD_MISSING auth\.providers\.b\.spec\.client_id/),
      expect.stringMatching(/AUTH_FIELD_MISSING auth\.identities\.s\.principal\.subscription_id/),
    ]));
  });
});
