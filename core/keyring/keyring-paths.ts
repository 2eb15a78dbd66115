import { dirname, extname, isAbsolute, join, resolve } from 'node:path';
import { homeDir, xdgDataHome } from '../config/xdg';

/**
 * Where the file keyring lives. Atmos resolves `{XDG data}/atmos/keyring`, where the XDG data
 * base is `ATMOS_XDG_DATA_HOME` → `XDG_DATA_HOME` → the platform default (`~/.local/share` on
 * Linux and, forced, on macOS; `%LOCALAPPDATA%` on Windows). See atmos-semantics.md §2.5, §3.4.
 */

/** Environment and platform facts the resolution depends on (injectable for tests). */
export interface PathContext {
  env: NodeJS.ProcessEnv;
  home?: string;
  cwd?: string;
}

/** `{XDG data}/atmos`, without creating it (one resolution for the whole toolkit: core/config/xdg). */
export function atmosDataDir(ctx: PathContext): string {
  return xdgDataHome(ctx.home ? { ...ctx.env, HOME: ctx.home } : ctx.env);
}

/** The default file-keyring folder: `{XDG data}/atmos/keyring`. */
export function defaultFileKeyringDir(ctx: PathContext): string {
  return join(atmosDataDir(ctx), 'keyring');
}

/**
 * The folder for a configured `spec.path` (or `ATMOS_KEYRING_FILE_PATH`), as Atmos resolves it:
 * `~` is expanded first (Atmos creates a literal `./~` folder here, a quirk we fix), a relative
 * path is taken from the working directory, and a path with an extension (`keyring.db`) means
 * its parent folder, because Atmos's file backend always stores one file per key in a folder.
 */
export function resolveFileKeyringDir(path: string | undefined, ctx: PathContext): string {
  if (!nonEmpty(path)) return defaultFileKeyringDir(ctx);
  const home = ctx.home ?? homeDir(ctx.env);
  let dir = expandHome(path as string, home);
  if (!isAbsolute(dir)) dir = resolve(ctx.cwd ?? process.cwd(), dir);
  if (extname(dir) !== '') dir = dirname(dir);
  return dir;
}

function expandHome(path: string, home: string): string {
  if (path === '~') return home;
  if (path.startsWith('~/') || path.startsWith('~\\')) return join(home, path.slice(2));
  return path;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value !== undefined && value !== '' ? value : undefined;
}
