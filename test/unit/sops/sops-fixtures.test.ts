import { createCipheriv, randomBytes } from 'node:crypto';
import { decryptSopsFile, listSopsKeys } from '../../../core/secrets/sops';
import { ageDecrypt, prepareIdentities } from '../../../core/secrets/sops/age';
import { expectCode, FIXTURES, FIXTURE_IDENTITY, fixtureText, PLAINTEXT } from './fixture-keys';

const keys = { ageIdentities: [FIXTURE_IDENTITY] };
const { '0word': _zero, ...yamlPlain } = PLAINTEXT;

describe('sops-real fixtures (sops 3.8.1, age)', () => {
  test('the JSON fixture decrypts to secret.json, MAC verified', async () => {
    expect(await decryptSopsFile(`${FIXTURES}/secret.enc.json`, keys)).toEqual(PLAINTEXT);
  });

  test('the YAML fixture decrypts to secret.json (it lacks only "0word"), MAC verified', async () => {
    const out = await decryptSopsFile(`${FIXTURES}/secret.enc.yaml`, keys);
    expect(out).toEqual(yamlPlain);
    expect(Object.keys(out)).toEqual(['secret', 'string', 'int', 'float', 'boolean', 'complex']);
  });

  test('the dotenv fixture decrypts (string values only), MAC verified', async () => {
    expect(await decryptSopsFile(`${FIXTURES}/secret.enc.env`, keys)).toEqual({ secret: 'this is a secret', another_secret: '7' });
  });

  test('text sources work like files', async () => {
    expect(await decryptSopsFile({ text: fixtureText('json'), format: 'json' }, keys)).toEqual(PLAINTEXT);
  });

  test('listSopsKeys reads key names without any key', async () => {
    expect(await listSopsKeys(`${FIXTURES}/secret.enc.yaml`)).toEqual(['secret', 'string', 'int', 'float', 'boolean', 'complex']);
    expect(await listSopsKeys(`${FIXTURES}/absent.enc.yaml`)).toBeUndefined();
  });

  test('a missing file is SOPS_FILE_NOT_FOUND', async () => {
    await expectCode(decryptSopsFile(`${FIXTURES}/absent.enc.yaml`, keys), 'SOPS_FILE_NOT_FOUND');
  });
});

describe('tampering is detected (SOPS_MAC_MISMATCH)', () => {
  const yaml = fixtureText('yaml');
  const dec = (text: string, format: 'yaml' | 'json' | 'dotenv' = 'yaml') => decryptSopsFile({ text, format, name: 'tampered.enc.yaml' }, keys);

  test('a flipped ciphertext byte', async () => {
    const text = yaml.replace('data:ME9a8+qqBCwXn0eqF010rw==', 'data:ME9a8+qqBCwXn0eqF010rA==');
    expect(text).not.toBe(yaml);
    const err = await expectCode(dec(text), 'SOPS_MAC_MISMATCH');
    expect(err.message).toContain('tampered.enc.yaml');
    expect(err.message).toContain('"secret:"');
  });

  test('a value swapped for a valid ciphertext made with the real data key (only the MAC can tell)', async () => {
    const meta = /enc: \|\n((?:\s+.+\n)+?)\s+- recipient/.exec(yaml);
    expect(meta).not.toBeNull();
    const armored = (meta as RegExpExecArray)[1].split('\n').map((l) => l.trim()).join('\n');
    const dataKey = (await ageDecrypt(armored, prepareIdentities([FIXTURE_IDENTITY]))) as Buffer;
    expect(dataKey).toHaveLength(32);
    const iv = randomBytes(32);
    const c = createCipheriv('aes-256-gcm', dataKey, iv);
    c.setAAD(Buffer.from('string:'));
    const data = Buffer.concat([c.update('forged'), c.final()]);
    const forged = `ENC[AES256_GCM,data:${data.toString('base64')},iv:${iv.toString('base64')},tag:${c.getAuthTag().toString('base64')},type:str]`;
    const text = yaml.replace(/^string: .*$/m, `string: ${forged}`);
    const err = await expectCode(dec(text), 'SOPS_MAC_MISMATCH');
    expect(err.message).toMatch(/MAC mismatch/);
    expect(err.message).not.toContain('forged');
  });

  test('a renamed key', async () => {
    await expectCode(dec(yaml.replace(/^secret:/m, 'secrets:')), 'SOPS_MAC_MISMATCH');
  });

  test('a removed key', async () => {
    await expectCode(dec(yaml.replace(/^string: .*\n/m, '')), 'SOPS_MAC_MISMATCH');
  });

  test('a key renamed to look unencrypted', async () => {
    await expectCode(dec(yaml.replace(/^string:/m, 'string_unencrypted:')), 'SOPS_MAC_MISMATCH');
  });

  test('an altered MAC', async () => {
    const text = yaml.replace('mac: ENC[AES256_GCM,data:VkH/', 'mac: ENC[AES256_GCM,data:VkH+');
    expect(text).not.toBe(yaml);
    await expectCode(dec(text), 'SOPS_MAC_MISMATCH');
  });

  test('an altered lastmodified (the MAC is bound to it)', async () => {
    await expectCode(dec(yaml.replace('2024-03-25T22:08:10Z', '2024-03-25T22:08:11Z')), 'SOPS_MAC_MISMATCH');
  });

  test('tampering in JSON and dotenv too', async () => {
    const json = fixtureText('json').replace('"string": "ENC[AES256_GCM,data:74icX5Tw', '"string": "ENC[AES256_GCM,data:74icX5Tx');
    await expectCode(dec(json, 'json'), 'SOPS_MAC_MISMATCH');
    const env = fixtureText('env').replace(/^another_secret=.*\n/m, '');
    await expectCode(dec(env, 'dotenv'), 'SOPS_MAC_MISMATCH');
  });
});

