/**
 * GCP auth never prints a token (the OIDC subject token, the federated token, the service
 * account token) and writes one only to the identity's session files: every CLI verb's output,
 * every failure (also with --debug), every file under the temp home is checked. Against the named
 * fake of Google STS / IAM Credentials (test/fakes/fake-gcp.ts).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { run } from '../../cli/program';
import { captureIO } from '../../cli/io';
import { FakeGcp, fakeOidcJwt } from '../fakes/fake-gcp';
import { makeAuthTestEnv, type AuthTestEnv } from '../integration/auth/auth-test-env';

const AUDIENCE = '//iam.googleapis.com/projects/5/locations/global/workloadIdentityPools/p/providers/q';
const SA = 'leaks@leak-proj.iam.gserviceaccount.com';

describe('GCP auth leaks', () => {
  let t: AuthTestEnv;
  let gcp: FakeGcp;
  let repo: string;
  const subject = fakeOidcJwt('leak-ci');
  beforeEach(async () => {
    gcp = new FakeGcp();
    gcp.audience = AUDIENCE;
    await gcp.start();
    gcp.allow(SA, 'principal://iam.googleapis.com/projects/5/locations/global/workloadIdentityPools/p/subject/leak-ci');
    t = makeAuthTestEnv({ ...gcp.env(), CI_OIDC: subject });
    repo = join(t.root, 'repo');
    mkdirSync(join(repo, 'stacks'), { recursive: true });
    writeFileSync(join(repo, 'atmos.yaml'), `auth:
  realm: leaks
  providers:
    wif:
      kind: gcp/workload-identity-federation
      spec: { project_number: "5", workload_identity_pool_id: p, workload_identity_provider_id: q, token_source: { type: environment, environment_variable: CI_OIDC } }
  identities:
    sa:
      kind: gcp/service-account
      default: true
      via: { provider: wif }
      principal: { service_account_email: ${SA} }
    denied:
      kind: gcp/service-account
      via: { provider: wif }
      principal: { service_account_email: other@leak-proj.iam.gserviceaccount.com }
`);
  });
  afterEach(async () => {
    await gcp.stop();
    t.cleanup();
  });

  async function cli(args: string[]) {
    const io = captureIO();
    const code = await run(args, { io, env: t.env, cwd: repo });
    return { code, text: io.stdout + io.stderr };
  }

  test('no verb or failure prints a token; only the session files hold one', async () => {
    const outputs: string[] = [];
    for (const args of [
      ['auth', 'login'],
      ['auth', 'whoami'],
      ['auth', 'whoami', '--format', 'json'],
      ['auth', 'env', '--format', 'bash'],
      ['auth', 'env', '--format', 'json', '--login'],
      ['auth', 'list', '--format', 'yaml'],
      ['auth', 'validate'],
      ['auth', 'console', '--print'],
      ['auth', 'login', '--identity', 'denied'],
      ['auth', 'login', '--identity', 'denied', '--debug'],
      ['auth', 'exec', '--', process.execPath, '-e', 'console.log(process.env.GOOGLE_OAUTH_ACCESS_TOKEN)'],
    ]) outputs.push((await cli(args)).text);
    const tokens = [subject, ...gcp.issued.keys()];
    expect(gcp.issued.size).toBeGreaterThanOrEqual(2);
    for (const text of outputs) for (const tok of tokens) expect(text).not.toContain(tok);
    const session = join('xdg-config', 'atmos', 'leaks', 'gcp', 'wif', 'adc', 'sa');
    for (const e of t.entries().filter((x) => !x.dir)) {
      const text = readFileSync(join(t.root, e.path), 'utf8');
      const holds = tokens.filter((tok) => text.includes(tok));
      if (e.path.startsWith(session)) expect(holds.length).toBe(1);
      else expect({ file: e.path, holds }).toEqual({ file: e.path, holds: [] });
    }
  });
});
