/**
 * The SOPS `pgp` key type with the real GnuPG: a throwaway GNUPGHOME (0700) per test file with
 * generated ed25519/cv25519 keys and its own gpg-agent (started and killed here). The data key
 * we wrap opens with `gpg -d` and with our unwrap; `.sops.yaml` `pgp:` rules (flat and key
 * groups) and `spec.pgp_fingerprints`; passphrase-protected keys through fd 3 (argv recorded by a
 * SOPS_GPG_EXEC wrapper holds neither passphrase nor data key); a gpg that never answers fails
 * within the bound; a missing gpg, a missing secret or public key: errors that name key, home,
 * rule and fix.
 */
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { Secret } from '../../../core/secret';
import { decryptSopsFile, encryptSopsDocument, generateAgeIdentity, setSopsValue } from '../../../core/secrets/sops';
import { gnupgHome, type GnupgHome } from '../../support/gnupg';
import { rejection } from '../../support/errors';

jest.setTimeout(120_000);


describe('sops pgp key type with the real GnuPG', () => {
  let gpg: GnupgHome;
  let alice: string;
  let bob: string;
  let dir: string;
  const keys = () => ({ gnupgHome: gpg.home, gpgEnv: gpg.env() });

  beforeAll(() => {
    gpg = gnupgHome();
    alice = gpg.generate('Alice');
    bob = gpg.generate('Bob Protected', 'bob-pass-phrase-77');
  });
  afterAll(() => gpg.close());
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'ik-sops-pgp-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('wraps the data key as sops does: an armored message per fingerprint that `gpg -d` opens, fields created_at, enc, fp', async () => {
    const file = join(dir, 'app.enc.yaml');
    await setSopsValue(file, 'token', 'pgp-token-1', { ...keys(), spec: { pgp_fingerprints: alice } });
    const text = readFileSync(file, 'utf8');
    const meta = (parse(text) as { sops: { pgp: Record<string, string>[]; age: unknown } }).sops;
    expect(meta.pgp).toHaveLength(1);
    expect(Object.keys(meta.pgp[0])).toEqual(['created_at', 'enc', 'fp']);
    expect(meta.pgp[0].fp).toBe(alice);
    expect(meta.pgp[0].enc).toMatch(/^-----BEGIN PGP MESSAGE-----\n[\s\S]+-----END PGP MESSAGE-----$/);
    expect(meta.pgp[0].created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const r = gpg.gpg(['-d'], meta.pgp[0].enc);
    expect(r.status).toBe(0);
    expect(r.stdout).toHaveLength(32);
    expect(text).not.toContain('pgp-token-1');
    expect(await decryptSopsFile(file, keys())).toEqual({ token: 'pgp-token-1' });
  });

  it('.sops.yaml: a flat `pgp:` rule, and key_groups mixing pgp and age (either key opens the file)', async () => {
    const age = await generateAgeIdentity();
    writeFileSync(
      join(dir, '.sops.yaml'),
      `creation_rules:\n  - path_regex: flat\\.enc\\.yaml$\n    pgp: "${alice.slice(0, 20)} ${alice.slice(20)}"\n  - path_regex: mixed\\.enc\\.yaml$\n    key_groups:\n      - pgp: ["${alice}"]\n        age: ["${age.recipient}"]\n`,
    );
    const flat = join(dir, 'flat.enc.yaml');
    await setSopsValue(flat, 'a', 'flat-value', keys());
    expect((parse(readFileSync(flat, 'utf8')) as { sops: { pgp: { fp: string }[] } }).sops.pgp.map((p) => p.fp)).toEqual([alice]);
    expect(await decryptSopsFile(flat, keys())).toEqual({ a: 'flat-value' });

    const mixed = join(dir, 'mixed.enc.yaml');
    await setSopsValue(mixed, 'b', 'mixed-value', keys());
    const meta = (parse(readFileSync(mixed, 'utf8')) as { sops: { pgp: unknown[]; age: unknown[] } }).sops;
    expect(meta.pgp).toHaveLength(1);
    expect(meta.age).toHaveLength(1);
    // age alone (GnuPG pointed at an empty home), then pgp alone (no age key anywhere).
    const empty = mkdtempSync(join(tmpdir(), 'ik-gpg-empty-'));
    chmodSync(empty, 0o700);
    try {
      expect(await decryptSopsFile(mixed, { ageIdentities: [age.identity], gnupgHome: empty, gpgEnv: gpg.env({ GNUPGHOME: empty }) })).toEqual({ b: 'mixed-value' });
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
    expect(await decryptSopsFile(mixed, { ...keys(), ageIdentities: [] })).toEqual({ b: 'mixed-value' });
  });

  it('a passphrase-protected key: the passphrase goes on fd 3, never argv; the data key never in argv', async () => {
    // A SOPS_GPG_EXEC wrapper records each argv, then runs the real gpg with the same fds.
    const log = join(dir, 'argv.log');
    const wrapper = join(dir, 'gpg-wrapper.sh');
    writeFileSync(wrapper, `#!/bin/sh\nprintf '%s\\n' "$*" >> '${log}'\nexec gpg "$@"\n`, { mode: 0o700 });
    const env = gpg.env({ SOPS_GPG_EXEC: wrapper });
    const file = join(dir, 'bob.enc.json');
    await setSopsValue(file, 'db', 'bob-db-secret', { gnupgHome: gpg.home, gpgEnv: env, spec: { pgp_fingerprints: [bob] } });
    // A wrong passphrase: gpg refuses (Bad passphrase), and the fix points at pgp_passphrase_env.
    const noPass = await rejection(decryptSopsFile(file, { gnupgHome: gpg.home, gpgEnv: env, keyTimeoutMs: 20_000, pgpPassphrase: async () => Secret.of('wrong-pass-phrase', 'pw') }));
    expect(noPass.code).toBe('SOPS_DECRYPT_FAILED');
    expect(noPass.message).toContain(bob);
    expect(noPass.fix).toMatch(/pgp_passphrase_env/);
    const opened = await decryptSopsFile(file, { gnupgHome: gpg.home, gpgEnv: env, pgpPassphrase: async () => Secret.of('bob-pass-phrase-77', 'pw') });
    expect(opened).toEqual({ db: 'bob-db-secret' });
    const argv = readFileSync(log, 'utf8');
    expect(argv).toContain('--passphrase-fd 3');
    expect(argv).not.toContain('bob-pass-phrase-77');
    expect(argv).not.toContain('wrong-pass-phrase');
    const enc = (JSON.parse(readFileSync(file, 'utf8')) as { sops: { pgp: { enc: string }[] } }).sops.pgp[0].enc;
    const dataKey = gpg.gpg(['--pinentry-mode', 'loopback', '--passphrase-fd', '0', '-d'], Buffer.concat([Buffer.from('bob-pass-phrase-77\n'), Buffer.from(enc)])).stdout;
    expect(dataKey).toHaveLength(32);
    for (const form of [dataKey.toString('hex'), dataKey.toString('base64'), dataKey.toString('latin1')]) expect(argv).not.toContain(form);
  });

  it('no secret key in the home: SOPS_DECRYPT_FAILED naming the fingerprint, the home and the fix', async () => {
    const other = gnupgHome();
    try {
      const stranger = other.generate('Stranger');
      gpg.importKey(other.exportPublic(stranger));
      const text = await encryptSopsDocument({ k: 'v-stranger' }, { format: 'yaml', recipientsByType: { pgp: [stranger] }, ...keys() });
      const err = await rejection(decryptSopsFile({ text, format: 'yaml', name: 'stranger.enc.yaml' }, keys()));
      expect(err.code).toBe('SOPS_DECRYPT_FAILED');
      expect(err.where).toBe('stranger.enc.yaml');
      expect(err.message).toContain(stranger);
      expect(err.message).toContain(gpg.home);
      expect(err.message).toMatch(/[Nn]o secret key/);
      expect(err.fix).toMatch(/gpg --import/);
      // The stranger's own home opens it.
      expect(await decryptSopsFile({ text, format: 'yaml' }, { gnupgHome: other.home, gpgEnv: other.env() })).toEqual({ k: 'v-stranger' });
    } finally {
      other.close();
    }
  });

  it('a fingerprint whose public key is not in the home: SOPS_ENCRYPT_FAILED naming the .sops.yaml rule; a malformed one: SOPS_RECIPIENT_INVALID', async () => {
    const missing = 'ABCDEF0123456789ABCDEF0123456789ABCDEF01';
    writeFileSync(join(dir, '.sops.yaml'), `creation_rules:\n  - pgp: ${missing}\n`);
    const err = await rejection(setSopsValue(join(dir, 'x.enc.yaml'), 'k', 'v', keys()));
    expect(err.code).toBe('SOPS_ENCRYPT_FAILED');
    expect(err.where).toBe(`${join(dir, '.sops.yaml')} creation_rules[0]`);
    expect(err.message).toContain(missing);
    expect(err.fix).toMatch(/gpg --import/);
    writeFileSync(join(dir, '.sops.yaml'), 'creation_rules:\n  - pgp: not-a-fingerprint\n');
    const bad = await rejection(setSopsValue(join(dir, 'y.enc.yaml'), 'k', 'v', keys()));
    expect(bad.code).toBe('SOPS_RECIPIENT_INVALID');
    expect(bad.where).toBe(`${join(dir, '.sops.yaml')} creation_rules[0]`);
  });

  it('gpg missing: SOPS_GPG_NOT_FOUND naming SOPS_GPG_EXEC and how to install GnuPG', async () => {
    const text = await encryptSopsDocument({ k: 'v' }, { format: 'yaml', recipientsByType: { pgp: [alice] }, ...keys() });
    const err = await rejection(decryptSopsFile({ text, format: 'yaml', name: 'f.enc.yaml' }, { gnupgHome: gpg.home, gpgEnv: gpg.env({ SOPS_GPG_EXEC: join(dir, 'no-such-gpg') }) }));
    expect(err.code).toBe('SOPS_GPG_NOT_FOUND');
    expect(err.where).toBe('SOPS_GPG_EXEC');
    expect(err.message).toContain(alice);
    expect(err.fix).toMatch(/apt-get install gnupg/);
  });
});

