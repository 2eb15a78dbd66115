import { mkdirSync, mkdtempSync, rmSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InfrakeyError } from '../../../core/errors';
import { FileLockError, lockTimings, withFileLock } from '../../../core/fs/file-lock';

describe('withFileLock (core/fs/file-lock)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'infrakey-lock-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('the wait always outlasts the stale threshold', () => {
    expect(lockTimings({})).toEqual({ staleMs: 10_000, waitMs: 15_000 });
    expect(lockTimings({ staleMs: 5_000, waitMs: 1_000 })).toEqual({ staleMs: 5_000, waitMs: 10_000 });
    expect(lockTimings({ staleMs: 500 }).staleMs).toBe(2_000);
  });

  it('serialises holders in one process and releases after a throw', async () => {
    const lockPath = join(dir, 'x.lock');
    const order: string[] = [];
    const hold = (name: string, ms: number): Promise<void> =>
      withFileLock({ lockPath, subject: 'x' }, async () => {
        order.push(`${name}+`);
        await new Promise((r) => setTimeout(r, ms));
        order.push(`${name}-`);
      });
    await Promise.all([hold('a', 80), hold('b', 10), hold('c', 10)]);
    // Never two holders at once: each "+" is followed by its own "-".
    for (let i = 0; i < order.length; i += 2) expect(order[i + 1]).toBe(order[i].replace('+', '-'));
    await expect(withFileLock({ lockPath, subject: 'x' }, async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(withFileLock({ lockPath, subject: 'x' }, async () => 42)).resolves.toBe(42);
  });

  it('takes over a lock left by a dead process once it is stale, instead of timing out', async () => {
    const lockPath = join(dir, 'dead.lock');
    mkdirSync(lockPath);
    // A holder killed 3 s ago: older than the 2 s stale threshold.
    const old = new Date(Date.now() - 3_000);
    utimesSync(lockPath, old, old);
    const t0 = Date.now();
    await expect(withFileLock({ lockPath, subject: 'x', staleMs: 2_000 }, async () => 'ran')).resolves.toBe('ran');
    expect(Date.now() - t0).toBeLessThan(2_000);
  });

  it('a lock that turns stale while waiting is taken over within the wait', async () => {
    const lockPath = join(dir, 'dying.lock');
    mkdirSync(lockPath);
    // Fresh now, never refreshed (its holder died): stale after 2 s; the wait is 7 s.
    const t0 = Date.now();
    await expect(withFileLock({ lockPath, subject: 'x', staleMs: 2_000 }, async () => 'ran')).resolves.toBe('ran');
    const waited = Date.now() - t0;
    expect(waited).toBeGreaterThanOrEqual(1_900);
    expect(waited).toBeLessThan(4_000);
  });

  it('a live holder for the whole wait: a coded timeout that states the real wait', async () => {
    const lockPath = join(dir, 'live.lock');
    let releaseHolder!: () => void;
    const holderStarted = new Promise<void>((started) => {
      void withFileLock({ lockPath, subject: 'the thing', staleMs: 2_000 }, () => {
        started();
        return new Promise<void>((r) => (releaseHolder = r));
      });
    });
    await holderStarted;
    const t0 = Date.now();
    const err = await withFileLock({ lockPath, subject: 'the thing', staleMs: 2_000, waitMs: 3_000 }, async () => 'never').catch((e: unknown) => e);
    const waited = Date.now() - t0;
    releaseHolder();
    expect(err).toBeInstanceOf(FileLockError);
    const e = err as FileLockError;
    expect(e.code).toBe('FILE_LOCK_TIMEOUT');
    expect(e.where).toBe(lockPath);
    // The wait is raised to stale + 5 s = 7 s, and the message says what was really waited.
    expect(waited).toBeGreaterThanOrEqual(7_000);
    expect(waited).toBeLessThan(9_000);
    const said = Number(/the whole ([\d.]+) s this process waited/.exec(e.message)?.[1]);
    expect(Math.abs(said * 1000 - waited)).toBeLessThan(1_000);
    expect(e.message).toContain('the thing');
    expect(e.fix).toContain(lockPath);
  }, 20_000);

  it('a folder that cannot hold the lock: an io failure mapped by the caller', async () => {
    const lockPath = join(dir, 'missing', 'x.lock');
    const err = await withFileLock({ lockPath, subject: 'x', toError: (f) => new InfrakeyError({ code: `MINE_${f.reason.toUpperCase()}`, message: f.message, where: f.where, fix: f.fix }) }, async () => 1).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'MINE_IO', where: lockPath });
    expect((err as Error).message).toContain('ENOENT');
  });
});
