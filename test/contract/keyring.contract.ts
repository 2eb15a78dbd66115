import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileKeyring } from '../../core/keyring/file-keyring';
import type { Keyring } from '../../core/keyring/keyring';
import { MemoryKeyring } from '../../core/keyring/memory-keyring';
import { SystemKeyring } from '../../core/keyring/system-keyring';
import { Secret, unsafeUnwrap } from '../../core/secret';

/**
 * One contract, three backends. The system backend runs against the real gnome-keyring that
 * scripts/test.sh starts (scripts/with-keyring.sh); without it the suite fails, it never skips.
 * `readBack` reads an entry independently of infrakey where the backend allows it.
 */
interface Backend {
  name: string;
  open: () => Keyring;
  readBack?: (key: string) => string | undefined;
  cleanup?: () => void;
}

const run = `${process.pid}-${Date.now()}`;
let fileDir = '';

const backends: Backend[] = [
  { name: 'memory', open: () => new MemoryKeyring() },
  {
    name: 'file',
    open: () => {
      fileDir ||= join(mkdtempSync(join(tmpdir(), 'infrakey-contract-')), 'kr');
      return new FileKeyring({ dir: fileDir, password: 'contract-password', env: {}, isTTY: false });
    },
    cleanup: () => fileDir && rmSync(join(fileDir, '..'), { recursive: true, force: true }),
  },
  {
    name: 'system',
    open: () => new SystemKeyring(),
    // secret-tool speaks to the Secret Service directly: service = key, username = atmos-auth.
    readBack: (key) => {
      try {
        return execFileSync('secret-tool', ['lookup', 'service', key, 'username', 'atmos-auth'], { encoding: 'utf8', timeout: 10_000 });
      } catch (e) {
        if ((e as { status?: number }).status === 1) return undefined;
        throw e;
      }
    },
  },
];

describe.each(backends)('Keyring contract: $name', (backend) => {
  let kr: Keyring;
  const k = (s: string): string => `infrakey-contract-${run}-${s}`;
  beforeAll(async () => {
    kr = backend.open();
    if (kr instanceof SystemKeyring) {
      const probe = await kr.probe();
      if (!probe.available) throw new Error(`the system keyring is not available (${probe.reason}); run through ./scripts/test.sh or scripts/with-keyring.sh`);
    }
  });
  afterAll(async () => {
    for (const s of ['a', 'b', 'odd', 'secret', 'empty']) await kr.delete(k(s)).catch(() => undefined);
    backend.cleanup?.();
  });

  it('reports its type', () => {
    expect(kr.type).toBe(backend.name);
  });

  it('get of a missing key is undefined', async () => {
    expect(await kr.get(k('missing'))).toBeUndefined();
  });

  it('set then get returns the value as a Secret that prints no value', async () => {
    await kr.set(k('a'), 'contract-value-α-1');
    const v = await kr.get(k('a'));
    expect(Secret.isSecret(v)).toBe(true);
    expect(unsafeUnwrap(v!)).toBe('contract-value-α-1');
    expect(`${String(v)} ${JSON.stringify({ v })}`).not.toContain('contract-value');
    if (backend.readBack) expect(backend.readBack(k('a'))).toBe('contract-value-α-1');
  });

  it('set replaces; a Secret can be stored; empty and multi-line values survive', async () => {
    await kr.set(k('a'), 'first-value');
    await kr.set(k('a'), 'second-value');
    expect(unsafeUnwrap((await kr.get(k('a')))!)).toBe('second-value');
    await kr.set(k('secret'), Secret.of('from-a-secret-value'));
    expect(unsafeUnwrap((await kr.get(k('secret')))!)).toBe('from-a-secret-value');
    await kr.set(k('empty'), '');
    expect(unsafeUnwrap((await kr.get(k('empty')))!)).toBe('');
    const json = JSON.stringify({ type: 'aws', data: { access_key_id: 'AKIAX', secret_access_key: 'line1\nline2 "q"' } });
    await kr.set(k('b'), json);
    expect(unsafeUnwrap((await kr.get(k('b')))!)).toBe(json);
  });

  it('any string is a key', async () => {
    await kr.set(k('odd') + '/../ü:*?', 'odd-key-value');
    expect(unsafeUnwrap((await kr.get(k('odd') + '/../ü:*?'))!)).toBe('odd-key-value');
    await kr.delete(k('odd') + '/../ü:*?');
    expect(await kr.get(k('odd') + '/../ü:*?')).toBeUndefined();
  });

  it('delete removes and is idempotent', async () => {
    await kr.set(k('b'), 'to-be-deleted');
    await kr.delete(k('b'));
    await kr.delete(k('b'));
    expect(await kr.get(k('b'))).toBeUndefined();
    if (backend.readBack) expect(backend.readBack(k('b'))).toBeUndefined();
  });

  it('list returns sorted keys, or says it cannot', async () => {
    if (!kr.canList) {
      await expect(kr.list()).rejects.toMatchObject({ code: 'KEYRING_LIST_UNSUPPORTED' });
      return;
    }
    await kr.set(k('b'), 'listed-value');
    const keys = (await kr.list()).filter((x) => x.startsWith(`infrakey-contract-${run}-`));
    expect(keys).toEqual([k('a'), k('b'), k('empty'), k('secret')]);
  });
});
