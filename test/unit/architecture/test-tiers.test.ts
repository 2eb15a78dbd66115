import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { importGraph, ROOT } from '../../support/import-graph';

// The fast tier (`npm run test:unit`, jest.unit.config.js) runs test/unit/ and *-local.contract.ts
// with no service. Its files, and the test helpers they import, must not reach for one: no
// test/support/services (moto, redis), no keyring session wrapper (D-Bus), no dist/ build.
const SERVICE_MARKERS = [/with-keyring/, /INFRAKEY_TEST_(MOTO|REDIS|VAULT)/, /dist\/cli\//];
const inTier = (f: string): boolean => f.startsWith('test/unit/') || /^test\/contract\/.*-local\.contract\.ts$/.test(f);

describe('test tiers', () => {
  const graph = importGraph('test');

  it('the unit config selects test/unit/ and the local contract suites, with the no-services setup', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const config = require(join(ROOT, 'jest.unit.config.js')) as { testMatch: string[]; setupFiles: string[] };
    expect(config.testMatch).toEqual(['<rootDir>/test/unit/**/*.test.ts', '<rootDir>/test/contract/**/*-local.contract.ts']);
    expect(config.setupFiles).toContain('<rootDir>/test/support/no-services.ts');
    expect(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).scripts['test:unit']).toBe('jest --config jest.unit.config.js');
  });

  it('no file of the fast tier, nor a helper it imports, needs a service', () => {
    const seen = new Set<string>();
    const visit = (f: string): void => {
      if (seen.has(f)) return;
      seen.add(f);
      for (const t of graph.get(f) ?? []) if (t.startsWith('test/')) visit(t);
    };
    [...graph.keys()].filter(inTier).forEach(visit);
    seen.delete('test/unit/architecture/test-tiers.test.ts'); // it names the markers
    expect(seen.size).toBeGreaterThan(40);
    const offenders = [...seen].flatMap((f) => {
      const text = readFileSync(join(ROOT, f), 'utf8');
      const hits = (graph.get(f) ?? []).filter((t) => t === 'test/support/services.ts').map(() => 'imports test/support/services');
      return [...hits, ...SERVICE_MARKERS.filter((m) => m.test(text)).map((m) => `matches ${m}`)].map((why) => `${f} ${why}`);
    });
    expect(offenders).toEqual([]);
  });

  it('detects a helper that needs a service (self-check)', () => {
    expect((graph.get('test/contract/store.contract.ts') ?? []).includes('test/support/services.ts')).toBe(true);
  });
});
