import { chmodSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileKeyring } from '../../../core/keyring/file-keyring';
import { derivationStats, encryptEntry, WRITE_ITERATIONS } from '../../../core/keyring/jwe-entry';
import { unsafeUnwrap } from '../../../core/secret';

const PASSWORD = 'correct horse battery';
const VALUE = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';

describe('file keyring (real files, real PBKDF2 count)', () => {
  let dir: string;
  const open = (password = PASSWORD): FileKeyring => new FileKeyring({ dir, password, env: {}, isTTY: false });
  beforeEach(() => {
    dir = join(mkdtempSync(join(tmpdir(), 'infrakey-fkr-')), 'keyring');
  });
  afterEach(() => rmSync(join(dir, '..'), { recursive: true, force: true }));

  it('creates the folder 0700 and entries 0600, with no plaintext or base64 of a value in any file', async () => {
    const kr = open();
    await kr.set('atmos_default_dev', VALUE);
    await kr.set('weird/../key', VALUE + '-2');
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    const files = readdirSync(dir);
    expect(files.sort()).toEqual(['atmos_default_dev', 'weird%2F..%2Fkey']);
    for (const f of files) {
      expect(statSync(join(dir, f)).mode & 0o777).toBe(0o600);
      const text = readFileSync(join(dir, f), 'utf8');
      for (const form of [VALUE, Buffer.from(VALUE).toString('base64'), Buffer.from(VALUE).toString('base64url'), Buffer.from(VALUE).toString('hex')]) {
        expect(text).not.toContain(form);
      }
    }
    // Nothing was written outside the folder by the "../" key.
    expect(readdirSync(join(dir, '..'))).toEqual(['keyring']);
  });

  it('writes a standard JWE that jose.compactDecrypt opens with the password alone, at 600,000 iterations', async () => {
    await open().set('atmos_default_dev', VALUE);
    const jwe = readFileSync(join(dir, 'atmos_default_dev'), 'utf8');
    const jose = await import('jose');
    const header = jose.decodeProtectedHeader(jwe);
    expect(header).toMatchObject({ alg: 'PBES2-HS256+A128KW', enc: 'A256GCM', p2c: WRITE_ITERATIONS });
    expect(WRITE_ITERATIONS).toBeGreaterThanOrEqual(600_000);
    const { plaintext } = await jose.compactDecrypt(jwe, new TextEncoder().encode(PASSWORD), { keyManagementAlgorithms: ['PBES2-HS256+A128KW'], maxPBES2Count: 1_000_000 });
    const item = JSON.parse(Buffer.from(plaintext).toString('utf8'));
    expect(item).toEqual({ Key: 'atmos_default_dev', Data: Buffer.from(VALUE).toString('base64'), Label: '', Description: '', KeychainNotTrustApplication: false, KeychainNotSynchronizable: false });
  });

  it('reads an entry written exactly as Atmos (99designs/keyring + jose2go) writes it', async () => {
    const jose = await import('jose');
    const envelope = JSON.stringify({ type: 'aws', data: { access_key_id: 'AKIAIOSFODNN7EXAMPLE', secret_access_key: VALUE } });
    const item = { Key: 'atmos_prod_emergency-user', Data: Buffer.from(envelope).toString('base64'), Label: '', Description: '', KeychainNotTrustApplication: false, KeychainNotSynchronizable: false };
    const jwe = await new jose.CompactEncrypt(new TextEncoder().encode(JSON.stringify(item)))
      .setProtectedHeader({ alg: 'PBES2-HS256+A128KW', enc: 'A256GCM', created: '2026-08-21 12:00:00.123456789 +0000 UTC m=+0.001' })
      .setKeyManagementParameters({ p2c: 8192, p2s: new Uint8Array(12).fill(7) })
      .encrypt(new TextEncoder().encode(PASSWORD));
    // 99designs creates the folder 0700 and writes entries 0600, named after the key.
    const { mkdirSync } = await import('node:fs');
    mkdirSync(dir, { mode: 0o700 });
    writeFileSync(join(dir, 'atmos_prod_emergency-user'), jwe, { mode: 0o600 });
    writeFileSync(join(dir, 'slash%2Fkey'), await encryptEntry('slash/key', 'v-slash', PASSWORD, 8192), { mode: 0o600 });
    const kr = open();
    expect(unsafeUnwrap((await kr.get('atmos_prod_emergency-user'))!)).toBe(envelope);
    expect(unsafeUnwrap((await kr.get('slash/key'))!)).toBe('v-slash');
    expect(await kr.list()).toEqual(['atmos_prod_emergency-user', 'slash/key']);
  });

  it('derives each entry key once per process: repeated reads hit the cache', async () => {
    const kr = open();
    await kr.set('a', 'value-a-1');
    const before = derivationStats.count;
    const fresh = open();
    for (let i = 0; i < 5; i++) expect(unsafeUnwrap((await fresh.get('a'))!)).toBe('value-a-1');
    expect(derivationStats.count - before).toBe(0); // written by this process: already known
    const other = join(dir, 'a');
    const copy = readFileSync(other, 'utf8');
    await kr.set('a', 'value-a-2'); // new bytes on disk: must not return the old value
    expect(unsafeUnwrap((await fresh.get('a'))!)).toBe('value-a-2');
    writeFileSync(other, copy); // another process restored the old entry
    expect(unsafeUnwrap((await fresh.get('a'))!)).toBe('value-a-1');
  });

  it('wrong password → KEYRING_PASSWORD_INVALID, naming the entry, never a value', async () => {
    await open().set('atmos_default_dev', VALUE);
    const err = await open('not the password').get('atmos_default_dev').catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'KEYRING_PASSWORD_INVALID' });
    const text = `${(err as Error).message} ${(err as Error).stack}`;
    expect(text).toContain('atmos_default_dev');
    expect(text).not.toContain(VALUE);
    expect(text).not.toContain('not the password');
    // A write with the wrong password would start a second keyring inside the first: refused.
    await expect(open('not the password').set('other', 'x-value-1')).rejects.toMatchObject({ code: 'KEYRING_PASSWORD_INVALID' });
    expect(existsSync(join(dir, 'other'))).toBe(false);
  });

  it('a flipped byte → KEYRING_CORRUPT naming the entry (content or wrapped key)', async () => {
    const kr = open();
    await kr.set('k1', VALUE);
    await kr.set('k2', VALUE + '2');
    for (const [name, part] of [['k1', 4], ['k2', 1]] as const) {
      const path = join(dir, name);
      const parts = readFileSync(path, 'utf8').split('.');
      const bytes = Buffer.from(parts[part], 'base64url');
      bytes[Math.floor(bytes.length / 2)] ^= 0x01;
      parts[part] = bytes.toString('base64url');
      writeFileSync(path, parts.join('.'));
      const err = await open().get(name).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'KEYRING_CORRUPT', where: path });
      expect((err as Error).message).toContain(`"${name}"`);
      expect((err as Error).message).not.toContain(VALUE);
    }
  });

  it('refuses iteration counts above 10,000,000 without deriving, and garbage files', async () => {
    const jose = await import('jose');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(dir, { mode: 0o700 });
    const header = Buffer.from(JSON.stringify({ alg: 'PBES2-HS256+A128KW', enc: 'A256GCM', p2c: 2_000_000_000, p2s: 'AAAAAAAAAAAAAAAA' })).toString('base64url');
    writeFileSync(join(dir, 'huge'), `${header}.AAAA.AAAA.AAAA.AAAA`);
    writeFileSync(join(dir, 'junk'), 'not a jwe');
    const before = derivationStats.count;
    await expect(open().get('huge')).rejects.toMatchObject({ code: 'KEYRING_CORRUPT', message: expect.stringContaining('refusing') });
    await expect(open().get('junk')).rejects.toMatchObject({ code: 'KEYRING_CORRUPT' });
    expect(derivationStats.count).toBe(before);
    expect(jose).toBeDefined();
  });

  it('an entry renamed onto another key is refused (KEYRING_CORRUPT)', async () => {
    const kr = open();
    await kr.set('atmos_r_attacker', 'attacker-value');
    renameSync(join(dir, 'atmos_r_attacker'), join(dir, 'atmos_r_admin'));
    await expect(open().get('atmos_r_admin')).rejects.toMatchObject({ code: 'KEYRING_CORRUPT', message: expect.stringContaining('holds the key "atmos_r_attacker"') });
  });

  it('get of a missing key asks for no password; delete is idempotent; list skips temp and lock files', async () => {
    const noPassword = new FileKeyring({ dir, env: {}, isTTY: false });
    expect(await noPassword.get('missing')).toBeUndefined();
    await noPassword.delete('missing');
    const kr = open();
    await kr.set('k', 'v-12345');
    writeFileSync(join(dir, '.tmp-999-abc'), 'partial');
    expect(await kr.list()).toEqual(['k']);
    await kr.delete('k');
    await kr.delete('k');
    expect(await kr.list()).toEqual([]);
    await expect(noPassword.set('k', 'v')).rejects.toMatchObject({ code: 'KEYRING_PASSWORD_REQUIRED' });
  });

  it('tightens an existing folder that others can read', async () => {
    const { mkdirSync } = await import('node:fs');
    mkdirSync(dir, { mode: 0o755 });
    chmodSync(dir, 0o755);
    await open().set('k', 'v-123456');
    expect(statSync(dir).mode & 0o777).toBe(0o700);
  });
});
