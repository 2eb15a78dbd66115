import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { run } from '../../../cli/program';
import { captureIO } from '../../../cli/io';
import { motoEndpoint } from '../../support/services';
import { expectPrivateLayout, makeAuthTestEnv, type AuthTestEnv } from './auth-test-env';

const ACCESS = 'AKIACLITESTKEY000001';
const SECRET = 'cliSecretKeyForMotoTests0123456789abcdef';
const AMBIENT_ACCESS = 'AKIAAMBIENTKEY000009';
const AMBIENT_SECRET = 'ambientSecretThatMustNotReachChild000000';

function writeRepo(t: AuthTestEnv, moto: string, auth: string): string {
  const repo = join(t.root, 'repo');
  mkdirSync(repo, { recursive: true });
  writeFileSync(
    join(repo, 'atmos.yaml'),
    `base_path: "./"
stacks:
  base_path: stacks
  included_paths: ["**/*"]
  name_template: "{{.vars.stage}}"
auth:
${auth}`,
  );
  mkdirSync(join(repo, 'stacks'), { recursive: true });
  return repo;
}

const chainAuth = (moto: string) => `  realm: cli-test
  identities:
    base-user:
      kind: aws/user
      credentials: { access_key_id: ${ACCESS}, secret_access_key: ${SECRET}, region: us-east-1 }
      spec: { endpoint_url: "${moto}" }
    ops:
      kind: aws/assume-role
      via: { identity: base-user }
      principal: { assume_role: "arn:aws:iam::111111111111:role/ops" }
    prod-admin:
      kind: aws/assume-role
      default: true
      via: { identity: ops }
      principal: { assume_role: "arn:aws:iam::222222222222:role/admin", region: us-west-2 }
`;

async function cli(t: AuthTestEnv, cwd: string, args: string[], env: NodeJS.ProcessEnv = {}) {
  const io = captureIO();
  const code = await run(args, { io, env: { ...t.env, ...env }, cwd });
  return { code, stdout: io.stdout, stderr: io.stderr };
}

function expectNoKeys(text: string, extra: string[] = []): void {
  for (const k of [SECRET, AMBIENT_SECRET, ...extra]) expect(text).not.toContain(k);
  expect(text).not.toMatch(/aws_secret_access_key|SecretAccessKey/);
}

