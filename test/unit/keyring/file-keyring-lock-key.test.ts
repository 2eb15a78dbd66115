import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { legacyFileName } from '../../../core/keyring/file-names';
import { FileKeyring } from '../../../core/keyring/file-keyring';
import { Secret, unsafeUnwrap } from '../../../core/secret';

// Issue 10 item 21: a key named like the keyring's own lock folder (`.lock`) used to make `set`
// unlink that folder as the key's "legacy" 99designs file name: raw EISDIR.
describe('file keyring: keys named like its own files', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'infrakey-lockkey-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('a dot name is never a legacy entry name', () => {
    expect(legacyFileName('.lock')).toBeUndefined();
    expect(legacyFileName('.tmp-x')).toBeUndefined();
    expect(legacyFileName('a b')).toBe('a b');
  });

  test('keys ".lock" and ".tmp-1" round-trip next to other entries and the lock', async () => {
    const k = new FileKeyring({ dir, password: 'a-long-enough-password', unsafeLowIterationsForTests: 1000 });
    await k.set('.lock', Secret.of('lock-value', 'v'));
    await k.set('.tmp-1', Secret.of('tmp-value', 'v'));
    await k.set('other', Secret.of('other-value', 'v'));
    expect(unsafeUnwrap((await k.get('.lock'))!)).toBe('lock-value');
    expect(unsafeUnwrap((await k.get('.tmp-1'))!)).toBe('tmp-value');
    expect((await k.list()).sort()).toEqual(['.lock', '.tmp-1', 'other']);
    await k.delete('.lock');
    expect(await k.get('.lock')).toBeUndefined();
    expect(existsSync(join(dir, '%2Elock'))).toBe(false);
    expect(statSync(join(dir, 'other')).isFile()).toBe(true);
  });
});
