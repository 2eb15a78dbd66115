import { Readable } from 'node:stream';
import { redactor } from '../core/index';

/**
 * Where the CLI writes. Every line passes through the process-wide Redactor unless masking is
 * turned off (`--mask=false`), so a secret resolved anywhere in the process never reaches the
 * terminal by accident.
 */
export interface CliIO {
  out(text: string): void;
  err(text: string): void;
  /** True when stdin is a terminal (prompts are allowed). */
  readonly stdinIsTTY: boolean;
  /** True when stderr is a terminal (progress output is allowed). */
  readonly stderrIsTTY: boolean;
  readonly stdin: NodeJS.ReadableStream;
  /** Turns masking of stdout on or off (stderr is always masked). */
  setMask(on: boolean): void;
  /** Whether colour may be used (`NO_COLOR` and non-TTY turn it off). */
  readonly color: boolean;
}

/** The process's real terminal. */
export function processIO(env: NodeJS.ProcessEnv = process.env): CliIO {
  let mask = true;
  return {
    out: (text) => void process.stdout.write(mask ? redactor.mask(text) : text),
    err: (text) => void process.stderr.write(redactor.mask(text)),
    stdinIsTTY: Boolean(process.stdin.isTTY),
    stderrIsTTY: Boolean(process.stderr.isTTY),
    stdin: process.stdin,
    setMask: (on) => {
      mask = on;
    },
    color: Boolean(process.stderr.isTTY) && env.NO_COLOR === undefined,
  };
}

/** An in-memory IO for tests and embedding. */
export interface CapturedIO extends CliIO {
  readonly stdout: string;
  readonly stderr: string;
}

export function captureIO(opts: { stdin?: NodeJS.ReadableStream; tty?: boolean } = {}): CapturedIO {
  let mask = true;
  const chunks = { out: '', err: '' };
  return {
    out: (text) => void (chunks.out += mask ? redactor.mask(text) : text),
    err: (text) => void (chunks.err += redactor.mask(text)),
    get stdout() {
      return chunks.out;
    },
    get stderr() {
      return chunks.err;
    },
    stdinIsTTY: Boolean(opts.tty),
    stderrIsTTY: Boolean(opts.tty),
    stdin: opts.stdin ?? Readable.from([]),
    setMask: (on) => {
      mask = on;
    },
    color: false,
  };
}
