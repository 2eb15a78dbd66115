import { spawn } from 'node:child_process';
import { sopsError } from './sops-error';

/**
 * Runs the real GnuPG (`gpg`) for the SOPS `pgp` key type, as sops does (pgp/keysource.go
 * gpgExec): the data key goes in on stdin and out on stdout, a passphrase on its own pipe (fd 3,
 * `--passphrase-fd 3`), so neither ever appears in argv. Every call is bounded: a gpg that never
 * answers (an agent waiting on a pinentry nobody sees, a stalled smartcard) is killed after
 * `timeoutMs` and reported as SOPS_KEY_TIMEOUT.
 */

/** Default bound of one gpg call (long enough for a pinentry prompt on a desktop). */
export const GPG_TIMEOUT_MS = 60_000;

/** The most gpg may print on stdout (an armored data key is ~1 KiB). */
const MAX_STDOUT = 1 << 20;
/** The most of gpg's stderr kept for messages. */
const MAX_STDERR = 8 << 10;

/** How to run gpg. */
export interface GpgOptions {
  /** `--homedir`; absent: gpg's own default (GNUPGHOME, else ~/.gnupg). */
  readonly home?: string;
  /** Environment of the child (default `process.env`); `SOPS_GPG_EXEC` there names the program. */
  readonly env?: NodeJS.ProcessEnv;
  /** Bound of the call (default {@link GPG_TIMEOUT_MS}). */
  readonly timeoutMs?: number;
}

/** What gpg printed. */
export interface GpgResult {
  readonly code: number;
  readonly stdout: Buffer;
  /** Trimmed, at most 8 KiB; gpg never prints the data key or passphrase there. */
  readonly stderr: string;
}

/** The gpg program: `SOPS_GPG_EXEC` as sops, else `gpg` on PATH. */
export function gpgProgram(env: NodeJS.ProcessEnv = process.env): string {
  return env.SOPS_GPG_EXEC && env.SOPS_GPG_EXEC !== '' ? env.SOPS_GPG_EXEC : 'gpg';
}

/**
 * Runs gpg with `args` (after `--homedir` when set), writing `input` to stdin and `passphrase`
 * (if any) to fd 3. `what` names the operation in errors (`decrypt the data key of <fp>`).
 */
export function runGpg(args: readonly string[], input: Buffer | string, opts: GpgOptions & { passphrase?: string; what: string }): Promise<GpgResult> {
  const env = opts.env ?? process.env;
  const program = gpgProgram(env);
  const timeoutMs = opts.timeoutMs ?? GPG_TIMEOUT_MS;
  const full = [...(opts.home ? ['--homedir', opts.home] : []), ...args];
  return new Promise((resolve, reject) => {
    const child = spawn(program, full, { env, stdio: ['pipe', 'pipe', 'pipe', 'pipe'], windowsHide: true });
    const out: Buffer[] = [];
    let outLen = 0;
    let err = '';
    let settled = false;
    const finish = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      fn();
    };
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      finish(() =>
        reject(
          sopsError(
            'SOPS_KEY_TIMEOUT',
            `gpg did not answer within ${Math.round(timeoutMs / 1000)} s when asked to ${opts.what}${opts.home ? ` (GnuPG home ${opts.home})` : ''}`,
            undefined,
            'check that gpg-agent runs and can reach a pinentry (or set spec.pgp_passphrase_env for a passphrase-protected key), and that `gpg --list-secret-keys` answers',
          ),
        ),
      );
    }, timeoutMs);
    timer.unref?.();
    child.on('error', (e: NodeJS.ErrnoException) => {
      finish(() =>
        reject(
          e.code === 'ENOENT'
            ? sopsError('SOPS_GPG_NOT_FOUND', `the GnuPG program "${program}" was not found (needed to ${opts.what})`, env.SOPS_GPG_EXEC ? 'SOPS_GPG_EXEC' : 'PATH', 'install GnuPG (Debian: `apt-get install gnupg`, macOS: `brew install gnupg`) or point SOPS_GPG_EXEC at the gpg binary', e)
            : sopsError('SOPS_DECRYPT_FAILED', `cannot run "${program}" (${e.code ?? 'error'}) to ${opts.what}`, undefined, 'check that the gpg binary is executable', e),
        ),
      );
    });
    child.stdout.on('data', (b: Buffer) => {
      outLen += b.length;
      if (outLen > MAX_STDOUT) {
        child.kill('SIGKILL');
        finish(() => reject(sopsError('SOPS_DECRYPT_FAILED', `gpg printed more than ${MAX_STDOUT} bytes when asked to ${opts.what}`, undefined, 'restore the file from version control (its pgp entry is not a sops data key)')));
        return;
      }
      out.push(b);
    });
    child.stderr.on('data', (b: Buffer) => {
      if (err.length < MAX_STDERR) err += b.toString('utf8');
    });
    child.on('close', (code) => finish(() => resolve({ code: code ?? 1, stdout: Buffer.concat(out), stderr: err.slice(0, MAX_STDERR).trim() })));
    // A child that exits early closes its pipes: EPIPE is the exit code's business, not a crash.
    const ignore = (): void => undefined;
    child.stdin.on('error', ignore);
    const fd3 = child.stdio[3] as NodeJS.WritableStream | null;
    if (fd3) {
      fd3.on('error', ignore);
      fd3.end(opts.passphrase !== undefined ? `${opts.passphrase}\n` : '');
    }
    child.stdin.end(input);
  });
}

/** The last meaningful line of gpg's stderr (without the `gpg: ` prefix), for messages. */
export function gpgReason(stderr: string): string {
  const lines = stderr
    .split('\n')
    .map((l) => l.replace(/^gpg: /, '').trim())
    .filter((l) => l !== '' && !/^(WARNING: unsafe|encrypted with|\s*")/.test(l));
  return lines.slice(-2).join('; ') || 'no reason given';
}
