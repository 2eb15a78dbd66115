import { Readable } from 'node:stream';
import { redactor } from '../core/index';

/**
 * Where the CLI writes. Untrusted text is masked; infrakey's own messages are not rewritten:
 * - `out`: data (values, describe output, a child's output): masked unless `--mask=false`;
 * - `err`: messages and errors: registered values are masked except inside the literal text of
 *   `safeText` messages, so a value such as `component` cannot turn "secret for component api"
 *   into "secret for <MASKED> api" (which shows the value by what it replaced);
 * - `outMasked`/`errMasked`: text a core masker already masked (structured output after
 *   `maskDeep`, which keeps JSON valid; a child's output after a stream masker, which sees values
 *   cut across chunks). Written as is.
 */
export interface CliIO {
  out(text: string): void;
  err(text: string): void;
  outMasked(text: string): void;
  errMasked(text: string): void;
  /** True when stdin is a terminal (prompts are allowed). */
  readonly stdinIsTTY: boolean;
  /** True when stdout is a terminal (a masked value is obvious; in a pipe it is explained). */
  readonly stdoutIsTTY: boolean;
  /** True when stderr is a terminal (progress output is allowed). */
  readonly stderrIsTTY: boolean;
  readonly stdin: NodeJS.ReadableStream;
  /** Turns masking of stdout on or off (stderr is always masked). */
  setMask(on: boolean): void;
  /** Whether stdout is masked (`--mask`, default true). */
  readonly masking: boolean;
  /** Whether colour may be used (`NO_COLOR` and non-TTY turn it off). */
  readonly color: boolean;
}

/** The writers and terminal facts an IO is made of. */
interface Sinks {
  out(text: string): void;
  err(text: string): void;
  stdin: NodeJS.ReadableStream;
  stdinIsTTY: boolean;
  stdoutIsTTY: boolean;
  stderrIsTTY: boolean;
  color: boolean;
}

function maskingIO(sinks: Sinks): CliIO {
  let mask = true;
  return {
    out: (text) => sinks.out(mask ? redactor.mask(text) : text),
    err: (text) => sinks.err(redactor.maskMessage(text)),
    outMasked: (text) => sinks.out(text),
    errMasked: (text) => sinks.err(text),
    stdin: sinks.stdin,
    stdinIsTTY: sinks.stdinIsTTY,
    stdoutIsTTY: sinks.stdoutIsTTY,
    stderrIsTTY: sinks.stderrIsTTY,
    color: sinks.color,
    setMask: (on) => {
      mask = on;
    },
    get masking() {
      return mask;
    },
  };
}

/** The process's real terminal. */
export function processIO(env: NodeJS.ProcessEnv = process.env): CliIO {
  return maskingIO({
    out: (text) => void process.stdout.write(text),
    err: (text) => void process.stderr.write(text),
    stdin: process.stdin,
    stdinIsTTY: Boolean(process.stdin.isTTY),
    stdoutIsTTY: Boolean(process.stdout.isTTY),
    stderrIsTTY: Boolean(process.stderr.isTTY),
    color: Boolean(process.stderr.isTTY) && env.NO_COLOR === undefined,
  });
}

/** An in-memory IO for tests and embedding. */
export interface CapturedIO extends CliIO {
  readonly stdout: string;
  readonly stderr: string;
}

export function captureIO(opts: { stdin?: NodeJS.ReadableStream; tty?: boolean } = {}): CapturedIO {
  const chunks = { out: '', err: '' };
  const io = maskingIO({
    out: (text) => void (chunks.out += text),
    err: (text) => void (chunks.err += text),
    stdin: opts.stdin ?? Readable.from([]),
    stdinIsTTY: Boolean(opts.tty),
    stdoutIsTTY: Boolean(opts.tty),
    stderrIsTTY: Boolean(opts.tty),
    color: false,
  });
  return Object.defineProperties(io, {
    stdout: { get: () => chunks.out },
    stderr: { get: () => chunks.err },
  }) as CapturedIO;
}
