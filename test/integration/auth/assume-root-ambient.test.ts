import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AuthManager } from '../../../core/auth/auth-manager';
import { unsafeUnwrap } from '../../../core/secret';
import { FakeStsAssumeRoot } from '../../fakes/fake-sts-assume-root';
import { motoEndpoint } from '../../support/services';
import { expectPrivateLayout, failure, makeAuthTestEnv, type AuthTestEnv } from './auth-test-env';

const ACCESS = 'AKIAMOTOROOTTEST0001';
const SECRET = 'rootSecretKeyForMotoTests0123456789abcd';
const AUDIT = 'arn:aws:iam::aws:policy/root-task/IAMAuditRootUserCredentials';

describe('aws/assume-root (moto for the base chain, FAKE STS for AssumeRoot, which moto 5.1 lacks)', () => {
  let t: AuthTestEnv;
  let fake: FakeStsAssumeRoot;
  let fakeUrl: string;
  let moto: string;
  beforeAll(async () => {
    fake = new FakeStsAssumeRoot();
    fakeUrl = await fake.start();
  });
  afterAll(() => fake.stop());
  beforeEach(() => {
    moto = motoEndpoint();
    t = makeAuthTestEnv();
    fake.requests.length = 0;
  });
  afterEach(() => t.cleanup());

  const config = (root: Record<string, unknown>) => ({
    realm: 'root',
    identities: {
      base: { kind: 'aws/user', credentials: { access_key_id: ACCESS, secret_access_key: SECRET, region: 'us-east-1' }, spec: { endpoint_url: moto } },
      ops: { kind: 'aws/assume-role', via: { identity: 'base' }, principal: { assume_role: 'arn:aws:iam::111111111111:role/org-admin' } },
      'member-root': { kind: 'aws/assume-root', via: { identity: 'ops' }, principal: { target_principal: '222222222222', task_policy_arn: AUDIT, duration: '1h', region: 'eu-central-1' }, spec: { endpoint_url: fakeUrl }, ...root },
    },
  });

  test('AssumeRoot is signed by the base session, duration capped at 900 s; the root session is written and used', async () => {
    const m = new AuthManager(config({}), { env: t.env });
    const r = await m.authenticate('member-root');
    const ops = await m.authenticate('ops');
    expect(fake.requests).toHaveLength(1);
    const req = fake.requests[0];
    expect(req.params).toMatchObject({ Action: 'AssumeRoot', TargetPrincipal: '222222222222', 'TaskPolicyArn.arn': AUDIT, DurationSeconds: '900' });
    expect(req.signingKeyId).toBe(ops.credentials.type === 'aws' ? unsafeUnwrap(ops.credentials.accessKeyId) : 'not aws');
    expect(r.expiration!.getTime() - Date.now()).toBeLessThanOrEqual(900_000);
    const who = await m.whoami('member-root');
    expect(who.principal).toBe('arn:aws:iam::222222222222:root');
    expect(who.region).toBe('eu-central-1');
    const dir = join(t.env.ATMOS_XDG_CONFIG_HOME!, 'atmos', 'root', 'aws', 'aws-user');
    expect(readFileSync(join(dir, 'credentials'), 'utf8')).toContain('[member-root]');
    expect(readFileSync(join(dir, 'config'), 'utf8')).toMatch(/\[profile member-root\]\nregion\s+= eu-central-1/);
    expectPrivateLayout(t, join('xdg-config', 'atmos', 'root'));
    // The AWS CLI accepts the written profile (async: the fake answers from this process).
    const { stdout: out } = await promisify(execFile)('aws', ['sts', 'get-caller-identity', '--output', 'json'], { env: { ...m.childEnvironment('member-root', t.env), AWS_ENDPOINT_URL: fakeUrl }, encoding: 'utf8', timeout: 60_000 });
    expect(JSON.parse(out).Arn).toBe('arn:aws:iam::222222222222:root');
  });

  test('an unset or unparsable duration is left out (STS default), as Atmos', async () => {
    await new AuthManager(config({ principal: { target_principal: '222222222222', task_policy_arn: AUDIT, duration: 'soon' } }), { env: t.env }).authenticate('member-root');
    expect(fake.requests[0].params.DurationSeconds).toBeUndefined();
  });

  test('auth validate and login refuse a bad target or task policy', async () => {
    const m = new AuthManager(config({ principal: { target_principal: '2222', task_policy_arn: 'arn:aws:iam::aws:policy/AdministratorAccess' } }), { env: t.env });
    const v = m.validate();
    expect(v.errors.map((e) => e.code)).toEqual(['AUTH_CONFIG_INVALID', 'AUTH_CONFIG_INVALID']);
    expect(v.errors[0].message).toContain('12-digit');
    expect(v.errors[1].message).toContain('root task policy');
    expect(v.errors[1].message).toContain('root-task/S3UnlockBucketPolicy');
    const err = await failure(m.authenticate('member-root'));
    expect(err.code).toBe('AUTH_CONFIG_INVALID');
    expect(fake.requests).toHaveLength(0);
  });
});

