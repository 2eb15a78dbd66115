import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decryptSopsFile, deleteSopsValue, resolveAgeIdentities, setSopsValue, type SopsFormat } from '../../core/secrets/sops';
import { FIXTURE_IDENTITY, FIXTURE_RECIPIENT } from '../unit/sops/fixture-keys';

/**
 * No plaintext value (nor its base64 form) reaches a written SOPS file or any error message, and
 * no error message carries key material.
 */
const VALUES = ['leak-canary-Zq81-password', 'leak canary with spaces 42', 'ünïcødé-leak-canary'];
const forms = (v: string): string[] => [v, Buffer.from(v).toString('base64'), Buffer.from(v).toString('base64').replace(/=+$/, ''), encodeURIComponent(v)];
const keys = { ageIdentities: [FIXTURE_IDENTITY] };
const WRONG = 'AGE-SECRET-KEY-12Q8DW095Z72FRP0MHZZKK9FXPN8A874C27DJVE2K9XXP7J3KMXLQY4Z5MZ';
const SECRETS = [...VALUES, FIXTURE_IDENTITY, WRONG];

function assertClean(text: string, what: string): void {
  for (const v of SECRETS) for (const f of forms(v)) if (text.includes(f)) throw new Error(`${what} contains a secret (form of length ${f.length})`);
}

async function errorText(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    const err = e as Error & { cause?: unknown };
    return [err.message, err.stack ?? '', String(err.cause ?? ''), JSON.stringify(err)].join('\n');
  }
  throw new Error('expected a failure');
}

describe('SOPS leak checks', () => {
  test.each<[SopsFormat, string]>([
    ['yaml', 'yaml'],
    ['json', 'json'],
    ['dotenv', 'env'],
  ])('%s: written files and every error are free of plaintext and keys', async (_format, ext) => {
    const dir = mkdtempSync(join(tmpdir(), 'infrakey-sops-leak-'));
    const file = join(dir, `s.enc.${ext}`);
    for (const [i, v] of VALUES.entries()) await setSopsValue(file, `K${i}`, v, { recipients: FIXTURE_RECIPIENT, ...keys });
    await deleteSopsValue(file, 'K0', keys);
    await setSopsValue(file, 'K0', VALUES[0], keys);
    for (const name of readdirSync(dir)) assertClean(readFileSync(join(dir, name), 'utf8'), `file ${name}`);
    expect(Object.values(await decryptSopsFile(file, keys)).sort()).toEqual([...VALUES].sort());

    const original = readFileSync(file, 'utf8');
    const errors: string[] = [];
    errors.push(await errorText(decryptSopsFile(file, { ageIdentities: [WRONG] })));
    // Tampering: drop a line holding a value; corrupt a ciphertext; corrupt the MAC.
    const lines = original.split('\n');
    const k1 = lines.findIndex((l) => /K1/.test(l));
    const variants = [
      lines.filter((_, i) => i !== k1).join('\n'),
      original.replace(/data:([A-Za-z0-9+/]{4})/, (_m, g: string) => `data:${g === 'AAAA' ? 'BBBB' : 'AAAA'}`),
      original.replace(/(mac["]?\s*[:=]\s*"?ENC\[AES256_GCM,data:)(.)/, (_m, p: string, c: string) => p + (c === 'A' ? 'B' : 'A')),
    ];
    for (const v of variants) {
      writeFileSync(file, v);
      errors.push(await errorText(decryptSopsFile(file, keys)));
      errors.push(await errorText(setSopsValue(file, 'X', VALUES[1], keys)));
    }
    // A plaintext (non-sops) file whose values would show up in a parser message.
    writeFileSync(file, ext === 'json' ? `{"a": "${VALUES[0]}", ` : ext === 'env' ? `${VALUES[0]}\n` : `a: "${VALUES[0]}\nb: [`);
    errors.push(await errorText(decryptSopsFile(file, keys)));
    errors.push(await errorText(resolveAgeIdentities({}, { env: { SOPS_AGE_KEY: `${FIXTURE_IDENTITY.slice(0, -2)}QQ` } })));
    for (const [i, e] of errors.entries()) assertClean(e, `error #${i}`);
    expect(errors).toHaveLength(9);
  });
});
