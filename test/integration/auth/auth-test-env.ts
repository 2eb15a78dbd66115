/** Temp XDG folders for auth tests and checks on what was written there. */
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

export interface AuthTestEnv {
  root: string;
  env: NodeJS.ProcessEnv;
  cleanup(): void;
  /** Every file and folder under root, relative, with its mode. */
  entries(): { path: string; mode: number; dir: boolean }[];
}

export function makeAuthTestEnv(extra: NodeJS.ProcessEnv = {}): AuthTestEnv {
  const root = mkdtempSync(join(tmpdir(), 'infrakey-auth-'));
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: join(root, 'home'),
    ATMOS_XDG_CONFIG_HOME: join(root, 'xdg-config'),
    ATMOS_XDG_DATA_HOME: join(root, 'xdg-data'),
    ATMOS_XDG_CACHE_HOME: join(root, 'xdg-cache'),
    XDG_CONFIG_HOME: join(root, 'wrong-xdg-config'),
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    // The OS keyring is the keyring layer's to test; auth tests use the in-process one.
    ATMOS_KEYRING_TYPE: 'memory',
    ...extra,
  };
  return {
    root,
    env,
    cleanup: () => rmSync(root, { recursive: true, force: true }),
    entries: () => walk(root, root),
  };
}

function walk(dir: string, root: string): { path: string; mode: number; dir: boolean }[] {
  const out: { path: string; mode: number; dir: boolean }[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const st = statSync(p);
    out.push({ path: relative(root, p), mode: st.mode & 0o777, dir: st.isDirectory() });
    if (st.isDirectory()) out.push(...walk(p, root));
  }
  return out;
}

/** Asserts every file under the realm is 0600 and every folder 0700, and nothing lies outside `allowedPrefix`. */
export function expectPrivateLayout(t: AuthTestEnv, allowedPrefix: string, ignore: string[] = []): void {
  const entries = t.entries().filter((e) => !ignore.some((i) => e.path === i || e.path.startsWith(i + '/')));
  for (const e of entries) {
    const inside = e.path.startsWith(allowedPrefix) || allowedPrefix.startsWith(e.path + '/') || e.path === allowedPrefix;
    if (!inside) throw new Error(`written outside ${allowedPrefix}: ${e.path}`);
    if (e.path.startsWith(allowedPrefix)) {
      const want = e.dir ? 0o700 : 0o600;
      if (e.mode !== want) throw new Error(`${e.path} has mode ${e.mode.toString(8)}, want ${want.toString(8)}`);
    }
  }
}

/** The error a promise rejects with; fails the test when it resolves. */
export async function failure(p: Promise<unknown>): Promise<Error & { code: string }> {
  try {
    await p;
  } catch (e) {
    return e as Error & { code: string };
  }
  throw new Error('expected a rejection');
}
