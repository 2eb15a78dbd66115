import { readAwsKeyringCredentials } from '../../../core/auth/keyring-credentials';
import { AUTH_USER_ERROR_CODES, configureAwsUser, type UserPromptIO } from '../../../core/auth/kinds/aws-user/configure-user';
import { MemoryKeyring } from '../../../core/keyring/memory-keyring';
import { Secret, unsafeUnwrap } from '../../../core/secret';

const ACCESS = 'AKIAUNITTESTKEY00001';
const SECRET = 'unitSecretKeyValue0123456789abcdefGHIJKL';

function auth(identities: Record<string, unknown>): { auth: Record<string, unknown> } {
  return { auth: { identities } };
}

const oneUser = auth({ 'Dev-User': { kind: 'aws/user' }, ops: { kind: 'aws/assume-role', via: { identity: 'Dev-User' }, principal: { assume_role: 'arn:aws:iam::111111111111:role/x' } } });
const twoUsers = auth({ alpha: { kind: 'aws/user' }, beta: { kind: 'aws/user', default: true } });

/** A scripted terminal: answers in order, records every question and notice. */
function scripted(answers: string[] = [], interactive = answers.length > 0): UserPromptIO & { asked: string[]; notices: string[]; rejected: string[] } {
  const queue = [...answers];
  const asked: string[] = [];
  const notices: string[] = [];
  const rejected: string[] = [];
  const next = (message: string, validate?: (v: string) => true | string): string => {
    asked.push(message);
    // Like a real prompt: re-ask until the validator accepts.
    for (;;) {
      const a = queue.shift();
      if (a === undefined) throw new Error(`unexpected prompt: ${message}`);
      const ok = validate ? validate(a) : true;
      if (ok === true) return a;
      rejected.push(ok);
    }
  };
  return {
    interactive,
    asked,
    notices,
    rejected,
    notice: (line) => void notices.push(line),
    secret: async (message, validate) => next(message, validate),
    text: async (message, opts) => next(message, opts?.validate),
    select: async (message, choices) => {
      const a = next(message);
      if (!choices.includes(a)) throw new Error(`not a choice: ${a}`);
      return a;
    },
  };
}

async function raw(kr: MemoryKeyring, key: string): Promise<string | undefined> {
  const v = await kr.get(key);
  return v && unsafeUnwrap(v);
}

