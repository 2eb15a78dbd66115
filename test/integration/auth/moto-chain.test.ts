import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AuthManager } from '../../../core/auth/auth-manager';
import { MemoryKeyring } from '../../../core/keyring/memory-keyring';
import { credentialKey } from '../../../core/auth/keyring-credentials';
import { redactor, unsafeUnwrap } from '../../../core/secret';
import { motoEndpoint } from '../../support/services';
import { expectPrivateLayout, failure, makeAuthTestEnv, type AuthTestEnv } from './auth-test-env';

const ACCESS = 'AKIAMOTOCHAINTEST001';
const SECRET = 'chainSecretKeyForMotoTests0123456789abcd';

function chainConfig(moto: string, extra: Record<string, unknown> = {}) {
  return {
    realm: 'itest',
    identities: {
      'Base-User': { kind: 'aws/user', credentials: { access_key_id: ACCESS, secret_access_key: SECRET, region: 'us-east-1' }, spec: { endpoint_url: moto } },
      ops: { kind: 'aws/assume-role', via: { identity: 'base-user' }, principal: { assume_role: 'arn:aws:iam::111111111111:role/ops', session_name: 'ops session!' } },
      'Prod-Admin': { kind: 'aws/assume-role', default: true, via: { identity: 'ops' }, principal: { assume_role: 'arn:aws:iam::222222222222:role/admin', region: 'eu-west-1' } },
    },
    ...extra,
  };
}

