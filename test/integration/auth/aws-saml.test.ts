import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AuthManager } from '../../../core/auth/auth-manager';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { toSdkCredentials } from '../../../core/auth/credentials';
import { authenticateSaml, samlRoles, responseFromEnvelope } from '../../../core/auth/kinds/aws-saml';
import { redactor } from '../../../core/secret';
import { readdirSync, statSync } from 'node:fs';
import { FakeSamlIdp } from '../../fakes/fake-saml-idp';
import { motoEndpoint } from '../../support/services';
import { expectPrivateLayout, failure, makeAuthTestEnv, type AuthTestEnv } from './auth-test-env';

/**
 * aws/saml against a FAKE IdP (pysaml2-built, xmlsec1-signed SAML 2.0 ECP responses) and moto's
 * STS AssumeRoleWithSAML. moto 5.1 reads only a single-valued Role attribute, so the chains that
 * reach moto use the "repeated" attribute form (one Role attribute per role, which saml2aws and
 * infrakey read too); the usual multi-valued form is parsed in its own test.
 */

const IDP = 'arn:aws:iam::123456789012:saml-provider/corp-idp';
const DEV = 'arn:aws:iam::123456789012:role/dev';
const ADMIN = 'arn:aws:iam::123456789012:role/admin';
const OPS = 'arn:aws:iam::123456789012:role/ops';
const PASSWORD = 'idp-Password-4-alice';

function samlConfig(idpUrl: string, moto: string, extra: { provider?: Record<string, unknown>; identity?: Record<string, unknown> } = {}) {
  return {
    realm: 'saml',
    providers: {
      corp: { kind: 'aws/saml', url: idpUrl, region: 'us-east-2', driver: 'ShibbolethECP', username: 'alice', password: PASSWORD, spec: { endpoint_url: moto }, ...extra.provider },
    },
    identities: {
      admin: { kind: 'aws/assume-role', default: true, via: { provider: 'corp' }, principal: { assume_role: ADMIN }, ...extra.identity },
    },
  };
}

/** A fake IdP for the describe block, a fresh moto endpoint and auth folder per test. */
function samlFixture(spec: ConstructorParameters<typeof FakeSamlIdp>[0]): { t: AuthTestEnv; idp: FakeSamlIdp; moto: string } {
  const f = {} as { t: AuthTestEnv; idp: FakeSamlIdp; moto: string };
  beforeAll(async () => {
    f.idp = new FakeSamlIdp(spec);
    await f.idp.start();
  }, 120_000);
  afterAll(() => f.idp.stop());
  beforeEach(() => {
    f.moto = motoEndpoint();
    f.t = makeAuthTestEnv();
  });
  afterEach(() => f.t.cleanup());
  return f;
}

/** The provider step alone (authenticateSaml), and who its session is according to moto's STS. */
async function providerSessionArn(m: AuthManager, f: { t: AuthTestEnv; idp: FakeSamlIdp; moto: string }): Promise<string | undefined> {
  const chain = m.chain('admin');
  const creds = await authenticateSaml(chain.provider!, { env: f.t.env, realm: 'saml', keyring: async () => undefined, interaction: { interactive: false, notify: () => undefined }, now: () => Date.now(), sleep: async () => undefined, httpsCa: [f.idp.cert], where: (p: string) => p, chain });
  expect(creds.region).toBe('us-east-2');
  const sts = new STSClient({ region: 'us-east-2', endpoint: f.moto, credentials: toSdkCredentials(creds) });
  try {
    return (await sts.send(new GetCallerIdentityCommand({}))).Arn;
  } finally {
    sts.destroy();
  }
}

