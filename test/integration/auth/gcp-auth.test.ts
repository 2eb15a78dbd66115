/**
 * Issue 13 (GCP): gcp/workload-identity-federation, gcp/adc, gcp/service-account and gcp/project
 * in every auth verb, against the named fake of Google's STS, IAM Credentials, tokeninfo and
 * metadata server (test/fakes/fake-gcp.ts), with google-auth-library (real) for ADC. `gcloud` is
 * not available on this machine, so the files are checked against Atmos's writer (paths, modes,
 * JSON/INI shape) and the child's token is checked by using it against the fake.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { execFile } from 'node:child_process';
import { join, resolve } from 'node:path';
import { run } from '../../../cli/program';
import { captureIO } from '../../../cli/io';
import { AuthManager } from '../../../core/auth/auth-manager';
import { storeAuthResolver } from '../../../core/auth/store-auth';
import { sopsGcpCredentials } from '../../../core/auth/workspace-auth';
import { loadAtmosConfig } from '../../../core/index';
import { unsafeUnwrap } from '../../../core/secret';
import { FakeGcp, fakeOidcJwt } from '../../fakes/fake-gcp';
import { FakeGithubOidc } from '../../fakes/fake-github-oidc';
import { expectPrivateLayout, failure, makeAuthTestEnv, type AuthTestEnv } from './auth-test-env';

const CLI = resolve(__dirname, '../../../dist/cli/infrakey.js');
const AUDIENCE = '//iam.googleapis.com/projects/123456789/locations/global/workloadIdentityPools/ci-pool/providers/github';
const SA = 'deployer@prod-proj.iam.gserviceaccount.com';
const DELEGATE = 'hop@prod-proj.iam.gserviceaccount.com';

function writeRepo(t: AuthTestEnv, auth: string): string {
  const repo = join(t.root, 'repo');
  mkdirSync(repo, { recursive: true });
  writeFileSync(join(repo, 'atmos.yaml'), `base_path: "./"\nstacks:\n  base_path: stacks\n  included_paths: ["**/*"]\n  name_template: "{{.vars.stage}}"\nauth:\n${auth}`);
  mkdirSync(join(repo, 'stacks'), { recursive: true });
  return repo;
}

const wifAuth = (tokenFile: string) => `  realm: gcp-test
  providers:
    ci-wif:
      kind: gcp/workload-identity-federation
      spec:
        project_number: "123456789"
        workload_identity_pool_id: ci-pool
        workload_identity_provider_id: github
        project_id: pool-proj
        token_source: { type: file, file_path: "${tokenFile}" }
  identities:
    deployer:
      kind: gcp/service-account
      default: true
      via: { provider: ci-wif }
      principal:
        service_account_email: ${SA}
        delegates: [${DELEGATE}]
        lifetime: 2h
    sandbox:
      kind: gcp/project
      principal: { project_id: sandbox-proj, region: europe-west1, location: europe-west1-b }
`;

async function cli(t: AuthTestEnv, cwd: string, args: string[], env: NodeJS.ProcessEnv = {}) {
  const io = captureIO();
  const code = await run(args, { io, env: { ...t.env, ...env }, cwd });
  return { code, stdout: io.stdout, stderr: io.stderr };
}

