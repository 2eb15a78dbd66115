import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { InfrakeyError, UsageError } from '../errors';
import type { Redactor } from '../secret';

/**
 * The one child-process runner of `auth exec|shell` and `secret exec|shell` (they had one each,
 * with different exit codes for a child killed by a signal). The child's exit code is returned;
 * a child killed by signal N gives 128 + N, as POSIX shells report it.
 */

/** Where the child's output goes. */
export type ChildOutput =
  | { mode: 'inherit' }
  | {
      mode: 'mask';
      redactor: Redactor;
      stdout: (text: string) => void;
      stderr: (text: string) => void;
    };

export interface RunChildOptions {
  env: NodeJS.ProcessEnv;
  cwd?: string;
  output: ChildOutput;
  /** The error code when the command cannot be started (default `EXEC_FAILED`). */
  startFailureCode?: string;
  /** Config path or verb named in errors, e.g. `secret exec`. */
  where?: string;
}

/** Quiet time after which a held token tail of the child's output is written. */
const IDLE_FLUSH_MS = 100;

/** The exit status a shell reports for a child killed by `signal`. */
export function signalExitCode(signal: NodeJS.Signals | null): number {
  const n = signal ? (constants.signals as Record<string, number | undefined>)[signal] : undefined;
  return 128 + (n ?? 0);
}

/**
 * Refuses an environment a child cannot receive. A NUL byte cannot be passed to a program, and
 * Node's own error for it quotes the whole value (issue 10, item 9): the error here names the
 * variable only.
 */
export function checkChildEnvironment(env: NodeJS.ProcessEnv, where = 'exec'): void {
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined) continue;
    if (value.includes('\0') || name.includes('\0') || name.includes('=')) {
      const safeName = name.replace(/[\0=]/g, '?');
      throw new InfrakeyError({
        code: 'EXEC_ENV_INVALID',
        message: `environment variable ${safeName} cannot be passed to a program: its ${value.includes('\0') ? 'value contains a NUL byte' : 'name contains = or a NUL byte'}`,
        where,
        fix: `store the value of ${safeName} without NUL bytes (for binary data, store it base64-encoded), e.g. infrakey secret set ${safeName} -s <stack> -c <component> --file <file>`,
      });
    }
  }
}

/** Runs `command args` and resolves with its exit code (128 + signal number when killed). */
export async function runChild(command: string, args: readonly string[], opts: RunChildOptions): Promise<number> {
  const where = opts.where ?? 'exec';
  checkChildEnvironment(opts.env, where);
  const masked = opts.output.mode === 'mask' ? opts.output : undefined;
  const startFailed = (code: string | undefined) =>
    new UsageError({
      code: opts.startFailureCode ?? 'EXEC_FAILED',
      message: `could not start ${JSON.stringify(command)} (${code ?? 'error'})`,
      where,
      fix: 'check the command name and PATH',
    });
  return new Promise<number>((resolve, reject) => {
    let child: ReturnType<typeof spawn>;
    try {
      child = spawn(command, [...args], { env: opts.env, cwd: opts.cwd, stdio: masked ? ['inherit', 'pipe', 'pipe'] : 'inherit' });
    } catch (e) {
      // Node's synchronous spawn errors quote arguments and environment values: keep only the code.
      reject(startFailed((e as NodeJS.ErrnoException).code));
      return;
    }
    // A Ctrl-C reaches the child through the terminal; the runner waits for the child's own exit
    // code instead of dying first, as a shell does. SIGTERM sent to infrakey is passed on.
    const onInt = () => undefined;
    const onTerm = () => child.kill('SIGTERM');
    process.on('SIGINT', onInt);
    process.on('SIGTERM', onTerm);
    const streams: Promise<void>[] = [];
    if (masked) {
      streams.push(pipeMasked(child.stdout, masked.redactor, masked.stdout), pipeMasked(child.stderr, masked.redactor, masked.stderr));
    }
    child.on('error', (e: NodeJS.ErrnoException) => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      reject(startFailed(e.code));
    });
    child.on('close', (code, signal) => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      void Promise.all(streams).then(() => resolve(code ?? signalExitCode(signal)));
    });
  });
}

/** Copies a child stream through a {@link MaskStream}, flushing a held token tail when quiet. */
function pipeMasked(stream: NodeJS.ReadableStream | null, redactor: Redactor, write: (text: string) => void): Promise<void> {
  if (!stream) return Promise.resolve();
  const masker = redactor.maskStream();
  let timer: NodeJS.Timeout | undefined;
  const emit = (text: string) => {
    if (text) write(text);
  };
  stream.setEncoding('utf8');
  return new Promise((resolve) => {
    stream.on('data', (chunk: string) => {
      if (timer) clearTimeout(timer);
      emit(masker.push(chunk));
      if (masker.pending) timer = setTimeout(() => emit(masker.idle()), IDLE_FLUSH_MS);
    });
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      if (timer) clearTimeout(timer);
      emit(masker.end());
      resolve();
    };
    // 'close' and 'error' too: a stream that errors never emits 'end', and nothing may hang.
    stream.on('end', finish);
    stream.on('close', finish);
    stream.on('error', finish);
  });
}
