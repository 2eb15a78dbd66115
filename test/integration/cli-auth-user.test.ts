import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { captureIO } from '../../cli/io';
import { run } from '../../cli/program';
import { FileKeyring } from '../../core/keyring/file-keyring';
import { unsafeUnwrap } from '../../core/secret';
import { motoEndpoint } from '../support/services';
import { makeAuthTestEnv, type AuthTestEnv } from './auth/auth-test-env';

/**
 * `infrakey auth user configure|migrate` in-process, against the real file keyring, the real
 * Secret Service (scripts/with-keyring.sh) and `auth login` against moto: what these commands
 * write is what login reads.
 */
const ACCESS = 'AKIACLIUSERTEST00001';
const SECRET = 'cliUserSecret0123456789abcdefGHIJKLMNOPQ';
const PASSWORD = 'it-keyring-password-1';

function repo(t: AuthTestEnv, auth: string): string {
  const dir = join(t.root, 'repo');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'atmos.yaml'), `base_path: "./"\nauth:\n${auth}`);
  return dir;
}

const userAuth = (moto: string, extra = '') => `  realm: it-realm
  identities:
    Deploy-User:
      kind: aws/user
      spec: { endpoint_url: "${moto}" }
${extra}`;

async function cli(t: AuthTestEnv, cwd: string, args: string[], opts: { env?: NodeJS.ProcessEnv; stdin?: string; tty?: boolean } = {}) {
  const io = captureIO({ stdin: opts.stdin === undefined ? undefined : Readable.from([opts.stdin]), tty: opts.tty });
  const code = await run(args, { io, env: { ...t.env, ...opts.env }, cwd });
  return { code, stdout: io.stdout, stderr: io.stderr };
}

const fileKeyringEnv = { ATMOS_KEYRING_TYPE: 'file', ATMOS_KEYRING_PASSWORD: PASSWORD };

async function readEntry(dir: string, key: string): Promise<string | undefined> {
  const v = await new FileKeyring({ dir, password: PASSWORD, env: {} }).get(key);
  return v && unsafeUnwrap(v);
}

