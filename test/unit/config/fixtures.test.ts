import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadAtmosConfig } from '../../../core/config/load-config';
import { ATMOS_SCENARIOS } from '../../support/fixtures';

const SCENARIOS = ATMOS_SCENARIOS;

describe('real Atmos scenario repositories', () => {
  const dirs = readdirSync(SCENARIOS, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);

  it('has scenarios to load', () => {
    expect(dirs.length).toBeGreaterThan(0);
  });

  it.each(dirs)('%s/atmos.yaml loads without error', async (name) => {
    const dir = join(SCENARIOS, name);
    const cfg = await loadAtmosConfig({ cwd: dir, env: { HOME: '/nonexistent-home' } });
    expect(cfg.file).toBe(join(dir, 'atmos.yaml'));
    expect(cfg.dir).toBe(dir);
    expect(cfg.stacks.basePath.startsWith(cfg.basePath)).toBe(true);
    expect(Array.isArray(cfg.stacks.includedPaths)).toBe(true);
  });
});