describe('aws/saml provider (fake ECP IdP + moto STS)', () => {
  const f = samlFixture({ username: 'alice', password: PASSWORD, roles: [[DEV, IDP], [ADMIN, IDP], [OPS, IDP]], roleForm: 'repeated', sessionName: 'alice@corp' });

  test('the next identity\'s role is chosen among the assertion\'s roles; files as Atmos writes them', async () => {
    const m = new AuthManager(samlConfig(f.idp.url, f.moto), { env: f.t.env, httpsCa: [f.idp.cert] });
    const r = await m.authenticate('admin');
    expect(r.chain.label).toBe('corp -> admin');
    const who = await m.whoami('admin');
    // The identity's AssumeRole runs from the SAML session (Atmos: the provider's role, then the identity's).
    expect(who.principal).toMatch(/^arn:aws:sts::123456789012:assumed-role\/admin\/atmos-admin-\d+$/);
    expect(who.provider).toBe('corp');
    expect(who.region).toBe('us-east-2');
    const dir = join(f.t.env.ATMOS_XDG_CONFIG_HOME!, 'atmos', 'saml', 'aws', 'corp');
    const creds = readFileSync(join(dir, 'credentials'), 'utf8');
    expect(creds).toMatch(/\[admin\]\naws_access_key_id\s+= \S+\naws_secret_access_key\s+= \S+\naws_session_token\s+= \S+/);
    expect(creds).not.toContain(PASSWORD);
    expect(readFileSync(join(dir, 'config'), 'utf8')).toMatch(/\[profile admin\]\nregion\s+= us-east-2/);
    expectPrivateLayout(f.t, join('xdg-config', 'atmos', 'saml'));
    // The AWS CLI reads the written profile (and asks moto who it is).
    const out = execFileSync('aws', ['sts', 'get-caller-identity', '--output', 'json'], { env: { ...m.childEnvironment('admin', f.t.env), AWS_ENDPOINT_URL: f.moto }, encoding: 'utf8' });
    expect(JSON.parse(out).Arn).toBe(who.principal);
  });

  test('the SAML session itself is of the preferred role (provider step seen through STS)', async () => {
    // The provider's own session: AssumeRoleWithSAML of the hinted role (OPS, the assertion's
    // third), as moto's GetCallerIdentity of that session shows.
    const m = new AuthManager(samlConfig(f.idp.url, f.moto, { identity: { principal: { assume_role: OPS } } }), { env: f.t.env, httpsCa: [f.idp.cert] });
    expect(await providerSessionArn(m, f)).toBe('arn:aws:sts::123456789012:assumed-role/ops/alice@corp');
    expect(redactor.contains('alice')).toBe(false);
  });

  test('a role hint that matches nothing falls back to the first role (Atmos selectRole)', async () => {
    const m = new AuthManager(samlConfig(f.idp.url, f.moto, { identity: { principal: { assume_role: 'arn:aws:iam::999999999999:role/elsewhere' } } }), { env: f.t.env, httpsCa: [f.idp.cert] });
    expect(await providerSessionArn(m, f)).toBe('arn:aws:sts::123456789012:assumed-role/dev/alice@corp');
  });

  test('a wrong password is AUTH_SAML_FAILED naming the fields, never the password', async () => {
    const m = new AuthManager(samlConfig(f.idp.url, f.moto, { provider: { password: 'Wrong-Password-123' } }), { env: f.t.env, httpsCa: [f.idp.cert] });
    const err = await failure(m.authenticate('admin'));
    expect(err.code).toBe('AUTH_SAML_FAILED');
    expect(err.message).toContain('HTTP 401');
    expect(err.message).toContain('auth.providers.corp.username');
    expect(err.message).not.toContain('Wrong-Password-123');
    expect(f.t.entries()).toEqual([]);
  });

  test('browser and vendor drivers are refused naming the driver; no password headless', async () => {
    for (const [provider, driver] of [[{ driver: 'Browser' }, 'Browser'], [{ driver: undefined, url: 'https://accounts.google.com/o/saml2/initsso?idpid=x' }, 'GoogleApps'], [{ driver: 'PingFed' }, 'PingFed'], [{ driver: undefined, url: 'https://idp.example.com/login' }, 'Browser']] as const) {
      const m = new AuthManager(samlConfig(f.idp.url, f.moto, { provider }), { env: f.t.env, httpsCa: [f.idp.cert] });
      const err = await failure(m.authenticate('admin'));
      expect(err.code).toBe('AUTH_SAML_DRIVER_UNSUPPORTED');
      expect(err.message).toContain(`SAML driver "${driver}"`);
      expect(err.message).toContain('driver: ShibbolethECP');
    }
    const m = new AuthManager(samlConfig(f.idp.url, f.moto, { provider: { password: undefined } }), { env: f.t.env, httpsCa: [f.idp.cert] });
    expect((await failure(m.authenticate('admin'))).code).toBe('AUTH_PROMPT_REQUIRES_TTY');
    // Interactive: the password is asked for (and masked from then on).
    const asked: string[] = [];
    const m2 = new AuthManager(samlConfig(f.idp.url, f.moto, { provider: { password: undefined } }), { env: f.t.env, httpsCa: [f.idp.cert], interaction: { interactive: true, notify: () => undefined, promptSecret: async (q) => (asked.push(q), PASSWORD) } });
    await m2.authenticate('admin');
    expect(asked).toEqual([expect.stringContaining('Password for alice at 127.0.0.1:')]);
    expect(redactor.contains(PASSWORD)).toBe(true);
  });

  test('the next identity needs principal.assume_role (Atmos PreAuthenticate)', async () => {
    const m = new AuthManager(samlConfig(f.idp.url, f.moto, { identity: { principal: {} } }), { env: f.t.env, httpsCa: [f.idp.cert] });
    const err = await failure(m.authenticate('admin'));
    expect(['AUTH_FIELD_MISSING']).toContain(err.code);
    expect(err.message).toContain('principal.assume_role');
  });
});

