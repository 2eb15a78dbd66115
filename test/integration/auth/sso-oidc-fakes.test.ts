import { AuthManager } from '../../../core/auth/auth-manager';
import { credentialKey } from '../../../core/auth/keyring-credentials';
import { MemoryKeyring } from '../../../core/keyring/memory-keyring';
import { unsafeUnwrap } from '../../../core/secret';
import { motoEndpoint } from '../../support/services';
import { FakeGithubOidc } from '../../fakes/fake-github-oidc';
import { FakeSso, type FakeSsoOptions } from '../../fakes/fake-sso';
import { expectPrivateLayout, failure, makeAuthTestEnv, type AuthTestEnv } from './auth-test-env';

function ssoConfig(ssoEndpoint: string, moto: string) {
  return {
    realm: 'sso-test',
    providers: { 'Corp-SSO': { kind: 'aws/iam-identity-center', region: 'us-east-1', start_url: 'https://corp.awsapps.com/start', spec: { endpoint_url: ssoEndpoint } } },
    identities: {
      admin: { kind: 'aws/permission-set', via: { provider: 'corp-sso' }, principal: { name: 'AdminAccess', account: { id: '123456789012' } } },
      sandbox: { kind: 'aws/permission-set', via: { provider: 'corp-sso' }, principal: { name: 'ReadOnly', account: { name: 'plat-sandbox' } } },
      deployer: { kind: 'aws/assume-role', via: { identity: 'admin' }, principal: { assume_role: 'arn:aws:iam::333333333333:role/deployer' }, spec: { endpoint_url: moto } },
    },
  };
}

describe('IAM Identity Center device login (fake SSO OIDC/portal) feeding moto STS', () => {
  let t: AuthTestEnv;
  let fake: FakeSso;
  const sleeps: number[] = [];
  const notices: string[] = [];
  async function setup(opts: FakeSsoOptions) {
    fake = new FakeSso({ accounts: [{ accountId: '444455556666', accountName: 'plat-sandbox' }], ...opts });
    const endpoint = await fake.start();
    const keyring = new MemoryKeyring();
    const m = new AuthManager(ssoConfig(endpoint, motoEndpoint()), {
      env: t.env,
      keyring,
      interaction: { interactive: false, notify: (s) => notices.push(s) },
      sleep: async (ms) => void sleeps.push(ms),
    });
    return { m, keyring };
  }
  beforeEach(() => {
    t = makeAuthTestEnv();
    sleeps.length = 0;
    notices.length = 0;
  });
  afterEach(async () => {
    await fake.stop();
    t.cleanup();
  });

  test('device flow: pending, slow_down (+5 s), approve; token cached in the keyring; chain to moto', async () => {
    const { m, keyring } = await setup({ pendingPolls: 2, slowDownOnPoll: 2, interval: 1 });
    const who = await m.whoami('deployer');
    expect(who.principal).toMatch(/^arn:aws:sts::333333333333:assumed-role\/deployer\/atmos-deployer-\d+$/);
    expect(who.provider).toBe('corp-sso');
    // interval 1 s, then +5 s after slow_down, kept afterwards.
    expect(sleeps).toEqual([1000, 1000, 6000]);
    expect(fake.count('RegisterClient')).toBe(1);
    expect(fake.calls.find((c) => c.op === 'RegisterClient')?.body).toMatchObject({ clientType: 'public', scopes: ['sso:account:access'] });
    expect(notices.join('')).toMatch(/https:\/\/device\.sso\.us-east-1\.amazonaws\.com\/\?user_code=ABCD-/);
    const entry = await keyring.get(credentialKey('sso-test', 'corp-sso'));
    expect(JSON.parse(unsafeUnwrap(entry!))).toMatchObject({ type: 'aws', data: { access_key_id: fake.issuedTokens[0], region: 'us-east-1' } });
    for (const n of notices) expect(n).not.toContain(fake.issuedTokens[0]);

    // A second identity through the same provider reuses the cached token: no new device login.
    await m.authenticate('sandbox');
    expect(fake.count('StartDeviceAuthorization')).toBe(1);
    expect(fake.calls.find((c) => c.op === 'GetRoleCredentials' && c.body?.account_id === '444455556666')).toBeDefined();
    expectPrivateLayout(t, 'xdg-config/atmos/sso-test');
  });

  test('denied and expired device codes are clear errors', async () => {
    const { m } = await setup({ outcome: 'deny' });
    await expect(m.authenticate('admin')).rejects.toMatchObject({ code: 'AUTH_SSO_FAILED', message: expect.stringContaining('denied') });
    await fake.stop();
    const { m: m2 } = await setup({ outcome: 'expire' });
    await expect(m2.authenticate('admin')).rejects.toMatchObject({ code: 'AUTH_SSO_FAILED', message: expect.stringContaining('expired') });
    expect(t.entries()).toEqual([]);
  });

  test('a revoked SSO session says to log in again', async () => {
    const { m } = await setup({});
    await m.authenticate('admin');
    fake.revoked.add(fake.issuedTokens[0]);
    // Without login: the error names the command to run.
    const err = await failure(m.authenticate('sandbox'));
    expect(err.code).toBe('AUTH_CREDENTIALS_EXPIRED');
    expect(err.message).toContain('infrakey auth login --identity sandbox');
    expect(err.message).not.toContain(fake.issuedTokens[0]);
    // login (force) drops the revoked token and runs the device flow again.
    await m.authenticate('admin', { force: true });
    expect(fake.count('StartDeviceAuthorization')).toBe(2);
  });
});

