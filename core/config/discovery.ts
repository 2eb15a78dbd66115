import { existsSync } from 'node:fs';
import { isFile, isDir } from '../fs/path-kind';
import { dirname, join, resolve } from 'node:path';
import { ConfigError } from '../errors';
import { homeDir } from './xdg';

/**
 * Finding `atmos.yaml`. The first match wins (files from different places are not merged):
 *
 * 1. `ATMOS_CLI_CONFIG_PATH`: a folder holding `atmos.yaml` (or `.atmos.yaml`), or a file. When set
 *    and nothing is there, that is an error (no silent fallback to another config).
 * 2. The working directory, then each parent folder up to the git repository root (the first
 *    folder holding `.git`), or up to the filesystem root outside a repository:
 *    `atmos.yaml`, then `.atmos.yaml`, in each folder.
 * 3. `~/.atmos/atmos.yaml` (home from `HOME`).
 * 4. The system folder: `/usr/local/etc/atmos/atmos.yaml` (`%LOCALAPPDATA%/atmos` on Windows).
 *
 * Atmos's newer releases search the same places in this order (CLI flag/env, cwd, git root, parents,
 * home, system); its older releases deep-merged system → home → cwd. A single winner is simpler to
 * reason about and matches what repositories rely on.
 */

export const CONFIG_FILE_NAMES = ['atmos.yaml', '.atmos.yaml'] as const;

/** Result of {@link discoverAtmosConfig}. */
export interface Discovery {
  /** The file found (absolute), if any. */
  file?: string;
  /** Every place checked, in order (for the not-found message). */
  looked: string[];
  /** How it was found. */
  via?: 'ATMOS_CLI_CONFIG_PATH' | 'cwd' | 'parent' | 'home' | 'system';
}



function inFolder(dir: string, looked: string[]): string | undefined {
  for (const name of CONFIG_FILE_NAMES) {
    const p = join(dir, name);
    looked.push(p);
    if (isFile(p)) return p;
  }
  return undefined;
}

/** Finds atmos.yaml (see the module comment for the order). Never throws for absence. */
export function discoverAtmosConfig(opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Discovery {
  const env = opts.env ?? process.env;
  const cwd = resolve(opts.cwd ?? process.cwd());
  const looked: string[] = [];

  const explicit = env.ATMOS_CLI_CONFIG_PATH;
  if (explicit && explicit.trim() !== '') {
    const p = resolve(cwd, explicit.trim());
    if (isDir(p)) {
      const f = inFolder(p, looked);
      return f ? { file: f, looked, via: 'ATMOS_CLI_CONFIG_PATH' } : { looked };
    }
    looked.push(p);
    return isFile(p) ? { file: p, looked, via: 'ATMOS_CLI_CONFIG_PATH' } : { looked };
  }

  let dir = cwd;
  for (;;) {
    const f = inFolder(dir, looked);
    if (f) return { file: f, looked, via: dir === cwd ? 'cwd' : 'parent' };
    if (existsSync(join(dir, '.git'))) break;
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }

  const home = join(homeDir(env), '.atmos', 'atmos.yaml');
  looked.push(home);
  if (isFile(home)) return { file: home, looked, via: 'home' };

  const system =
    process.platform === 'win32'
      ? join(env.LOCALAPPDATA || join(homeDir(env), 'AppData', 'Local'), 'atmos', 'atmos.yaml')
      : '/usr/local/etc/atmos/atmos.yaml';
  looked.push(system);
  if (isFile(system)) return { file: system, looked, via: 'system' };
  return { looked };
}

/** The `CONFIG_NOT_FOUND` error for a failed discovery. */
export function configNotFound(d: Discovery, env: NodeJS.ProcessEnv): ConfigError {
  const explicit = env.ATMOS_CLI_CONFIG_PATH;
  const shown = d.looked.length > 8 ? [...d.looked.slice(0, 6), '...', ...d.looked.slice(-2)] : d.looked;
  return new ConfigError({
    code: 'CONFIG_NOT_FOUND',
    message: explicit
      ? `no atmos.yaml at ATMOS_CLI_CONFIG_PATH=${explicit} (looked at ${shown.join(', ')})`
      : `no atmos.yaml found (looked at ${shown.join(', ')})`,
    where: explicit ? 'ATMOS_CLI_CONFIG_PATH' : undefined,
    fix: explicit
      ? 'point ATMOS_CLI_CONFIG_PATH at the folder that holds atmos.yaml (or at the file itself)'
      : 'run from the repository that holds atmos.yaml, or set ATMOS_CLI_CONFIG_PATH to its folder',
  });
}
