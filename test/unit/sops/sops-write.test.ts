import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { decryptSopsFile, deleteSopsValue, encryptSopsDocument, setSopsValue, type SopsFormat } from '../../../core/secrets/sops';
import { generateAgeIdentity } from '../../../core/secrets/sops/age';
import { unsafeUnwrap } from '../../../core/secret';
import { expectCode, FIXTURES, FIXTURE_IDENTITY, FIXTURE_RECIPIENT } from './fixture-keys';

const keys = { ageIdentities: [FIXTURE_IDENTITY] };
const tmp = (): string => mkdtempSync(join(tmpdir(), 'infrakey-sops-'));
const mode = (p: string): number => statSync(p).mode & 0o777;

describe('encryptSopsDocument', () => {
  const doc = { db_password: 'hunter2-long', port: 5432, ratio: 0.25, on: true, nested: { list: ['a', 'b'], '10': 'ten', '2': 'two' }, note_unencrypted: 'visible', empty: '' };

  test.each<SopsFormat>(['yaml', 'json'])('%s round-trips with types, order and the unencrypted suffix', async (format) => {
    const text = await encryptSopsDocument(doc, { format, recipients: [FIXTURE_RECIPIENT] });
    expect(text).not.toContain('hunter2-long');
    expect(text).toContain('visible');
    const out = await decryptSopsFile({ text, format }, keys);
    expect(out).toEqual(doc);
    if (format === 'yaml') {
      expect(text).toMatch(/port: ENC\[AES256_GCM,data:[^,]+,iv:[^,]+,tag:[^,]+,type:int\]/);
      expect(text).toContain('type:float]');
      expect(text).toContain('type:bool]');
      expect(text).toContain('empty: ""');
      // Integer-like keys stay where JS put them when the file was written, and parse back in file order.
      const nestedKeys = Object.keys(parseYaml(text).nested);
      expect(nestedKeys).toEqual(['2', '10', 'list']);
      expect(text).toMatch(/sops:\n\s+kms: \[\]/);
      expect(text).toMatch(/version: 3\.8\.1/);
    } else {
      expect(text).toMatch(/"port": "ENC\[[^\]]+type:float\]"/);
      expect(text).toContain('\t"sops": {');
      expect(text).toContain('"kms": null');
    }
  });

  test('dotenv round-trips strings and flattens metadata like sops', async () => {
    const text = await encryptSopsDocument({ API_KEY: 'abc-def-ghi', MULTI: 'line1\nline2', PLAIN_unencrypted: 'x' }, { format: 'dotenv', recipients: [FIXTURE_RECIPIENT] });
    expect(text).toMatch(/^API_KEY=ENC\[/m);
    expect(text).toMatch(/^sops_age__list_0__map_enc=-----BEGIN AGE ENCRYPTED FILE-----\\n/m);
    expect(text).toMatch(/^sops_age__list_0__map_recipient=age1je6/m);
    expect(text).toMatch(/^sops_unencrypted_suffix=_unencrypted$/m);
    expect(await decryptSopsFile({ text, format: 'dotenv' }, keys)).toEqual({ API_KEY: 'abc-def-ghi', MULTI: 'line1\nline2', PLAIN_unencrypted: 'x' });
  });

  test('encrypted_regex leaves other keys in cleartext and still covers them with the MAC', async () => {
    const text = await encryptSopsDocument({ data: { password: 'pw-123456' }, kind: 'Secret' }, { format: 'yaml', recipients: [FIXTURE_RECIPIENT], rules: { encryptedRegex: '^(data|stringData)$' } });
    expect(text).toContain('kind: Secret');
    expect(text).toContain('encrypted_regex: ^(data|stringData)$');
    expect(text).not.toContain('pw-123456');
    expect(await decryptSopsFile({ text, format: 'yaml' }, keys)).toEqual({ data: { password: 'pw-123456' }, kind: 'Secret' });
    await expectCode(decryptSopsFile({ text: text.replace('kind: Secret', 'kind: ConfigMap'), format: 'yaml' }, keys), 'SOPS_MAC_MISMATCH');
  });

  test('reuses the data key of existing metadata', async () => {
    const first = await encryptSopsDocument({ a: 'one-one' }, { format: 'json', recipients: [FIXTURE_RECIPIENT] });
    const meta = JSON.parse(first).sops;
    const second = await encryptSopsDocument({ a: 'one-one', b: 'two-two' }, { format: 'json', existingMetadata: meta, ...keys });
    expect(JSON.parse(second).sops.age).toEqual(meta.age);
    expect(await decryptSopsFile({ text: second, format: 'json' }, keys)).toEqual({ a: 'one-one', b: 'two-two' });
  });

  test('no recipients → SOPS_NO_RECIPIENTS; a bad recipient → SOPS_RECIPIENT_INVALID', async () => {
    await expectCode(encryptSopsDocument({ a: 'b' }, { format: 'yaml', recipients: [] }), 'SOPS_NO_RECIPIENTS');
    await expectCode(encryptSopsDocument({ a: 'b' }, { format: 'yaml', recipients: ['age1notarecipient'] }), 'SOPS_RECIPIENT_INVALID');
  });
});

describe('setSopsValue / deleteSopsValue', () => {
  test.each(['yaml', 'json', 'env'])('set on a copy of the real %s fixture keeps other keys, the data key and unchanged ciphertext', async (ext) => {
    const dir = tmp();
    const file = join(dir, `secret.enc.${ext}`);
    copyFileSync(join(FIXTURES, `secret.enc.${ext}`), file);
    const before = await decryptSopsFile(file, keys);
    const beforeText = readFileSync(file, 'utf8');
    const res = await setSopsValue(file, 'added_key', 'new-value-123', keys);
    expect(res.created).toBe(false);
    expect(mode(file)).toBe(0o600);
    const after = await decryptSopsFile(file, keys);
    expect(after).toEqual({ ...before, added_key: 'new-value-123' });
    const text = readFileSync(file, 'utf8');
    // The untouched "secret" value is byte-identical (sops' IV stash), and so are the age entries.
    const secretLine = (t: string): string => (t.split('\n').find((l) => /^\s*"?secret"?[:=]/.test(l)) ?? '').trim();
    expect(secretLine(text)).toBe(secretLine(beforeText));
    expect(secretLine(text)).toContain('ENC[');
    const recipientLines = (t: string): string[] => t.split('\n').filter((l) => l.includes(FIXTURE_RECIPIENT)).map((l) => l.trim());
    expect(recipientLines(text)).toEqual(recipientLines(beforeText));
    expect(text).not.toContain('new-value-123');
  });

  test('YAML rewrite keeps key order and comments', async () => {
    const dir = tmp();
    const file = join(dir, 's.enc.yaml');
    await setSopsValue(file, 'b', 'bee-value', { recipients: FIXTURE_RECIPIENT });
    await setSopsValue(file, 'a', 'aye-value', keys);
    const withComment = readFileSync(file, 'utf8').replace(/^a:/m, '# keep me\na:');
    writeFileSync(file, withComment);
    await setSopsValue(file, 'c', { deep: [1, 2] }, keys);
    const text = readFileSync(file, 'utf8');
    expect(text).toContain('# keep me\na:');
    expect(Object.keys(parseYaml(text))).toEqual(['b', 'a', 'c', 'sops']);
    expect(await decryptSopsFile(file, keys)).toEqual({ b: 'bee-value', a: 'aye-value', c: { deep: [1, 2] } });
    await setSopsValue(file, ['c', 'deep', 1], 3, keys);
    await setSopsValue(file, 'b', 'bee-2', keys);
    expect(await decryptSopsFile(file, keys)).toEqual({ b: 'bee-2', a: 'aye-value', c: { deep: [1, 3] } });
    expect(Object.keys(parseYaml(readFileSync(file, 'utf8')))).toEqual(['b', 'a', 'c', 'sops']);
  });

  test('creating a file: new parent folders 0755, file 0600, recipients from spec', async () => {
    const dir = tmp();
    const file = join(dir, 'deep', 'er', 'dev.enc.yaml');
    const res = await setSopsValue(file, 'TOKEN', 'tok-abc-123', { recipients: [FIXTURE_RECIPIENT] });
    expect(res.created).toBe(true);
    expect(mode(file)).toBe(0o600);
    expect(mode(join(dir, 'deep'))).toBe(0o755);
    expect(mode(join(dir, 'deep', 'er'))).toBe(0o755);
    expect(await decryptSopsFile(file, keys)).toEqual({ TOKEN: 'tok-abc-123' });
  });

  test('creating a file: recipients from the nearest matching .sops.yaml', async () => {
    const dir = tmp();
    const a = await generateAgeIdentity();
    writeFileSync(join(dir, '.sops.yaml'), `creation_rules:\n  - path_regex: other/.*\n    age: ${FIXTURE_RECIPIENT}\n  - path_regex: secrets/.*\\.enc\\.yaml$\n    age: ${a.recipient}, ${FIXTURE_RECIPIENT}\n`);
    const file = join(dir, 'secrets', 'dev.enc.yaml');
    await setSopsValue(file, 'K', 'value-xyz', {});
    const text = readFileSync(file, 'utf8');
    expect(text).toContain(a.recipient);
    expect(await decryptSopsFile(file, { ageIdentities: [a.identity] })).toEqual({ K: 'value-xyz' });
    expect(await decryptSopsFile(file, { ageIdentities: [unsafeUnwrap(a.identity)] })).toEqual({ K: 'value-xyz' });
  });

  test('creating a file without recipients → SOPS_NO_RECIPIENTS with the fix', async () => {
    const dir = tmp();
    const err = await expectCode(setSopsValue(join(dir, 'x.enc.yaml'), 'K', 'v', {}), 'SOPS_NO_RECIPIENTS');
    expect(err.message).toContain('age_recipients');
    expect(err.message).toContain('.sops.yaml');
  });

  test('set refuses to rewrite a tampered file', async () => {
    const dir = tmp();
    const file = join(dir, 'secret.enc.yaml');
    writeFileSync(file, readFileSync(join(FIXTURES, 'secret.enc.yaml'), 'utf8').replace(/^string: .*\n/m, ''));
    await expectCode(setSopsValue(file, 'x', 'y', keys), 'SOPS_MAC_MISMATCH');
  });

  test('delete removes one key, keeps the others, 0600; missing key or file is a no-op', async () => {
    const dir = tmp();
    const file = join(dir, 'secret.enc.json');
    copyFileSync(join(FIXTURES, 'secret.enc.json'), file);
    const before = await decryptSopsFile(file, keys);
    expect(await deleteSopsValue(file, 'string', keys)).toBe(true);
    expect(mode(file)).toBe(0o600);
    const { string: _s, ...rest } = before;
    expect(await decryptSopsFile(file, keys)).toEqual(rest);
    expect(await deleteSopsValue(file, ['complex', 'array', 0], keys)).toBe(true);
    expect((await decryptSopsFile(file, keys)).complex).toEqual({ value: 'this is a secret', array: ['two', 'three'] });
    const text = readFileSync(file, 'utf8');
    expect(await deleteSopsValue(file, 'nope', keys)).toBe(false);
    expect(readFileSync(file, 'utf8')).toBe(text);
    expect(await deleteSopsValue(join(dir, 'absent.enc.json'), 'x', keys)).toBe(false);
  });

  test('reserved and invalid keys are refused', async () => {
    const dir = tmp();
    await expectCode(setSopsValue(join(dir, 'a.enc.yaml'), 'sops', 'x', { recipients: FIXTURE_RECIPIENT }), 'SOPS_KEY_PATH_INVALID');
    await expectCode(setSopsValue(join(dir, 'a.enc.env'), 'A=B', 'x', { recipients: FIXTURE_RECIPIENT }), 'SOPS_KEY_PATH_INVALID');
    await expectCode(setSopsValue(join(dir, 'a.enc.env'), 'A', { nested: 'x' }, { recipients: FIXTURE_RECIPIENT }), 'SOPS_FORMAT_UNSUPPORTED');
    await expectCode(setSopsValue(join(dir, 'a.txt'), 'A', 'x', { recipients: FIXTURE_RECIPIENT }), 'SOPS_FORMAT_UNSUPPORTED');
  });
  test('a write takes the file lock and releases it; a failed create leaves no folder; a dead writer\'s lock is taken over', async () => {
    const dir = tmp();
    const file = join(dir, 'a', 'b', 's.enc.yaml');
    await expectCode(setSopsValue(file, 'k', 'v'), 'SOPS_NO_RECIPIENTS');
    expect(existsSync(join(dir, 'a'))).toBe(false);
    await setSopsValue(file, 'k', 'value-one', { recipients: FIXTURE_RECIPIENT });
    expect(readdirSync(join(dir, 'a', 'b'))).toEqual(['s.enc.yaml']);
    // A writer killed while holding the lock left it; it is not refreshed, so it is taken over.
    const lock = join(dir, 'a', 'b', '.s.enc.yaml.lock');
    mkdirSync(lock);
    const old = new Date(Date.now() - 60_000);
    utimesSync(lock, old, old);
    await setSopsValue(file, 'k2', 'value-two', keys);
    expect(await deleteSopsValue(file, 'k', keys)).toBe(true);
    expect(await decryptSopsFile(file, keys)).toEqual({ k2: 'value-two' });
    expect(readdirSync(join(dir, 'a', 'b'))).toEqual(['s.enc.yaml']);
  });
});
