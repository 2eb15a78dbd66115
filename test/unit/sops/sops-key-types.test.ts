import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { parse } from 'yaml';
import { canonicalProviderKind, SUPPORTED_PROVIDER_KINDS } from '../../../core/secrets/providers';
import { decryptSopsFile, encryptSopsDocument, SOPS_KEY_TYPES, sopsKeyType, type SopsKeyType } from '../../../core/secrets/sops';
import { parseMetadata } from '../../../core/secrets/sops/metadata';
import { fixtureText, FIXTURE_IDENTITY, FIXTURE_RECIPIENT } from './fixture-keys';

describe('SOPS key types (one module each, registered by name)', () => {
  it('registers age, pgp, aws-kms and gcp-kms (local types first); provider kinds derive from the registry', () => {
    expect(SOPS_KEY_TYPES.map((t) => [t.name, t.field, t.local])).toEqual([
      ['age', 'age', true],
      ['pgp', 'pgp', true],
      ['aws-kms', 'kms', false],
      ['gcp-kms', 'gcp_kms', false],
    ]);
    expect(SUPPORTED_PROVIDER_KINDS).toEqual(['sops/age', 'sops/pgp', 'sops/aws-kms', 'sops/gcp-kms']);
    // Atmos spells the pgp kind `sops/gpg`.
    expect(sopsKeyType('gpg')).toBe(sopsKeyType('pgp'));
    expect(canonicalProviderKind('sops/gpg')).toBe('sops/pgp');
    expect(canonicalProviderKind('sops/azure-kv')).toBe('sops/azure-kv');
    expect(sopsKeyType('azure-kv')).toBeUndefined();
  });

  it('pgp and gcp-kms: recipients from flat rules, key groups and the spec, entries in sops\' field order', () => {
    const pgp = sopsKeyType('pgp') as SopsKeyType;
    const gcp = sopsKeyType('gcp-kms') as SopsKeyType;
    const fp = 'FBC7B9E2A4F9289AC0C1D4843D16CEE4A27381B4';
    const id = 'projects/p1/locations/global/keyRings/r/cryptoKeys/k';
    // sops removes spaces inside fingerprints and resource IDs and splits on commas.
    expect(pgp.recipientsFromRule({ pgp: `FBC7 B9E2 A4F9 289A C0C1  D484 3D16 CEE4 A273 81B4, ${fp.toLowerCase()}` })).toEqual([fp, fp.toLowerCase()]);
    expect(pgp.recipientsFromGroup({ pgp: [fp] })).toEqual([fp]);
    expect(pgp.spec?.field).toBe('pgp_fingerprints');
    expect(gcp.recipientsFromRule({ gcp_kms: `${id},${id}2` })).toEqual([id, `${id}2`]);
    expect(gcp.recipientsFromGroup({ gcp_kms: [{ resource_id: id }] })).toEqual([id]);
    expect(gcp.spec).toBeUndefined();
    const pe = pgp.parseEntries([{ fp, enc: 'x', created_at: '2024-01-01T00:00:00Z' }], 'f', 'sops.pgp');
    expect(Object.keys(pgp.entryRaw(pe[0]))).toEqual(['created_at', 'enc', 'fp']);
    const ge = gcp.parseEntries([{ resource_id: id, enc: 'eA==', created_at: '2024-01-01T00:00:00Z' }], 'f', 'sops.gcp_kms');
    expect(Object.keys(gcp.entryRaw(ge[0]))).toEqual(['resource_id', 'created_at', 'enc']);
    expect(() => pgp.parseEntries([{ enc: 'x' }], 'f.yaml', 'sops.pgp')).toThrow(/sops\.pgp\[0\] lacks "fp" or "enc"/);
    expect(() => gcp.parseEntries([{ resource_id: id }], 'f.yaml', 'sops.gcp_kms')).toThrow(/sops\.gcp_kms\[0\] lacks "resource_id" or "enc"/);
  });

  it('each type reads its entries from the real sops file and writes them back unchanged', () => {
    const raw = (parse(fixtureText('yaml')) as { sops: Record<string, unknown> }).sops;
    const meta = parseMetadata(raw, 'secret.enc.yaml');
    for (const { type, entries } of meta.keys) {
      const list = (raw[type.field] ?? []) as unknown[];
      expect(entries.map((e) => type.entryRaw(e))).toEqual(list);
    }
    expect(meta.keys.find((k) => k.type.name === 'age')?.entries).toContainEqual(expect.objectContaining({ recipient: FIXTURE_RECIPIENT }));
  });

  it('recipients of a flat creation rule, of key groups and of the provider spec', () => {
    const age = sopsKeyType('age') as SopsKeyType;
    const kms = sopsKeyType('aws-kms') as SopsKeyType;
    const arn = 'arn:aws:kms:us-east-1:111122223333:key/abc';
    const rule = { age: 'age1a, age1b', kms: `${arn}+arn:aws:iam::111122223333:role/r`, aws_profile: 'p' };
    expect(age.recipientsFromRule(rule)).toEqual(['age1a', 'age1b']);
    expect(kms.recipientsFromRule(rule)).toEqual([{ arn, role: 'arn:aws:iam::111122223333:role/r', aws_profile: 'p' }]);
    expect(kms.recipientsFromGroup({ kms: [{ arn, context: { app: 'x', n: 1 } }] })).toEqual([{ arn, context: { app: 'x', n: '1' } }]);
    expect(age.spec?.field).toBe('age_recipients');
    expect(age.spec?.recipients(['age1c'])).toEqual(['age1c']);
    expect(kms.spec).toBeUndefined();
  });

  it('a new file is wrapped by every type that has recipients (recipientsByType), and opens again', async () => {
    const text = await encryptSopsDocument({ K: 'v-123' }, { format: 'yaml', recipientsByType: { age: [FIXTURE_RECIPIENT] } });
    const meta = (parse(text) as { sops: { age: { recipient: string }[]; kms: unknown } }).sops;
    expect(meta.age.map((a) => a.recipient)).toEqual([FIXTURE_RECIPIENT]);
    expect(meta.kms).toEqual([]);
    expect(await decryptSopsFile({ text, format: 'yaml' }, { ageIdentities: [FIXTURE_IDENTITY] })).toEqual({ K: 'v-123' });
  });
});

