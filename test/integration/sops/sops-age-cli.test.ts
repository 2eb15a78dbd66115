import { execFileSync, spawnSync } from 'node:child_process';
import { createDecipheriv } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { decryptSopsFile, generateAgeKeyFile, resolveAgeIdentities, setSopsValue } from '../../../core/secrets/sops';
import { ageDecrypt, prepareIdentities } from '../../../core/secrets/sops/age';
import { FIXTURES, FIXTURE_IDENTITY, FIXTURE_KEY_FILE, FIXTURE_RECIPIENT } from '../../unit/sops/fixture-keys';

/**
 * Interop with the real age CLI (apt `age`) and with sops-age, a third-party JS sops decryptor.
 * A missing tool is a failure, not a skip.
 */
function which(cmd: string): string {
  const r = spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} is not installed: run scripts/install-test-deps.sh (apt-get install -y age)`);
  return r.stdout.trim();
}

const tmp = (): string => mkdtempSync(join(tmpdir(), 'infrakey-sops-int-'));
const keys = { ageIdentities: [FIXTURE_IDENTITY] };

/** Decrypts one ENC[...] value with a data key, independently of the library under test. */
function openValue(enc: string, dataKey: Buffer, aad: string): string {
  const m = /^ENC\[AES256_GCM,data:(.*),iv:(.+),tag:(.+),type:(.+)\]$/.exec(enc);
  if (!m) throw new Error('not an ENC value');
  const d = createDecipheriv('aes-256-gcm', dataKey, Buffer.from(m[2], 'base64'));
  d.setAAD(Buffer.from(aad));
  d.setAuthTag(Buffer.from(m[3], 'base64'));
  return Buffer.concat([d.update(Buffer.from(m[1], 'base64')), d.final()]).toString('utf8');
}

describe('age CLI interop', () => {
  beforeAll(() => {
    which('age');
    which('age-keygen');
  });

  test('the data key we wrap opens with `age -d`, and our values open with that data key', async () => {
    const dir = tmp();
    const file = join(dir, 'app.enc.yaml');
    await setSopsValue(file, 'db', { password: 'pw-from-infrakey', port: 5432 }, { recipients: FIXTURE_RECIPIENT });
    const doc = parseYaml(readFileSync(file, 'utf8'));
    const blob = join(dir, 'datakey.age');
    writeFileSync(blob, doc.sops.age[0].enc);
    const dataKey = execFileSync('age', ['-d', '-i', FIXTURE_KEY_FILE, blob]);
    expect(dataKey).toHaveLength(32);
    expect(openValue(doc.db.password, dataKey, 'db:password:')).toBe('pw-from-infrakey');
    expect(openValue(doc.db.port, dataKey, 'db:port:')).toBe('5432');
    expect(openValue(doc.sops.mac, dataKey, doc.sops.lastmodified)).toMatch(/^[0-9A-F]{128}$/);
  });

  test('a file encrypted to an age-keygen recipient opens with that identity', async () => {
    const dir = tmp();
    const keyFile = join(dir, 'keys.txt');
    execFileSync('age-keygen', ['-o', keyFile], { stdio: ['ignore', 'ignore', 'pipe'] });
    const recipient = execFileSync('age-keygen', ['-y', keyFile], { encoding: 'utf8' }).trim();
    const file = join(dir, 's.enc.json');
    await setSopsValue(file, 'token', 'tok-keygen-1', { recipients: recipient });
    const ids = await resolveAgeIdentities({ age_key_file: keyFile });
    expect(await decryptSopsFile(file, { ageIdentities: ids.identities, keySources: ids.sources })).toEqual({ token: 'tok-keygen-1' });
  });

  test('an armored file made by `age -r -a` opens with our native X25519 path', async () => {
    const dir = tmp();
    const plain = join(dir, 'p.bin');
    writeFileSync(plain, Buffer.alloc(32, 9));
    const armored = execFileSync('age', ['-r', FIXTURE_RECIPIENT, '-a', plain], { encoding: 'utf8' });
    expect(await ageDecrypt(armored, prepareIdentities([FIXTURE_IDENTITY]))).toEqual(Buffer.alloc(32, 9));
  });

  test('generateAgeKeyFile output is accepted by age-keygen -y and age -d', async () => {
    const dir = tmp();
    const keyFile = join(dir, 'age', 'keys.txt');
    const { recipient } = await generateAgeKeyFile(keyFile);
    expect(execFileSync('age-keygen', ['-y', keyFile], { encoding: 'utf8' }).trim()).toBe(recipient);
    const file = join(dir, 's.enc.yaml');
    await setSopsValue(file, 'k', 'v-generated', { recipients: recipient });
    const blob = join(dir, 'dk.age');
    writeFileSync(blob, parseYaml(readFileSync(file, 'utf8')).sops.age[0].enc);
    expect(execFileSync('age', ['-d', '-i', keyFile, blob])).toHaveLength(32);
  });
});

describe('sops-age (third-party JS decryptor) reads what we write', () => {
  const runSopsAge = (file: string, fileType: string): unknown => {
    const script =
      "import { decryptSops } from 'sops-age'; import { readFileSync } from 'node:fs';" +
      'const out = await decryptSops(readFileSync(process.env.F, "utf8"), { secretKey: process.env.K, fileType: process.env.T });' +
      'process.stdout.write(JSON.stringify(out));';
    // The key goes through the environment, never argv.
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: process.cwd(),
      env: { PATH: process.env.PATH, F: file, K: FIXTURE_IDENTITY, T: fileType },
      encoding: 'utf8',
      timeout: 20_000,
    });
    if (r.status !== 0) throw new Error(`sops-age failed: ${r.stderr}`);
    return JSON.parse(r.stdout);
  };

  test('sops-age itself decrypts the real fixture (sanity of the harness)', () => {
    expect(runSopsAge(join(FIXTURES, 'secret.enc.json'), 'json')).toMatchObject({ secret: 'this is a secret' });
  });

  test.each([
    ['yaml', 'yaml'],
    ['json', 'json'],
    ['env', 'env'],
  ])('%s written by infrakey', async (ext, fileType) => {
    const dir = tmp();
    const file = join(dir, `w.enc.${ext}`);
    const doc: Record<string, unknown> = ext === 'env' ? { API_KEY: 'k-123-456', OTHER: 'o-789' } : { api: 'k-123-456', n: 42, f: 1.5, b: false, nested: { list: ['x', 'y'] } };
    for (const [k, v] of Object.entries(doc)) await setSopsValue(file, k, v, { recipients: FIXTURE_RECIPIENT, ...keys });
    expect(await decryptSopsFile(file, keys)).toEqual(doc);
    expect(runSopsAge(file, fileType)).toEqual(doc);
  });
});
