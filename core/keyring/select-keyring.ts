import { KeyringError } from '../errors';
import { redactor, type Secret } from '../secret';
import { FileKeyring } from './file-keyring';
import { isKeyringType, KEYRING_TYPES, type Keyring, type KeyringType } from './keyring';
import type { PasswordPrompt } from './keyring-password';
import { resolveFileKeyringDir } from './keyring-paths';
import { MemoryKeyring } from './memory-keyring';
import { SystemKeyring } from './system-keyring';

/** `auth.keyring` of atmos.yaml, as parsed (plain object). */
export interface KeyringConfig {
  /** `system` (default), `file` or `memory`. */
  type?: string;
  /** `file`: use the file keyring when the system keyring is unavailable. infrakey extension. */
  fallback?: string;
  spec?: {
    /** File keyring folder; default `{XDG data}/atmos/keyring`. */
    path?: string;
    /** Name of the variable holding the file-keyring password; default ATMOS_KEYRING_PASSWORD. */
    password_env?: string;
    [key: string]: unknown;
  };
  [key: string]: unknown;
}

/** Terminal facts and hooks shared by {@link selectKeyring} and {@link openKeyring}. */
export interface KeyringEnvironment {
  env?: NodeJS.ProcessEnv;
  /** Whether a password prompt is allowed; default `process.stdin.isTTY`. */
  isTTY?: boolean;
  /** Hidden password prompt; default `@inquirer/prompts` on stderr. */
  prompt?: PasswordPrompt;
  /** Where the one-line fallback notice goes; default stderr (masked). */
  notice?: (line: string) => void;
  /** Base of a relative `spec.path`; default `process.cwd()`. */
  cwd?: string;
}

/** Options of {@link selectKeyring}. */
export interface SelectKeyringOptions extends KeyringEnvironment {
  /** The `auth` section of atmos.yaml (only `auth.keyring` is read), or undefined. */
  auth?: { keyring?: KeyringConfig } | null;
}

let fallbackNoticeShown = false;

/**
 * The keyring atmos.yaml asks for. Type: `ATMOS_KEYRING_TYPE` → `auth.keyring.type` → `system`.
 * Folder: `ATMOS_KEYRING_FILE_PATH` → `auth.keyring.spec.path` → `{XDG data}/atmos/keyring`.
 * Password variable: `ATMOS_KEYRING_PASSWORD_ENV` → `spec.password_env` → `ATMOS_KEYRING_PASSWORD`.
 *
 * Unlike Atmos, an unusable system keyring is never replaced silently by a no-op store: it is an
 * error (`KEYRING_UNAVAILABLE`), unless `auth.keyring.fallback: file` (or
 * `ATMOS_KEYRING_FALLBACK=file`) is set, in which case the file keyring is used and a notice is
 * printed once per process.
 */
export async function selectKeyring(options: SelectKeyringOptions = {}): Promise<Keyring> {
  const env = options.env ?? process.env;
  const config = options.auth?.keyring ?? {};
  const fromEnv = nonEmpty(env.ATMOS_KEYRING_TYPE);
  const rawType = fromEnv ?? nonEmpty(config.type) ?? 'system';
  const typeWhere = fromEnv ? 'environment variable ATMOS_KEYRING_TYPE' : 'auth.keyring.type';
  const type = checkType(rawType, typeWhere);

  const fallbackFromEnv = nonEmpty(env.ATMOS_KEYRING_FALLBACK);
  const fallback = fallbackFromEnv ?? nonEmpty(config.fallback);
  if (fallback !== undefined && fallback !== 'file' && fallback !== 'none') {
    throw new KeyringError({
      code: 'KEYRING_CONFIG_INVALID',
      message: `unknown keyring fallback "${fallback}"`,
      where: fallbackFromEnv ? 'environment variable ATMOS_KEYRING_FALLBACK' : 'auth.keyring.fallback',
      fix: 'use "file" (fall back to the encrypted file keyring) or remove the setting',
    });
  }

  const spec = config.spec ?? {};
  const makeFile = (): FileKeyring =>
    new FileKeyring({
      dir: resolveFileKeyringDir(nonEmpty(env.ATMOS_KEYRING_FILE_PATH) ?? nonEmpty(spec.path), { env, cwd: options.cwd }),
      passwordEnv: nonEmpty(spec.password_env),
      env,
      isTTY: options.isTTY,
      prompt: options.prompt,
    });

  if (type === 'memory') return new MemoryKeyring();
  if (type === 'file') return makeFile();

  const system = new SystemKeyring({ env, where: typeWhere });
  if (fallback !== 'file') return system;
  // Probe now: the caller must get the backend actually used.
  const probe = await system.probe();
  if (probe.available) return system;
  const file = makeFile();
  if (!fallbackNoticeShown) {
    fallbackNoticeShown = true;
    const notice = options.notice ?? ((line: string) => void process.stderr.write(redactor.maskMessage(line) + '\n'));
    notice(`infrakey: the system keyring is unavailable (${probe.reason}); using the file keyring at ${file.dir} (auth.keyring.fallback: file)`);
  }
  return file;
}

/** Options of {@link openKeyring}. */
export interface OpenKeyringOptions extends KeyringEnvironment {
  type: KeyringType;
  /** File keyring folder; default `{XDG data}/atmos/keyring`. */
  path?: string;
  /** File keyring password; default from `passwordEnv`, then a prompt on a TTY. */
  password?: string | Secret<string>;
  /** Variable holding the file keyring password; default ATMOS_KEYRING_PASSWORD. */
  passwordEnv?: string;
}

/**
 * Opens a keyring of the given type directly, without atmos.yaml. Environment overrides
 * (`ATMOS_KEYRING_TYPE`, ...) are not applied: use {@link selectKeyring} for Atmos semantics.
 *
 * ```ts
 * const kr = await openKeyring({ type: 'file', path: '/tmp/kr', passwordEnv: 'MY_PW' });
 * await kr.set('k', 'v');
 * const v = await kr.get('k'); // Secret<string>; unsafeUnwrap(v) gives 'v'
 * ```
 */
export async function openKeyring(options: OpenKeyringOptions): Promise<Keyring> {
  const type = checkType(options.type, 'openKeyring({ type })');
  const env = options.env ?? process.env;
  switch (type) {
    case 'memory':
      return new MemoryKeyring();
    case 'system':
      return new SystemKeyring({ env, where: 'openKeyring({ type: "system" })' });
    case 'file':
      return new FileKeyring({
        dir: resolveFileKeyringDir(options.path, { env, cwd: options.cwd }),
        password: options.password,
        passwordEnv: options.passwordEnv,
        env,
        isTTY: options.isTTY,
        prompt: options.prompt,
      });
  }
}

function checkType(value: unknown, where: string): KeyringType {
  if (isKeyringType(value)) return value;
  throw new KeyringError({
    code: 'KEYRING_CONFIG_INVALID',
    message: `unknown keyring type "${String(value)}"`,
    where,
    fix: `use one of: ${KEYRING_TYPES.join(', ')}`,
  });
}

function nonEmpty(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}