// The KMS key service used to live in core/auth and core/secrets/sops reached it with a lazy
// require, while auth imported the SOPS types: an import cycle. Now the service lives with the
// SOPS code and takes a credentials source; neither folder reaches the other.
describe('no import path between core/auth and core/secrets', () => {
  const root = resolve(__dirname, '../../..');
  const files = (dir: string): string[] =>
    readdirSync(join(root, dir)).flatMap((n) => {
      const rel = join(dir, n);
      if (statSync(join(root, rel)).isDirectory()) return files(rel);
      return n.endsWith('.ts') ? [rel] : [];
    });
  const graph = new Map<string, string[]>();
  for (const f of files('core')) {
    const text = readFileSync(join(root, f), 'utf8');
    const specs = [...text.matchAll(/(?:from\s*|import\(\s*|require\(\s*)['"](\.[^'"]+)['"]/g)].map((m) => m[1]);
    graph.set(
      f,
      specs.map((s) => {
        const target = relative(root, resolve(root, dirname(f), s));
        return [`${target}.ts`, join(target, 'index.ts')].find((c) => existsSync(join(root, c))) ?? target;
      }),
    );
  }
  function reaches(from: string, prefix: string): string[] | undefined {
    const seen = new Set<string>();
    const walk = (f: string, path: string[]): string[] | undefined => {
      if (f.startsWith(prefix)) return [...path, f];
      if (seen.has(f)) return undefined;
      seen.add(f);
      for (const next of graph.get(f) ?? []) {
        const found = walk(next, [...path, f]);
        if (found) return found;
      }
      return undefined;
    };
    for (const next of graph.get(from) ?? []) {
      const found = walk(next, [from]);
      if (found) return found;
    }
    return undefined;
  }

  it('reads the imports (self-check)', () => {
    expect(graph.get('core/secrets/sops/sops-file.ts')).toContain('core/secrets/sops/key-types/index.ts');
  });

  it('core/secrets/sops reaches nothing in core/auth', () => {
    const paths = [...graph.keys()].filter((f) => f.startsWith('core/secrets/sops/')).map((f) => reaches(f, 'core/auth/')).filter((p) => p !== undefined);
    expect(paths).toEqual([]);
  });

  it('core/auth reaches nothing in core/secrets', () => {
    const paths = [...graph.keys()].filter((f) => f.startsWith('core/auth/')).map((f) => reaches(f, 'core/secrets/')).filter((p) => p !== undefined);
    expect(paths).toEqual([]);
  });
});
