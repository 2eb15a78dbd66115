import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SystemKeyring } from '../../../core/keyring/system-keyring';
import { unsafeUnwrap } from '../../../core/secret';

/**
 * The system keyring against real D-Bus and gnome-keyring (scripts/test.sh runs jest inside
 * scripts/with-keyring.sh). Failure cases run the probe in a child `node` with a broken
 * environment and report how long it took to fail: the limit is 3 s per call, the test bound 5 s.
 */
const PROBE = join(__dirname, 'helpers', 'system-probe.js');
const LOCKED = join(__dirname, 'helpers', 'locked-session.sh');

interface ProbeResult {
  ms: number;
  ok: boolean;
  code?: string;
  message?: string;
}

function runProbe(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ result: ProbeResult; wallMs: number }> {
  const start = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const guard = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the probe child did not finish within 20 s: stdout=${out} stderr=${err}`));
    }, 20_000);
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.on('close', () => {
      clearTimeout(guard);
      const line = out.trim().split('\n').pop() ?? '';
      try {
        resolve({ result: JSON.parse(line) as ProbeResult, wallMs: Date.now() - start });
      } catch {
        reject(new Error(`the probe child printed no result: stdout=${out} stderr=${err}`));
      }
    });
  });
}

const timings: Record<string, number> = {};
afterAll(() => {
  // Measurements for the report (not asserted beyond the 5 s bound).
  process.stdout.write(`system keyring time-to-fail (ms): ${JSON.stringify(timings)}\n`);
});

describe('system keyring: never hangs', () => {
  it('no bus at the given address → KEYRING_UNAVAILABLE in under 5 s', async () => {
    const { result, wallMs } = await runProbe(process.execPath, [PROBE], { ...process.env, DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/infrakey/bus' });
    timings.nonexistentSocket = wallMs;
    expect(result).toMatchObject({ ok: false, code: 'KEYRING_UNAVAILABLE' });
    expect(result.message).toMatch(/ATMOS_KEYRING_TYPE=file/);
    expect(wallMs).toBeLessThan(5000);
  });

  it('DBUS_SESSION_BUS_ADDRESS unset → KEYRING_UNAVAILABLE in under 5 s', async () => {
    const env = { ...process.env };
    delete env.DBUS_SESSION_BUS_ADDRESS;
    delete env.DISPLAY;
    const { result, wallMs } = await runProbe(process.execPath, [PROBE], env);
    timings.unsetAddress = wallMs;
    expect(result).toMatchObject({ ok: false, code: 'KEYRING_UNAVAILABLE' });
    expect(wallMs).toBeLessThan(5000);
  });

  it('a bus that accepts the connection and never answers → KEYRING_UNAVAILABLE after the 3 s limit, not a hang', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'infrakey-silent-bus-'));
    const sockets: Socket[] = [];
    const server: Server = createServer((s) => void sockets.push(s));
    await new Promise<void>((r) => server.listen(join(dir, 'bus'), r));
    try {
      const { result, wallMs } = await runProbe(process.execPath, [PROBE], { ...process.env, DBUS_SESSION_BUS_ADDRESS: `unix:path=${join(dir, 'bus')}` });
      timings.silentBus = wallMs;
      expect(result).toMatchObject({ ok: false, code: 'KEYRING_UNAVAILABLE' });
      expect(result.message).toMatch(/did not answer within 3000 ms/);
      expect(wallMs).toBeLessThan(5000);
    } finally {
      for (const s of sockets) s.destroy();
      server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a locked Secret Service collection → KEYRING_UNAVAILABLE in under 5 s', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'infrakey-locked-'));
    mkdirSync(join(dir, 'data'), { mode: 0o700 });
    mkdirSync(join(dir, 'run'), { mode: 0o700 });
    try {
      const env = { ...process.env, KR_TMP: dir, KR_KEY: 'infrakey-locked-entry', KR_PROBE: PROBE };
      const { result } = await runProbe('dbus-run-session', ['--', 'sh', LOCKED], env);
      timings.lockedCollection = result.ms;
      expect(result).toMatchObject({ ok: false, code: 'KEYRING_UNAVAILABLE' });
      expect(result.message).not.toContain('locked-value');
      expect(result.ms).toBeLessThan(5000);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('system keyring: Atmos interop on gnome-keyring', () => {
  const key = `atmos_infrakey-test_interop-${process.pid}`;
  afterAll(() => {
    execFileSync('secret-tool', ['clear', 'service', key, 'username', 'atmos-auth'], { timeout: 10_000 });
  });

  it('reads an entry stored as Atmos stores it (service = key, username = atmos-auth) and writes one secret-tool finds', async () => {
    const envelope = '{"type":"aws","data":{"access_key_id":"AKIAINTEROP","secret_access_key":"interop-secret-value"}}';
    execFileSync('secret-tool', ['store', '--label=atmos', 'service', key, 'username', 'atmos-auth'], { input: envelope, timeout: 10_000 });
    const kr = new SystemKeyring();
    expect(unsafeUnwrap((await kr.get(key))!)).toBe(envelope);
    await kr.set(key, envelope.replace('interop-secret-value', 'rotated-secret-value'));
    const back = execFileSync('secret-tool', ['lookup', 'service', key, 'username', 'atmos-auth'], { encoding: 'utf8', timeout: 10_000 });
    expect(back).toContain('rotated-secret-value');
  });
});
