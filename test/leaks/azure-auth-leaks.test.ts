/**
 * Azure auth never prints a token: every verb's output (errors with --debug included) is searched
 * for the federated token and every token the fake Entra ID issued, and a child of `auth exec`
 * that prints the session's access token (read from credentials.json) has it masked.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { run } from '../../cli/program';
import { captureIO } from '../../cli/io';
import { AZ, FakeEntraId, federatedToken } from '../fakes/fake-entra-id';
import { makeAuthTestEnv, type AuthTestEnv } from '../integration/auth/auth-test-env';

const SUBJECT = 'repo:acme/infra:environment:leaks';

describe('Azure auth leaks', () => {
  let t: AuthTestEnv;
  let fake: FakeEntraId;
  let repo: string;
  let env: NodeJS.ProcessEnv;
  const assertion = federatedToken(SUBJECT);

  beforeAll(async () => {
    fake = new FakeEntraId({ subscriptions: [AZ.subscription], federated: [{ clientId: AZ.app, issuer: AZ.githubIssuer, subject: SUBJECT, audience: 'api://AzureADTokenExchange' }] });
    await fake.start();
  });
  afterAll(() => fake.stop());
  beforeEach(() => {
    t = makeAuthTestEnv();
    repo = join(t.root, 'repo');
    mkdirSync(join(repo, 'stacks'), { recursive: true });
    writeFileSync(join(t.root, 'token'), assertion);
    writeFileSync(join(t.root, 'bad-token'), federatedToken('repo:someone/else:ref:refs/heads/main'));
    writeFileSync(join(t.root, 'ca.pem'), fake.cert);
    const provider = (file: string) => `{ kind: azure/oidc, spec: { tenant_id: "${AZ.tenant}", client_id: "${AZ.app}", token_file_path: "${join(t.root, file)}" } }`;
    writeFileSync(join(repo, 'atmos.yaml'), `auth:
  realm: azure-leaks
  providers:
    ok: ${provider('token')}
    bad: ${provider('bad-token')}
  identities:
    prod: { kind: azure/subscription, default: true, via: { provider: ok }, principal: { subscription_id: "${AZ.subscription}" } }
    refused: { kind: azure/subscription, via: { provider: bad }, principal: { subscription_id: "${AZ.subscription}" } }
`);
    env = { INFRAKEY_TEST_AZURE_ENDPOINT: fake.origin, NODE_EXTRA_CA_CERTS: join(t.root, 'ca.pem') };
  });
  afterEach(() => t.cleanup());

  async function cli(args: string[]) {
    const io = captureIO();
    const code = await run(args, { io, env: { ...t.env, ...env }, cwd: repo });
    return { code, text: io.stdout + io.stderr };
  }

  test('no verb prints a token, errors with --debug included; a child printing the token is masked', async () => {
    const outputs: string[] = [];
    for (const args of [
      ['auth', 'login'],
      ['auth', 'whoami'],
      ['auth', 'whoami', '--format', 'json'],
      ['auth', 'env', '--format', 'json'],
      ['auth', 'console', '--print'],
      ['auth', 'login', '--identity', 'refused', '--debug'],
      ['auth', 'whoami', '--identity', 'refused', '--debug'],
    ]) {
      outputs.push((await cli(args)).text);
    }
    expect(outputs[5]).toContain('AUTH_AZURE_FAILED');
    const printer = `const j=require(${JSON.stringify(join(t.root, 'home/.azure/atmos/azure-leaks/ok/credentials.json'))});console.log('token=' + j.access_token)`;
    const exec = await cli(['auth', 'exec', '--', process.execPath, '-e', printer]);
    expect(exec.code).toBe(0);
    expect(exec.text).toContain('token=<MASKED>');
    outputs.push(exec.text);
    const all = outputs.join('\n');
    expect(fake.issued.size).toBeGreaterThanOrEqual(3);
    for (const secret of [assertion, ...fake.issued.keys()]) expect(all).not.toContain(secret);
  });
});
