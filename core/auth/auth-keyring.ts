import { FileKeyring } from '../keyring/file-keyring';
import type { Keyring } from '../keyring/keyring';
import { resolveFileKeyringDir } from '../keyring/keyring-paths';
import { MemoryKeyring } from '../keyring/memory-keyring';
import { SystemKeyring } from '../keyring/system-keyring';
import { isMap, str } from './auth-config';

/**
 * Opens the keyring auth uses (§3.1): `ATMOS_KEYRING_TYPE` → `auth.keyring.type` → `system`.
 * An unreachable system keyring degrades to none (as Atmos's noop store: auth still works through
 * the credential files; nothing long-lived can be read). Interim selection until the keyring
 * layer's own selector is wired here; the rules are the same.
 */
export async function openAuthKeyring(
  keyringConfig: Record<string, unknown> | undefined,
  opts: { env: NodeJS.ProcessEnv; cwd?: string; isTTY?: boolean; prompt?: (message: string) => Promise<string> },
): Promise<Keyring | undefined> {
  const type = str(opts.env.ATMOS_KEYRING_TYPE) ?? str(keyringConfig?.type) ?? 'system';
  const spec = isMap(keyringConfig?.spec) ? keyringConfig.spec : {};
  if (type === 'memory') return new MemoryKeyring();
  if (type === 'file') {
    const dir = resolveFileKeyringDir(str(opts.env.ATMOS_KEYRING_FILE_PATH) ?? str(spec.path), { env: opts.env, ...(opts.cwd ? { cwd: opts.cwd } : {}) });
    return new FileKeyring({
      dir,
      env: opts.env,
      ...(str(spec.password_env) ? { passwordEnv: str(spec.password_env) } : {}),
      ...(opts.isTTY !== undefined ? { isTTY: opts.isTTY } : {}),
      ...(opts.prompt ? { prompt: opts.prompt } : {}),
    });
  }
  const system = new SystemKeyring({ env: opts.env });
  const probe = await system.probe();
  return probe.available ? system : undefined;
}
