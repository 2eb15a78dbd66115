/**
 * The SOPS engine with AWS KMS master keys (moto KMS): files with KMS and age keys together open
 * with either (sops tries every master key), `.sops.yaml` `kms:` rules (flat and key_groups), the
 * JSON format, and what an auth failure looks like.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { parse } from 'yaml';
import { kmsKeyService } from '../../../core/secrets/sops/key-types/aws-kms-service';
import { decryptSopsFile, encryptSopsDocument, generateAgeIdentity, listSopsKeys, setSopsValue } from '../../../core/secrets/sops';
import { unsafeUnwrap } from '../../../core/secret';
import { motoEndpoint } from '../../support/services';

const creds = { accessKeyId: 'test', secretAccessKey: 'test' };

async function createKey(endpoint: string): Promise<string> {
  const kms = new KMSClient({ region: 'us-east-1', endpoint, credentials: creds });
  try {
    return (await kms.send(new CreateKeyCommand({}))).KeyMetadata!.Arn!;
  } finally {
    kms.destroy();
  }
}

async function failure(p: Promise<unknown>): Promise<Error & { code: string; fix?: string }> {
  try {
    await p;
  } catch (e) {
    return e as Error & { code: string; fix?: string };
  }
  throw new Error('expected a rejection');
}

describe('sops engine with AWS KMS master keys (moto)', () => {
  const endpoint = motoEndpoint();
  const service = kmsKeyService({ credentials: async () => creds, endpoint, identity: 'test-user', env: {} });
  let dir: string;
  let arn: string;

  beforeAll(async () => {
    arn = await createKey(endpoint);
  });
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'ik-sops-kms-engine-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('a file with an age and a KMS key opens with either one (every master key is tried)', async () => {
    const age = await generateAgeIdentity();
    const text = await encryptSopsDocument({ token: 'kms-and-age-7' }, { format: 'yaml', recipients: [age.recipient], kmsRecipients: [arn], kms: service });
    const meta = (parse(text) as { sops: { kms: { arn: string }[]; age: { recipient: string }[] } }).sops;
    expect(meta.kms.map((k) => k.arn)).toEqual([arn]);
    expect(meta.age.map((a) => a.recipient)).toEqual([age.recipient]);
    const src = { text, format: 'yaml' as const, name: 'mixed.yaml' };
    // age only: KMS is never built.
    let kmsBuilt = 0;
    const lazy = async () => {
      kmsBuilt++;
      return service;
    };
    expect(await decryptSopsFile(src, { ageIdentities: [age.identity], kms: lazy })).toEqual({ token: 'kms-and-age-7' });
    expect(kmsBuilt).toBe(0);
    // KMS only (no age key anywhere).
    const noAge = async () => {
      throw Object.assign(new Error('no age key found'), { code: 'SOPS_AGE_KEY_MISSING' });
    };
    expect(await decryptSopsFile(src, { ageKeys: noAge, kms: lazy })).toEqual({ token: 'kms-and-age-7' });
    expect(kmsBuilt).toBe(1);
    // A wrong age key, then KMS.
    const wrong = await generateAgeIdentity();
    expect(await decryptSopsFile(src, { ageIdentities: [wrong.identity], kms: service })).toEqual({ token: 'kms-and-age-7' });
  });

  it('neither key opens it: one error naming the age recipients and the KMS ARN', async () => {
    const age = await generateAgeIdentity();
    const text = await encryptSopsDocument({ a: 1 }, { format: 'yaml', recipients: [age.recipient], kmsRecipients: [arn], kms: service });
    const wrong = await generateAgeIdentity();
    const other = kmsKeyService({ credentials: async () => ({ accessKeyId: 'AKIAOTHER00000000001', secretAccessKey: 'x' }), endpoint, identity: 'stranger', env: {} });
    // moto maps access keys to its default account unless they belong to an assumed role; a
    // changed ciphertext stands in for "this principal cannot decrypt".
    const tampered = text.replace(/enc: (AQ[A-Za-z0-9+/=]+|[A-Za-z0-9+/]{20,}={0,2})\n/, (m, b64: string) => {
      const raw = Buffer.from(b64, 'base64');
      raw[raw.length - 3] ^= 1;
      return `enc: ${raw.toString('base64')}\n`;
    });
    expect(tampered).not.toBe(text);
    const err = await failure(decryptSopsFile({ text: tampered, format: 'yaml', name: 'both.yaml' }, { ageIdentities: [wrong.identity], kms: other }));
    expect(err.code).toBe('SOPS_DECRYPT_FAILED');
    expect(err.message).toContain('both.yaml');
    expect(err.message).toContain(age.recipient);
    expect(err.message).toContain(arn);
    expect(err.message).toContain('identity "stranger"');
    expect(err.message).not.toContain(unsafeUnwrap(wrong.identity));
  });

  it('.sops.yaml kms: rules (comma list; key_groups with context) create KMS files; JSON format too', async () => {
    const arn2 = await createKey(endpoint);
    writeFileSync(
      join(dir, '.sops.yaml'),
      `creation_rules:\n  - path_regex: grouped/.*\\.json$\n    key_groups:\n      - kms:\n          - arn: ${arn2}\n            context:\n              app: infrakey\n  - path_regex: .*\\.yaml$\n    kms: "${arn}, ${arn2}"\n`,
    );
    const yamlFile = join(dir, 'secrets', 'dev.enc.yaml');
    expect((await setSopsValue(yamlFile, 'API_KEY', 'v-yaml', { kms: service })).created).toBe(true);
    const meta = (parse(readFileSync(yamlFile, 'utf8')) as { sops: { kms: { arn: string }[] } }).sops;
    expect(meta.kms.map((k) => k.arn)).toEqual([arn, arn2]);
    expect(await decryptSopsFile(yamlFile, { kms: service, ageKeys: async () => ({ identities: [], sources: [] }) })).toEqual({ API_KEY: 'v-yaml' });

    const jsonFile = join(dir, 'grouped', 'dev.enc.json');
    await setSopsValue(jsonFile, 'API_KEY', 'v-json', { kms: service });
    const json = JSON.parse(readFileSync(jsonFile, 'utf8')) as { sops: { kms: { arn: string; context: Record<string, string> }[] } };
    expect(json.sops.kms).toHaveLength(1);
    expect(json.sops.kms[0]).toMatchObject({ arn: arn2, context: { app: 'infrakey' } });
    expect(await decryptSopsFile(jsonFile, { kms: service })).toEqual({ API_KEY: 'v-json' });
    expect(await listSopsKeys(jsonFile)).toEqual(['API_KEY']);
    // The encryption context is part of the ciphertext: without it KMS refuses.
    const noContext = readFileSync(jsonFile, 'utf8').replace(/"context":\s*\{[^}]*\},?/, '');
    const err = await failure(decryptSopsFile({ text: noContext, format: 'json', name: 'no-context.json' }, { kms: service }));
    expect(err.code).toBe('SOPS_DECRYPT_FAILED');
    expect(err.message).toContain(arn2);
  });

  it('a KMS key service that cannot authenticate gives its reason and fix, naming the file and the ARN', async () => {
    const text = await encryptSopsDocument({ a: 1 }, { format: 'yaml', kmsRecipients: [arn], kms: service });
    const broken = async () => {
      throw Object.assign(new Error('identity "nobody" is not configured'), { code: 'AUTH_IDENTITY_UNKNOWN', fix: 'use one of: floci-superuser' });
    };
    const err = await failure(decryptSopsFile({ text, format: 'yaml', name: 'auth.yaml' }, { kms: broken, kmsIdentity: 'identity "nobody"' }));
    expect(err.code).toBe('SOPS_DECRYPT_FAILED');
    expect(err.message).toContain('auth.yaml');
    expect(err.message).toContain(arn);
    expect(err.message).toContain('identity "nobody" is not configured');
    expect(err.fix).toContain('use one of: floci-superuser');
  });

  it('a .sops.yaml kms entry that is not a KMS ARN is refused before any call', async () => {
    writeFileSync(join(dir, '.sops.yaml'), 'creation_rules:\n  - kms: not-an-arn\n');
    const err = await failure(setSopsValue(join(dir, 'x.enc.yaml'), 'K', 'v', { kms: service }));
    expect(err.code).toBe('SOPS_RECIPIENT_INVALID');
    expect(err.message).toContain('not-an-arn');
  });
});
