import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { captureIO } from '../../../cli/io';
import { run } from '../../../cli/program';
import { FakeSamlIdp } from '../../fakes/fake-saml-idp';
import { FakeStsAssumeRoot } from '../../fakes/fake-sts-assume-root';
import { motoEndpoint } from '../../support/services';
import { makeAuthTestEnv, type AuthTestEnv } from './auth-test-env';

/**
 * Every auth verb with the new kinds (aws/saml -> aws/assume-role, aws/assume-root, aws/ambient,
 * ambient) and an aws/ecr integration, through the CLI: FAKE ECP IdP, moto, FAKE STS AssumeRoot.
 */

const IDP = 'arn:aws:iam::123456789012:saml-provider/corp';
const ADMIN = 'arn:aws:iam::123456789012:role/admin';
const PASSWORD = 'cli-Idp-Password-77';

describe('infrakey auth verbs with aws/saml, aws/assume-root, aws/ambient, ambient and aws/ecr', () => {
  let t: AuthTestEnv;
  let idp: FakeSamlIdp;
  let rootSts: FakeStsAssumeRoot;
  let rootUrl: string;
  let repo: string;
  beforeAll(async () => {
    idp = new FakeSamlIdp({ username: 'carol', password: PASSWORD, roles: [[ADMIN, IDP]], roleForm: 'repeated', sessionName: 'carol' });
    await idp.start();
    rootSts = new FakeStsAssumeRoot();
    rootUrl = await rootSts.start();
  }, 120_000);
  afterAll(async () => {
    await idp.stop();
    await rootSts.stop();
  });
  beforeEach(() => {
    t = makeAuthTestEnv();
    repo = join(t.root, 'repo');
    mkdirSync(join(repo, 'stacks'), { recursive: true });
    writeFileSync(join(t.root, 'idp.pem'), idp.cert);
    t.env.NODE_EXTRA_CA_CERTS = join(t.root, 'idp.pem');
    t.env.DOCKER_CONFIG = join(t.root, 'docker');
    const moto = motoEndpoint();
    writeFileSync(
      join(repo, 'atmos.yaml'),
      `base_path: "./"
stacks:
  base_path: stacks
  included_paths: ["**/*"]
  name_template: "{{.vars.stage}}"
auth:
  realm: cli-new
  providers:
    corp:
      kind: aws/saml
      url: "${idp.url}"
      region: us-east-1
      driver: ShibbolethECP
      username: carol
      password: "${PASSWORD}"
      spec: { endpoint_url: "${moto}" }
  identities:
    admin:
      kind: aws/assume-role
      default: true
      via: { provider: corp }
      principal: { assume_role: "${ADMIN}" }
    member-root:
      kind: aws/assume-root
      via: { identity: admin }
      principal: { target_principal: "210987654321", task_policy_arn: "arn:aws:iam::aws:policy/root-task/S3UnlockBucketPolicy" }
      spec: { endpoint_url: "${rootUrl}" }
    runner:
      kind: aws/ambient
      principal: { region: eu-west-1 }
    plain:
      kind: ambient
  integrations:
    registry:
      kind: aws/ecr
      via: { identity: admin }
      spec: { registry: { account_id: "123456789012", region: us-east-1 } }
`,
    );
  });
  afterEach(() => t.cleanup());

  async function cli(args: string[], env: NodeJS.ProcessEnv = {}) {
    const io = captureIO();
    const code = await run(args, { io, env: { ...t.env, ...env }, cwd: repo });
    return { code, stdout: io.stdout, stderr: io.stderr };
  }

  test('validate, list, login, whoami, env (all formats), exec, shell, logout', async () => {
    const v = await cli(['auth', 'validate']);
    // Atmos prints the verdict on stderr; stdout carries only data.
    expect(v).toMatchObject({ code: 0, stdout: '', stderr: expect.stringContaining('valid') });
    const list = await cli(['auth', 'list']);
    expect(list.stdout).toMatch(/corp\s+aws\/saml/);
    expect(list.stdout).toMatch(/member-root\s+aws\/assume-root\s+corp -> admin -> member-root/);
    expect(list.stdout).toMatch(/runner\s+aws\/ambient\s+runner/);
    expect(list.stdout).toMatch(/plain\s+ambient\s+plain/);

    const login = await cli(['auth', 'login']);
    expect(login.code).toBe(0);
    expect(login.stderr).toContain('✓ ECR login: 123456789012.dkr.ecr.us-east-1.amazonaws.com');
    expect(login.stderr).toMatch(/Provider\s+corp/);
    expect(`${login.stdout}${login.stderr}`).not.toContain(PASSWORD);

    const who = JSON.parse((await cli(['auth', 'whoami', '--format', 'json'])).stdout);
    expect(who.principal).toMatch(/^arn:aws:sts::123456789012:assumed-role\/admin\//);
    expect(who.environment.DOCKER_CONFIG).toBe(t.env.DOCKER_CONFIG);

    const bash = await cli(['auth', 'env', '--format', 'bash']);
    expect(bash.stdout).toContain("export AWS_PROFILE=admin\n");
    expect(bash.stdout).toContain(`export DOCKER_CONFIG=${t.env.DOCKER_CONFIG}\n`);
    expect((await cli(['auth', 'env', '--format', 'dotenv'])).stdout).toContain('AWS_PROFILE=admin\n');
    expect(JSON.parse((await cli(['auth', 'env', '--format', 'json'])).stdout)).toMatchObject({ AWS_PROFILE: 'admin', AWS_REGION: 'us-east-1' });
    const ghEnv = join(t.root, 'github_env');
    expect((await cli(['auth', 'env', '--format', 'github'], { GITHUB_ENV: ghEnv })).code).toBe(0);
    expect(readFileSync(ghEnv, 'utf8')).toContain('AWS_PROFILE=admin\n');

    const printer = 'console.log(JSON.stringify({p: process.env.AWS_PROFILE, d: process.env.DOCKER_CONFIG, k: process.env.AWS_ACCESS_KEY_ID ?? null}))';
    const exec = await cli(['auth', 'exec', '--', process.execPath, '-e', printer], { AWS_ACCESS_KEY_ID: 'AKIAAMBIENTSHOULDGO1' });
    expect(JSON.parse(exec.stdout)).toEqual({ p: 'admin', d: t.env.DOCKER_CONFIG, k: null });
    // The shell inherits the terminal: it reports through a file.
    const report = join(t.root, 'shell-report');
    const shell = await cli(['auth', 'shell', '--shell', '/bin/sh', '--', '-c', `echo "$ATMOS_IDENTITY $AWS_PROFILE $DOCKER_CONFIG" > '${report}'`]);
    expect(shell.code).toBe(0);
    expect(readFileSync(report, 'utf8').trim()).toBe(`admin admin ${t.env.DOCKER_CONFIG}`);

    // assume-root through the SAML chain (its base session is reused from the files).
    const root = JSON.parse((await cli(['auth', 'whoami', '-i', 'member-root', '--format', 'json'])).stdout);
    expect(root.principal).toBe('arn:aws:iam::210987654321:root');
    expect(rootSts.requests.find((r) => r.params.Action === 'AssumeRoot')!.params['TaskPolicyArn.arn']).toBe('arn:aws:iam::aws:policy/root-task/S3UnlockBucketPolicy');

    // aws/ambient: exec keeps the environment's keys (nothing to point at), with the region.
    const amb = await cli(['auth', 'exec', '-i', 'runner', '--', process.execPath, '-e', 'console.log(process.env.AWS_ACCESS_KEY_ID + " " + [...process.env.AWS_ACCESS_KEY_ID].reverse().join("") + " " + process.env.AWS_REGION)'], { AWS_ACCESS_KEY_ID: 'AKIAAMBIENTKEEPS0001', AWS_SECRET_ACCESS_KEY: 'x'.repeat(40) });
    // The key reached the child (reversed, to pass the output masking, which hides it as read).
    expect(amb.stdout.trim()).toBe('<MASKED> 1000SPEEKTNEIBMAAIKA eu-west-1');
    expect(JSON.parse((await cli(['auth', 'env', '-i', 'runner', '--format', 'json'])).stdout)).toEqual({ AWS_REGION: 'eu-west-1', AWS_DEFAULT_REGION: 'eu-west-1' });
    // ambient: nothing at all; console has no AWS session to sign in with.
    expect(JSON.parse((await cli(['auth', 'env', '-i', 'plain', '--format', 'json'])).stdout)).toEqual({});
    const console = await cli(['auth', 'console', '-i', 'plain', '--print']);
    expect(console.code).toBe(1);
    expect(console.stderr).toContain('AUTH_CONSOLE_FAILED');

    const out = await cli(['auth', 'logout', '-i', 'admin']);
    expect(out.stderr).toContain('Logged out: identity admin');
    expect(JSON.parse(readFileSync(join(t.env.DOCKER_CONFIG!, 'config.json'), 'utf8')).auths).toEqual({});
  });
});