describe('configureAwsUser', () => {
  it('stores the envelope Atmos writes under atmos_<realm>_<lower-cased identity>', async () => {
    const kr = new MemoryKeyring();
    const r = await configureAwsUser({ config: oneUser, identity: 'DEV-USER', keyring: kr, realm: 'acme', env: {}, io: scripted(), input: { accessKeyId: ACCESS, secretAccessKey: Secret.of(SECRET) } });
    expect(r).toMatchObject({ identity: 'dev-user', key: 'atmos_acme_dev-user', keyringType: 'memory', replaced: false, fields: ['access_key_id', 'secret_access_key'] });
    expect(r.sources).toEqual({ accessKeyId: 'input', secretAccessKey: 'input', mfaArn: 'none', sessionDuration: 'none' });
    expect(await kr.list()).toEqual(['atmos_acme_dev-user']);
    expect(await raw(kr, 'atmos_acme_dev-user')).toBe(`{"type":"aws","data":{"access_key_id":"${ACCESS}","secret_access_key":"${SECRET}"}}`);
  });

  it('writes what the auth engine reads back for aws/user (and reads an Atmos-written entry the same way)', async () => {
    const kr = new MemoryKeyring();
    await configureAwsUser({ config: oneUser, keyring: kr, realm: 'acme', env: {}, io: scripted(), input: { accessKeyId: ACCESS, secretAccessKey: SECRET, mfaArn: 'arn:aws:iam::123456789012:mfa/dev', sessionDuration: '12h' } });
    const creds = await readAwsKeyringCredentials(kr, 'acme', 'Dev-User', 'test');
    expect(creds && unsafeUnwrap(creds.accessKeyId)).toBe(ACCESS);
    expect(creds && unsafeUnwrap(creds.secretAccessKey)).toBe(SECRET);
    expect(creds).toMatchObject({ mfaArn: 'arn:aws:iam::123456789012:mfa/dev', sessionDuration: '12h' });
    expect(creds?.sessionToken).toBeUndefined();
    // Atmos's configure writes session_duration "12h" by default; same layout, same reader.
    await kr.set('atmos_acme_atmos-made', `{"type":"aws","data":{"access_key_id":"${ACCESS}","secret_access_key":"${SECRET}","session_duration":"12h"}}`);
    expect((await readAwsKeyringCredentials(kr, 'acme', 'atmos-made', 'test'))?.sessionDuration).toBe('12h');
  });

  it('falls back to AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY and says so, without the values', async () => {
    const kr = new MemoryKeyring();
    const io = scripted();
    const r = await configureAwsUser({ config: oneUser, keyring: kr, realm: 'r', env: { AWS_ACCESS_KEY_ID: ACCESS, AWS_SECRET_ACCESS_KEY: `${SECRET}\n` }, io });
    expect(r.sources).toMatchObject({ accessKeyId: 'environment', secretAccessKey: 'environment' });
    expect(io.notices).toEqual(['Using AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY from the environment.']);
    expect(await raw(kr, 'atmos_r_dev-user')).toContain(`"secret_access_key":"${SECRET}"`);
  });

  it('without a terminal and without values: AUTH_USER_INPUT_REQUIRED naming the flags and variables; keyring untouched', async () => {
    const kr = new MemoryKeyring();
    const err = await configureAwsUser({ config: oneUser, keyring: kr, realm: 'r', env: {}, io: scripted() }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: AUTH_USER_ERROR_CODES.INPUT_REQUIRED });
    const text = (err as Error).message;
    for (const name of ['--access-key-id', '--secret-access-key-stdin', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY']) expect(text).toContain(name);
    expect(await kr.list()).toEqual([]);
    // Only one of the two given: the message names the missing one only.
    const half = await configureAwsUser({ config: oneUser, keyring: kr, realm: 'r', env: {}, io: scripted(), input: { accessKeyId: ACCESS } }).catch((e: unknown) => e);
    expect((half as Error).message).toMatch(/the secret access key \(--secret-access-key-stdin or AWS_SECRET_ACCESS_KEY\) was not given/);
  });

  it('prompts (hidden) on a terminal, re-asking on a temporary key, and asks for an optional MFA ARN', async () => {
    const kr = new MemoryKeyring();
    const io = scripted(['ASIATEMPORARYKEY0001', ACCESS, SECRET, 'arn:aws:iam::123456789012:mfa/dev']);
    const r = await configureAwsUser({ config: oneUser, keyring: kr, realm: 'r', env: {}, io });
    expect(io.asked).toEqual(['AWS Access Key ID for Dev-User:', 'AWS Secret Access Key for Dev-User:', 'MFA device ARN for Dev-User (optional, Enter to skip):']);
    expect(io.rejected).toEqual([expect.stringContaining('temporary key (ASIA…)')]);
    expect(r.sources).toMatchObject({ accessKeyId: 'prompt', secretAccessKey: 'prompt', mfaArn: 'prompt' });
    expect(await raw(kr, 'atmos_r_dev-user')).toBe(`{"type":"aws","data":{"access_key_id":"${ACCESS}","secret_access_key":"${SECRET}","mfa_arn":"arn:aws:iam::123456789012:mfa/dev"}}`);
  });

  it('chooses the identity: the only aws/user one, a choice on a terminal, else an error listing them', async () => {
    const kr = new MemoryKeyring();
    const io = scripted(['beta', ACCESS, SECRET, '']);
    const r = await configureAwsUser({ config: twoUsers, keyring: kr, realm: 'r', env: {}, io });
    expect(r.identity).toBe('beta');
    expect(io.asked[0]).toBe('Choose an aws/user identity to configure');
    const none = await configureAwsUser({ config: twoUsers, keyring: kr, realm: 'r', env: {}, io: scripted(), input: { accessKeyId: ACCESS, secretAccessKey: SECRET } }).catch((e: unknown) => e);
    expect(none).toMatchObject({ code: AUTH_USER_ERROR_CODES.IDENTITY_REQUIRED });
    expect((none as Error).message).toContain('alpha, beta');
    const missing = await configureAwsUser({ config: twoUsers, identity: 'gamma', keyring: kr, realm: 'r', env: {}, io: scripted() }).catch((e: unknown) => e);
    expect(missing).toMatchObject({ code: AUTH_USER_ERROR_CODES.IDENTITY_NOT_FOUND });
    const wrong = await configureAwsUser({ config: oneUser, identity: 'ops', keyring: kr, realm: 'r', env: {}, io: scripted() }).catch((e: unknown) => e);
    expect(wrong).toMatchObject({ code: AUTH_USER_ERROR_CODES.WRONG_KIND });
    const empty = await configureAwsUser({ config: auth({}), keyring: kr, realm: 'r', env: {}, io: scripted() }).catch((e: unknown) => e);
    expect(empty).toMatchObject({ code: AUTH_USER_ERROR_CODES.NO_IDENTITIES });
    expect(await kr.list()).toEqual(['atmos_r_beta']);
  });

  it('refuses when atmos.yaml already sets the keys (they would shadow the keyring)', async () => {
    const kr = new MemoryKeyring();
    const config = auth({ u: { kind: 'aws/user', credentials: { access_key_id: ACCESS, secret_access_key: SECRET } } });
    const err = await configureAwsUser({ config, keyring: kr, realm: 'r', env: {}, io: scripted(), input: { accessKeyId: ACCESS, secretAccessKey: SECRET } }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: AUTH_USER_ERROR_CODES.YAML_CREDENTIALS });
    expect((err as Error).message).toContain('infrakey auth user migrate');
    expect((err as Error).message).not.toContain(SECRET);
    expect(await kr.list()).toEqual([]);
  });

  it.each([
    [{ accessKeyId: 'akia-lower-case-key', secretAccessKey: SECRET }, '--access-key-id'],
    [{ accessKeyId: 'ASIATEMPORARYKEY0001', secretAccessKey: SECRET }, 'temporary key'],
    [{ accessKeyId: ACCESS, secretAccessKey: 'has white space in it 0123' }, '--secret-access-key-stdin'],
    [{ accessKeyId: ACCESS, secretAccessKey: 'short' }, 'got 5'],
    [{ accessKeyId: ACCESS, secretAccessKey: SECRET, mfaArn: 'not-an-arn' }, '--mfa-arn'],
    [{ accessKeyId: ACCESS, secretAccessKey: SECRET, sessionDuration: 'forever' }, '--session-duration'],
  ])('rejects bad input %# with AUTH_USER_INPUT_INVALID, never quoting a key', async (input, text) => {
    const kr = new MemoryKeyring();
    const err = await configureAwsUser({ config: oneUser, keyring: kr, realm: 'r', env: {}, io: scripted(), input }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: AUTH_USER_ERROR_CODES.INPUT_INVALID });
    expect((err as Error).message).toContain(text);
    expect((err as Error).message).not.toContain(input.secretAccessKey);
    expect((err as Error).message).not.toContain(input.accessKeyId);
    expect(await kr.list()).toEqual([]);
  });

  it('replacing an entry keeps its MFA ARN and session duration unless new ones are given; unreadable entries are replaced', async () => {
    const kr = new MemoryKeyring();
    await kr.set('atmos_r_dev-user', `{"type":"aws","data":{"access_key_id":"AKIAOLDOLDOLDOLDOLD1","secret_access_key":"oldSecretValue0123456789","mfa_arn":"arn:aws:iam::123456789012:mfa/old","session_duration":"4h"}}`);
    const r = await configureAwsUser({ config: oneUser, keyring: kr, realm: 'r', env: {}, io: scripted(), input: { accessKeyId: ACCESS, secretAccessKey: SECRET } });
    expect(r.replaced).toBe(true);
    expect(r.sources).toMatchObject({ mfaArn: 'keyring', sessionDuration: 'keyring' });
    expect(await raw(kr, 'atmos_r_dev-user')).toBe(`{"type":"aws","data":{"access_key_id":"${ACCESS}","secret_access_key":"${SECRET}","mfa_arn":"arn:aws:iam::123456789012:mfa/old","session_duration":"4h"}}`);

    await kr.set('atmos_r_dev-user', 'not json at all');
    const io = scripted();
    const again = await configureAwsUser({ config: oneUser, keyring: kr, realm: 'r', env: {}, io, input: { accessKeyId: ACCESS, secretAccessKey: SECRET } });
    expect(again.replaced).toBe(true);
    expect(io.notices).toEqual(['The keyring entry atmos_r_dev-user was unreadable (KEYRING_CORRUPT); it is replaced.']);
    expect(await raw(kr, 'atmos_r_dev-user')).toBe(`{"type":"aws","data":{"access_key_id":"${ACCESS}","secret_access_key":"${SECRET}"}}`);
  });

  it('copies mfa_arn and session.duration from atmos.yaml, as Atmos does', async () => {
    const kr = new MemoryKeyring();
    const config = auth({ u: { kind: 'aws/user', credentials: { mfa_arn: 'arn:aws:iam::123456789012:mfa/yaml', region: 'eu-west-1' }, session: { duration: '8h' } } });
    const r = await configureAwsUser({ config, keyring: kr, realm: 'r', env: {}, io: scripted(), input: { accessKeyId: ACCESS, secretAccessKey: SECRET } });
    expect(r.sources).toMatchObject({ mfaArn: 'atmos.yaml', sessionDuration: 'atmos.yaml' });
    expect(await raw(kr, 'atmos_r_u')).toBe(`{"type":"aws","data":{"access_key_id":"${ACCESS}","secret_access_key":"${SECRET}","mfa_arn":"arn:aws:iam::123456789012:mfa/yaml","session_duration":"8h"}}`);
  });
});
