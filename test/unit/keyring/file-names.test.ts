import { fileNameForKey, isEntryFileName, keyForFileName, legacyFileName, HASHED_PREFIX } from '../../../core/keyring/file-names';

describe('file keyring file names', () => {
  it('leaves the keys Atmos writes unchanged, so Atmos-written folders open', () => {
    for (const key of ['atmos_default_prod-admin', 'atmos_3f2a9c0d1e2b4a5f_emergency-user', 'atmos_dev', 'atmos-keyring-availability-probe', 'a.b']) {
      expect(fileNameForKey(key)).toBe(key);
      expect(legacyFileName(key)).toBeUndefined();
    }
  });

  it('encodes / and % exactly as 99designs/keyring does', () => {
    expect(fileNameForKey('a/b%c')).toBe('a%2Fb%25c');
    expect(keyForFileName('a%2Fb%25c')).toBe('a/b%c');
  });

  const awkward = ['', '.', '..', '../../etc/passwd', '..\\..\\x', '/abs', 'a\0b', 'con', 'NUL.txt', 'trailing.', ' space ', 'ünïcødé/😀', 'x'.repeat(300), 'a:b*c?"<>|', '%2F', '%', '.hidden', '.lock', '.tmp-1-2'];

  it.each(awkward.map((k) => [JSON.stringify(k).slice(0, 40), k]))('maps %s to one safe file name and back', (_label, key) => {
    const name = fileNameForKey(key);
    expect(name).not.toMatch(/[/\\\0:*?"<>|]/);
    expect(name).not.toBe('.');
    expect(name).not.toBe('..');
    expect(name.startsWith('.')).toBe(false);
    expect(isEntryFileName(name)).toBe(true);
    expect(Buffer.byteLength(name)).toBeLessThanOrEqual(255);
    if (!name.startsWith(HASHED_PREFIX)) expect(keyForFileName(name)).toBe(key);
  });

  it('gives distinct keys distinct names', () => {
    const names = new Set(awkward.map(fileNameForKey));
    expect(names.size).toBe(awkward.length);
  });

  it('hashes names too long for a file system', () => {
    const name = fileNameForKey('k'.repeat(300));
    expect(name).toMatch(/^%~[0-9a-f]{64}$/);
  });

  it('knows the 99designs name when it differs and is safe', () => {
    expect(legacyFileName('a b/c')).toBe('a b%2Fc');
    expect(fileNameForKey('a b/c')).toBe('a%20b%2Fc');
    expect(legacyFileName('a\0b')).toBeUndefined();
    expect(legacyFileName('..')).toBeUndefined();
  });
});
