import { KeyringError } from '../errors';
import { Secret } from '../secret';
import type { Keyring } from './keyring';
import { secretLabel, toPlain } from './keyring-values';
import { HelperFailure, KeyringHelper, type HelperReply, type HelperRequest } from './system-keyring-helper';

/** The account (user) of every entry, as Atmos stores them (its ServiceName). */
export const SYSTEM_KEYRING_ACCOUNT = 'atmos-auth';
/** The entry Atmos probes availability with; reading it changes nothing. */
export const AVAILABILITY_PROBE_KEY = 'atmos-keyring-availability-probe';
/** Hard time limit of every call to the OS keyring, start-up of the helper included. */
export const SYSTEM_KEYRING_TIMEOUT_MS = 3_000;

const UNAVAILABLE_PREFIX = 'the system keyring is unavailable: ';

/** Options of {@link SystemKeyring}. */
export interface SystemKeyringOptions {
  /** Environment of the helper (D-Bus address etc.); default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Time limit per call in ms, at most (and by default) {@link SYSTEM_KEYRING_TIMEOUT_MS}. */
  timeoutMs?: number;
  /** Entry account; default `atmos-auth`. The keychain *store* uses `atmos-secrets`. */
  account?: string;
  /** Config path named in errors; default `auth.keyring.type`. */
  where?: string;
}

/** Result of probing the OS keyring. */
export type SystemKeyringProbe = { available: true } | { available: false; reason: string };

interface SharedState {
  helper?: KeyringHelper;
  probe?: Promise<SystemKeyringProbe>;
  /** Set when a call timed out: later calls fail at once instead of waiting again. */
  unavailable?: string;
}

// One helper and one probe per process and environment ("probe once per process").
const states = new Map<string, SharedState>();

function stateFor(env: NodeJS.ProcessEnv, timeoutMs: number): SharedState {
  const id = JSON.stringify([env.DBUS_SESSION_BUS_ADDRESS ?? null, env.XDG_RUNTIME_DIR ?? null, env.HOME ?? null, timeoutMs]);
  let state = states.get(id);
  if (!state) states.set(id, (state = {}));
  return state;
}

/**
 * The OS keyring: macOS Keychain, Windows Credential Manager, Linux Secret Service (pinned: the
 * library would otherwise fall back silently to the non-persistent kernel keyring). An entry's
 * service is the key and its account is `atmos-auth`, so Atmos and infrakey share entries.
 *
 * Every call runs in a helper process with a hard time limit; the first call of the process
 * probes availability. Unreachable or locked → `KEYRING_UNAVAILABLE` saying what to do.
 */
export class SystemKeyring implements Keyring {
  readonly type = 'system' as const;
  readonly canList = false;
  private readonly env: NodeJS.ProcessEnv;
  private readonly timeoutMs: number;
  private readonly account: string;
  private readonly where: string;

  constructor(options: SystemKeyringOptions = {}) {
    this.env = options.env ?? process.env;
    this.timeoutMs = Math.min(options.timeoutMs ?? SYSTEM_KEYRING_TIMEOUT_MS, SYSTEM_KEYRING_TIMEOUT_MS);
    this.account = options.account ?? SYSTEM_KEYRING_ACCOUNT;
    this.where = options.where ?? 'auth.keyring.type';
  }

  /** Probes the OS keyring once per process (cached), within the time limit. Never rejects. */
  probe(): Promise<SystemKeyringProbe> {
    const state = stateFor(this.env, this.timeoutMs);
    state.probe ??= this.call({ op: 'get', service: AVAILABILITY_PROBE_KEY, account: this.account }).then(
      (): SystemKeyringProbe => ({ available: true }),
      (e: unknown): SystemKeyringProbe => {
        const reason = e instanceof KeyringError ? e.summary.replace(UNAVAILABLE_PREFIX, '') : String(e);
        state.unavailable ??= reason;
        return { available: false, reason };
      },
    );
    return state.probe;
  }

  async get(key: string): Promise<Secret<string> | undefined> {
    await this.ensureAvailable();
    const reply = await this.call({ op: 'get', service: key, account: this.account });
    const value = (reply as { value?: string | null }).value;
    return value === null || value === undefined ? undefined : Secret.of(value, secretLabel(key));
  }

  async set(key: string, value: string | Secret<string>): Promise<void> {
    const plain = toPlain(value, key);
    await this.ensureAvailable();
    await this.call({ op: 'set', service: key, account: this.account, value: plain });
  }

  async delete(key: string): Promise<void> {
    await this.ensureAvailable();
    await this.call({ op: 'delete', service: key, account: this.account });
  }

  async list(): Promise<string[]> {
    throw new KeyringError({
      code: 'KEYRING_LIST_UNSUPPORTED',
      message: 'the system keyring cannot list its entries',
      where: this.where,
      fix: 'look entries up by key, or use the file keyring (ATMOS_KEYRING_TYPE=file), which can list',
    });
  }

  private async ensureAvailable(): Promise<void> {
    const probe = await this.probe();
    if (!probe.available) throw this.unavailable(probe.reason);
  }

  private async call(req: HelperRequest): Promise<HelperReply> {
    const state = stateFor(this.env, this.timeoutMs);
    if (state.unavailable) throw this.unavailable(state.unavailable);
    if (!state.helper) {
      let modulePath: string;
      try {
        modulePath = require.resolve('@napi-rs/keyring');
      } catch (e) {
        throw this.unavailable(`@napi-rs/keyring is not installed (${(e as Error).message})`);
      }
      state.helper = new KeyringHelper(modulePath, this.timeoutMs, this.env);
    }
    let reply: HelperReply;
    try {
      reply = await state.helper.request(req);
    } catch (e) {
      state.helper = undefined;
      const reason = e instanceof Error ? e.message : String(e);
      // A call that hung will hang again: remember, so the next one fails at once.
      if (e instanceof HelperFailure && e.reason !== 'exit') state.unavailable ??= reason;
      throw this.unavailable(reason, e);
    }
    if (!reply.ok) throw this.unavailable(reply.error);
    return reply;
  }

  private unavailable(reason: string, cause?: unknown): KeyringError {
    return new KeyringError({
      code: 'KEYRING_UNAVAILABLE',
      message: `${UNAVAILABLE_PREFIX}${reason}`,
      where: this.where,
      fix: unavailableFix(),
      cause,
    });
  }
}

function unavailableFix(): string {
  const file = 'or use the encrypted file keyring: ATMOS_KEYRING_TYPE=file with ATMOS_KEYRING_PASSWORD set (or auth.keyring.fallback: file to fall back automatically)';
  switch (process.platform) {
    case 'darwin':
      return `unlock the login keychain (security unlock-keychain), ${file}`;
    case 'win32':
      return `check that Windows Credential Manager is reachable for this user, ${file}`;
    default:
      return `start and unlock a Secret Service (gnome-keyring or KWallet) on the D-Bus session bus (e.g. log in to the desktop, or run: gnome-keyring-daemon --unlock), ${file}`;
  }
}
