import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileKeyring } from '../../../core/keyring/file-keyring';
import { unsafeUnwrap } from '../../../core/secret';

// Children load the TypeScript sources through helpers/ts-register.js (@swc/core), so no build is needed.
const WRITER = join(__dirname, 'helpers', 'keyring-writer.js');
const PASSWORD = 'multi-process-password';
// Writers use the test-only low count so 80 writes stay quick; reads accept any count >= 1,000.
const ITERATIONS = 1000;

function writer(dir: string, prefix: string, count: number): { acks: string[]; done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>; kill: () => void; onAck: (fn: (n: number) => void) => void } {
  const child = spawn(process.execPath, [WRITER], {
    env: { ...process.env, KR_DIR: dir, KR_PREFIX: prefix, KR_COUNT: String(count), KR_ITERATIONS: String(ITERATIONS), KR_TEST_PASSWORD: PASSWORD },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const acks: string[] = [];
  let stderr = '';
  let listener: ((n: number) => void) | undefined;
  let buf = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    buf += d;
    let i: number;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      if (line.startsWith('ack ')) acks.push(line.slice(4));
      listener?.(acks.length);
    }
  });
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stderr })));
  return { acks, done, kill: () => child.kill('SIGKILL'), onAck: (fn) => (listener = fn) };
}

describe('file keyring across processes', () => {
  let dir: string;
  beforeEach(() => {
    dir = join(mkdtempSync(join(tmpdir(), 'infrakey-mp-')), 'kr');
  });
  afterEach(() => rmSync(join(dir, '..'), { recursive: true, force: true }));

  it('8 processes writing 10 distinct keys each at once: all 80 readable', async () => {
    const writers = Array.from({ length: 8 }, (_, p) => writer(dir, `p${p}`, 10));
    const results = await Promise.all(writers.map((w) => w.done));
    for (const r of results) expect(r).toMatchObject({ code: 0, stderr: '' });
    const kr = new FileKeyring({ dir, password: PASSWORD, env: {} });
    const keys = await kr.list();
    expect(keys).toHaveLength(80);
    for (let p = 0; p < 8; p++) {
      for (let i = 0; i < 10; i++) {
        const key = `p${p}-${i}`;
        expect(unsafeUnwrap((await kr.get(key))!)).toBe(`value-of-${key}-${'x'.repeat(i % 7)}`);
      }
    }
    expect(readdirSync(dir).filter((n) => n.startsWith('.tmp-'))).toEqual([]);
  }, 120_000);

  it('a writer killed with SIGKILL mid-loop: every acknowledged entry readable, and the next writer proceeds', async () => {
    const w = writer(dir, 'crash', 0);
    const others = writer(dir, 'busy', 0);
    await new Promise<void>((resolve) => w.onAck((n) => n >= 15 && resolve()));
    w.kill();
    others.kill();
    const [r] = await Promise.all([w.done, others.done]);
    expect(r.signal).toBe('SIGKILL');
    const acked = [...w.acks, ...others.acks];
    const kr = new FileKeyring({ dir, password: PASSWORD, env: {}, unsafeLowIterationsForTests: ITERATIONS });
    for (const key of acked) expect(unsafeUnwrap((await kr.get(key))!)).toMatch(new RegExp(`^value-of-${key}-x*$`));
    // Whatever the killed writers left (a temp file, possibly a lock), the folder stays usable.
    await kr.set('after-crash', 'value-after-crash');
    expect(unsafeUnwrap((await kr.get('after-crash'))!)).toBe('value-after-crash');
    expect((await kr.list()).filter((k) => k.startsWith('.'))).toEqual([]);
  }, 120_000);
});
