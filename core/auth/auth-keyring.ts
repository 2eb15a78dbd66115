import type { Keyring } from '../keyring/keyring';
import type { PasswordPrompt } from '../keyring/keyring-password';
import { selectKeyring, type KeyringConfig } from '../keyring/select-keyring';

/**
 * Opens the keyring auth uses (§3.1), through the keyring layer's selector: type
 * `ATMOS_KEYRING_TYPE` → `auth.keyring.type` → `system`. Unlike Atmos, an unusable system keyring
 * is never a silent no-op store: reading or writing an entry fails with `KEYRING_UNAVAILABLE` and
 * its fix, unless `auth.keyring.fallback: file` (or `ATMOS_KEYRING_FALLBACK=file`) is set, which
 * uses the file keyring with one notice on stderr. Cheap: the system keyring is probed on its
 * first use (or here, only when a fallback is configured), so callers open it lazily — an identity
 * that never reads the keyring (inline keys, assume-role from ambient credentials) works without one.
 */
export function openAuthKeyring(
  keyringConfig: Record<string, unknown> | undefined,
  opts: { env: NodeJS.ProcessEnv; cwd?: string; isTTY?: boolean; prompt?: PasswordPrompt; notice?: (line: string) => void },
): Promise<Keyring> {
  return selectKeyring({
    auth: keyringConfig ? { keyring: keyringConfig as KeyringConfig } : undefined,
    env: opts.env,
    ...(opts.cwd !== undefined ? { cwd: opts.cwd } : {}),
    ...(opts.isTTY !== undefined ? { isTTY: opts.isTTY } : {}),
    ...(opts.prompt ? { prompt: opts.prompt } : {}),
    ...(opts.notice ? { notice: opts.notice } : {}),
  });
}