describe('auth chains against moto STS', () => {
  let t: AuthTestEnv;
  let moto: string;
  beforeEach(() => {
    moto = motoEndpoint();
    t = makeAuthTestEnv();
  });
  afterEach(() => t.cleanup());

  test('aws/user -> assume-role -> assume-role (depth 3): GetCallerIdentity sees the last role', async () => {
    const m = new AuthManager(chainConfig(moto), { env: t.env });
    expect(m.resolveIdentityName()).toBe('prod-admin');
    const r = await m.authenticate('Prod-Admin');
    expect(r.chain.label).toBe('base-user -> ops -> prod-admin');
    expect(r.fromCache).toBe(false);
    const who = await m.whoami('prod-admin');
    expect(who.principal).toMatch(/^arn:aws:sts::222222222222:assumed-role\/admin\/atmos-prod-admin-\d+$/);
    expect(who.account).toBe('222222222222');
    expect(who.realm).toBe('itest');
    expect(who.provider).toBe('aws-user');
    expect(who.region).toBe('eu-west-1');

    // The ops step used Atmos's session-name sanitising: "ops session!" -> "ops-session".
    const opsWho = await m.whoami('ops');
    expect(opsWho.principal).toBe('arn:aws:sts::111111111111:assumed-role/ops/ops-session');

    const dir = join(t.env.ATMOS_XDG_CONFIG_HOME!, 'atmos', 'itest', 'aws', 'aws-user');
    const creds = readFileSync(join(dir, 'credentials'), 'utf8');
    expect(creds).toMatch(/; atmos: expiration=\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\n\[prod-admin\]/);
    expect(creds).toContain('[ops]');
    expect(creds).toContain('[base-user]');
    expect(creds).not.toContain(SECRET); // the long-lived key never lands on disk, only session keys
    const config = readFileSync(join(dir, 'config'), 'utf8');
    expect(config).toContain('[profile prod-admin]');
    expect(config).toMatch(/region\s+= eu-west-1/);
    expectPrivateLayout(t, join('xdg-config', 'atmos', 'itest'));
  });

  test('sessions are reused across managers while >15 min remain, refreshed otherwise', async () => {
    const first = await new AuthManager(chainConfig(moto), { env: t.env }).authenticate('prod-admin');
    const second = await new AuthManager(chainConfig(moto), { env: t.env }).authenticate('prod-admin');
    expect(second.fromCache).toBe(true);
    expect(first.credentials.type === 'aws' && second.credentials.type === 'aws' && unsafeUnwrap(first.credentials.accessKeyId) === unsafeUnwrap(second.credentials.accessKeyId)).toBe(true);
    // 50 minutes later, a one-hour session has less than 15 minutes left: the chain refreshes.
    const later = Date.now() + 50 * 60 * 1000;
    const third = await new AuthManager(chainConfig(moto), { env: t.env, now: () => later }).authenticate('prod-admin');
    expect(third.fromCache).toBe(false);
    expect(third.credentials.type === 'aws' && first.credentials.type === 'aws' && unsafeUnwrap(third.credentials.accessKeyId) !== unsafeUnwrap(first.credentials.accessKeyId)).toBe(true);
  });

  test('login (force) re-runs the target step but reuses earlier ones', async () => {
    const m = new AuthManager(chainConfig(moto), { env: t.env });
    const a = await m.authenticate('prod-admin');
    const opsBefore = readSection(t, 'ops');
    const b = await m.authenticate('prod-admin', { force: true });
    expect(readSection(t, 'ops')).toBe(opsBefore);
    expect(a.credentials.type === 'aws' && b.credentials.type === 'aws' && unsafeUnwrap(a.credentials.accessKeyId) !== unsafeUnwrap(b.credentials.accessKeyId)).toBe(true);
  });

  test('aws/user keys from the keyring (Atmos envelope) and MFA through GetSessionToken', async () => {
    const keyring = new MemoryKeyring();
    await keyring.set(credentialKey('itest', 'mfa-user'), JSON.stringify({ type: 'aws', data: { access_key_id: ACCESS, secret_access_key: SECRET, mfa_arn: 'arn:aws:iam::123456789012:mfa/dev', session_duration: '2d' } }));
    const cfg = { realm: 'itest', identities: { 'mfa-user': { kind: 'aws/user', spec: { endpoint_url: moto } } } };
    const prompts: string[] = [];
    const m = new AuthManager(cfg, { env: t.env, keyring, interaction: { interactive: true, notify: () => undefined, promptSecret: async (q) => (prompts.push(q), '123456') } });
    const r = await m.authenticate('mfa-user');
    expect(prompts).toHaveLength(1);
    expect(prompts[0]).toContain('arn:aws:iam::123456789012:mfa/dev');
    expect(r.credentials.type).toBe('aws');
    expect(r.paths.credentialsFile).toBe(join(t.env.ATMOS_XDG_CONFIG_HOME!, 'atmos', 'itest', 'aws', 'aws-user', 'credentials'));

    // The same identity without a terminal cannot ask for the code.
    const t2 = makeAuthTestEnv();
    try {
      const headless = new AuthManager(cfg, { env: t2.env, keyring });
      await expect(headless.authenticate('mfa-user')).rejects.toMatchObject({ code: 'AUTH_PROMPT_REQUIRES_TTY' });
    } finally {
      t2.cleanup();
    }
  });

  test('a missing keyring entry in CI is a clear error and writes nothing', async () => {
    const m = new AuthManager({ realm: 'itest', identities: { ci: { kind: 'aws/user', spec: { endpoint_url: moto } } } }, { env: t.env, keyring: new MemoryKeyring() });
    const err = await failure(m.authenticate('ci'));
    expect(err.code).toBe('AUTH_USER_NOT_CONFIGURED');
    expect(err.message).toContain('auth.identities.ci');
    expect(err.message).toContain('infrakey auth user configure --identity ci');
    expect(t.entries()).toEqual([]);
  });

  test('credential_files.mode: process keeps session keys off disk', async () => {
    const m = new AuthManager(chainConfig(moto, { credential_files: { mode: 'process' } }), { env: t.env, configDir: '/repo/infra' });
    await m.authenticate('prod-admin');
    const dir = join(t.env.ATMOS_XDG_CONFIG_HOME!, 'atmos', 'itest', 'aws', 'aws-user');
    const config = readFileSync(join(dir, 'config'), 'utf8');
    expect(config).toContain('credential_process = infrakey --config /repo/infra auth credentials --identity prod-admin');
    let creds = '';
    try {
      creds = readFileSync(join(dir, 'credentials'), 'utf8');
    } catch {
      creds = '';
    }
    expect(creds).not.toMatch(/aws_access_key_id/);
    const json = JSON.parse(await m.credentialProcessJson('prod-admin')) as Record<string, unknown>;
    expect(json.Version).toBe(1);
    expect(typeof json.SessionToken).toBe('string');
    expect(redactor.contains(String(json.SecretAccessKey))).toBe(true);
    expectPrivateLayout(t, join('xdg-config', 'atmos', 'itest'));
  });

  test('logout removes the profile and keeps the other profiles', async () => {
    const m = new AuthManager(chainConfig(moto), { env: t.env });
    await m.authenticate('prod-admin');
    const out = await m.logout({ identity: 'Prod-Admin' });
    expect(out.identities).toEqual(['prod-admin']);
    expect(readSection(t, 'prod-admin')).toBeUndefined();
    expect(readSection(t, 'ops')).toBeDefined();
    const all = await m.logout({ all: true });
    expect(all.identities.sort()).toEqual(['base-user', 'ops']);
    expect(t.entries().filter((e) => !e.dir)).toEqual([]);
  });
});

function readSection(t: AuthTestEnv, name: string): string | undefined {
  let text: string;
  try {
    text = readFileSync(join(t.env.ATMOS_XDG_CONFIG_HOME!, 'atmos', 'itest', 'aws', 'aws-user', 'credentials'), 'utf8');
  } catch {
    return undefined;
  }
  // The section's own comment lines (its expiration) and its key lines; not the next section's
  // comments, which change when that section is rewritten.
  const m = new RegExp(`((?:[;#][^\\n]*\\n)*)\\[${name}\\]\\n((?:[^\\n;#[][^\\n]*\\n)*)`).exec(text);
  return m ? m[1] + m[2] : undefined;
}