describe('infrakey auth user configure', () => {
  let t: AuthTestEnv;
  beforeEach(() => {
    t = makeAuthTestEnv();
  });
  afterEach(() => t.cleanup());

  test('--access-key-id + --secret-access-key-stdin → file keyring entry Atmos reads → auth login works (moto)', async () => {
    const dir = repo(t, userAuth(motoEndpoint()));
    const r = await cli(t, dir, ['auth', 'user', 'configure', '--identity', 'Deploy-User', '--access-key-id', ACCESS, '--secret-access-key-stdin'], { env: fileKeyringEnv, stdin: `${SECRET}\nnext line is not read\n` });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('✓ Stored the access keys of identity "deploy-user" in the file keyring (entry atmos_it-realm_deploy-user, realm it-realm).');
    const krDir = join(t.root, 'xdg-data', 'atmos', 'keyring');
    expect(statSync(krDir).mode & 0o777).toBe(0o700);
    expect(statSync(join(krDir, 'atmos_it-realm_deploy-user')).mode & 0o777).toBe(0o600);
    expect(await readEntry(krDir, 'atmos_it-realm_deploy-user')).toBe(`{"type":"aws","data":{"access_key_id":"${ACCESS}","secret_access_key":"${SECRET}"}}`);

    const login = await cli(t, dir, ['auth', 'login', '--identity', 'deploy-user'], { env: fileKeyringEnv });
    expect(login.stderr).toContain('Authentication successful');
    expect(login.code).toBe(0);
  });

  test('honours auth.keyring.type and spec.path (Atmos ignores them here), with keys from AWS_* variables', async () => {
    const dir = repo(t, `${userAuth(motoEndpoint())}  keyring:\n    type: file\n    spec:\n      path: ./project-keyring\n`);
    const env = { ATMOS_KEYRING_TYPE: undefined, ATMOS_KEYRING_PASSWORD: PASSWORD, AWS_ACCESS_KEY_ID: ACCESS, AWS_SECRET_ACCESS_KEY: SECRET };
    const r = await cli(t, dir, ['auth', 'user', 'configure', '--mfa-arn', 'arn:aws:iam::123456789012:mfa/deploy', '--session-duration', '8h'], { env });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('Using AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY from the environment.\n');
    expect(r.stdout).toContain('Also stored: MFA ARN (input), session duration (input).');
    expect(existsSync(join(t.root, 'xdg-data', 'atmos', 'keyring'))).toBe(false);
    expect(await readEntry(join(dir, 'project-keyring'), 'atmos_it-realm_deploy-user')).toBe(
      `{"type":"aws","data":{"access_key_id":"${ACCESS}","secret_access_key":"${SECRET}","mfa_arn":"arn:aws:iam::123456789012:mfa/deploy","session_duration":"8h"}}`,
    );
  });

  test('no terminal and no values → exit 1 naming the flags and variables; nothing written', async () => {
    const dir = repo(t, userAuth(motoEndpoint()));
    const r = await cli(t, dir, ['auth', 'user', 'configure', '-i', 'deploy-user'], { env: fileKeyringEnv });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('error [AUTH_USER_INPUT_REQUIRED]');
    for (const name of ['--access-key-id', '--secret-access-key-stdin', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY']) expect(r.stderr).toContain(name);
    expect(r.stderr).toContain('atmos.yaml:5'); // the identity's line
    expect(existsSync(join(t.root, 'xdg-data'))).toBe(false);
  });

  test('--secret-access-key-stdin: empty stdin, or a terminal, is refused with AUTH_USER_STDIN_FAILED', async () => {
    const dir = repo(t, userAuth(motoEndpoint()));
    const empty = await cli(t, dir, ['auth', 'user', 'configure', '--access-key-id', ACCESS, '--secret-access-key-stdin'], { env: fileKeyringEnv, stdin: '\n' });
    expect(empty.code).toBe(1);
    expect(empty.stderr).toContain('error [AUTH_USER_STDIN_FAILED]: --secret-access-key-stdin: stdin was empty');
    const tty = await cli(t, dir, ['auth', 'user', 'configure', '--access-key-id', ACCESS, '--secret-access-key-stdin'], { env: fileKeyringEnv, tty: true });
    expect(tty.code).toBe(1);
    expect(tty.stderr).toContain('stdin is a terminal');
    expect(existsSync(join(t.root, 'xdg-data'))).toBe(false);
  });

  test('system keyring (Secret Service): the entry secret-tool finds is the exact Atmos envelope', async () => {
    if (!process.env.DBUS_SESSION_BUS_ADDRESS) throw new Error('no D-Bus session: run this test through scripts/with-keyring.sh (scripts/test.sh does)');
    const dir = repo(t, userAuth(motoEndpoint()));
    const env = { ATMOS_KEYRING_TYPE: 'system', DBUS_SESSION_BUS_ADDRESS: process.env.DBUS_SESSION_BUS_ADDRESS, XDG_RUNTIME_DIR: process.env.XDG_RUNTIME_DIR };
    const key = 'atmos_it-realm_deploy-user';
    try {
      const r = await cli(t, dir, ['auth', 'user', 'configure', '--access-key-id', ACCESS, '--secret-access-key-stdin'], { env, stdin: SECRET });
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`in the system keyring (entry ${key}`);
      const stored = execFileSync('secret-tool', ['lookup', 'service', key, 'username', 'atmos-auth'], { encoding: 'utf8', timeout: 10_000 });
      expect(stored).toBe(`{"type":"aws","data":{"access_key_id":"${ACCESS}","secret_access_key":"${SECRET}"}}`);
      const login = await cli(t, dir, ['auth', 'login', '-i', 'deploy-user'], { env });
      expect(login.stderr).toContain('Authentication successful');
      expect(login.code).toBe(0);
    } finally {
      execFileSync('secret-tool', ['clear', 'service', key, 'username', 'atmos-auth'], { timeout: 10_000 });
    }
  });
});

describe('infrakey auth user migrate', () => {
  let t: AuthTestEnv;
  beforeEach(() => {
    t = makeAuthTestEnv();
  });
  afterEach(() => t.cleanup());

  test('moves inline keys into the keyring, login then reads them; the second run has nothing to migrate', async () => {
    const moto = motoEndpoint();
    const dir = repo(t, `  realm: it-realm
  identities:
    # the deploy user
    Deploy-User:
      kind: aws/user
      default: true
      credentials:
        access_key_id: ${ACCESS}   # from IAM
        secret_access_key: ${SECRET}
        region: us-east-1
      spec: { endpoint_url: "${moto}" }
`);
    const file = join(dir, 'atmos.yaml');
    const before = readFileSync(file, 'utf8');
    const r = await cli(t, dir, ['auth', 'user', 'migrate'], { env: fileKeyringEnv });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      'Moved the inline access keys of 1 identity to the file keyring (realm it-realm):\n' +
        '  Deploy-User  atmos.yaml:9 → atmos_it-realm_deploy-user\n' +
        'Removed credentials.access_key_id and credentials.secret_access_key from atmos.yaml; everything else in the file is unchanged.\n',
    );
    const after = readFileSync(file, 'utf8');
    expect(after).toBe(before.replace(`        access_key_id: ${ACCESS}   # from IAM\n        secret_access_key: ${SECRET}\n`, ''));
    expect(await readEntry(join(t.root, 'xdg-data', 'atmos', 'keyring'), 'atmos_it-realm_deploy-user')).toBe(`{"type":"aws","data":{"access_key_id":"${ACCESS}","secret_access_key":"${SECRET}"}}`);

    const login = await cli(t, dir, ['auth', 'login'], { env: fileKeyringEnv });
    expect(login.stderr).toContain('Authentication successful');
    expect(login.code).toBe(0);

    // No password needed when there is nothing to move.
    const again = await cli(t, dir, ['auth', 'user', 'migrate'], { env: { ATMOS_KEYRING_TYPE: 'file' } });
    expect(again.code).toBe(0);
    expect(again.stdout).toBe('Nothing to migrate: no aws/user identity in atmos.yaml has inline access keys.\n');
    expect(readFileSync(file, 'utf8')).toBe(after);
  });

  test('--dry-run changes nothing; incomplete credentials are refused with exit 1 and the file intact', async () => {
    const dir = repo(t, `  identities:\n    a:\n      kind: aws/user\n      credentials:\n        access_key_id: ${ACCESS}\n        secret_access_key: ${SECRET}\n`);
    const file = join(dir, 'atmos.yaml');
    const text = readFileSync(file, 'utf8');
    const dry = await cli(t, dir, ['auth', 'user', 'migrate', '--dry-run'], { env: fileKeyringEnv });
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('Would move the inline access keys of 1 identity');
    expect(dry.stdout).toContain('Dry run: nothing was changed.');
    expect(readFileSync(file, 'utf8')).toBe(text);
    expect(existsSync(join(t.root, 'xdg-data'))).toBe(false);

    writeFileSync(file, text.replace(`        access_key_id: ${ACCESS}\n`, ''));
    const bad = await cli(t, dir, ['auth', 'user', 'migrate'], { env: fileKeyringEnv });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('error [AUTH_USER_MIGRATE_REFUSED]');
    expect(bad.stderr).toContain('atmos.yaml:7');
    expect(readFileSync(file, 'utf8')).toBe(text.replace(`        access_key_id: ${ACCESS}\n`, ''));
  });
});
