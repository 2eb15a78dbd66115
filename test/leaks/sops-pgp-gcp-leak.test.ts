import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { Secret } from '../../core/secret';
import { decryptSopsFile, setSopsValue } from '../../core/secrets/sops';
import { gcpKmsService } from '../../core/secrets/sops/key-types/gcp-kms-service';
import { FakeGcpKms } from '../fakes/fake-gcp-kms';
import { gnupgHome } from '../support/gnupg';

/**
 * SOPS pgp (real GnuPG) and gcp-kms (FAKE Cloud KMS): no value, passphrase, access token or data
 * key reaches a written file, gpg's argv, or any error (message, fix, cause, stack, JSON), for
 * wrong passphrases, refused tokens, a hanging KMS and altered entries.
 */
jest.setTimeout(120_000);

const VALUE = 'leak-canary-pgp-gcp-Qx71';
const PASSPHRASE = 'leak-canary-passphrase-93';
const TOKEN = 'ya29.leak-canary-token-55';
const BAD_TOKEN = 'ya29.leak-canary-bad-token-66';
const forms = (v: string | Buffer): string[] => {
  const b = Buffer.isBuffer(v) ? v : Buffer.from(v);
  return [...(Buffer.isBuffer(v) ? [] : [v]), b.toString('base64'), b.toString('base64').replace(/=+$/, ''), b.toString('hex'), b.toString('hex').toUpperCase()];
};

function assertClean(text: string, what: string, secrets: readonly (string | Buffer)[]): void {
  for (const s of secrets) for (const f of forms(s)) if (text.includes(f)) throw new Error(`${what} contains a secret (form of length ${f.length})`);
}

async function errorText(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    const err = e as Error & { cause?: unknown; fix?: string };
    const causes: string[] = [];
    for (let c: unknown = err.cause; c; c = (c as { cause?: unknown }).cause) causes.push(String(c), (c as Error).stack ?? '');
    return [err.message, err.fix ?? '', err.stack ?? '', ...causes, JSON.stringify(err)].join('\n');
  }
  throw new Error('expected a failure');
}

describe('SOPS pgp and gcp-kms leak checks', () => {
  it('pgp: files, gpg argv and errors hold no value, passphrase or data key', async () => {
    const gpg = gnupgHome();
    const dir = mkdtempSync(join(tmpdir(), 'ik-leak-pgp-'));
    try {
      const fp = gpg.generate('Leak Check', PASSPHRASE);
      const log = join(dir, 'argv.log');
      const wrapper = join(dir, 'gpg.sh');
      writeFileSync(wrapper, `#!/bin/sh\nprintf '%s\\n' "$*" >> '${log}'\nexec gpg "$@"\n`, { mode: 0o700 });
      const env = gpg.env({ SOPS_GPG_EXEC: wrapper });
      const keys = { gnupgHome: gpg.home, gpgEnv: env, pgpPassphrase: async () => Secret.of(PASSPHRASE, 'pgp passphrase') };
      const file = join(dir, 's.enc.yaml');
      await setSopsValue(file, 'K', VALUE, { ...keys, spec: { pgp_fingerprints: fp } });
      await setSopsValue(file, 'K2', VALUE, keys);
      const enc = (parse(readFileSync(file, 'utf8')) as { sops: { pgp: { enc: string }[] } }).sops.pgp[0].enc;
      const dataKey = gpg.gpg(['--pinentry-mode', 'loopback', '--passphrase-fd', '0', '-d'], `${PASSPHRASE}\n${enc}`).stdout;
      expect(dataKey).toHaveLength(32);
      const secrets = [VALUE, PASSPHRASE, dataKey];
      // The agent cached the passphrase on the last decrypt: forget it, so the wrong one is used.
      gpg.forgetPassphrases();
      const errors = [
        await errorText(decryptSopsFile(file, { ...keys, pgpPassphrase: async () => Secret.of('wrong-passphrase-leak', 'pw') })),
        await errorText(decryptSopsFile(file, { ...keys, gpgEnv: gpg.env({ SOPS_GPG_EXEC: join(dir, 'none') }) })),
        await errorText(decryptSopsFile({ text: readFileSync(file, 'utf8').replace(/(-----BEGIN PGP MESSAGE-----\n\s*\n\s*)(\S)/, (_m, a: string, c: string) => a + (c === 'h' ? 'i' : 'h')), format: 'yaml', name: 'altered.yaml' }, keys)),
      ];
      for (const [i, e] of errors.entries()) assertClean(e, `error #${i}`, [...secrets, 'wrong-passphrase-leak']);
      for (const name of readdirSync(dir)) assertClean(readFileSync(join(dir, name), 'utf8'), `file ${name}`, secrets);
      expect(readFileSync(log, 'utf8')).toContain('--passphrase-fd 3');
    } finally {
      gpg.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('gcp-kms: files and errors hold no value, token or data key', async () => {
    const fake = new FakeGcpKms();
    const endpoint = await fake.start();
    const dir = mkdtempSync(join(tmpdir(), 'ik-leak-gcp-'));
    try {
      const key = fake.createKey('p', 'global', 'r', 'k');
      fake.allow(TOKEN, [key]);
      const svc = (token: string, timeoutMs?: number) => gcpKmsService({ credentials: async () => ({ accessToken: Secret.of(token, 'gcp token') }), endpoint, identity: 'gcp-dev', env: {}, ...(timeoutMs ? { timeoutMs } : {}) });
      writeFileSync(join(dir, '.sops.yaml'), `creation_rules:\n  - gcp_kms: ${key}\n`);
      const file = join(dir, 's.enc.json');
      await setSopsValue(file, 'K', VALUE, { gcpKms: svc(TOKEN) });
      // The data key as the fake saw it (the encrypt request's plaintext).
      const dataKey = Buffer.from((JSON.parse(fake.bodies[0]) as { plaintext: string }).plaintext, 'base64');
      expect(dataKey).toHaveLength(32);
      const secrets = [VALUE, TOKEN, BAD_TOKEN, dataKey];
      const errors = [await errorText(decryptSopsFile(file, { gcpKms: svc(BAD_TOKEN) }))];
      fake.hang = true;
      errors.push(await errorText(decryptSopsFile(file, { gcpKms: svc(TOKEN, 1_000) })));
      fake.hang = false;
      for (const [i, e] of errors.entries()) assertClean(e, `error #${i}`, secrets);
      for (const name of readdirSync(dir)) assertClean(readFileSync(join(dir, name), 'utf8'), `file ${name}`, secrets);
    } finally {
      await fake.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