describe('GCP identities through the CLI (fake Google STS / IAM Credentials)', () => {
  let t: AuthTestEnv;
  let gcp: FakeGcp;
  let repo: string;
  let subject: string;
  beforeEach(async () => {
    gcp = new FakeGcp();
    gcp.audience = AUDIENCE;
    await gcp.start();
    subject = fakeOidcJwt('repo:acme/infra:ref:refs/heads/main');
    gcp.acceptedSubjects.add(subject);
    const principal = 'principal://iam.googleapis.com/projects/123456789/locations/global/workloadIdentityPools/ci-pool/subject/repo:acme/infra:ref:refs/heads/main';
    gcp.allow(DELEGATE, principal);
    gcp.allow(SA, DELEGATE);
    gcp.allowLongLifetime = true;
    t = makeAuthTestEnv(gcp.env());
    const tokenFile = join(t.root, 'oidc-token');
    writeFileSync(tokenFile, subject + '\n', { mode: 0o600 });
    repo = writeRepo(t, wifAuth(tokenFile));
  });
  afterEach(async () => {
    await gcp.stop();
    t.cleanup();
  });

  const tokens = () => [...gcp.issued.keys(), subject];
  const expectNoTokens = (text: string) => {
    for (const tok of tokens()) expect(text).not.toContain(tok);
  };

  test('login writes Atmos\'s files (paths, modes, shapes); whoami, env in every format, list, logout', async () => {
    const login = await cli(t, repo, ['auth', 'login']);
    expect(login.stderr).toContain('Authentication successful');
    expect(login.code).toBe(0);
    // STS exchange then generateAccessToken through the delegate, with the lifetime in seconds.
    const sts = gcp.requests.find((r) => r.path === '/v1/token')!;
    expect(sts.body).toMatchObject({ grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange', audience: AUDIENCE, scope: 'https://www.googleapis.com/auth/cloud-platform', subject_token_type: 'urn:ietf:params:oauth:token-type:jwt', subject_token: true });
    const iam = gcp.requests.find((r) => r.path.endsWith(':generateAccessToken'))!;
    expect(iam.path).toBe(`/v1/projects/-/serviceAccounts/${SA}:generateAccessToken`);
    expect(iam.body).toEqual({ scope: ['https://www.googleapis.com/auth/cloud-platform'], delegates: [`projects/-/serviceAccounts/${DELEGATE}`], lifetime: '7200s' });
    const saToken = [...gcp.issued.values()].find((i) => i.via === 'iam')!;

    const dir = join(t.root, 'xdg-config', 'atmos', 'gcp-test', 'gcp', 'ci-wif');
    const adc = JSON.parse(readFileSync(join(dir, 'adc', 'deployer', 'application_default_credentials.json'), 'utf8')) as Record<string, string>;
    expect(Object.keys(adc)).toEqual(['type', 'access_token', 'token_expiry']);
    expect(adc.type).toBe('authorized_user');
    expect(adc.access_token).toBe(saToken.token);
    expect(adc.token_expiry).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(Math.abs(Date.parse(adc.token_expiry) - (Date.now() + 7200_000))).toBeLessThan(60_000);
    expect(readFileSync(join(dir, 'adc', 'deployer', 'access_token'), 'utf8')).toBe(`${saToken.token}\n${adc.token_expiry}\n`);
    expect(readFileSync(join(dir, 'config', 'deployer', 'properties'), 'utf8')).toBe('[core]\nproject = prod-proj\n\n[compute]\n\n');
    expectPrivateLayout(t, join('xdg-config', 'atmos', 'gcp-test'), ['repo', 'oidc-token']);

    const who = await cli(t, repo, ['auth', 'whoami', '--format', 'json']);
    expect(who.code).toBe(0);
    const w = JSON.parse(who.stdout) as Record<string, unknown>;
    expect(w).toMatchObject({ realm: 'gcp-test', provider: 'ci-wif', identity: 'deployer', principal: SA, account: 'prod-proj' });
    expect(w.paths).toEqual({ credentials_file: join(dir, 'adc', 'deployer', 'application_default_credentials.json'), access_token_file: join(dir, 'adc', 'deployer', 'access_token'), config_dir: join(dir, 'config', 'deployer'), project: 'prod-proj' });
    const table = await cli(t, repo, ['auth', 'whoami']);
    expect(table.stderr).toContain(SA); // whoami's table is on stderr, as Atmos

    // auth env: Atmos's Environment() of a service account identity, the project variables only.
    const want = { GOOGLE_CLOUD_PROJECT: 'prod-proj', GCLOUD_PROJECT: 'prod-proj', CLOUDSDK_CORE_PROJECT: 'prod-proj' };
    const json = await cli(t, repo, ['auth', 'env', '--format', 'json']);
    expect(JSON.parse(json.stdout)).toEqual(want);
    const bash = await cli(t, repo, ['auth', 'env', '--format', 'bash']);
    expect(bash.stdout).toContain('export GOOGLE_CLOUD_PROJECT=prod-proj\n');
    const dotenv = await cli(t, repo, ['auth', 'env', '--format', 'dotenv']);
    expect(dotenv.stdout).toContain('CLOUDSDK_CORE_PROJECT=');
    const ghFile = join(t.root, 'github_env');
    const gh = await cli(t, repo, ['auth', 'env', '--format', 'github'], { GITHUB_ENV: ghFile });
    expect(gh.code).toBe(0);
    expect(readFileSync(ghFile, 'utf8')).toContain('GCLOUD_PROJECT=prod-proj\n');
    expect(statSync(ghFile).mode & 0o777).toBe(0o600);

    const list = await cli(t, repo, ['auth', 'list']);
    expect(list.stdout).toMatch(/deployer\s+gcp\/service-account\s+yes\s+ci-wif -> deployer/);
    expect(list.stdout).toMatch(/ci-wif\s+gcp\/workload-identity-federation/);
    const console = await cli(t, repo, ['auth', 'console', '--print']);
    expect(console.code).toBe(1);
    expect(console.stderr).toContain('AUTH_CONSOLE_FAILED');

    const out = await cli(t, repo, ['auth', 'logout', 'deployer']);
    expect(out.stderr).toContain('Logged out: identity deployer');
    expect(existsSync(join(dir, 'adc', 'deployer'))).toBe(false);
    expect(existsSync(join(dir, 'config', 'deployer'))).toBe(false);
    for (const r of [login, who, table, json, bash, dotenv, gh, list, console, out]) expectNoTokens(r.stdout + r.stderr);
  });

  test('auth exec and shell: ambient GCP variables removed, CLOUDSDK_* and the token set; the token works; output masked', async () => {
    const script = `
      (async () => {
        const res = await fetch(process.env.INFRAKEY_GCP_TOKENINFO_URL, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ access_token: process.env.GOOGLE_OAUTH_ACCESS_TOKEN }).toString() });
        const info = await res.json();
        const line = JSON.stringify({ email: info.email, adc: process.env.GOOGLE_APPLICATION_CREDENTIALS ?? null, config: process.env.CLOUDSDK_CONFIG, active: process.env.CLOUDSDK_ACTIVE_CONFIG_NAME, project: process.env.GOOGLE_CLOUD_PROJECT, region: process.env.CLOUDSDK_COMPUTE_REGION ?? null, shlvl: process.env.ATMOS_SHLVL ?? null });
        if (process.env.OUT_FILE) return require('node:fs').writeFileSync(process.env.OUT_FILE, line);
        console.log(line);
        console.log('token=' + process.env.GOOGLE_OAUTH_ACCESS_TOKEN);
      })();`;
    const ambient = { GOOGLE_APPLICATION_CREDENTIALS: '/home/me/other-sa.json', GOOGLE_CLOUD_PROJECT: 'someone-elses', CLOUDSDK_COMPUTE_REGION: 'us-east4', GOOGLE_OAUTH_ACCESS_TOKEN: 'ya29.ambient-token-of-someone-else' };
    const r = await cli(t, repo, ['auth', 'exec', '--', process.execPath, '-e', script], ambient);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const [first, second] = r.stdout.trim().split('\n');
    const seen = JSON.parse(first) as Record<string, string | null>;
    const dir = join(t.root, 'xdg-config', 'atmos', 'gcp-test', 'gcp', 'ci-wif');
    expect(seen).toEqual({ email: SA, adc: null, config: join(dir, 'config', 'deployer'), active: 'config_atmos', project: 'prod-proj', region: null, shlvl: null });
    // The child printed the token; off a terminal the output is masked.
    expect(second).not.toMatch(/ya29\.fake-iam/);
    expectNoTokens(r.stdout + r.stderr);

    // The shell's output goes straight to the terminal (interactive), so the script writes a file.
    const outFile = join(t.root, 'shell-out.json');
    const sh = await cli(t, repo, ['auth', 'shell', '--shell', process.execPath, '--', '-e', script], { ...ambient, OUT_FILE: outFile });
    expect(sh.code).toBe(0);
    expect(JSON.parse(readFileSync(outFile, 'utf8'))).toMatchObject({ email: SA, shlvl: '1', active: 'config_atmos', adc: null });

    // A session file others can read is refused before it reaches a child.
    chmodSync(join(dir, 'adc', 'deployer', 'application_default_credentials.json'), 0o644);
    const loose = await cli(t, repo, ['auth', 'exec', '--', process.execPath, '-e', '0']);
    expect(loose.code).toBe(1);
    expect(loose.stderr).toContain('AUTH_FILES_INSECURE');
  });

  test('gcp/project: context only (project, region, zone from location), no files, ambient credentials kept', async () => {
    const env = await cli(t, repo, ['auth', 'env', '-i', 'sandbox', '--format', 'json']);
    expect(JSON.parse(env.stdout)).toEqual({
      GOOGLE_CLOUD_PROJECT: 'sandbox-proj', GCLOUD_PROJECT: 'sandbox-proj', CLOUDSDK_CORE_PROJECT: 'sandbox-proj',
      GOOGLE_CLOUD_REGION: 'europe-west1', CLOUDSDK_COMPUTE_REGION: 'europe-west1',
      GOOGLE_CLOUD_ZONE: 'europe-west1-b', CLOUDSDK_COMPUTE_ZONE: 'europe-west1-b',
    });
    const login = await cli(t, repo, ['auth', 'login', '-i', 'sandbox']);
    expect(login.code).toBe(0);
    expect(existsSync(join(t.root, 'xdg-config', 'atmos', 'gcp-test', 'gcp'))).toBe(false);
    const r = await cli(t, repo, ['auth', 'exec', '-i', 'sandbox', '--', process.execPath, '-e', 'console.log(JSON.stringify([process.env.GOOGLE_APPLICATION_CREDENTIALS, process.env.CLOUDSDK_CORE_PROJECT, process.env.CLOUDSDK_COMPUTE_ZONE]))'], { GOOGLE_APPLICATION_CREDENTIALS: '/home/me/adc.json' });
    expect(JSON.parse(r.stdout)).toEqual(['/home/me/adc.json', 'sandbox-proj', 'europe-west1-b']);
    const who = await cli(t, repo, ['auth', 'whoami', '-i', 'sandbox', '--format', 'json']);
    expect(JSON.parse(who.stdout)).toMatchObject({ identity: 'sandbox', account: 'sandbox-proj' });
  });

  test('auth validate knows the GCP specs: every problem at once with atmos.yaml:LINE', async () => {
    const bad = writeRepo(t, `  providers:
    wif:
      kind: gcp/workload-identity-federation
      spec: { workload_identity_pool_id: p, token_source: { type: environment } }
    adc:
      kind: gcp/adc
      spec: { scopes: "not-a-list" }
  identities:
    sa:
      kind: gcp/service-account
      via: { provider: wif }
      principal: { service_account_email: someone@gmail.com, lifetime: 13h }
    sa2:
      kind: gcp/service-account
      via: { provider: adc }
    proj:
      kind: gcp/project
      via: { provider: nope }
`);
    const r = await cli(t, bad, ['auth', 'validate']);
    expect(r.code).toBe(1);
    for (const want of [
      /atmos\.yaml:\d+ \(auth\.providers\.wif\.spec\): provider "wif": project_number is required/,
      /workload_identity_provider_id is required/,
      /environment_variable must be specified for token_source\.type=environment/,
      /auth\.providers\.adc\.spec\.scopes\): provider "adc": scopes must be a list/,
      /invalid service_account_email format: someone@gmail\.com/,
      /lifetime must be a duration from 1s to 12h/,
      /service_account_email is required for GCP service account identity/,
      /referenced provider "nope" does not exist/,
      /project_id is required for GCP project identity/,
    ]) expect(r.stderr).toMatch(want);
  });

  test('failures: STS refuses the subject token; IAM denies; an expired session is refreshed for exec', async () => {
    gcp.acceptedSubjects.clear();
    gcp.acceptedSubjects.add('someone.else.token');
    const sts = await cli(t, repo, ['auth', 'login']);
    expect(sts.code).toBe(1);
    expect(sts.stderr).toMatch(/AUTH_CREDENTIALS_EXPIRED|AUTH_GCP_FAILED/);
    expect(sts.stderr).toContain('invalid_grant');
    expectNoTokens(sts.stderr);

    gcp.acceptedSubjects.add(subject);
    gcp.tokenCreators.get(SA)!.clear();
    const denied = await cli(t, repo, ['auth', 'login']);
    expect(denied.code).toBe(1);
    expect(denied.stderr).toContain('AUTH_GCP_FAILED');
    expect(denied.stderr).toContain('PERMISSION_DENIED');
    expect(denied.stderr).toContain('roles/iam.serviceAccountTokenCreator');

    gcp.allow(SA, DELEGATE);
    expect((await cli(t, repo, ['auth', 'login'])).code).toBe(0);
    const file = join(t.root, 'xdg-config', 'atmos', 'gcp-test', 'gcp', 'ci-wif', 'adc', 'deployer', 'application_default_credentials.json');
    const stale = JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
    writeFileSync(file, JSON.stringify({ ...stale, token_expiry: '2020-01-01T00:00:00Z' }), { mode: 0o600 });
    const before = gcp.requests.length;
    const r = await cli(t, repo, ['auth', 'exec', '--', process.execPath, '-e', 'console.log(process.env.GOOGLE_OAUTH_ACCESS_TOKEN.length > 0)']);
    expect(r.stdout.trim()).toBe('true');
    expect(gcp.requests.length).toBeGreaterThan(before);
    expect(JSON.parse(readFileSync(file, 'utf8')).access_token).not.toBe(stale.access_token);
  });
});

describe('GCP providers through the auth manager', () => {
  let t: AuthTestEnv;
  let gcp: FakeGcp;
  beforeEach(async () => {
    gcp = new FakeGcp();
    gcp.audience = AUDIENCE;
    await gcp.start();
    t = makeAuthTestEnv(gcp.env());
  });
  afterEach(async () => {
    await gcp.stop();
    t.cleanup();
  });

  const wif = (tokenSource?: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
    realm: 'mgr',
    providers: { wif: { kind: 'gcp/workload-identity-federation', spec: { project_number: '123456789', workload_identity_pool_id: 'ci-pool', workload_identity_provider_id: 'github', ...(tokenSource ? { token_source: tokenSource } : {}), ...extra } } },
    identities: { fed: { kind: 'gcp/project', via: { provider: 'wif' }, principal: { project_id: 'p1' } } },
  });

  test('GitHub Actions: the Actions token endpoint is asked for the pool audience; non-GitHub hosts are refused', async () => {
    const gh = new FakeGithubOidc();
    const url = await gh.start();
    try {
      const env = { ...t.env, GITHUB_ACTIONS: 'true', ACTIONS_ID_TOKEN_REQUEST_URL: url, ACTIONS_ID_TOKEN_REQUEST_TOKEN: gh.requestToken };
      // token_source absent (auto-detect): the fake's 127.0.0.1 is not a GitHub host.
      const refused = await failure(new AuthManager(wif(), { env, httpsCa: [gh.cert] }).authenticate('fed'));
      expect(refused.code).toBe('AUTH_GCP_FAILED');
      expect(refused.message).toContain('not a trusted GitHub Actions OIDC host');
      expect(gh.requests).toEqual([]);
      // The same URL from the environment, with the host allowed by the config.
      const host = new URL(url).host;
      const m = new AuthManager(wif({ type: 'url', allowed_hosts: [host] }, { service_account_email: SA }), { env, httpsCa: [gh.cert] });
      gcp.allow(SA, 'principal://iam.googleapis.com/projects/123456789/locations/global/workloadIdentityPools/ci-pool/subject/repo:acme/infra:ref:refs/heads/main');
      const r = await m.authenticate('fed');
      expect(gh.requests).toEqual([{ audience: AUDIENCE, authorized: true }]);
      expect(r.credentials).toMatchObject({ type: 'gcp', projectId: 'p1', serviceAccountEmail: SA });
      expect(r.credentials.type === 'gcp' && gcp.issued.get(unsafeUnwrap(r.credentials.accessToken))?.via).toBe('iam');
      // Ambient: a new process (manager) asks again; nothing was cached on disk or in a keyring.
      await new AuthManager(wif({ type: 'url', allowed_hosts: [host] }, { service_account_email: SA }), { env, httpsCa: [gh.cert] }).authenticate('fed');
      expect(gh.requests).toHaveLength(2);
      expect(t.entries().filter((e) => e.path.startsWith('xdg-config'))).toEqual([]);
    } finally {
      await gh.stop();
    }
  });

  test('a GCP store gets the identity\'s token and project through the store auth resolver; an AWS identity is refused', async () => {
    const jwt = fakeOidcJwt('store-reader');
    gcp.allow(SA, 'principal://iam.googleapis.com/projects/123456789/locations/global/workloadIdentityPools/ci-pool/subject/store-reader');
    const config = {
      realm: 'mgr',
      providers: { wif: wif({ type: 'environment', environment_variable: 'MY_OIDC' }).providers.wif },
      identities: {
        reader: { kind: 'gcp/service-account', via: { provider: 'wif' }, principal: { service_account_email: SA } },
        aws: { kind: 'mock', via: { provider: 'm' } },
      },
    };
    const m = new AuthManager({ ...config, providers: { ...config.providers, m: { kind: 'mock' } } }, { env: { ...t.env, MY_OIDC: jwt } });
    const store = { name: 'gsm', kind: 'gcp/secretmanager' as const, cloud: 'gcp' as const };
    const ctx = await storeAuthResolver(m)('reader', store);
    const tok = await ctx.gcpToken!();
    expect(gcp.issued.get(tok.accessToken)).toMatchObject({ principal: SA, via: 'iam' });
    expect(tok.projectId).toBe('prod-proj');
    expect(tok.expiration!.getTime()).toBeGreaterThan(Date.now() + 50 * 60_000);
    expect(ctx.credentials).toBeUndefined();
    const wrong = await failure(storeAuthResolver(m)('aws', store));
    expect(wrong).toMatchObject({ code: 'AUTH_KIND_UNSUPPORTED', message: expect.stringContaining('store "gsm" (gcp/secretmanager) needs GCP credentials') });
  });

  test('a sops/gcp-kms provider\'s GCP identity: the SOPS credentials source gets the service account token', async () => {
    gcp.allow(SA, 'principal://iam.googleapis.com/projects/123456789/locations/global/workloadIdentityPools/ci-pool/subject/sops-ci');
    const repo = join(t.root, 'sops-repo');
    mkdirSync(repo, { recursive: true });
    writeFileSync(join(repo, 'atmos.yaml'), `auth:
  realm: sops
  providers:
    wif:
      kind: gcp/workload-identity-federation
      spec: { project_number: "123456789", workload_identity_pool_id: ci-pool, workload_identity_provider_id: github, token_source: { type: environment, environment_variable: MY_OIDC } }
  identities:
    kms:
      kind: gcp/service-account
      via: { provider: wif }
      principal: { service_account_email: ${SA} }
`);
    const env = { ...t.env, MY_OIDC: fakeOidcJwt('sops-ci') };
    const config = await loadAtmosConfig({ cwd: repo, env });
    const source = await sopsGcpCredentials(config, env, repo)({ identity: 'kms' });
    expect(source.identity).toBe('kms');
    const creds = await source.credentials!();
    expect(creds).toMatchObject({ type: 'gcp', serviceAccountEmail: SA, projectId: 'prod-proj' });
    expect(gcp.issued.get(unsafeUnwrap(creds.accessToken))).toMatchObject({ principal: SA, via: 'iam' });
  });

  test('token sources: environment variable, missing configuration', async () => {
    const jwt = fakeOidcJwt('ci');
    const r = await new AuthManager(wif({ type: 'environment', environment_variable: 'MY_OIDC' }), { env: { ...t.env, MY_OIDC: jwt } }).authenticate('fed');
    expect(r.credentials.type === 'gcp' && gcp.issued.get(unsafeUnwrap(r.credentials.accessToken))?.via).toBe('sts');
    const empty = await failure(new AuthManager(wif({ type: 'environment', environment_variable: 'MY_OIDC' }), { env: t.env }).authenticate('fed'));
    expect(empty).toMatchObject({ code: 'AUTH_GCP_FAILED', message: expect.stringContaining('environment variable MY_OIDC is empty') });
    const none = await failure(new AuthManager(wif(), { env: t.env }).authenticate('fed'));
    expect(none).toMatchObject({ code: 'AUTH_FIELD_MISSING', message: expect.stringContaining('token_source not configured') });
  });

  test('gcp/adc with google-auth-library (built CLI): an external_account file (token_url = fake STS) feeds a service account', async () => {
    // google-auth-library's STS client imports node-fetch dynamically, which jest's VM cannot; the
    // installed CLI runs it in a plain Node process.
    const subjectFile = join(t.root, 'subject');
    writeFileSync(subjectFile, fakeOidcJwt('workload'));
    const adcFile = join(t.root, 'external.json');
    writeFileSync(adcFile, JSON.stringify({ type: 'external_account', audience: AUDIENCE, subject_token_type: 'urn:ietf:params:oauth:token-type:jwt', token_url: `${gcp.url}/v1/token`, credential_source: { file: subjectFile }, project_id: 'adc-proj' }));
    gcp.allow(SA, 'principal://iam.googleapis.com/projects/123456789/locations/global/workloadIdentityPools/ci-pool/subject/workload');
    const repo = writeRepo(t, `  realm: ext
  providers:
    adc: { kind: gcp/adc }
  identities:
    sa:
      kind: gcp/service-account
      default: true
      via: { provider: adc }
      principal: { service_account_email: ${SA}, scopes: [https://www.googleapis.com/auth/devstorage.read_only] }
    own:
      kind: gcp/project
      via: { provider: adc }
      principal: { project_id: own-proj }
`);
    const env = { ...t.env, GOOGLE_APPLICATION_CREDENTIALS: adcFile };
    const r = await runCli(repo, env, ['auth', 'whoami', '--format', 'json']);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toMatchObject({ provider: 'adc', identity: 'sa', principal: SA, account: 'prod-proj' });
    expect(gcp.requests.map((q) => q.path)).toEqual(['/v1/token', `/v1/projects/-/serviceAccounts/${SA}:generateAccessToken`]);
    expect(gcp.requests[0].body).toMatchObject({ audience: AUDIENCE, subject_token_type: 'urn:ietf:params:oauth:token-type:jwt' });
    expect(gcp.requests[1].body).toMatchObject({ scope: ['https://www.googleapis.com/auth/devstorage.read_only'], lifetime: '3600s' });
    // Whoami of the provider's own token (no service account): tokeninfo, the token in the body.
    const own = await runCli(repo, env, ['auth', 'whoami', '-i', 'own', '--format', 'json']);
    expect(JSON.parse(own.stdout)).toMatchObject({ identity: 'own', account: 'own-proj', principal: expect.stringMatching(/^principal:\/\/iam\.googleapis\.com\/.*\/subject\/workload$/) });
    expect(gcp.requests.at(-1)).toEqual({ path: '/tokeninfo', body: { access_token: true } });
    // A credentials file of an unknown type: AUTH_GCP_FAILED with the fix.
    writeFileSync(adcFile, '{"type": "nonsense"}');
    const broken = await runCli(repo, env, ['auth', 'login']);
    expect(broken.code).toBe(1);
    expect(broken.stderr).toContain('AUTH_GCP_FAILED');
    expect(broken.stderr).toContain('GOOGLE_APPLICATION_CREDENTIALS');
    expectNoTokensIn(gcp, r.stdout + r.stderr + own.stdout + own.stderr + broken.stderr);
  });

  test('gcp/adc from the metadata server (GCE_METADATA_HOST, read by google-auth-library) in the built CLI', async () => {
    // google-auth-library's metadata probe imports modules dynamically, which jest's VM cannot;
    // the installed CLI (dist) runs it in a plain Node process.
    const repo = writeRepo(t, `  realm: meta
  providers:
    gce: { kind: gcp/adc }
  identities:
    vm:
      kind: gcp/service-account
      default: true
      via: { provider: gce }
      principal: { service_account_email: ${SA} }
`);
    gcp.allow(SA, gcp.metadataEmail);
    const env: NodeJS.ProcessEnv = { ...t.env, GCE_METADATA_HOST: new URL(gcp.url).host, HOME: join(t.root, 'home'), NO_COLOR: '1' };
    delete env.GOOGLE_APPLICATION_CREDENTIALS;
    const r = await runCli(repo, env, ['auth', 'whoami', '--format', 'json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ provider: 'gce', identity: 'vm', principal: SA, account: 'prod-proj' });
    expect(gcp.requests.map((q) => q.path)).toEqual(expect.arrayContaining(['/computeMetadata/v1/instance/service-accounts/default/token', `/v1/projects/-/serviceAccounts/${SA}:generateAccessToken`]));
    expectNoTokensIn(gcp, r.stdout + r.stderr);
  });
});

/** Runs the installed CLI without blocking this process (the fakes answer from here). */
function runCli(cwd: string, env: NodeJS.ProcessEnv, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(process.execPath, [CLI, ...args], { cwd, env, encoding: 'utf8', timeout: 60_000 }, (err, stdout, stderr) => {
      done({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

function expectNoTokensIn(gcp: FakeGcp, text: string): void {
  for (const tok of gcp.issued.keys()) expect(text).not.toContain(tok);
}