describe('wrong or missing keys', () => {
  const other = 'AGE-SECRET-KEY-12Q8DW095Z72FRP0MHZZKK9FXPN8A874C27DJVE2K9XXP7J3KMXLQY4Z5MZ';

  test('a key that is not a recipient → SOPS_DECRYPT_FAILED naming file, recipients and sources, never the key', async () => {
    const err = await expectCode(decryptSopsFile(`${FIXTURES}/secret.enc.yaml`, { ageIdentities: [other], keySources: ['spec.age_key_file (/k/keys.txt)'] }), 'SOPS_DECRYPT_FAILED');
    expect(err.message).toContain('secret.enc.yaml');
    expect(err.message).toContain('age1je6kjhzuhdjy3fqptpttxjh5k8q46vygzlgtpuq3030c947pc5tqz9dqvr');
    expect(err.message).toContain('spec.age_key_file (/k/keys.txt)');
    expect(err.message).not.toContain(other);
    expect(err.message).not.toContain('AGE-SECRET-KEY');
  });

  test('defaults with nothing configured → SOPS_AGE_KEY_MISSING listing where it looked', async () => {
    const saved = { ...process.env };
    try {
      delete process.env.SOPS_AGE_KEY;
      delete process.env.SOPS_AGE_KEY_FILE;
      process.env.XDG_CONFIG_HOME = '/nonexistent-infrakey-test';
      const err = await expectCode(decryptSopsFile(`${FIXTURES}/secret.enc.yaml`), 'SOPS_AGE_KEY_MISSING');
      expect(err.message).toContain('/nonexistent-infrakey-test/sops/age/keys.txt');
      expect(err.message).toContain('SOPS_AGE_KEY_FILE');
      // The file exists: name its recipients; a new key (keygen) would not open it, so do not advise one.
      expect(err.message).toContain('encrypted to age1je6kjhzuhdjy3fqptpttxjh5k8q46vygzlgtpuq3030c947pc5tqz9dqvr');
      expect((err as { fix?: string }).fix).toContain('age1je6kjhzuhdjy3fqptpttxjh5k8q46vygzlgtpuq3030c947pc5tqz9dqvr');
      expect((err as { fix?: string }).fix).toMatch(/keygen` would only add a second recipient/);
      expect(err.message).not.toMatch(/run `infrakey secret keygen|create (a key|one) with `infrakey secret keygen`/);
    } finally {
      process.env = saved;
    }
  });

  test('SOPS_AGE_KEY from the environment opens the file', async () => {
    const saved = { ...process.env };
    try {
      delete process.env.SOPS_AGE_KEY_FILE;
      process.env.SOPS_AGE_KEY = `${other}\n${FIXTURE_IDENTITY}\n`;
      process.env.XDG_CONFIG_HOME = '/nonexistent-infrakey-test';
      expect(await decryptSopsFile(`${FIXTURES}/secret.enc.json`)).toEqual(PLAINTEXT);
    } finally {
      process.env = saved;
    }
  });
});
