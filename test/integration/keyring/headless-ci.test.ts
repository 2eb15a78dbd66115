import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const SCRIPT = join(__dirname, 'helpers', 'headless-ci.js');

describe('CI use: file keyring, password in the environment, no TTY, no D-Bus', () => {
  let home: string;
  beforeEach(() => {
    home = mkdtempSync(join(tmpdir(), 'infrakey-ci-'));
  });
  afterEach(() => rmSync(home, { recursive: true, force: true }));

  function run(extra: NodeJS.ProcessEnv): { type?: string; roundTrip?: boolean; error?: string; message?: string } {
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: home, ATMOS_XDG_DATA_HOME: join(home, 'data'), ...extra };
    let out: string;
    try {
      out = execFileSync(process.execPath, [SCRIPT], { env, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', timeout: 30_000 });
    } catch (e) {
      out = String((e as { stdout?: string }).stdout ?? '');
    }
    return JSON.parse(out.trim().split('\n').pop() as string);
  }

  it('ATMOS_KEYRING_TYPE=file + ATMOS_KEYRING_PASSWORD: works, entries under {XDG data}/atmos/keyring', () => {
    expect(run({ ATMOS_KEYRING_TYPE: 'file', ATMOS_KEYRING_PASSWORD: 'ci-keyring-password' })).toEqual({ type: 'file', roundTrip: true });
    expect(readdirSync(join(home, 'data', 'atmos', 'keyring'))).toEqual(['atmos_ci_deployer']);
  });

  it('without the password: KEYRING_PASSWORD_REQUIRED naming the variable, no prompt, no hang', () => {
    const r = run({ ATMOS_KEYRING_TYPE: 'file' });
    expect(r.error).toBe('KEYRING_PASSWORD_REQUIRED');
    expect(r.message).toContain('set ATMOS_KEYRING_PASSWORD');
  });

  it('system keyring with no D-Bus: KEYRING_UNAVAILABLE; with ATMOS_KEYRING_FALLBACK=file: the file keyring', () => {
    expect(run({}).error).toBe('KEYRING_UNAVAILABLE');
    expect(run({ ATMOS_KEYRING_FALLBACK: 'file', ATMOS_KEYRING_PASSWORD: 'ci-keyring-password' })).toEqual({ type: 'file', roundTrip: true });
  });
});