describe('github/oidc (fake Actions token endpoint) -> AssumeRoleWithWebIdentity on moto', () => {
  let t: AuthTestEnv;
  const gh = new FakeGithubOidc();
  let url: string;
  beforeAll(async () => {
    url = await gh.start();
  });
  afterAll(() => gh.stop());
  beforeEach(() => (t = makeAuthTestEnv()));
  afterEach(() => t.cleanup());

  const cfg = (moto: string) => ({
    realm: 'ci',
    providers: { 'github-oidc': { kind: 'github/oidc', region: 'us-east-1', spec: { audience: 'sts.amazonaws.com' } } },
    identities: { ci: { kind: 'aws/assume-role', via: { provider: 'github-oidc' }, principal: { assume_role: 'arn:aws:iam::555555555555:role/gha' }, spec: { endpoint_url: moto } } },
  });

  test('fetches the token with the audience and assumes the role by web identity', async () => {
    const env = { ...t.env, GITHUB_ACTIONS: 'true', ACTIONS_ID_TOKEN_REQUEST_URL: url, ACTIONS_ID_TOKEN_REQUEST_TOKEN: gh.requestToken };
    const m = new AuthManager(cfg(motoEndpoint()), { env, httpsCa: [gh.cert], keyring: new MemoryKeyring() });
    const who = await m.whoami('ci');
    expect(who.principal).toMatch(/^arn:aws:sts::555555555555:assumed-role\/gha\/atmos-ci-\d+$/);
    expect(gh.requests.at(-1)).toEqual({ audience: 'sts.amazonaws.com', authorized: true });
    expectPrivateLayout(t, 'xdg-config/atmos/ci');
  });

  test('outside Actions, with http URLs or a wrong request token: clear errors', async () => {
    const m1 = new AuthManager(cfg(motoEndpoint()), { env: t.env });
    await expect(m1.authenticate('ci')).rejects.toMatchObject({ code: 'AUTH_OIDC_FAILED', message: expect.stringContaining('GITHUB_ACTIONS') });
    const m2 = new AuthManager(cfg(motoEndpoint()), { env: { ...t.env, GITHUB_ACTIONS: 'true', ACTIONS_ID_TOKEN_REQUEST_URL: url.replace('https:', 'http:'), ACTIONS_ID_TOKEN_REQUEST_TOKEN: gh.requestToken } });
    await expect(m2.authenticate('ci')).rejects.toMatchObject({ code: 'AUTH_OIDC_FAILED', message: expect.stringContaining('https') });
    const m3 = new AuthManager(cfg(motoEndpoint()), { env: { ...t.env, GITHUB_ACTIONS: 'true', ACTIONS_ID_TOKEN_REQUEST_URL: url, ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'wrong-token-value' }, httpsCa: [gh.cert] });
    const err = await failure(m3.authenticate('ci'));
    expect(err.message).toContain('HTTP 401');
    expect(err.message).not.toContain('wrong-token-value');
    expect(t.entries()).toEqual([]);
  });
});