describe('infrakey auth CLI against moto', () => {
  let t: AuthTestEnv;
  let repo: string;
  beforeEach(() => {
    t = makeAuthTestEnv();
    repo = writeRepo(t, motoEndpoint(), chainAuth(motoEndpoint()));
  });
  afterEach(() => t.cleanup());

  test('login, whoami --format json, env, list, logout', async () => {
    const login = await cli(t, repo, ['auth', 'login']);
    expect(login.stderr).toContain('Authentication successful');
    expect(login.code).toBe(0);
    expect(login.stdout).toBe('');
    expect(login.stderr).toMatch(/Identity\s+prod-admin/);
    expect(login.stderr).toMatch(/Realm\s+cli-test \(config\)/);

    const who = await cli(t, repo, ['auth', 'whoami', '--format', 'json']);
    expect(who.code).toBe(0);
    const info = JSON.parse(who.stdout) as Record<string, unknown>;
    expect(info.principal).toMatch(/^arn:aws:sts::222222222222:assumed-role\/admin\//);
    expect(info.account).toBe('222222222222');
    expect(info.identity).toBe('prod-admin');
    expect(info.region).toBe('us-west-2');

    const env = await cli(t, repo, ['auth', 'env', '--identity', 'ops', '--format', 'dotenv']);
    expect(env.code).toBe(0);
    const credFile = join(t.env.ATMOS_XDG_CONFIG_HOME!, 'atmos', 'cli-test', 'aws', 'aws-user', 'credentials');
    expect(env.stdout).toContain(`AWS_SHARED_CREDENTIALS_FILE=${credFile}`);
    expect(env.stdout).toContain('AWS_PROFILE=ops');
    expect(env.stdout).not.toMatch(/AWS_ACCESS_KEY_ID|AWS_SECRET/);

    // JSON in Atmos's shape (maps keyed by name); the table shows the resolved chain.
    const list = await cli(t, repo, ['auth', 'list', '--format', 'json']);
    const listed = JSON.parse(list.stdout) as { identities: Record<string, { via?: { identity?: string } }>; providers: Record<string, unknown> };
    expect(listed.identities['prod-admin']?.via).toEqual({ identity: 'ops' });
    expect(Object.keys(listed).sort()).toEqual(['identities', 'providers']);
    const table = await cli(t, repo, ['auth', 'list']);
    expect(table.stdout).toContain('base-user -> ops -> prod-admin');

    const out = await cli(t, repo, ['auth', 'logout', '--identity', 'prod-admin']);
    expect(out.code).toBe(0);
    expect(readFileSync(credFile, 'utf8')).not.toContain('[prod-admin]');

    for (const r of [login, who, env, list, table, out]) expectNoKeys(r.stdout + r.stderr);
    expectPrivateLayout(t, join('xdg-config', 'atmos', 'cli-test'), ['repo']);
  });

  test('auth exec: the child sees the assumed role through the files, ambient keys stripped', async () => {
    const script = `
      const { STSClient, GetCallerIdentityCommand } = require('@aws-sdk/client-sts');
      (async () => {
        const out = await new STSClient({}).send(new GetCallerIdentityCommand({}));
        const leaked = ['AWS_ACCESS_KEY_ID','AWS_SECRET_ACCESS_KEY','AWS_SESSION_TOKEN','AWS_WEB_IDENTITY_TOKEN_FILE','AWS_ROLE_ARN'].filter((k) => process.env[k] !== undefined);
        console.log(JSON.stringify({ arn: out.Arn, profile: process.env.AWS_PROFILE, imds: process.env.AWS_EC2_METADATA_DISABLED, leaked }));
      })().catch((e) => { console.error('child failed: ' + e.name); process.exit(3); });`;
    const ambient = {
      AWS_ACCESS_KEY_ID: AMBIENT_ACCESS,
      AWS_SECRET_ACCESS_KEY: AMBIENT_SECRET,
      AWS_SESSION_TOKEN: 'ambient-session-token-value',
      AWS_ROLE_ARN: 'arn:aws:iam::999999999999:role/irsa',
      AWS_WEB_IDENTITY_TOKEN_FILE: '/nonexistent/token',
      NODE_PATH: resolve(__dirname, '../../../node_modules'),
    };
    const r = await cli(t, repo, ['auth', 'exec', '--', process.execPath, '-e', script], ambient);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const seen = JSON.parse(r.stdout) as { arn: string; profile: string; imds: string; leaked: string[] };
    expect(seen.arn).toMatch(/^arn:aws:sts::222222222222:assumed-role\/admin\//);
    expect(seen.profile).toBe('prod-admin');
    expect(seen.imds).toBe('true');
    expect(seen.leaked).toEqual([]);

    // The child's exit code passes through.
    const fail = await cli(t, repo, ['auth', 'exec', '--', process.execPath, '-e', 'process.exit(7)']);
    expect(fail.code).toBe(7);
    const none = await cli(t, repo, ['auth', 'exec']);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('no command specified');
    expectNoKeys(r.stdout + r.stderr + fail.stderr);
    expectPrivateLayout(t, join('xdg-config', 'atmos', 'cli-test'), ['repo']);
  });

  test('env --format github appends to GITHUB_ENV with mode 0600', async () => {
    const file = join(t.root, 'github_env');
    const r = await cli(t, repo, ['auth', 'env', '--format', 'github'], { GITHUB_ENV: file });
    expect(r.code).toBe(0);
    expect(readFileSync(file, 'utf8')).toContain('AWS_PROFILE=prod-admin\n');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const missing = await cli(t, repo, ['auth', 'env', '--format', 'github']);
    expect(missing.code).toBe(2);
  });

  test('credential_process mode: auth credentials prints the JSON the SDK reads', async () => {
    repo = writeRepo(t, motoEndpoint(), chainAuth(motoEndpoint()) + '  credential_files:\n    mode: process\n');
    const r = await cli(t, repo, ['auth', 'credentials', '--identity', 'ops']);
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout) as { Version: number; AccessKeyId: string; Expiration: string };
    expect(json.Version).toBe(1);
    expect(json.AccessKeyId).toMatch(/^ASIA/);
    const cfg = readFileSync(join(t.env.ATMOS_XDG_CONFIG_HOME!, 'atmos', 'cli-test', 'aws', 'aws-user', 'config'), 'utf8');
    expect(cfg).toContain(`credential_process = infrakey --config ${repo} auth credentials --identity ops`);
  });
});

describe('infrakey auth CLI: bad input', () => {
  let t: AuthTestEnv;
  beforeEach(() => (t = makeAuthTestEnv()));
  afterEach(() => t.cleanup());

  test('auth validate reports every problem at once with file:line and exits 1', async () => {
    const repo = writeRepo(t, 'http://127.0.0.1:9', `  providers:
    sso:
      kind: aws/iam-identity-center
      region: us-east-1
  identities:
    a:
      kind: aws/assume-role
      default: true
      via: { identity: b }
      principal: { assume_role: "arn:aws:iam::1:role/a" }
    b:
      kind: aws/assume-role
      default: true
      via: { identity: a }
      principal: { assume_role: "arn:aws:iam::1:role/b" }
    c:
      kind: aws/assume-role
      via: { provider: nowhere }
    d:
      kind: aws/teleport
`);
    const r = await cli(t, repo, ['auth', 'validate']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('AUTH_CONFIG_INVALID');
    expect(r.stderr).toMatch(/identity cycle detected: (a -> b -> a|b -> a -> b)/);
    expect(r.stderr).toContain('multiple default identities found: [a b]');
    expect(r.stderr).toContain('referenced provider "nowhere" does not exist');
    expect(r.stderr).toContain('principal.assume_role is required');
    expect(r.stderr).toContain('unsupported identity kind: aws/teleport');
    expect(r.stderr).toContain('start_url is required');
    expect(r.stderr).toMatch(/atmos\.yaml:\d+/);
    expect(t.entries().filter((e) => e.path.startsWith('xdg'))).toEqual([]);
  });

  test.each([
    ['../x', 'path traversal'],
    ['A B', 'invalid characters'],
  ])('ATMOS_AUTH_REALM=%s is rejected before anything is written', async (realm, text) => {
    const repo = writeRepo(t, motoEndpoint(), chainAuth(motoEndpoint()));
    const r = await cli(t, repo, ['auth', 'login'], { ATMOS_AUTH_REALM: realm });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('AUTH_REALM_INVALID');
    expect(r.stderr).toContain(text);
    expect(r.stderr).toContain('ATMOS_AUTH_REALM');
    expect(t.entries().filter((e) => e.path.startsWith('xdg'))).toEqual([]);
  });

  test('unknown identity, disabled identity, missing keyring entry in CI', async () => {
    const repo = writeRepo(t, motoEndpoint(), `  identities:
    ci-user:
      kind: aws/user
      default: true
      spec: { endpoint_url: "${motoEndpoint()}" }
`);
    const unknown = await cli(t, repo, ['auth', 'login', '--identity', 'nope']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('AUTH_IDENTITY_NOT_FOUND');
    const off = await cli(t, repo, ['auth', 'whoami'], { ATMOS_IDENTITY: 'OFF' });
    expect(off.stderr).toContain('AUTH_DISABLED');
    const ci = await cli(t, repo, ['auth', 'login'], { CI: 'true', ATMOS_KEYRING_TYPE: 'memory' });
    expect(ci.code).toBe(1);
    expect(ci.stderr).toContain('AUTH_USER_NOT_CONFIGURED');
    expect(ci.stderr).toContain('infrakey auth user configure --identity ci-user');
    expect(t.entries().filter((e) => e.path.startsWith('xdg'))).toEqual([]);
  });
});
