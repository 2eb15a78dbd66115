import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * XDG base folders as Atmos computes them (`pkg/xdg/xdg.go`, atmos-semantics §2.5):
 * `ATMOS_XDG_<KIND>_HOME` → `XDG_<KIND>_HOME` → the OS default, then `/atmos` appended.
 * Linux and macOS use `~/.config`, `~/.local/share`, `~/.cache` (Atmos forces these on macOS too);
 * Windows uses `%LOCALAPPDATA%` (and `%LOCALAPPDATA%\cache` for the cache).
 * These functions only compute paths; they never create folders (callers that write credentials
 * create them with 0700).
 */

type Kind = 'CONFIG' | 'DATA' | 'CACHE';

/** The user's home folder: `HOME` (or `USERPROFILE` on Windows) from `env`, else the OS's. */
export function homeDir(env: NodeJS.ProcessEnv = process.env): string {
  const h = process.platform === 'win32' ? env.USERPROFILE || env.HOME : env.HOME;
  return h && h.trim() !== '' ? h : homedir();
}

function base(kind: Kind, env: NodeJS.ProcessEnv): string {
  for (const name of [`ATMOS_XDG_${kind}_HOME`, `XDG_${kind}_HOME`]) {
    const v = env[name];
    if (v && v.trim() !== '') return v;
  }
  if (process.platform === 'win32') {
    const local = env.LOCALAPPDATA || join(homeDir(env), 'AppData', 'Local');
    return kind === 'CACHE' ? join(local, 'cache') : local;
  }
  const home = homeDir(env);
  if (kind === 'CONFIG') return join(home, '.config');
  if (kind === 'DATA') return join(home, '.local', 'share');
  return join(home, '.cache');
}

/** `{XDG config}/atmos`, e.g. `~/.config/atmos`. Credential files live under `<this>/<realm>/aws/...`. */
export function xdgConfigHome(env: NodeJS.ProcessEnv = process.env): string {
  return join(base('CONFIG', env), 'atmos');
}

/** `{XDG data}/atmos`, e.g. `~/.local/share/atmos` (the file keyring lives in `<this>/keyring`). */
export function xdgDataHome(env: NodeJS.ProcessEnv = process.env): string {
  return join(base('DATA', env), 'atmos');
}

/** `{XDG cache}/atmos`, e.g. `~/.cache/atmos`. */
export function xdgCacheHome(env: NodeJS.ProcessEnv = process.env): string {
  return join(base('CACHE', env), 'atmos');
}