/** Every text the user or a log could see of a failure: message, stack, JSON, causes; and every file written. */
function expectNoLeak(t: AuthTestEnv, err: Error, secret: string): void {
  const texts: string[] = [];
  for (let e: unknown = err; e; e = (e as { cause?: unknown }).cause) texts.push(String(e), (e as Error).stack ?? '', JSON.stringify(e));
  for (const text of texts) expect(text).not.toContain(secret);
  const files = (dir: string): string[] => readdirSync(dir).flatMap((n) => (statSync(join(dir, n)).isDirectory() ? files(join(dir, n)) : [join(dir, n)]));
  for (const file of files(t.root)) expect(readFileSync(file, 'utf8')).not.toContain(secret);
}

describe.each([
  ['Okta', (idp: FakeSamlIdp) => idp.oktaAppUrl, ['"POST /api/v1/authn', '"GET /app/amazon_aws/exk1fakeapp/sso/saml?sessionToken=']],
  ['ADFS', (idp: FakeSamlIdp) => idp.base, ['"GET /adfs/ls/IdpInitiatedSignOn.aspx?loginToRp=urn%3Aamazon%3Awebservices HTTP', '"POST /adfs/ls/IdpInitiatedSignOn.aspx?loginToRp=', '"GET /adfs/ls/IdpInitiatedSignOn.aspx?loginToRp=urn%3Aamazon%3Awebservices&client-request-id=']],
  ['KeyCloak', (idp: FakeSamlIdp) => idp.keycloakClientUrl, ['"GET /realms/corp/protocol/saml/clients/amazon-aws', '"POST /realms/corp/login-actions/authenticate?session_code=']],
] as const)('aws/saml driver %s (fake IdP pages + moto STS)', (driver, urlOf, expectedRequests) => {
  const f = samlFixture({ username: 'alice', password: PASSWORD, roles: [[DEV, IDP], [ADMIN, IDP]], roleForm: 'repeated', sessionName: 'alice@corp', mfaUser: 'mallory' });
  const config = (extra: { provider?: Record<string, unknown> } = {}) => samlConfig(urlOf(f.idp), f.moto, { provider: { driver, ...extra.provider } });

  test('logs in headless: the signed SAMLResponse of the page goes to STS, the hinted role is assumed', async () => {
    const before = f.idp.requests().length;
    const m = new AuthManager(config(), { env: f.t.env, httpsCa: [f.idp.cert] });
    expect(await providerSessionArn(m, f)).toBe('arn:aws:sts::123456789012:assumed-role/admin/alice@corp');
    const seen = f.idp.requests().slice(before);
    // Okta: authn, embed link. ADFS: sign-on page, form POST, the redirect's GET with the MSISAuth cookie. KeyCloak: login page, form POST.
    expect(seen.map((l) => expectedRequests.findIndex((r) => l.includes(r)))).toEqual(expectedRequests.map((_, i) => i));
    // The whole chain too, with the credential files Atmos writes.
    const r = await m.authenticate('admin');
    expect(r.chain.label).toBe('corp -> admin');
    expect((await m.whoami('admin')).principal).toMatch(/^arn:aws:sts::123456789012:assumed-role\/admin\/atmos-admin-\d+$/);
    expectPrivateLayout(f.t, join('xdg-config', 'atmos', 'saml'));
    expectNoLeak(f.t, new Error('none'), PASSWORD);
  });

  test('a wrong password is AUTH_SAML_FAILED naming the fields; the password appears nowhere', async () => {
    const wrong = 'Wrong-Password-987';
    const m = new AuthManager(config({ provider: { password: wrong } }), { env: f.t.env, httpsCa: [f.idp.cert] });
    const err = await failure(m.authenticate('admin'));
    expect(err.code).toBe('AUTH_SAML_FAILED');
    expect(err.message).toContain(`driver ${driver}`);
    expect(err.message).toContain(driver === 'Okta' ? 'Okta refused the username and password (HTTP 401: Authentication failed)' : `${driver} showed the login form again`);
    expect(err.message).toContain('auth.providers.corp.username');
    expectNoLeak(f.t, err, wrong);
    expect(f.t.entries()).toEqual([]);
  });

  test('a second factor infrakey cannot answer (Okta push, ADFS Azure MFA, Keycloak OTP) is AUTH_SAML_MFA_UNSUPPORTED', async () => {
    const m = new AuthManager(config({ provider: { username: 'mallory' } }), { env: f.t.env, httpsCa: [f.idp.cert] });
    const err = await failure(m.authenticate('admin'));
    expect(err.code).toBe('AUTH_SAML_MFA_UNSUPPORTED');
    expect(err.message).toContain(driver === 'Okta' ? 'Okta requires multi-factor authentication (status MFA_REQUIRED) with factors infrakey cannot answer (OKTA push)' : `${driver} asks for a second factor (MFA)`);
    expectNoLeak(f.t, err, PASSWORD);
  });

  test('a URL that is not the IdP page fails AUTH_SAML_FAILED naming the url field', async () => {
    const m = new AuthManager(samlConfig(`${f.idp.base}/elsewhere`, f.moto, { provider: { driver } }), { env: f.t.env, httpsCa: [f.idp.cert] });
    const err = await failure(m.authenticate('admin'));
    expect(err.code).toBe('AUTH_SAML_FAILED');
    expect(err.message).toContain('auth.providers.corp.url');
  });
});

