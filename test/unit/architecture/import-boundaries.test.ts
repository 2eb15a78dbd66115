import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, dirname } from 'node:path';

// DESIGN.md §1: arrows point one way. core/ knows nothing of Pulumi or CDKTF; adapters reach core
// only through core/index.ts. This test reads every import so the rule cannot erode silently.
const root = resolve(__dirname, '../../..');

function sourceFiles(dir: string): string[] {
  const abs = join(root, dir);
  let out: string[] = [];
  let names: string[];
  try {
    names = readdirSync(abs);
  } catch {
    return out;
  }
  for (const name of names) {
    const p = join(abs, name);
    if (statSync(p).isDirectory()) out = out.concat(sourceFiles(relative(root, p)));
    else if (/\.tsx?$/.test(name) && !name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specs: string[] = [];
  const re = /(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|require\(\s*['"]([^'"]+)['"]\s*\)|^\s*import\s+['"]([^'"]+)['"]/gm;
  for (const m of text.matchAll(re)) specs.push(m[1] ?? m[2] ?? m[3] ?? m[4]);
  return specs;
}

const forbiddenInCore = /^(@pulumi\/|cdktf|@cdktf\/|cdktn|@cdktn\/|constructs)/;

describe('import boundaries', () => {
  it('finds the source files it checks', () => {
    expect(sourceFiles('core').length).toBeGreaterThan(3);
    expect(sourceFiles('cli').length).toBeGreaterThan(1);
  });

  it('core imports no Pulumi, cdktf, cdktn or constructs code', () => {
    const offenders = sourceFiles('core').flatMap((f) =>
      importsOf(f)
        .filter((s) => forbiddenInCore.test(s))
        .map((s) => `${relative(root, f)} imports ${s}`),
    );
    expect(offenders).toEqual([]);
  });

  it('core imports nothing from cli/, pulumi/ or cdktf/', () => {
    const offenders = sourceFiles('core').flatMap((f) =>
      importsOf(f)
        .filter((s) => s.startsWith('.'))
        .map((s) => relative(root, resolve(dirname(f), s)))
        .filter((target) => !target.startsWith('core'))
        .map((target) => `${relative(root, f)} imports ${target}`),
    );
    expect(offenders).toEqual([]);
  });

  it.each(['cli', 'pulumi', 'cdktf'])('%s/ imports core only through core/index.ts', (dir) => {
    const offenders = sourceFiles(dir).flatMap((f) =>
      importsOf(f)
        .filter((s) => s.startsWith('.'))
        .map((s) => relative(root, resolve(dirname(f), s)))
        .filter((target) => target.startsWith('core') && !/^core(\/index(\.ts|\.js)?)?$/.test(target))
        .map((target) => `${relative(root, f)} imports ${target}`),
    );
    expect(offenders).toEqual([]);
  });

  it('detects a violation when one is present (self-check of the matcher)', () => {
    expect(importsOf(__filename).length).toBeGreaterThan(0);
    expect(forbiddenInCore.test('@pulumi/pulumi')).toBe(true);
    expect(forbiddenInCore.test('constructs')).toBe(true);
    expect(forbiddenInCore.test('yaml')).toBe(false);
  });
});
