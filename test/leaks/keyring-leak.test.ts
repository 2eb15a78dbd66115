import { readdirSync, readFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { FileKeyring } from '../../core/keyring/file-keyring';
import { SystemKeyring } from '../../core/keyring/system-keyring';

/**
 * A keyring value never appears in an error, in any file of the keyring folder (or its encoded
 * forms), or in the argv/environment of the helper process that talks to the OS keyring.
 */
const VALUE = 'leak-canary-9f8e7d6c5b4a';
const forms = [VALUE, Buffer.from(VALUE).toString('base64'), Buffer.from(VALUE).toString('base64url'), Buffer.from(VALUE).toString('hex'), encodeURIComponent(VALUE)];

function expectNoValue(text: string): void {
  for (const f of forms) expect(text).not.toContain(f);
}

describe('keyring leaks', () => {
  let dir: string;
  beforeEach(() => {
    dir = join(mkdtempSync(join(tmpdir(), 'infrakey-kleak-')), 'kr');
  });
  afterEach(() => rmSync(join(dir, '..'), { recursive: true, force: true }));

  it('file keyring: no value in files, errors, or printed Secrets', async () => {
    const kr = new FileKeyring({ dir, password: 'leak-test-password', env: {}, unsafeLowIterationsForTests: 1000 });
    await kr.set('k1', VALUE);
    await kr.set('k2', VALUE);
    for (const name of readdirSync(dir)) expectNoValue(readFileSync(join(dir, name), 'utf8'));
    const secret = await kr.get('k1');
    expectNoValue(`${String(secret)} ${JSON.stringify(secret)} ${inspect(secret)}`);

    const errors: unknown[] = [];
    errors.push(await new FileKeyring({ dir, password: 'wrong-password-1', env: {} }).get('k1').catch((e: unknown) => e));
    const path = join(dir, 'k2');
    const parts = readFileSync(path, 'utf8').split('.');
    parts[3] = parts[3].slice(0, -2) + (parts[3].endsWith('A') ? 'B' : 'A') + parts[3].slice(-1);
    writeFileSync(path, parts.join('.'));
    errors.push(await kr.get('k2').catch((e: unknown) => e));
    expect(errors.map((e) => (e as { code?: string }).code)).toEqual(['KEYRING_PASSWORD_INVALID', 'KEYRING_CORRUPT']);
    for (const e of errors) expectNoValue(`${(e as Error).message}\n${(e as Error).stack}\n${JSON.stringify(e)}`);
  });

  it('system keyring: the value travels over IPC, never in the helper argv or environment', async () => {
    const kr = new SystemKeyring();
    const key = `infrakey-leak-${process.pid}`;
    const probe = await kr.probe();
    if (!probe.available) throw new Error(`the system keyring is not available (${probe.reason}); run through ./scripts/test.sh`);
    await kr.set(key, VALUE);
    // The helper stays alive (unreferenced) after the call: inspect every child of this process.
    const children = readdirSync('/proc').filter((p) => /^\d+$/.test(p)).filter((p) => {
      try {
        return readFileSync(`/proc/${p}/stat`, 'utf8').split(') ')[1].split(' ')[1] === String(process.pid);
      } catch {
        return false;
      }
    });
    expect(children.length).toBeGreaterThan(0);
    for (const pid of children) {
      try {
        expectNoValue(readFileSync(`/proc/${pid}/cmdline`, 'utf8'));
        expectNoValue(readFileSync(`/proc/${pid}/environ`, 'utf8'));
      } catch (e) {
        if ((e as { code?: string }).code !== 'ENOENT') throw e;
      }
    }
    await kr.delete(key);
  });
});
