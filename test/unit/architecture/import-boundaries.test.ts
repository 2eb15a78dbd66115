import { readFileSync } from 'node:fs';
import { join, relative, resolve, dirname } from 'node:path';
import { importsOf, ROOT as root, sourceFiles } from '../../support/import-graph';

// DESIGN.md §1: arrows point one way. core/ knows nothing of Pulumi or CDKTF; adapters reach core
// only through core/index.ts (the public API) or core/internal.ts (the internal entry the package
// does not export). This test reads every import so the rule cannot erode silently.

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

  it.each(['cli', 'pulumi', 'cdktf'])('%s/ imports core only through core/index.ts or core/internal.ts', (dir) => {
    const offenders = sourceFiles(dir).flatMap((f) =>
      importsOf(f)
        .filter((s) => s.startsWith('.'))
        .map((s) => relative(root, resolve(dirname(f), s)))
        .filter((target) => target.startsWith('core') && !/^core(\/(index|internal)(\.ts|\.js)?)?$/.test(target))
        .map((target) => `${relative(root, f)} imports ${target}`),
    );
    expect(offenders).toEqual([]);
  });

  it('the internal entry is not part of the package exports', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { exports: Record<string, unknown> };
    const exported = JSON.stringify(pkg.exports);
    expect(exported).toContain('core/index');
    expect(exported).not.toMatch(/internal/);
  });

  it('detects a violation when one is present (self-check of the matcher)', () => {
    expect(importsOf(__filename).length).toBeGreaterThan(0);
    expect(forbiddenInCore.test('@pulumi/pulumi')).toBe(true);
    expect(forbiddenInCore.test('constructs')).toBe(true);
    expect(forbiddenInCore.test('yaml')).toBe(false);
  });
});
