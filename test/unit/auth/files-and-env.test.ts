import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { prepareChildEnvironment, identityEnvironment } from '../../../core/auth/child-env';
import { credentialFilePaths, readAwsProfile, removeAwsProfile, writeAwsProfile } from '../../../core/auth/credential-files';
import { awsCredentials, isFresh } from '../../../core/auth/credentials';
import { mapAwsError } from '../../../core/auth/aws-sdk';
import { unsafeUnwrap } from '../../../core/secret';

describe('credential files (§2.3)', () => {
  let root: string;
  beforeEach(() => (root = mkdtempSync(join(tmpdir(), 'ik-files-'))));
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  test('write keeps other profiles, adds the expiration comment, 0600/0700; read back; remove', async () => {
    const paths = credentialFilePaths({ ATMOS_XDG_CONFIG_HOME: root }, 'r', 'sso', 'dev');
    mkdirSync(join(root, 'atmos', 'r', 'aws', 'sso'), { recursive: true });
    writeFileSync(paths.credentialsFile, '# keep me\n[other]\naws_access_key_id = OTHERKEY\naws_secret_access_key = othersecret\n');
    writeFileSync(paths.configFile, '[profile other]\nregion = eu-central-1\n');
    const exp = new Date('2030-01-02T03:04:05.678Z');
    const secret = 'S3cr3tSessionKeyValue0000000000000000000';
    await writeAwsProfile(paths, awsCredentials({ accessKeyId: 'ASIAFILETEST0000001', secretAccessKey: secret, sessionToken: 'tok-value-123', expiration: exp }, 't'), { region: 'us-west-1' });
    const text = readFileSync(paths.credentialsFile, 'utf8');
    expect(text).toContain('[other]\naws_access_key_id = OTHERKEY');
    expect(text).toContain('; atmos: expiration=2030-01-02T03:04:05Z\n[dev]\naws_access_key_id     = ASIAFILETEST0000001');
    expect(readFileSync(paths.configFile, 'utf8')).toBe('[profile other]\nregion = eu-central-1\n\n[profile dev]\nregion = us-west-1\n');
    expect(statSync(paths.credentialsFile).mode & 0o777).toBe(0o600);
    expect(statSync(paths.configFile).mode & 0o777).toBe(0o600);
    expect(statSync(join(root, 'atmos', 'r', 'aws', 'sso')).mode & 0o777).toBe(0o700);
    expect(statSync(join(root, 'atmos', 'r')).mode & 0o777).toBe(0o700);

    const back = await readAwsProfile(paths, 'x');
    expect(back && unsafeUnwrap(back.secretAccessKey)).toBe(secret);
    expect(back?.expiration?.toISOString()).toBe('2030-01-02T03:04:05.000Z');
    expect(back?.region).toBe('us-west-1');

    expect(await removeAwsProfile(paths)).toBe(true);
    expect(readFileSync(paths.credentialsFile, 'utf8')).not.toContain('[dev]');
    expect(readFileSync(paths.credentialsFile, 'utf8')).toContain('[other]');
  });

  test('an unparsable expiration counts as expired', async () => {
    const paths = credentialFilePaths({ ATMOS_XDG_CONFIG_HOME: root }, 'r', 'p', 'x');
    mkdirSync(join(root, 'atmos', 'r', 'aws', 'p'), { recursive: true });
    writeFileSync(paths.credentialsFile, '; atmos: expiration=garbage\n[x]\naws_access_key_id = A\naws_secret_access_key = B\naws_session_token = C\n', { mode: 0o600 });
    const c = await readAwsProfile(paths, 'x');
    expect(isFresh(c)).toBe(false);
  });
});

describe('child environment (§2.4)', () => {
  const paths = { credentialsFile: '/c/credentials', configFile: '/c/config', profile: 'dev', realmDir: '/c' };
  test('strips ambient keys and web identity, sets files, profile, region, IMDS off', () => {
    const env = prepareChildEnvironment(
      { PATH: '/bin', AWS_ACCESS_KEY_ID: 'a', AWS_SECRET_ACCESS_KEY: 'b', AWS_SESSION_TOKEN: 'c', AWS_SECURITY_TOKEN: 'd', AWS_WEB_IDENTITY_TOKEN_FILE: 'e', AWS_ROLE_ARN: 'f', AWS_ROLE_SESSION_NAME: 'g', AWS_PROFILE: 'old', AWS_ENDPOINT_URL: 'http://emu' },
      paths,
      'eu-west-1',
    );
    expect(env).toEqual({
      PATH: '/bin',
      AWS_ENDPOINT_URL: 'http://emu',
      AWS_SHARED_CREDENTIALS_FILE: '/c/credentials',
      AWS_CONFIG_FILE: '/c/config',
      AWS_PROFILE: 'dev',
      AWS_SDK_LOAD_CONFIG: '1',
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_REGION: 'eu-west-1',
      AWS_DEFAULT_REGION: 'eu-west-1',
    });
  });
  test('auth env: paths, profile, region, identity env entries; never keys', () => {
    expect(identityEnvironment(paths, undefined, [{ key: 'TF_VAR_x', value: '1' }])).toEqual({ AWS_SHARED_CREDENTIALS_FILE: '/c/credentials', AWS_CONFIG_FILE: '/c/config', AWS_PROFILE: 'dev', TF_VAR_x: '1' });
  });
});

describe('STS error mapping', () => {
  test.each(['ExpiredToken', 'InvalidClientTokenId'])('%s -> AUTH_CREDENTIALS_EXPIRED with the login command', (name) => {
    const e = Object.assign(new Error('The security token included in the request is expired'), { name });
    const mapped = mapAwsError(e, 'sts:AssumeRole', 'ops', 'auth.identities.ops', undefined, 'prod');
    expect(mapped).toMatchObject({ code: 'AUTH_CREDENTIALS_EXPIRED' });
    expect(mapped.message).toContain('infrakey auth login --identity prod');
  });
  test('AccessDenied -> AUTH_STS_FAILED', () => {
    const e = Object.assign(new Error('not authorized'), { name: 'AccessDenied' });
    expect(mapAwsError(e, 'sts:AssumeRole', 'ops', 'w', undefined, 'ops')).toMatchObject({ code: 'AUTH_STS_FAILED' });
  });
});
