import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileKeyring } from '../../../core/keyring/file-keyring';
import { passwordResolver } from '../../../core/keyring/keyring-password';
import { resolveFileKeyringDir } from '../../../core/keyring/keyring-paths';
import { openKeyring, selectKeyring } from '../../../core/keyring/select-keyring';
import { unsafeUnwrap } from '../../../core/secret';

const NO_BUS = { DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/infrakey-test-bus' };

describe('keyring selection', () => {
  let tmp: string;
  beforeEach(() => {
    tmp = mkdtempSync(join(tmpdir(), 'infrakey-select-'));
  });
  afterEach(() => rmSync(tmp, { recursive: true, force: true }));

  it('defaults to system; ATMOS_KEYRING_TYPE beats auth.keyring.type', async () => {
    expect((await selectKeyring({ env: {} })).type).toBe('system');
    expect((await selectKeyring({ env: {}, auth: { keyring: { type: 'memory' } } })).type).toBe('memory');
    expect((await selectKeyring({ env: { ATMOS_KEYRING_TYPE: 'file' }, auth: { keyring: { type: 'memory' } } })).type).toBe('file');
  });

  it('rejects an unknown type naming where it came from', async () => {
    await expect(selectKeyring({ env: {}, auth: { keyring: { type: 'plaintext' } } })).rejects.toMatchObject({ code: 'KEYRING_CONFIG_INVALID', where: 'auth.keyring.type' });
    await expect(selectKeyring({ env: { ATMOS_KEYRING_TYPE: 'noop' } })).rejects.toMatchObject({ code: 'KEYRING_CONFIG_INVALID', where: 'environment variable ATMOS_KEYRING_TYPE' });
    await expect(selectKeyring({ env: {}, auth: { keyring: { fallback: 'plaintext' } } })).rejects.toMatchObject({ code: 'KEYRING_CONFIG_INVALID' });
  });

  it('puts the file keyring in spec.path, ATMOS_KEYRING_FILE_PATH, or {XDG data}/atmos/keyring', async () => {
    const a = (await selectKeyring({ env: { ATMOS_XDG_DATA_HOME: tmp }, auth: { keyring: { type: 'file' } } })) as FileKeyring;
    expect(a.dir).toBe(join(tmp, 'atmos', 'keyring'));
    const b = (await selectKeyring({ env: {}, auth: { keyring: { type: 'file', spec: { path: join(tmp, 'kr') } } } })) as FileKeyring;
    expect(b.dir).toBe(join(tmp, 'kr'));
    const c = (await selectKeyring({ env: { ATMOS_KEYRING_FILE_PATH: join(tmp, 'env') }, auth: { keyring: { type: 'file', spec: { path: join(tmp, 'kr') } } } })) as FileKeyring;
    expect(c.dir).toBe(join(tmp, 'env'));
    expect(resolveFileKeyringDir('~/kr', { env: {}, home: '/home/u' })).toBe('/home/u/kr');
    expect(resolveFileKeyringDir('/x/keyring.db', { env: {} })).toBe('/x');
  });

  it('without a Secret Service and without fallback: KEYRING_UNAVAILABLE with what to do', async () => {
    const kr = await selectKeyring({ env: NO_BUS });
    await expect(kr.get('k')).rejects.toMatchObject({ code: 'KEYRING_UNAVAILABLE' });
    await expect(kr.get('k')).rejects.toThrow(/ATMOS_KEYRING_TYPE=file/);
  });

  it('falls back to the file keyring only when asked, saying so once', async () => {
    const notices: string[] = [];
    const env = { ...NO_BUS, ATMOS_KEYRING_PASSWORD: 'correct horse', ATMOS_XDG_DATA_HOME: tmp };
    const kr = await selectKeyring({ env, auth: { keyring: { fallback: 'file' } }, notice: (l) => notices.push(l) });
    expect(kr.type).toBe('file');
    const again = await selectKeyring({ env: { ...env, ATMOS_KEYRING_FALLBACK: 'file' }, notice: (l) => notices.push(l) });
    expect(again.type).toBe('file');
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatch(/system keyring is unavailable.*file keyring at .*auth.keyring.fallback: file/);
  });

  it('openKeyring opens each backend directly', async () => {
    const mem = await openKeyring({ type: 'memory' });
    await mem.set('k', 'v-memory-1');
    expect(unsafeUnwrap((await mem.get('k'))!)).toBe('v-memory-1');
    const file = (await openKeyring({ type: 'file', path: join(tmp, 'f'), password: 'password-123', env: {} })) as FileKeyring;
    expect(file.type).toBe('file');
    expect(file.dir).toBe(join(tmp, 'f'));
    expect((await openKeyring({ type: 'system' })).type).toBe('system');
    await expect(openKeyring({ type: 'vault' as never })).rejects.toMatchObject({ code: 'KEYRING_CONFIG_INVALID' });
  });
});

describe('file keyring password', () => {
  let tmp: string;
  beforeEach(() => {
    tmp = mkdtempSync(join(tmpdir(), 'infrakey-password-'));
  });
  afterEach(() => rmSync(tmp, { recursive: true, force: true }));

  it('reads the variable named by spec.password_env, ATMOS_KEYRING_PASSWORD_ENV first', async () => {
    expect(await passwordResolver({ env: { MY_PW: 'pw-from-my-var' }, passwordEnv: 'MY_PW', isTTY: false }, '/d')()).toBe('pw-from-my-var');
    expect(await passwordResolver({ env: { ATMOS_KEYRING_PASSWORD: 'default-var-pw' }, isTTY: false }, '/d')()).toBe('default-var-pw');
    expect(await passwordResolver({ env: { ATMOS_KEYRING_PASSWORD_ENV: 'B', B: 'from-b-var-pw', MY_PW: 'x' }, passwordEnv: 'MY_PW', isTTY: false }, '/d')()).toBe('from-b-var-pw');
  });

  it('refuses passwords shorter than 8 characters without echoing them', async () => {
    const err = await passwordResolver({ env: { ATMOS_KEYRING_PASSWORD: 'short7!' }, isTTY: false }, '/d')().catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'KEYRING_PASSWORD_TOO_SHORT' });
    expect(String((err as Error).message)).not.toContain('short7!');
  });

  it('prompts (hidden) on a TTY, else names the variable to set', async () => {
    const asked: string[] = [];
    const resolve = passwordResolver({ env: {}, isTTY: true, prompt: async (m) => (asked.push(m), 'typed-password') }, '/d');
    expect(await resolve()).toBe('typed-password');
    expect(await resolve()).toBe('typed-password');
    expect(asked).toEqual(['Unlocking the file keyring at /d: enter its passphrase']);
    await expect(passwordResolver({ env: {}, passwordEnv: 'CI_KEYRING_PW', isTTY: false }, '/d')()).rejects.toMatchObject({
      code: 'KEYRING_PASSWORD_REQUIRED',
      message: expect.stringContaining('set CI_KEYRING_PW'),
    });
  });

  it('creating a file keyring asks for the passphrase twice and says so; unlocking asks once and says so', async () => {
    const asked: string[] = [];
    const answers = ['first-password', 'typo-password', 'new-password', 'new-password'];
    const prompt = async (m: string): Promise<string> => (asked.push(m), answers.shift() as string);
    const dir = join(tmp, 'kr');
    const created = new FileKeyring({ dir, env: {}, isTTY: true, prompt, unsafeLowIterationsForTests: 1000 });
    await created.set('atmos_r_a', 'v1');
    expect(asked).toEqual([
      `Creating a file keyring at ${dir}: choose a passphrase (at least 8 characters)`,
      `Creating a file keyring at ${dir}: repeat the passphrase`,
      `The two passphrases differ. Creating a file keyring at ${dir}: choose a passphrase (at least 8 characters)`,
      `Creating a file keyring at ${dir}: repeat the passphrase`,
    ]);
    asked.length = 0;
    answers.push('new-password');
    const reopened = new FileKeyring({ dir, env: {}, isTTY: true, prompt });
    expect(unsafeUnwrap((await reopened.get('atmos_r_a'))!)).toBe('v1');
    expect(asked).toEqual([`Unlocking the file keyring at ${dir}: enter its passphrase`]);
    // A write into a keyring that has entries unlocks it too (once), it does not create.
    asked.length = 0;
    answers.push('new-password');
    await new FileKeyring({ dir, env: {}, isTTY: true, prompt, unsafeLowIterationsForTests: 1000 }).set('atmos_r_b', 'v2');
    expect(asked).toEqual([`Unlocking the file keyring at ${dir}: enter its passphrase`]);
  });

  it('three differing repetitions leave no keyring behind: KEYRING_PASSWORD_MISMATCH', async () => {
    let n = 0;
    const dir = join(tmp, 'kr2');
    const kr = new FileKeyring({ dir, env: { KR_PW: '' }, passwordEnv: 'KR_PW', isTTY: true, prompt: async () => `password-${n++}` });
    await expect(kr.set('atmos_r_a', 'v')).rejects.toMatchObject({ code: 'KEYRING_PASSWORD_MISMATCH', message: expect.stringContaining('3 times'), fix: expect.stringContaining('set KR_PW') });
    expect(n).toBe(6);
    await expect(kr.list()).resolves.toEqual([]);
  });
});
