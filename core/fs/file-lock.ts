import { InfrakeyError } from '../errors';

/**
 * The one cross-process lock of infrakey: a lock folder made with an atomic mkdir
 * (proper-lockfile), refreshed while held, and taken over when its holder stopped refreshing it
 * for `staleMs` (a process killed with SIGKILL leaves it behind). A waiter retries, with growing
 * jittered pauses, for `waitMs`, which always outlasts the stale threshold: a lock left by a
 * dead process is taken over, never reported as a timeout. Used by the file keyring, the
 * credential files and SOPS read-modify-write.
 */

/** A lock not refreshed for this long belongs to a dead process (default). */
export const DEFAULT_LOCK_STALE_MS = 10_000;
/** The shortest stale threshold proper-lockfile accepts. */
const MIN_STALE_MS = 2_000;
/** How much longer than the stale threshold a waiter keeps trying, at least. */
const WAIT_MARGIN_MS = 5_000;

/** Why a lock could not be used. */
export type FileLockFailureReason =
  /** Another live process held the lock for the whole wait. */
  | 'timeout'
  /** The lock was taken over while this process held it (it stalled past the stale threshold). */
  | 'lost'
  /** The file system refused the lock folder (missing parent, permissions, disk full, …). */
  | 'io';

/** What went wrong, for a caller's own error class and code. Never contains a secret value. */
export interface FileLockFailure {
  readonly reason: FileLockFailureReason;
  /** One sentence naming the subject, the lock and the real wait. */
  readonly message: string;
  /** The lock folder's path. */
  readonly where: string;
  readonly fix: string;
  /** How long this process waited, in milliseconds. */
  readonly waitedMs: number;
  readonly cause?: unknown;
}

/** Default codes of {@link FileLockError}, one per reason. */
export const FILE_LOCK_CODES: Record<FileLockFailureReason, string> = {
  timeout: 'FILE_LOCK_TIMEOUT',
  lost: 'FILE_LOCK_LOST',
  io: 'FILE_LOCK_FAILED',
};

/** A lock failure, when the caller maps it to no error of its own. */
export class FileLockError extends InfrakeyError {
  readonly reason: FileLockFailureReason;
  constructor(failure: FileLockFailure) {
    super({ code: FILE_LOCK_CODES[failure.reason], message: failure.message, where: failure.where, fix: failure.fix, cause: failure.cause });
    this.reason = failure.reason;
  }
}

/** Options of {@link withFileLock}. */
export interface FileLockOptions {
  /** The lock folder (created by the lock, removed on release). Its parent must exist. */
  readonly lockPath: string;
  /** What the lock protects, for messages: `the file keyring at /x`, `the SOPS file /y`. */
  readonly subject: string;
  /** A lock not refreshed for this long is taken over (default {@link DEFAULT_LOCK_STALE_MS}, at least 2 s). */
  readonly staleMs?: number;
  /**
   * How long to wait for a held lock. Always raised to outlast `staleMs` by 5 s, so that a lock
   * left by a killed process is taken over rather than reported (default: that minimum).
   */
  readonly waitMs?: number;
  /** Turns a failure into the caller's error (its class and code); default {@link FileLockError}. */
  readonly toError?: (failure: FileLockFailure) => Error;
}

/** Handed to the locked function. */
export interface HeldLock {
  /**
   * Throws the `lost` failure when another process took the lock over (this one stalled past the
   * stale threshold). Call it right before making a change visible, e.g. before a rename.
   */
  assertHeld(): void;
}

/** The effective stale threshold and wait of `opts`. */
export function lockTimings(opts: Pick<FileLockOptions, 'staleMs' | 'waitMs'>): { staleMs: number; waitMs: number } {
  const staleMs = Math.max(MIN_STALE_MS, opts.staleMs ?? DEFAULT_LOCK_STALE_MS);
  const waitMs = Math.max(opts.waitMs ?? 0, staleMs + WAIT_MARGIN_MS);
  return { staleMs, waitMs };
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Runs `fn` while holding the lock at `opts.lockPath`, and releases it afterwards (also when
 * `fn` throws). Hold it only around file-system steps and the computation they depend on.
 */
export async function withFileLock<T>(opts: FileLockOptions, fn: (lock: HeldLock) => Promise<T>): Promise<T> {
  const { staleMs, waitMs } = lockTimings(opts);
  const fail = (f: Omit<FileLockFailure, 'where'>): Error => {
    const failure = { ...f, where: opts.lockPath };
    return opts.toError ? opts.toError(failure) : new FileLockError(failure);
  };
  // Loaded on first use: proper-lockfile pulls in graceful-fs, which read-only commands would
  // otherwise pay for at start-up (benchmark B2).
  const { lock } = await import('proper-lockfile');
  let compromised: Error | undefined;
  const started = Date.now();
  let pause = 10;
  let release: () => Promise<void>;
  for (;;) {
    try {
      release = await lock(opts.lockPath, {
        lockfilePath: opts.lockPath,
        realpath: false,
        stale: staleMs,
        // The waiting is done here, against a clock, so the message can state the real wait.
        retries: 0,
        onCompromised: (err) => {
          compromised = err;
        },
      });
      break;
    } catch (e) {
      const waited = Date.now() - started;
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'ELOCKED') {
        throw fail({
          reason: 'io',
          message: `cannot create the lock of ${opts.subject} (${code ?? 'error'})`,
          fix: code === 'ENOENT' ? 'check that the folder exists' : code === 'ENOSPC' ? 'free disk space and retry' : 'check the folder\'s permissions (the lock is a folder created next to what it protects)',
          waitedMs: waited,
          cause: e,
        });
      }
      if (waited >= waitMs) {
        throw fail({
          reason: 'timeout',
          message: `could not lock ${opts.subject}: another process held the lock for the whole ${seconds(waited)} this process waited (a lock not refreshed for ${seconds(staleMs)} is taken over, so its holder is still running)`,
          fix: `wait for the other infrakey or atmos process to finish and retry; if none is running, remove the folder ${opts.lockPath}`,
          waitedMs: waited,
          cause: e,
        });
      }
      // Jittered, growing pauses: many waiters do not retry in lock-step.
      await sleep(Math.min(pause * (0.5 + Math.random()), waitMs - waited + 1));
      pause = Math.min(pause * 1.5, 250);
    }
  }
  const held: HeldLock = {
    assertHeld() {
      if (compromised) {
        throw fail({
          reason: 'lost',
          message: `the lock of ${opts.subject} was taken over by another process while this one held it (this process stalled for over ${seconds(staleMs)})`,
          fix: 'retry the command',
          waitedMs: Date.now() - started,
          cause: compromised,
        });
      }
    },
  };
  try {
    const result = await fn(held);
    held.assertHeld();
    return result;
  } finally {
    await release().catch(() => undefined);
  }
}