describe('sops pgp: a gpg that never answers fails within the bound', () => {
  it('the agent waits on a pinentry that never returns: SOPS_KEY_TIMEOUT after keyTimeoutMs, gpg killed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ik-gpg-hang-'));
    const pinentry = join(dir, 'pinentry-never');
    // A pinentry that accepts the connection and never answers (a prompt nobody sees).
    writeFileSync(pinentry, '#!/bin/sh\necho "OK Pleased to meet you"\nexec sleep 600\n', { mode: 0o755 });
    const gpg = gnupgHome({ agentConf: [`pinentry-program ${pinentry}`] });
    try {
      const fp = gpg.generate('Carol Hangs', 'carol-pass-phrase');
      const text = await encryptSopsDocument({ k: 'v' }, { format: 'yaml', recipientsByType: { pgp: [fp] }, gnupgHome: gpg.home, gpgEnv: gpg.env() });
      const t0 = Date.now();
      const err = await rejection(decryptSopsFile({ text, format: 'yaml', name: 'hang.enc.yaml' }, { gnupgHome: gpg.home, gpgEnv: gpg.env(), keyTimeoutMs: 3_000 }));
      const took = Date.now() - t0;
      expect(err.code).toBe('SOPS_KEY_TIMEOUT');
      expect(err.where).toBe('hang.enc.yaml');
      expect(err.message).toContain('3 s');
      expect(err.message).toContain(fp);
      expect(err.fix).toMatch(/pinentry/);
      expect(took).toBeGreaterThanOrEqual(3_000);
      expect(took).toBeLessThan(8_000);
    } finally {
      gpg.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