describe('aws/saml driver Okta with a code factor (MFA_REQUIRED, token:software:totp)', () => {
  const CODE = '246810';
  const f = samlFixture({ username: 'alice', password: PASSWORD, roles: [[DEV, IDP], [ADMIN, IDP]], roleForm: 'repeated', sessionName: 'mallory@corp', mfaUser: 'mallory', mfaCode: CODE });
  const config = () => samlConfig(f.idp.oktaAppUrl, f.moto, { provider: { driver: 'Okta', username: 'mallory' } });
  const asking = (code: string, asked: string[]) => ({ interactive: true, notify: () => undefined, promptSecret: async (q: string) => (asked.push(q), code) });

  test('on a terminal the code is asked for and verified at the factor link; the login completes', async () => {
    const asked: string[] = [];
    const before = f.idp.requests().length;
    const m = new AuthManager(config(), { env: f.t.env, httpsCa: [f.idp.cert], interaction: asking(CODE, asked) });
    await m.authenticate('admin');
    expect((await m.whoami('admin')).principal).toMatch(/^arn:aws:sts::123456789012:assumed-role\/admin\/atmos-admin-\d+$/);
    expect(asked).toEqual(['Okta verification code (GOOGLE authenticator) for mallory:']);
    const seen = f.idp.requests().slice(before).map((l) => /"(\w+ [^? ]+)/.exec(l)?.[1]);
    expect(seen).toEqual(['POST /api/v1/authn', 'POST /api/v1/authn/factors/ost1faketotp/verify', 'GET /app/amazon_aws/exk1fakeapp/sso/saml']);
  });

  test('a wrong code is AUTH_SAML_FAILED (Okta 403 Invalid Passcode); no terminal is AUTH_SAML_MFA_UNSUPPORTED', async () => {
    const m = new AuthManager(config(), { env: f.t.env, httpsCa: [f.idp.cert], interaction: asking('999999', []) });
    const err = await failure(m.authenticate('admin'));
    expect(err.code).toBe('AUTH_SAML_FAILED');
    expect(err.message).toContain('Okta refused the verification code (HTTP 403: Invalid Passcode/Answer)');
    expectNoLeak(f.t, err, PASSWORD);
    expectNoLeak(f.t, err, '999999');
    const headless = await failure(new AuthManager(config(), { env: f.t.env, httpsCa: [f.idp.cert] }).authenticate('admin'));
    expect(headless.code).toBe('AUTH_SAML_MFA_UNSUPPORTED');
    expect(headless.message).toContain('is asked for only on a terminal');
  });
});

describe('aws/saml assertion parsing (multi-valued Role attribute, as IdPs usually send it)', () => {
  let idp: FakeSamlIdp;
  beforeAll(async () => {
    idp = new FakeSamlIdp({ username: 'bob', password: 'pw-bob-123', roles: [[DEV, IDP], [ADMIN, IDP]], roleForm: 'multi', sessionDuration: 1800 });
    await idp.start();
  }, 120_000);
  afterAll(() => idp.stop());

  test('every role of the signed response is read, in order; the signature verifies with xmlsec1', async () => {
    // Post the ECP request the way the provider does and parse what comes back.
    const { request } = await import('node:https');
    const body = '<S:Envelope xmlns:S="http://schemas.xmlsoap.org/soap/envelope/"><S:Body><samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_t1" Version="2.0" IssueInstant="2026-01-01T00:00:00Z" AssertionConsumerServiceURL="https://signin.aws.amazon.com/saml" ProtocolBinding="urn:oasis:names:tc:SAML:2.0:bindings:PAOS"><saml:Issuer>urn:amazon:webservices</saml:Issuer></samlp:AuthnRequest></S:Body></S:Envelope>';
    const envelope = await new Promise<string>((resolve, reject) => {
      const req = request(idp.url, { method: 'POST', ca: idp.cert, headers: { Authorization: `Basic ${Buffer.from('bob:pw-bob-123').toString('base64')}`, 'Content-Type': 'text/xml' } }, (res) => {
        let s = '';
        res.on('data', (d: Buffer) => (s += d.toString()));
        res.on('end', () => resolve(s));
      });
      req.on('error', reject);
      req.end(body);
    });
    const xml = responseFromEnvelope(envelope);
    expect(await samlRoles(xml)).toEqual([{ roleArn: DEV, principalArn: IDP }, { roleArn: ADMIN, principalArn: IDP }]);
    // The response the provider forwards to STS is byte-for-byte the signed one.
    const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'saml-verify-'));
    try {
      writeFileSync(join(dir, 'r.xml'), xml);
      writeFileSync(join(dir, 'cert.pem'), idp.cert);
      const out = execFileSync('xmlsec1', ['--verify', '--id-attr:ID', 'urn:oasis:names:tc:SAML:2.0:protocol:Response', '--id-attr:ID', 'urn:oasis:names:tc:SAML:2.0:assertion:Assertion', '--node-id', /ID="([^"]+)"/.exec(xml)![1], '--pubkey-cert-pem', join(dir, 'cert.pem'), join(dir, 'r.xml')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      expect(out).toBe('');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