describe('aws/ambient and ambient identities', () => {
  let t: AuthTestEnv;
  let moto: string;
  let session: { key: string; secret: string; token: string };
  beforeAll(async () => {
    moto = motoEndpoint();
    const { STSClient, AssumeRoleCommand } = await import('@aws-sdk/client-sts');
    const sts = new STSClient({ region: 'us-east-1', endpoint: moto, credentials: { accessKeyId: ACCESS, secretAccessKey: SECRET } });
    const out = await sts.send(new AssumeRoleCommand({ RoleArn: 'arn:aws:iam::333333333333:role/ci-runner', RoleSessionName: 'ambient' }));
    sts.destroy();
    session = { key: out.Credentials!.AccessKeyId!, secret: out.Credentials!.SecretAccessKey!, token: out.Credentials!.SessionToken! };
  });
  beforeEach(() => {
    t = makeAuthTestEnv();
  });
  afterEach(() => t.cleanup());

  const config = () => ({
    realm: 'amb',
    identities: {
      runner: { kind: 'aws/ambient', principal: { region: 'us-west-2' }, spec: { endpoint_url: moto } },
      deploy: { kind: 'aws/assume-role', via: { identity: 'runner' }, principal: { assume_role: 'arn:aws:iam::444444444444:role/deploy' } },
      passthrough: { kind: 'ambient' },
    },
  });

  test('aws/ambient uses the environment\'s keys each time, writes nothing, passes the environment through', async () => {
    t.env.AWS_ACCESS_KEY_ID = session.key;
    t.env.AWS_SECRET_ACCESS_KEY = session.secret;
    t.env.AWS_SESSION_TOKEN = session.token;
    const m = new AuthManager(config(), { env: t.env });
    const who = await m.whoami('runner');
    expect(who.principal).toBe('arn:aws:sts::333333333333:assumed-role/ci-runner/ambient');
    expect(who.provider).toBe('aws-ambient');
    expect(who.region).toBe('us-west-2');
    expect(t.entries()).toEqual([]);
    expect(m.environment('runner')).toEqual({ AWS_REGION: 'us-west-2', AWS_DEFAULT_REGION: 'us-west-2' });
    const child = m.childEnvironment('runner', t.env);
    expect(child.AWS_ACCESS_KEY_ID).toBe(session.key);
    expect(child.AWS_REGION).toBe('us-west-2');
    // An identity via aws/ambient writes its session under aws/aws-ambient/ (Atmos's provider name).
    const r = await m.authenticate('deploy');
    expect(r.chain.label).toBe('runner -> deploy');
    expect(readFileSync(join(t.env.ATMOS_XDG_CONFIG_HOME!, 'atmos', 'amb', 'aws', 'aws-ambient', 'credentials'), 'utf8')).toContain('[deploy]');
    expect((await m.whoami('deploy')).principal).toMatch(/^arn:aws:sts::444444444444:assumed-role\/deploy\//);
  });

  test('aws/ambient reads AWS_PROFILE from the shared files; none at all is AUTH_AMBIENT_NOT_FOUND', async () => {
    const dir = join(t.root, 'aws');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'credentials'), `[ci]\naws_access_key_id = ${session.key}\naws_secret_access_key = ${session.secret}\naws_session_token = ${session.token}\n`, { mode: 0o600 });
    writeFileSync(join(dir, 'config'), '[profile ci]\nregion = us-east-1\n', { mode: 0o600 });
    Object.assign(t.env, { AWS_PROFILE: 'ci', AWS_SHARED_CREDENTIALS_FILE: join(dir, 'credentials'), AWS_CONFIG_FILE: join(dir, 'config') });
    const m = new AuthManager(config(), { env: t.env });
    expect((await m.whoami('runner')).principal).toBe('arn:aws:sts::333333333333:assumed-role/ci-runner/ambient');

    const empty = makeAuthTestEnv({ AWS_EC2_METADATA_DISABLED: 'true', AWS_SHARED_CREDENTIALS_FILE: join(t.root, 'none'), AWS_CONFIG_FILE: join(t.root, 'none') });
    try {
      const saved = { ...process.env };
      for (const k of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_PROFILE', 'AWS_CONTAINER_CREDENTIALS_FULL_URI', 'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI', 'AWS_WEB_IDENTITY_TOKEN_FILE']) delete process.env[k];
      process.env.AWS_EC2_METADATA_DISABLED = 'true';
      process.env.AWS_SHARED_CREDENTIALS_FILE = join(t.root, 'none');
      process.env.AWS_CONFIG_FILE = join(t.root, 'none');
      try {
        const err = await failure(new AuthManager(config(), { env: empty.env }).authenticate('runner'));
        expect(err.code).toBe('AUTH_AMBIENT_NOT_FOUND');
        expect(err.message).toContain('auth.identities.runner');
      } finally {
        process.env = saved;
      }
    } finally {
      empty.cleanup();
    }
  });

  test('ambient does nothing: no credentials, no files, the environment unchanged', async () => {
    const m = new AuthManager(config(), { env: t.env });
    const r = await m.authenticate('passthrough');
    expect(r.credentials).toEqual({ type: 'ambient' });
    const who = await m.whoami('passthrough');
    expect(who.principal).toBeUndefined();
    expect(who.paths).toEqual({});
    expect(m.environment('passthrough')).toEqual({});
    expect(m.childEnvironment('passthrough', { A: '1', AWS_ACCESS_KEY_ID: 'x' })).toEqual({ A: '1', AWS_ACCESS_KEY_ID: 'x' });
    expect(await m.logout({ identity: 'passthrough' })).toEqual({ identities: [], providers: [] });
    expect(t.entries()).toEqual([]);
    expect(m.validate().errors).toEqual([]);
  });
});
