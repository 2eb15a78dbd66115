import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ERROR_REFERENCE, renderErrorReference } from '../../../core/error-reference';

// The error reference is the contract users script against (`error [CODE]`). It lives in code
// (core/error-reference.ts, the error registry); docs/errors.md is generated from it. Every code the
// source can raise must be in the registry, and every registered code must still exist in the source.
const root = resolve(__dirname, '../../..');
const CODE = /'((?:AUTH|CONFIG|FILE|KEYRING|SECRET|SOPS|STACK|STORE|STORES|USAGE|YAML|CDKTF|PULUMI|CREDENTIAL|EXEC|LEAK)_[A-Z0-9_]+)'/g;
// Environment variable names that share a prefix with the codes.
const NOT_CODES = new Set(['SOPS_AGE_KEY', 'SOPS_AGE_KEY_FILE', 'SOPS_GPG_EXEC']);
const REGISTRY_FILE = join('core', 'error-reference.ts');

function sources(dir: string): string[] {
  return readdirSync(join(root, dir)).flatMap((name) => {
    const rel = join(dir, name);
    if (statSync(join(root, rel)).isDirectory()) return sources(rel);
    return /\.ts$/.test(name) && !name.endsWith('.d.ts') && rel !== REGISTRY_FILE ? [rel] : [];
  });
}

const codesInSource = new Set<string>();
for (const file of ['core', 'cli', 'pulumi', 'cdktf'].flatMap(sources)) {
  for (const m of readFileSync(join(root, file), 'utf8').matchAll(CODE)) if (!NOT_CODES.has(m[1])) codesInSource.add(m[1]);
}
const registered = ERROR_REFERENCE.flatMap((g) => Object.keys(g.codes));

describe('error codes', () => {
  it('finds codes in the source and in the registry (self-check)', () => {
    expect(codesInSource.size).toBeGreaterThan(100);
    expect(registered.length).toBeGreaterThan(100);
  });

  it('every code is registered once, with a meaning', () => {
    expect(registered.filter((c, i) => registered.indexOf(c) !== i)).toEqual([]);
    for (const g of ERROR_REFERENCE) for (const [code, meaning] of Object.entries(g.codes)) expect([code, meaning.trim().length > 0]).toEqual([code, true]);
  });

  it('every code raised in the source is in the registry (core/error-reference.ts)', () => {
    expect([...codesInSource].filter((c) => !registered.includes(c)).sort()).toEqual([]);
  });

  it('every registered code exists in the source', () => {
    const stale = registered.filter((c) => c !== 'INTERNAL' && !codesInSource.has(c));
    expect(stale.sort()).toEqual([]);
  });

  it('docs/errors.md is generated from the registry (run `npm run docs:errors` after editing it)', () => {
    expect(readFileSync(join(root, 'docs/errors.md'), 'utf8')).toBe(renderErrorReference());
  });
});
