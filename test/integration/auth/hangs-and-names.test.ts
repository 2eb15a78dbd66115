/**
 * Issue 10 items 1 and 17 through the CLI: an AWS endpoint (STS, SSO OIDC) that accepts the TCP
 * connection and never answers makes `auth login` / `auth whoami` fail within the documented bound
 * with AUTH_TIMEOUT naming the endpoint; a provider named like a path cannot make `auth login`
 * write outside the realm (real moto STS behind it).
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { run } from '../../../cli/program';
import { captureIO } from '../../../cli/io';
import { AWS_AUTH_TIMEOUTS } from '../../../core/auth/aws-sdk';
import { motoEndpoint } from '../../support/services';
import { silentListener, type SilentListener } from '../../support/silent-listener';
import { makeAuthTestEnv, type AuthTestEnv } from './auth-test-env';

/** The documented bound: attempts × request timeout, plus the SDK's retry pause and slack for a loaded machine. */
const BOUND_MS = AWS_AUTH_TIMEOUTS.maxAttempts * AWS_AUTH_TIMEOUTS.requestTimeout + 5_000;

function repoWith(t: AuthTestEnv, auth: string): string {
  const repo = join(t.root, 'repo');
  mkdirSync(repo, { recursive: true });
  writeFileSync(join(repo, 'atmos.yaml'), `auth:\n${auth}`);
  return repo;
}

async function cli(t: AuthTestEnv, cwd: string, args: string[], env: NodeJS.ProcessEnv = {}) {
  const io = captureIO();
  const started = Date.now();
  const code = await run(args, { io, env: { ...t.env, ...env }, cwd });
  return { code, stdout: io.stdout, stderr: io.stderr, ms: Date.now() - started };
}

describe('auth against an endpoint that accepts and never answers', () => {
  let silent: SilentListener;
  const envs: AuthTestEnv[] = [];
  beforeAll(async () => (silent = await silentListener()));
  afterAll(async () => {
    await silent.close();
    for (const t of envs) t.cleanup();
  });

  test('auth login (STS and SSO OIDC) and auth whoami fail with AUTH_TIMEOUT naming the endpoint, within the bound', async () => {
    const make = (auth: string) => {
      const t = makeAuthTestEnv();
      envs.push(t);
      return { t, repo: repoWith(t, auth) };
    };
    // 1. aws/user login: STS GetSessionToken on the silent endpoint.
    const sts = make(`  realm: hang
  identities:
    dev:
      kind: aws/user
      default: true
      credentials: { access_key_id: AKIAHANGTEST00000001, secret_access_key: hangTestSecret0000000000000000000000000, region: us-east-1 }
      spec: { endpoint_url: "${silent.url}" }
`);
    // 2. IAM Identity Center login: SSO OIDC RegisterClient on the silent endpoint.
    const sso = make(`  realm: hang
  providers:
    corp: { kind: aws/iam-identity-center, start_url: "https://example.awsapps.com/start", region: us-east-1, spec: { endpoint_url: "${silent.url}" } }
  identities:
    admin: { kind: aws/permission-set, default: true, via: { provider: corp }, principal: { name: Admin, account: { id: "111111111111" } } }
`);
    // 3. whoami: the session comes from moto (AWS_ENDPOINT_URL), then GetCallerIdentity goes to the silent endpoint.
    const who = make(`  realm: hang
  identities:
    dev:
      kind: aws/user
      default: true
      credentials: { access_key_id: AKIAHANGTEST00000002, secret_access_key: hangTestSecret0000000000000000000000001, region: us-east-1 }
`);
    const login = await cli(who.t, who.repo, ['auth', 'login'], { AWS_ENDPOINT_URL: motoEndpoint() });
    expect(login.code).toBe(0);

    const [a, b, c] = await Promise.all([
      cli(sts.t, sts.repo, ['auth', 'login']),
      cli(sso.t, sso.repo, ['auth', 'login']),
      cli(who.t, who.repo, ['auth', 'whoami'], { AWS_ENDPOINT_URL: silent.url }),
    ]);
    for (const r of [a, b, c]) {
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('AUTH_TIMEOUT');
      expect(r.stderr).toContain(silent.url);
      expect(r.ms).toBeLessThan(BOUND_MS);
      expect(r.stderr).not.toContain('hangTestSecret');
    }
    expect(silent.accepted()).toBeGreaterThanOrEqual(3);
    // Measured for the docs: the wait is the request timeout per attempt, not the connect timeout.
    expect(Math.min(a.ms, b.ms, c.ms)).toBeGreaterThanOrEqual(AWS_AUTH_TIMEOUTS.requestTimeout);
    process.stderr.write(`auth timeouts against a silent endpoint: login(sts) ${a.ms} ms, login(sso) ${b.ms} ms, whoami ${c.ms} ms (bound ${BOUND_MS} ms)\n`);
  }, 90_000);
});

describe('a provider named like a path (item 17) against moto', () => {
  let t: AuthTestEnv;
  beforeEach(() => (t = makeAuthTestEnv()));
  afterEach(() => t.cleanup());

  test('auth validate and auth login refuse it; nothing is written outside the realm', async () => {
    const escape = join(t.root, 'escaped');
    const rel = `../../../../${'escaped'}`;
    const repo = repoWith(t, `  realm: names
  providers:
    "${rel}": { kind: github/oidc, region: us-east-1, spec: { audience: sts.amazonaws.com } }
  identities:
    ci: { kind: aws/assume-role, default: true, via: { provider: "${rel}" }, principal: { assume_role: "arn:aws:iam::555555555555:role/gha" }, spec: { endpoint_url: "${motoEndpoint()}" } }
`);
    // {XDG config}/atmos/names/aws/<rel> resolves to <root>/escaped: the realm is 4 levels down.
    expect(join(t.env.ATMOS_XDG_CONFIG_HOME!, 'atmos', 'names', 'aws', rel)).toBe(escape);
    const env = { ACTIONS_ID_TOKEN: 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJyZXBvOngveSJ9.sig' };
    const validate = await cli(t, repo, ['auth', 'validate']);
    expect(validate.code).toBe(1);
    expect(validate.stderr).toContain('is not allowed: it contains a path separator');
    const login = await cli(t, repo, ['auth', 'login'], env);
    expect(login.code).toBe(1);
    expect(login.stderr).toContain('AUTH_NAME_INVALID');
    expect(existsSync(escape)).toBe(false);
  });
});
