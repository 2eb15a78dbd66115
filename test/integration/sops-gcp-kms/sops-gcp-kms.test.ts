/**
 * The SOPS `gcp-kms` key type against the named FAKE Cloud KMS (test/fakes/fake-gcp-kms.ts, real
 * AES-256-GCM under per-key material): entries as sops writes them, `.sops.yaml` `gcp_kms:`
 * rules (flat and key groups with age), a GCP credentials source (an identity's access token),
 * sops' own GOOGLE_OAUTH_ACCESS_TOKEN / SOPS_GCP_KMS_ENDPOINT, refused and expired tokens, an
 * altered `enc`, and a KMS that never answers failing within the bound.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { Secret } from '../../../core/secret';
import { decryptSopsFile, encryptSopsDocument, generateAgeIdentity, setSopsValue } from '../../../core/secrets/sops';
import { gcpKmsService } from '../../../core/secrets/sops/key-types/gcp-kms-service';
import { FakeGcpKms } from '../../fakes/fake-gcp-kms';
import { rejection } from '../../support/errors';


describe('sops gcp-kms key type (FAKE Cloud KMS)', () => {
  const fake = new FakeGcpKms();
  let endpoint: string;
  let key: string;
  let other: string;
  let dir: string;
  const TOKEN = 'ya29.fake-token-for-dev-identity-0001';
  const identityService = () => gcpKmsService({ credentials: async () => ({ accessToken: Secret.of(TOKEN, 'gcp-token') }), endpoint, identity: 'gcp-dev', env: {} });

  beforeAll(async () => {
    endpoint = await fake.start();
    key = fake.createKey('infrakey-test', 'global', 'sops', 'dev');
    other = fake.createKey('infrakey-test', 'europe-west1', 'sops', 'ops');
    fake.allow(TOKEN, [key]);
    fake.allow('ya29.env-token-all-keys', '*');
  });
  afterAll(() => fake.stop());
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'ik-sops-gcp-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('a .sops.yaml gcp_kms rule: entry {resource_id, created_at, enc}, encrypt and decrypt run as the identity, the data key is 32 bytes', async () => {
    writeFileSync(join(dir, '.sops.yaml'), `creation_rules:\n  - path_regex: \\.enc\\.yaml$\n    gcp_kms: "${key}"\n`);
    const file = join(dir, 'app.enc.yaml');
    const before = fake.calls.length;
    await setSopsValue(file, 'token', 'gcp-token-value-1', { gcpKms: identityService() });
    const meta = (parse(readFileSync(file, 'utf8')) as { sops: { gcp_kms: Record<string, string>[] } }).sops;
    expect(meta.gcp_kms).toHaveLength(1);
    expect(Object.keys(meta.gcp_kms[0])).toEqual(['resource_id', 'created_at', 'enc']);
    expect(meta.gcp_kms[0].resource_id).toBe(key);
    expect(Buffer.from(meta.gcp_kms[0].enc, 'base64').length).toBe(1 + 12 + 32 + 16);
    expect(await decryptSopsFile(file, { gcpKms: identityService() })).toEqual({ token: 'gcp-token-value-1' });
    const calls = fake.calls.slice(before);
    expect(calls.map((c) => [c.action, c.key, c.token, c.status])).toEqual([
      ['encrypt', key, TOKEN, 200],
      ['decrypt', key, TOKEN, 200],
    ]);
  });

  it('key_groups with gcp_kms and age: either opens the file; the service is not built when age opens it', async () => {
    const age = await generateAgeIdentity();
    writeFileSync(join(dir, '.sops.yaml'), `creation_rules:\n  - key_groups:\n      - gcp_kms:\n          - resource_id: ${key}\n        age:\n          - ${age.recipient}\n`);
    const file = join(dir, 'mixed.enc.json');
    await setSopsValue(file, 'x', 'mixed-gcp-age', { gcpKms: identityService() });
    let built = 0;
    const lazy = async () => {
      built++;
      return identityService();
    };
    expect(await decryptSopsFile(file, { ageIdentities: [age.identity], gcpKms: lazy })).toEqual({ x: 'mixed-gcp-age' });
    expect(built).toBe(0);
    expect(await decryptSopsFile(file, { ageIdentities: [], gcpKms: lazy })).toEqual({ x: 'mixed-gcp-age' });
    expect(built).toBe(1);
  });

  it("sops' own variables: GOOGLE_OAUTH_ACCESS_TOKEN and SOPS_GCP_KMS_ENDPOINT", async () => {
    const env = { GOOGLE_OAUTH_ACCESS_TOKEN: 'ya29.env-token-all-keys', SOPS_GCP_KMS_ENDPOINT: endpoint };
    const text = await encryptSopsDocument({ a: 'env-path' }, { format: 'yaml', recipientsByType: { 'gcp-kms': [other] }, gcpKms: gcpKmsService({ env }) });
    expect(await decryptSopsFile({ text, format: 'yaml' }, { gcpKms: gcpKmsService({ env }) })).toEqual({ a: 'env-path' });
    expect(fake.calls.at(-1)).toMatchObject({ key: other, token: 'ya29.env-token-all-keys', status: 200 });
  });

  it('refused (403), expired token (401), altered enc (400): SOPS_DECRYPT_FAILED naming key, identity and fix; the token never in the message', async () => {
    const text = await encryptSopsDocument({ a: 'b' }, { format: 'yaml', recipientsByType: { 'gcp-kms': [other] }, gcpKms: gcpKmsService({ env: { GOOGLE_OAUTH_ACCESS_TOKEN: 'ya29.env-token-all-keys', SOPS_GCP_KMS_ENDPOINT: endpoint } }) });
    const src = { text, format: 'yaml' as const, name: 'secrets/dev.enc.yaml' };
    const denied = await rejection(decryptSopsFile(src, { gcpKms: identityService(), gcpIdentity: 'identity "gcp-dev"' }));
    expect(denied.code).toBe('SOPS_DECRYPT_FAILED');
    expect(denied.where).toBe('secrets/dev.enc.yaml');
    expect(denied.message).toContain(other);
    expect(denied.message).toContain('PERMISSION_DENIED');
    expect(denied.message).toContain('identity "gcp-dev"');
    expect(denied.fix).toMatch(/roles\/cloudkms\.cryptoKeyEncrypterDecrypter/);

    const expired = gcpKmsService({ credentials: async () => ({ accessToken: Secret.of('ya29.expired-token-xyz', 't') }), endpoint, identity: 'gcp-dev', env: {} });
    const e401 = await rejection(decryptSopsFile(src, { gcpKms: expired }));
    expect(e401.message).toContain('UNAUTHENTICATED');
    expect(e401.fix).toBe('run `infrakey auth login --identity gcp-dev`');

    const doc = parse(text) as { sops: { gcp_kms: { enc: string }[] } };
    const enc = Buffer.from(doc.sops.gcp_kms[0].enc, 'base64');
    enc[20] ^= 1;
    const altered = text.replace(doc.sops.gcp_kms[0].enc, enc.toString('base64'));
    const e400 = await rejection(decryptSopsFile({ ...src, text: altered }, { gcpKms: gcpKmsService({ env: { GOOGLE_OAUTH_ACCESS_TOKEN: 'ya29.env-token-all-keys', SOPS_GCP_KMS_ENDPOINT: endpoint } }) }));
    expect(e400.code).toBe('SOPS_DECRYPT_FAILED');
    expect(e400.message).toContain('INVALID_ARGUMENT');
    for (const e of [denied, e401, e400]) {
      for (const s of [e.message, e.fix ?? '', JSON.stringify(e)]) {
        expect(s).not.toContain('fake-token-for-dev');
        expect(s).not.toContain('env-token-all-keys');
        expect(s).not.toContain('expired-token-xyz');
      }
    }
  });

  it('a malformed resource ID in a rule: SOPS_RECIPIENT_INVALID naming the rule; no KMS call', async () => {
    writeFileSync(join(dir, '.sops.yaml'), 'creation_rules:\n  - gcp_kms: projects/p/keyRings/r/cryptoKeys/k\n');
    const before = fake.calls.length;
    const err = await rejection(setSopsValue(join(dir, 'x.enc.yaml'), 'k', 'v', { gcpKms: identityService() }));
    expect(err.code).toBe('SOPS_RECIPIENT_INVALID');
    expect(err.where).toBe(`${join(dir, '.sops.yaml')} creation_rules[0]`);
    expect(fake.calls.length).toBe(before);
  });

  it('a Cloud KMS that never answers: SOPS_KEY_TIMEOUT within the bound (encrypt and decrypt)', async () => {
    const text = await encryptSopsDocument({ a: 'b' }, { format: 'yaml', recipientsByType: { 'gcp-kms': [key] }, gcpKms: identityService() });
    fake.hang = true;
    try {
      const slow = gcpKmsService({ credentials: async () => ({ accessToken: Secret.of(TOKEN, 't') }), endpoint, identity: 'gcp-dev', env: {}, timeoutMs: 1_500 });
      let t0 = Date.now();
      const err = await rejection(decryptSopsFile({ text, format: 'yaml', name: 'hang.enc.yaml' }, { gcpKms: slow }));
      expect(err.code).toBe('SOPS_KEY_TIMEOUT');
      expect(err.where).toBe('hang.enc.yaml');
      expect(err.message).toContain(key);
      expect(Date.now() - t0).toBeLessThan(5_000);
      t0 = Date.now();
      const werr = await rejection(encryptSopsDocument({ a: 'b' }, { format: 'yaml', recipientsByType: { 'gcp-kms': [key] }, gcpKms: slow }));
      expect(werr.code).toBe('SOPS_KEY_TIMEOUT');
      expect(Date.now() - t0).toBeLessThan(5_000);
    } finally {
      fake.hang = false;
    }
  });
});
