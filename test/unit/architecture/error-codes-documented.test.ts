import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

// The error reference (docs/errors.md) is the contract users script against (`error [CODE]`). Every code the
// source can raise must be listed there, and every listed code must still exist in the source.
const root = resolve(__dirname, '../../..');
const CODE = /'((?:AUTH|CONFIG|FILE|KEYRING|SECRET|SOPS|STACK|STORE|STORES|USAGE|YAML|CDKTF|PULUMI|CREDENTIAL|EXEC|LEAK)_[A-Z0-9_]+)'/g;
// Environment variable names that share a prefix with the codes.
const NOT_CODES = new Set(['SOPS_AGE_KEY', 'SOPS_AGE_KEY_FILE']);

function sources(dir: string): string[] {
  return readdirSync(join(root, dir)).flatMap((name) => {
    const rel = join(dir, name);
    if (statSync(join(root, rel)).isDirectory()) return sources(rel);
    return /\.ts$/.test(name) && !name.endsWith('.d.ts') ? [rel] : [];
  });
}

const codesInSource = new Set<string>();
for (const file of ['core', 'cli', 'pulumi', 'cdktf'].flatMap(sources)) {
  for (const m of readFileSync(join(root, file), 'utf8').matchAll(CODE)) if (!NOT_CODES.has(m[1])) codesInSource.add(m[1]);
}
const reference = readFileSync(join(root, 'docs/errors.md'), 'utf8');
const codesInReadme = new Set([...reference.matchAll(/^\| `([A-Z][A-Z0-9_]+)` \|/gm)].map((m) => m[1]));

describe('error codes', () => {
  it('finds codes in the source and in the error reference (self-check)', () => {
    expect(codesInSource.size).toBeGreaterThan(100);
    expect(codesInReadme.size).toBeGreaterThan(100);
  });

  it('every code raised in the source is in the error reference', () => {
    expect([...codesInSource].filter((c) => !codesInReadme.has(c)).sort()).toEqual([]);
  });

  it('every code in the error reference exists in the source', () => {
    const stale = [...codesInReadme].filter((c) => c !== 'INTERNAL' && !codesInSource.has(c));
    expect(stale.sort()).toEqual([]);
  });
});
