/**
 * Issue 10 items 17, 21, 22 at the credential-file layer: names that would escape the realm or
 * inject INI sections, a stale lock left by a killed login, file-system failures with AUTH_* codes,
 * and credential files others can read or change (refused, as ssh does).
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAuthConfig } from '../../../core/auth/auth-config';
import { AuthManager } from '../../../core/auth/auth-manager';
import { credentialFilePaths, readAwsProfile, writeAwsProfile } from '../../../core/auth/credential-files';
import { awsCredentials } from '../../../core/auth/credentials';
import { validateAuthConfig } from '../../../core/auth/validate-auth';
import { lockTimings, withFileLock } from '../../../core/fs/file-lock';

const creds = () => awsCredentials({ accessKeyId: 'ASIANAMESTEST0000001', secretAccessKey: 'namesTestSecret000000000000000000000000', sessionToken: 'tok', expiration: new Date(Date.now() + 3600_000) }, 't');

async function failure(p: Promise<unknown>): Promise<Error & { code: string; fix?: string }> {
  try {
    await p;
  } catch (e) {
    return e as Error & { code: string };
  }
  throw new Error('expected a rejection');
}

describe('provider and identity names (item 17)', () => {
  let root: string;
  beforeEach(() => (root = mkdtempSync(join(tmpdir(), 'ik-names-'))));
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  const traversal = {
    realm: 'r',
    providers: { '../../../../../tmp/x': { kind: 'github/oidc', spec: { audience: 'sts.amazonaws.com' } } },
    identities: {
      ci: { kind: 'aws/assume-role', via: { provider: '../../../../../tmp/x' }, principal: { assume_role: 'arn:aws:iam::111111111111:role/ci' }, spec: { endpoint_url: 'http://127.0.0.1:9' } },
      'Evil]\n[default': { kind: 'aws/user', credentials: { access_key_id: 'AKIAEVILNAME00000001', secret_access_key: 'evilSecret', region: 'us-east-1' } },
      'a..b': { kind: 'mock', via: { provider: '../../../../../tmp/x' } },
      'tab\tname': { kind: 'mock', via: { provider: '../../../../../tmp/x' } },
    },
  };

  test('auth validate reports every bad name with AUTH_NAME_INVALID', () => {
    const { errors } = validateAuthConfig(parseAuthConfig(traversal));
    const bad = errors.filter((e) => e.code === 'AUTH_NAME_INVALID').map((e) => e.message);
    expect(bad).toHaveLength(4);
    expect(bad.join('\n')).toContain('provider name "../../../../../tmp/x" is not allowed: it contains a path separator');
    expect(bad.join('\n')).toContain('identity name "Evil]\\n[default" is not allowed');
    expect(bad.join('\n')).toContain('"a..b"');
    expect(bad.join('\n')).toContain('"tab\\tname"');
  });

  test('login refuses before any network call or write; env and paths refuse too', async () => {
    const env = { ATMOS_XDG_CONFIG_HOME: join(root, 'xdg'), ACTIONS_ID_TOKEN: 'a.b.c' };
    const m = new AuthManager(traversal, { env });
    const e = await failure(m.authenticate('ci'));
    expect(e.code).toBe('AUTH_NAME_INVALID');
    expect(() => m.environment('ci')).toThrow(expect.objectContaining({ code: 'AUTH_NAME_INVALID' }));
    const evil = await failure(m.authenticate('evil]\n[default'));
    expect(evil.code).toBe('AUTH_NAME_INVALID');
    expect(existsSync(join(root, 'xdg'))).toBe(false);
  });

  test('every resolved credential path stays under the realm folder', () => {
    const env = { ATMOS_XDG_CONFIG_HOME: join(root, 'xdg') };
    expect(() => credentialFilePaths(env, 'r', '../../../../../tmp/x', 'ci')).toThrow(expect.objectContaining({ code: 'AUTH_NAME_INVALID' }));
    expect(() => credentialFilePaths(env, 'r', '..', 'ci')).toThrow(expect.objectContaining({ code: 'AUTH_NAME_INVALID' }));
    expect(() => credentialFilePaths(env, 'r', 'p', 'x]\n[default')).toThrow(expect.objectContaining({ code: 'AUTH_NAME_INVALID' }));
    expect(credentialFilePaths(env, 'r', 'p', 'ci').credentialsFile).toBe(join(root, 'xdg', 'atmos', 'r', 'aws', 'p', 'credentials'));
  });
});

describe('credential files: lock and file-system failures (item 21)', () => {
  let root: string;
  beforeEach(() => (root = mkdtempSync(join(tmpdir(), 'ik-files-'))));
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  test('a lock left by a killed login is taken over once stale, not reported as a timeout', async () => {
    const paths = credentialFilePaths({ ATMOS_XDG_CONFIG_HOME: root }, 'r', 'p', 'dev');
    mkdirSync(join(root, 'atmos', 'r', 'aws', 'p'), { recursive: true, mode: 0o700 });
    // What proper-lockfile leaves when its holder is SIGKILLed right after taking the lock.
    mkdirSync(`${paths.credentialsFile}.lock`);
    const now = new Date();
    utimesSync(`${paths.credentialsFile}.lock`, now, now);
    const started = Date.now();
    await writeAwsProfile(paths, creds(), { region: 'eu-west-1' });
    const waited = Date.now() - started;
    expect(waited).toBeGreaterThanOrEqual(9_000);
    expect(readFileSync(paths.credentialsFile, 'utf8')).toContain('[dev]');
    expect(existsSync(`${paths.credentialsFile}.lock`)).toBe(false);
  }, 30_000);

  test('a live holder: AUTH_FILE_LOCK_TIMEOUT after the whole wait, and the message says how long', async () => {
    const paths = credentialFilePaths({ ATMOS_XDG_CONFIG_HOME: root }, 'r', 'p', 'dev');
    mkdirSync(join(root, 'atmos', 'r', 'aws', 'p'), { recursive: true, mode: 0o700 });
    const { waitMs } = lockTimings({});
    let waited = 0;
    let err: (Error & { code: string }) | undefined;
    // The holder keeps refreshing its lock (as a running login does) for longer than the wait.
    await withFileLock({ lockPath: `${paths.credentialsFile}.lock`, subject: 'test holder' }, async () => {
      const started = Date.now();
      err = await failure(writeAwsProfile(paths, creds(), { region: 'eu-west-1' }));
      waited = Date.now() - started;
    });
    expect(err?.code).toBe('AUTH_FILE_LOCK_TIMEOUT');
    expect(waited).toBeGreaterThanOrEqual(waitMs);
    expect(err?.message).toMatch(/for the whole 1[5-9] s this process waited/);
    expect(existsSync(paths.credentialsFile)).toBe(false);
  }, 40_000);

  test('a folder where the credentials file should be is AUTH_FILES_NOT_A_FILE with the fix', async () => {
    const paths = credentialFilePaths({ ATMOS_XDG_CONFIG_HOME: root }, 'r', 'p', 'dev');
    mkdirSync(paths.credentialsFile, { recursive: true });
    const e = await failure(writeAwsProfile(paths, creds(), { region: 'eu-west-1' }));
    expect(e.code).toBe('AUTH_FILES_NOT_A_FILE');
    expect(e.message).toContain('a folder stands where the file should be');
    expect(e.message).toContain(paths.credentialsFile);
    expect(e.message).not.toContain('namesTestSecret');
  });

  test('a file where the provider folder should be is AUTH_FILES_NOT_A_FILE', async () => {
    const paths = credentialFilePaths({ ATMOS_XDG_CONFIG_HOME: root }, 'r', 'p', 'dev');
    mkdirSync(join(root, 'atmos', 'r', 'aws'), { recursive: true });
    writeFileSync(join(root, 'atmos', 'r', 'aws', 'p'), 'not a folder');
    const e = await failure(writeAwsProfile(paths, creds(), { region: 'eu-west-1' }));
    expect(e.code).toBe('AUTH_FILES_NOT_A_FILE');
    expect(e.message).toContain('a file stands where a folder of its path should be');
  });
});

describe('credential files others can read or change (item 22)', () => {
  let root: string;
  let paths: ReturnType<typeof credentialFilePaths>;
  beforeEach(async () => {
    root = mkdtempSync(join(tmpdir(), 'ik-perms-'));
    paths = credentialFilePaths({ ATMOS_XDG_CONFIG_HOME: root }, 'r', 'p', 'dev');
    await writeAwsProfile(paths, creds(), { region: 'eu-west-1' });
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  test('files written by login read back (0600 in 0700 folders)', async () => {
    expect((await readAwsProfile(paths, 'x'))?.type).toBe('aws');
  });

  test('a credentials file loosened to 0644 is refused with the chmod to run', async () => {
    chmodSync(paths.credentialsFile, 0o644);
    const e = await failure(readAwsProfile(paths, 'x'));
    expect(e.code).toBe('AUTH_FILES_INSECURE');
    expect(e.message).toContain('its mode is 0644');
    expect(e.message).toContain(`chmod 600 ${paths.credentialsFile}`);
  });

  test('a config file others can read is refused too (it may carry credential_process)', async () => {
    chmodSync(paths.configFile, 0o640);
    expect((await failure(readAwsProfile(paths, 'x'))).code).toBe('AUTH_FILES_INSECURE');
  });

  test('a folder others can write is refused with the chmod to run', async () => {
    const dir = join(root, 'atmos', 'r', 'aws');
    chmodSync(dir, 0o777);
    const e = await failure(readAwsProfile(paths, 'x'));
    expect(e.code).toBe('AUTH_FILES_INSECURE');
    expect(e.message).toContain(`chmod 700 ${dir}`);
  });

  test('folders above the realm (the user\'s XDG layout, often 0775) are not judged', async () => {
    chmodSync(join(root, 'atmos'), 0o775);
    expect((await readAwsProfile(paths, 'x'))?.type).toBe('aws');
  });

  test('login rewrites a loosened file 0600 (the write path heals what it owns)', async () => {
    chmodSync(paths.credentialsFile, 0o644);
    await writeAwsProfile(paths, creds(), { region: 'eu-west-1' });
    expect((await readAwsProfile(paths, 'x'))?.type).toBe('aws');
  });
});
