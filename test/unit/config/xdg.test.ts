import { join } from 'node:path';
import { homeDir, xdgCacheHome, xdgConfigHome, xdgDataHome } from '../../../core/config/xdg';

describe('XDG folders (Atmos §2.5)', () => {
  it('defaults under HOME with /atmos appended', () => {
    const env = { HOME: '/h' };
    expect(xdgConfigHome(env)).toBe('/h/.config/atmos');
    expect(xdgDataHome(env)).toBe('/h/.local/share/atmos');
    expect(xdgCacheHome(env)).toBe('/h/.cache/atmos');
  });

  it('XDG_* beat the defaults and ATMOS_XDG_* beat XDG_*', () => {
    const env = { HOME: '/h', XDG_CONFIG_HOME: '/x/c', XDG_DATA_HOME: '/x/d', XDG_CACHE_HOME: '/x/k' };
    expect([xdgConfigHome(env), xdgDataHome(env), xdgCacheHome(env)]).toEqual(['/x/c/atmos', '/x/d/atmos', '/x/k/atmos']);
    const atmos = { ...env, ATMOS_XDG_CONFIG_HOME: '/a/c', ATMOS_XDG_DATA_HOME: '/a/d', ATMOS_XDG_CACHE_HOME: '/a/k' };
    expect([xdgConfigHome(atmos), xdgDataHome(atmos), xdgCacheHome(atmos)]).toEqual(['/a/c/atmos', '/a/d/atmos', '/a/k/atmos']);
  });

  it('empty values are ignored', () => {
    expect(xdgConfigHome({ HOME: '/h', ATMOS_XDG_CONFIG_HOME: '', XDG_CONFIG_HOME: '' })).toBe(join('/h', '.config', 'atmos'));
  });

  it('homeDir prefers HOME from the given env', () => {
    expect(homeDir({ HOME: '/given' })).toBe('/given');
  });
});
