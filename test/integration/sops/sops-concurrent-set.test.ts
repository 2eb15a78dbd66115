import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { withSopsFileLock } from '../../../core/secrets/sops/atomic-write';
import { decryptSopsFile, setSopsValue } from '../../../core/secrets/sops/sops-file';
import { writeSopsProject } from './helpers/sops-project';

// Issue 10 item 13 / issue 11: eight `infrakey secret set` processes writing different names
// into one SOPS file at the same moment. Without a lock each reads the old file and the last
// rename wins (2 to 4 of 8 names survived); with the file lock all 8 are there and the MAC
// verifies. The age key comes from the real age-keygen, and the real age CLI opens the data key.
const CHILD = join(__dirname, 'helpers', 'secret-set-child.js');
const N = 8;
const NAMES = Array.from({ length: N }, (_, i) => `SECRET_${i}`);

function project(): { dir: string; keyFile: string } {
  const dir = mkdtempSync(join(tmpdir(), 'ik-sops-mp-'));
  const keyFile = join(dir, '.age', 'keys.txt');
  mkdirSync(join(dir, '.age'), { mode: 0o700 });
  execFileSync('age-keygen', ['-o', keyFile], { stdio: 'ignore' });
  const recipient = execFileSync('age-keygen', ['-y', keyFile], { encoding: 'utf8' }).trim();
  writeSopsProject(dir, { keyFile: '.age/keys.txt', recipient, stacks: { dev: { stage: 'dev', names: NAMES } } });
  return { dir, keyFile };
}

interface ChildResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Starts N `secret set` processes, waits until all are loaded, then sends all values at once. */
async function setAllAtOnce(dir: string, values: Record<string, string>): Promise<ChildResult[]> {
  const env = { ...process.env, HOME: dir, XDG_CONFIG_HOME: join(dir, '.xdg'), SOPS_AGE_KEY_FILE: '', SOPS_AGE_KEY: '', ATMOS_IDENTITY: 'false' };
  const children = Object.keys(values).map((name) => {
    const child = spawn(process.execPath, [CHILD, 'secret', 'set', name, '-s', 'dev', '-c', 'api'], { cwd: dir, env, stdio: ['pipe', 'pipe', 'pipe'] });
    const out = { stdout: '', stderr: '' };
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out.stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (out.stderr += d));
    const ready = new Promise<void>((resolve) => {
      const check = (): void => {
        if (out.stdout.includes('ready\n')) resolve();
      };
      child.stdout.on('data', check);
    });
    const done = new Promise<ChildResult>((resolve) => child.on('close', (code) => resolve({ code, ...out })));
    return { name, child, ready, done };
  });
  await Promise.all(children.map((c) => c.ready));
  for (const c of children) c.child.stdin.end(values[c.name]);
  return Promise.all(children.map((c) => c.done));
}

describe('secret set: 8 processes into one SOPS file at the same moment', () => {
  const { dir, keyFile } = project();
  const file = join(dir, 'secrets', 'dev.enc.yaml');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const identity = (): string => readFileSync(keyFile, 'utf8').split('\n').find((l) => l.startsWith('AGE-SECRET-KEY-'))!;

  async function expectAll(values: Record<string, string>): Promise<void> {
    // decryptSopsFile verifies the MAC over the whole document (SOPS_MAC_MISMATCH otherwise).
    const doc = await decryptSopsFile(file, { ageIdentities: [identity()] });
    expect(Object.keys(doc).sort()).toEqual(NAMES);
    for (const [name, value] of Object.entries(values)) expect(doc[name]).toBe(value);
    // The real age CLI opens the file's data key: a 32-byte key, one age entry.
    const meta = (parse(readFileSync(file, 'utf8')) as { sops: { age: { enc: string }[] } }).sops;
    expect(meta.age).toHaveLength(1);
    const dataKey = execFileSync('age', ['-d', '-i', keyFile], { input: meta.age[0].enc });
    expect(dataKey).toHaveLength(32);
    // No lock folder or temporary file is left behind.
    expect(readdirSync(join(dir, 'secrets'))).toEqual(['dev.enc.yaml']);
  }

  it('the file does not exist yet: one process creates it, all 8 names are there, the MAC verifies', async () => {
    const values = Object.fromEntries(NAMES.map((n, i) => [n, `first-${i}-value`]));
    const results = await setAllAtOnce(dir, values);
    for (const r of results) {
      expect(r.stderr).toMatch(/SECRET_\d/);
      expect(r.code).toBe(0);
    }
    await expectAll(values);
  }, 180_000);

  it('the file exists: 8 updates at once, every new value is there, the MAC verifies', async () => {
    const values = Object.fromEntries(NAMES.map((n, i) => [n, `second-${i}-${'x'.repeat(i)}`]));
    const results = await setAllAtOnce(dir, values);
    for (const r of results) expect(r.code).toBe(0);
    await expectAll(values);
  }, 180_000);
  it('a writer that holds the lock for the whole wait: SOPS_LOCK_TIMEOUT stating the real wait, the file unchanged', async () => {
    const before = readFileSync(file, 'utf8');
    let release!: () => void;
    let held!: () => void;
    const holding = new Promise<void>((r) => (held = r));
    const holder = withSopsFileLock(file, () => {
      held();
      return new Promise<void>((r) => (release = r));
    });
    await holding;
    const t0 = Date.now();
    const err = (await setSopsValue(file, 'SECRET_0', 'blocked-value', { ageIdentities: [identity()] }).catch((e: unknown) => e)) as Error & { code: string; where?: string };
    const waited = Date.now() - t0;
    release();
    await holder;
    expect(err.code).toBe('SOPS_LOCK_TIMEOUT');
    expect(err.where).toBe(join(dir, 'secrets', '.dev.enc.yaml.lock'));
    expect(waited).toBeGreaterThanOrEqual(15_000);
    const said = Number(/the whole ([\d.]+) s this process waited/.exec(err.message)?.[1]);
    expect(Math.abs(said * 1000 - waited)).toBeLessThan(1_000);
    expect(err.message).not.toContain('blocked-value');
    expect(readFileSync(file, 'utf8')).toBe(before);
  }, 60_000);
});
