import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { CliIO } from '../../cli/io';
import { run } from '../../cli/program';

/**
 * `auth user configure|migrate` never put a key in output (checked UNMASKED: the redactor would
 * hide a leak), in an error (with --debug stack traces), in any file but the encrypted keyring
 * entries, or in the argv/environment of the system keyring's helper process.
 */
const ACCESS = 'AKIALEAKCANARY000042';
const SECRET = 'leakCanarySecret0123456789abcdefGHIJKLMN';
const forms = (v: string) => [v, Buffer.from(v).toString('base64'), Buffer.from(v).toString('base64url'), Buffer.from(v).toString('hex'), v.slice(4, 20)];

function expectClean(text: string, what: string): void {
  for (const f of [...forms(ACCESS), ...forms(SECRET)]) {
    if (text.includes(f)) throw new Error(`${what} contains a key (form ${forms(ACCESS).includes(f) ? 'of the access key id' : 'of the secret'})`);
  }
}

/** An IO that records exactly what the CLI wrote, without masking. */
function rawIO(stdin?: string): CliIO & { text(): string } {
  let all = '';
  return {
    out: (t) => void (all += t),
    err: (t) => void (all += t),
    outMasked: (t) => void (all += t),
    errMasked: (t) => void (all += t),
    stdinIsTTY: false,
    stdoutIsTTY: false,
    stderrIsTTY: false,
    masking: false,
    stdin: Readable.from(stdin === undefined ? [] : [stdin]),
    setMask: () => undefined,
    color: false,
    text: () => all,
  };
}

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

describe('auth user leaks', () => {
  let root: string;
  let repo: string;
  let env: NodeJS.ProcessEnv;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'infrakey-userleak-'));
    repo = join(root, 'repo');
    mkdirSync(repo);
    env = {
      PATH: process.env.PATH,
      HOME: join(root, 'home'),
      ATMOS_XDG_DATA_HOME: join(root, 'data'),
      ATMOS_XDG_CACHE_HOME: join(root, 'cache'),
      ATMOS_XDG_CONFIG_HOME: join(root, 'config'),
      ATMOS_KEYRING_TYPE: 'file',
      ATMOS_KEYRING_PASSWORD: 'leak-test-password-1',
    };
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  async function cli(args: string[], opts: { stdin?: string; env?: NodeJS.ProcessEnv } = {}): Promise<{ code: number; text: string }> {
    const io = rawIO(opts.stdin);
    const code = await run(['--debug', ...args], { io, env: { ...env, ...opts.env }, cwd: repo });
    return { code, text: io.text() };
  }

  const atmos = (identity: string) => `auth:\n  realm: leak\n  identities:\n    u:\n      kind: aws/user\n${identity}`;

  it('configure: success and failure paths print no key; only encrypted entries hold them', async () => {
    writeFileSync(join(repo, 'atmos.yaml'), atmos(''));
    const ok = await cli(['auth', 'user', 'configure', '--access-key-id', ACCESS, '--secret-access-key-stdin'], { stdin: `${SECRET}\n` });
    expect(ok.code).toBe(0);
    expectClean(ok.text, 'configure output');
    const fromEnv = await cli(['auth', 'user', 'configure'], { env: { AWS_ACCESS_KEY_ID: ACCESS, AWS_SECRET_ACCESS_KEY: SECRET } });
    expect(fromEnv.code).toBe(0);
    expectClean(fromEnv.text, 'configure output (env)');

    const failures = [
      await cli(['auth', 'user', 'configure', '--access-key-id', ACCESS, '--secret-access-key-stdin'], { stdin: `${SECRET} ${SECRET}\n` }),
      await cli(['auth', 'user', 'configure', '--access-key-id', SECRET, '--secret-access-key-stdin'], { stdin: `${SECRET}\n` }),
      await cli(['auth', 'user', 'configure', '--access-key-id', ACCESS.replace('AKIA', 'ASIA'), '--secret-access-key-stdin'], { stdin: `${SECRET}\n` }),
      await cli(['auth', 'user', 'configure', '--access-key-id', ACCESS, '--secret-access-key-stdin'], { stdin: `${SECRET}\n`, env: { ATMOS_KEYRING_PASSWORD: 'a-wrong-password-9' } }),
    ];
    expect(failures.map((f) => f.code)).toEqual([1, 1, 1, 1]);
    expect(failures[3].text).toContain('KEYRING_PASSWORD_INVALID');
    for (const f of failures) expectClean(f.text, 'configure error (with --debug)');
    for (const file of walk(root)) if (!file.endsWith('atmos.yaml')) expectClean(readFileSync(file, 'latin1'), file);
  });

  it('migrate: output, refusals and every file left behind hold no key', async () => {
    const yaml = join(repo, 'atmos.yaml');
    writeFileSync(yaml, `# note: ${SECRET}\n` + atmos(`      credentials:\n        access_key_id: ${ACCESS}\n        secret_access_key: ${SECRET}\n`));
    const copied = await cli(['auth', 'user', 'migrate']);
    expect(copied.code).toBe(1);
    expectClean(copied.text, 'migrate refusal (value repeated in a comment)');

    writeFileSync(yaml, atmos(`      credentials:\n        secret_access_key: ${SECRET}\n`));
    const half = await cli(['auth', 'user', 'migrate']);
    expect(half.code).toBe(1);
    expectClean(half.text, 'migrate refusal (incomplete)');

    writeFileSync(yaml, atmos(`      credentials:\n        access_key_id: ${ACCESS}\n        secret_access_key: ${SECRET}\n`));
    const dry = await cli(['auth', 'user', 'migrate', '--dry-run']);
    expectClean(dry.text, 'migrate --dry-run output');
    const ok = await cli(['auth', 'user', 'migrate']);
    expect(ok.code).toBe(0);
    expectClean(ok.text, 'migrate output');
    for (const file of walk(root)) expectClean(readFileSync(file, 'latin1'), file);
  });

  it('system keyring: the keys reach the helper over IPC only (not its argv or environment), even when given as AWS_* variables', async () => {
    if (!process.env.DBUS_SESSION_BUS_ADDRESS) throw new Error('no D-Bus session: run this test through scripts/with-keyring.sh (scripts/test.sh does)');
    writeFileSync(join(repo, 'atmos.yaml'), atmos(''));
    const system = { ATMOS_KEYRING_TYPE: 'system', DBUS_SESSION_BUS_ADDRESS: process.env.DBUS_SESSION_BUS_ADDRESS, XDG_RUNTIME_DIR: process.env.XDG_RUNTIME_DIR };
    try {
      const r = await cli(['auth', 'user', 'configure'], { env: { ...system, AWS_ACCESS_KEY_ID: ACCESS, AWS_SECRET_ACCESS_KEY: SECRET } });
      expect(r.code).toBe(0);
      expectClean(r.text, 'configure output (system keyring)');
      const children = readdirSync('/proc').filter((p) => /^\d+$/.test(p)).filter((p) => {
        try {
          return readFileSync(`/proc/${p}/stat`, 'utf8').split(') ')[1].split(' ')[1] === String(process.pid);
        } catch {
          return false;
        }
      });
      expect(children.length).toBeGreaterThan(0); // the helper stays alive, unreferenced
      for (const pid of children) {
        try {
          expectClean(readFileSync(`/proc/${pid}/cmdline`, 'latin1'), `argv of child ${pid}`);
          expectClean(readFileSync(`/proc/${pid}/environ`, 'latin1'), `environment of child ${pid}`);
        } catch (e) {
          if ((e as { code?: string }).code !== 'ENOENT') throw e;
        }
      }
    } finally {
      execFileSync('secret-tool', ['clear', 'service', 'atmos_leak_u', 'username', 'atmos-auth'], { timeout: 10_000 });
    }
  });
});
