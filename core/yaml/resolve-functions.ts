import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { resolve as resolvePath } from 'node:path';
import { InfrakeyError, StackError, type SourceLocation } from '../errors';
import { MASK, Secret } from '../secret';
import { parseEnvArgs } from './function-args';
import { YamlFunction, type YamlFunctionTag } from './yaml-function';

/**
 * The post-merge YAML-function pass: walks a merged value and replaces every {@link YamlFunction}
 * node by its value. Callbacks run concurrently (all nodes are collected first, then awaited
 * together) so that a secret resolver can batch backend calls.
 */

/** Callbacks for each function. `env` and `exec` have built-in defaults (see below). */
export interface YamlFunctionResolver {
  /** `!env NAME [default]`. Default: {@link defaultEnvLookup} with the options' env sources. */
  env?(name: string, dflt: string | undefined, source: SourceLocation): unknown;
  /** `!exec <script>`. Default: {@link runExec}. */
  exec?(script: string, source: SourceLocation): unknown;
  secret?(fn: YamlFunction): unknown;
  store?(fn: YamlFunction): unknown;
  storeGet?(fn: YamlFunction): unknown;
  /** `!template <rendered text>`. Default: JSON-decoded when valid, else the text. */
  template?(fn: YamlFunction): unknown;
  /** `!aws.account_id` and the other `!aws.*` functions, through the component's identity. */
  aws?(fn: YamlFunction): unknown;
}

/** Options of {@link resolveYamlFunctions}. */
export interface ResolveOptions {
  /** `!secret` → `<MASKED>` without calling anything (inspection commands such as describe). */
  mask?: boolean;
  /** The component's merged `env:` section, consulted first by the default `!env`. */
  componentEnv?: Record<string, unknown>;
  /** Process environment for `!env` and `!exec` (default `process.env`). */
  env?: NodeJS.ProcessEnv;
  /** Working directory of `!exec` (default the process's). */
  cwd?: string;
  /** Time limit of one `!exec` (default 60 000 ms). */
  execTimeoutMs?: number;
  /**
   * What to do with a node whose callback is missing: `error` (default) throws
   * `YAML_FUNCTION_UNSUPPORTED`; `keep` leaves the YamlFunction node in place (atmos.yaml keeps
   * `!store`/`!secret` unevaluated).
   */
  unhandled?: 'error' | 'keep';
}

/** True when the value contains at least one YamlFunction node (cheap pre-check). */
export function containsYamlFunctions(value: unknown): boolean {
  if (value instanceof YamlFunction) return true;
  if (Array.isArray(value)) return value.some(containsYamlFunctions);
  if (isPlainObject(value)) {
    for (const k in value) if (containsYamlFunctions(value[k])) return true;
  }
  return false;
}

/**
 * Returns a copy of `value` with every YamlFunction replaced by what its callback returned.
 * Errors thrown by callbacks propagate (InfrakeyErrors unchanged, others wrapped in
 * `YAML_FUNCTION_FAILED` with the node's file:line).
 */
export async function resolveYamlFunctions(value: unknown, resolver: YamlFunctionResolver = {}, opts: ResolveOptions = {}): Promise<unknown> {
  const exec = limiter(4);
  const pending: Promise<void>[] = [];
  let root: unknown;
  try {
    root = walk(value, resolver, opts, exec, pending);
  } catch (e) {
    // A synchronous callback failure: let the ones already started settle, then report.
    await Promise.allSettled(pending);
    throw e;
  }
  const results = await Promise.allSettled(pending);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  return (root as { v: unknown }).v;
}

/**
 * {@link resolveYamlFunctions} for callers that cannot wait (a CDKTF construct constructor): the
 * default `!exec` runs with {@link runExecSync}, and every callback must return a plain value.
 * A callback that returns a Promise is a programming error (`INTERNAL`).
 */
export function resolveYamlFunctionsSync(value: unknown, resolver: YamlFunctionResolver = {}, opts: ResolveOptions = {}): unknown {
  const sync: YamlFunctionResolver = {
    exec: (script, source) => runExecSync(script, source, { env: opts.env, cwd: opts.cwd, timeoutMs: opts.execTimeoutMs }),
    ...resolver,
  };
  const pending: Promise<void>[] = [];
  const root = walk(value, sync, opts, () => Promise.reject(new Error('unreachable')), pending);
  if (pending.length > 0) {
    for (const p of pending) p.catch(() => undefined);
    throw new InfrakeyError({ code: 'INTERNAL', message: 'a YAML function callback returned a Promise during a synchronous load' });
  }
  return (root as { v: unknown }).v;
}

/** Copies `value`, calling each YamlFunction's callback; asynchronous results go to `pending`. */
function walk(value: unknown, resolver: YamlFunctionResolver, opts: ResolveOptions, exec: Limiter, pending: Promise<void>[]): { v: unknown } {
  const root = { v: undefined as unknown };
  const visit = (v: unknown, set: (x: unknown) => void): void => {
    if (v instanceof YamlFunction) {
      const p = callFor(v, resolver, opts, exec);
      if (p === KEEP) {
        set(v);
      } else if (isThenable(p)) {
        set(undefined);
        pending.push(
          Promise.resolve(p).then(set, (e: unknown) => {
            throw wrap(e, v);
          }),
        );
      } else {
        set(p);
      }
      return;
    }
    if (Array.isArray(v)) {
      const out: unknown[] = new Array(v.length);
      set(out);
      for (let i = 0; i < v.length; i++) visit(v[i], (x) => (out[i] = x));
      return;
    }
    if (isPlainObject(v)) {
      const out: Record<string, unknown> = {};
      set(out);
      for (const k of Object.keys(v)) {
        visit(v[k], (x) => {
          // `!unset` removes the key (Atmos: the key is absent from the result).
          if (x === UNSET) delete out[k];
          else if (k === '__proto__') Object.defineProperty(out, k, { value: x, writable: true, enumerable: true, configurable: true });
          else out[k] = x;
        });
      }
      return;
    }
    set(v);
  };
  visit(value, (x) => (root.v = x));
  return root;
}

const KEEP = Symbol('keep');
/** What `!unset` evaluates to: the key holding it is removed. */
const UNSET = Symbol('unset');

function unsupportedFunction(fn: YamlFunction, opts: ResolveOptions): unknown {
  if (opts.unhandled === 'keep' && (fn.tag === '!secret' || fn.tag === '!store' || fn.tag === '!store.get')) return KEEP;
  throw new StackError({
    code: 'YAML_FUNCTION_UNSUPPORTED',
    message: `${fn.tag} is an Atmos YAML function infrakey does not evaluate`,
    where: fn.source,
    fix: `replace ${fn.tag} with a plain value or a supported function (!env, !exec, !store, !secret, !template, !include); \`describe --process-functions=false\` shows it unevaluated`,
  });
}

/** `!random`, `!random max`, `!random min max` (Atmos: integers, default 0..65535). */
function randomInRange(fn: YamlFunction): number {
  const parts = fn.args === '' ? [] : fn.args.split(/\s+/).map(Number);
  const [min, max] = parts.length === 0 ? [0, 65535] : parts.length === 1 ? [0, parts[0]] : [parts[0], parts[1]];
  if (parts.length > 2 || !Number.isInteger(min) || !Number.isInteger(max) || min > max) {
    throw new StackError({
      code: 'YAML_FUNCTION_ARGS',
      message: `!random takes up to two integers (min max) with min <= max, got "${fn.args}"`,
      where: fn.source,
      fix: 'write `!random`, `!random 100` or `!random 1000 9999`',
    });
  }
  return min + randomInt(max - min + 1);
}

/** `!repo-root`/`!git.*` through the `git` program in the working directory; the argument is the default. */
function gitValue(fn: YamlFunction, cwd: string): string {
  const git = (args: string[]): string => execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 10_000 }).trim();
  try {
    switch (fn.tag) {
      case '!repo-root':
      case '!git.root':
        return git(['rev-parse', '--show-toplevel']);
      case '!git.sha':
        return git(['rev-parse', 'HEAD']);
      case '!git.branch':
        return git(['rev-parse', '--abbrev-ref', 'HEAD']);
      case '!git.ref':
        return git(['symbolic-ref', '-q', 'HEAD']);
      case '!git.url':
        return git(['remote', 'get-url', 'origin']);
      default: {
        const url = git(['remote', 'get-url', 'origin']);
        const m = /^(?:[a-z+]+:\/\/)?(?:[^@/]+@)?([^:/]+)[:/](.+?)(?:\.git)?\/?$/.exec(url);
        if (!m) throw new Error('unrecognised remote URL');
        const [owner, ...rest] = m[2].split('/');
        const name = rest.join('/');
        if (fn.tag === '!git.host') return m[1];
        if (fn.tag === '!git.owner') return owner;
        if (fn.tag === '!git.name') return name;
        return `${owner}/${name}`;
      }
    }
  } catch (e) {
    if (fn.args !== '') return fn.args;
    throw new StackError({
      code: 'YAML_FUNCTION_FAILED',
      message: `${fn.tag} failed: ${cwd} is not in a git repository with that information (${(e as Error).message.split('\n')[0]})`,
      where: fn.source,
      fix: `run inside a git checkout, or give a default: \`${fn.tag} <default>\``,
    });
  }
}

function callFor(fn: YamlFunction, r: YamlFunctionResolver, opts: ResolveOptions, execLimit: Limiter): unknown {
  const tag: YamlFunctionTag = fn.tag;
  try {
    switch (tag) {
      case '!env': {
        const a = parseEnvArgs(fn.args, fn.source);
        return r.env ? r.env(a.name, a.default, fn.source) : defaultEnvLookup(a.name, a.default, opts);
      }
      case '!exec':
        if (fn.args.trim() === '') {
          throw new StackError({
            code: 'YAML_FUNCTION_ARGS',
            message: '!exec needs a command',
            where: fn.source,
            fix: 'write `key: !exec <command>`',
          });
        }
        if (r.exec) return r.exec(fn.args, fn.source);
        return execLimit(() => runExec(fn.args, fn.source, { env: opts.env, cwd: opts.cwd, timeoutMs: opts.execTimeoutMs }));
      case '!secret':
        if (opts.mask) return MASK;
        return r.secret ? r.secret(fn) : unhandled(fn, opts);
      case '!store':
        return r.store ? r.store(fn) : unhandled(fn, opts);
      case '!store.get':
        return r.storeGet ? r.storeGet(fn) : unhandled(fn, opts);
      case '!template':
        // Atmos: the argument (already rendered by the template pass) is JSON-decoded when valid.
        return r.template ? r.template(fn) : decodeExecOutput(fn.args);
      case '!literal':
        return fn.args;
      case '!unset':
        return UNSET;
      case '!cwd':
        return fn.args === '' ? (opts.cwd ?? process.cwd()) : resolvePath(opts.cwd ?? process.cwd(), fn.args);
      case '!random':
        return randomInRange(fn);
      case '!repo-root':
      case '!git.root':
      case '!git.sha':
      case '!git.branch':
      case '!git.ref':
      case '!git.repository':
      case '!git.owner':
      case '!git.name':
      case '!git.host':
      case '!git.url':
        return gitValue(fn, opts.cwd ?? process.cwd());
      case '!terraform.output':
      case '!terraform.state':
        throw new StackError({
          code: 'YAML_FUNCTION_TERRAFORM_STATE',
          message: `${fn.tag} needs the Terraform state of another component; infrakey does not read Terraform state`,
          where: fn.source,
          fix: 'publish the value to a store from the producing component and read it with !store, or run this through atmos; `describe --process-functions=false` shows the function unevaluated',
        });
      default:
        if (fn.tag.startsWith('!aws.') && r.aws) return r.aws(fn);
        return unsupportedFunction(fn, opts);
    }
  } catch (e) {
    throw wrap(e, fn);
  }
}

function unhandled(fn: YamlFunction, opts: ResolveOptions): unknown {
  if (opts.unhandled === 'keep') return KEEP;
  throw new StackError({
    code: 'YAML_FUNCTION_UNSUPPORTED',
    message: `${fn.tag} cannot be evaluated here`,
    where: fn.source,
    fix: fn.tag === '!secret' || fn.tag === '!store' || fn.tag === '!store.get'
      ? `use ${fn.tag} in stack manifests (component vars/env/settings), not in atmos.yaml`
      : `remove ${fn.tag} from this file`,
  });
}

function wrap(e: unknown, fn: YamlFunction): unknown {
  if (e instanceof InfrakeyError) return e;
  return new StackError({
    code: 'YAML_FUNCTION_FAILED',
    message: `${fn.tag} failed: ${e instanceof Error ? e.message : 'error'}`,
    where: fn.source,
    fix: `check the ${fn.tag} arguments at that line`,
    cause: e,
  });
}

/**
 * Atmos's `!env` lookup (§7.6): the component's merged `env:` section first (non-strings
 * formatted as Go's `%v` would, JSON for maps/lists), then the process environment, then the
 * default, else the empty string (Atmos returns "" although its docs say null).
 */
export function defaultEnvLookup(name: string, dflt: string | undefined, opts: { componentEnv?: Record<string, unknown>; env?: NodeJS.ProcessEnv } = {}): string {
  const ce = opts.componentEnv;
  if (ce && Object.prototype.hasOwnProperty.call(ce, name)) {
    const v = ce[name];
    if (v !== null && v !== undefined && !(v instanceof YamlFunction)) return formatValue(v);
  }
  const env = opts.env ?? process.env;
  const pv = env[name];
  if (pv !== undefined) return pv;
  if (dflt !== undefined) return dflt;
  return '';
}

function formatValue(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (Secret.isSecret(v)) return String(v);
  return JSON.stringify(v);
}

/** Options of {@link runExec}. */
export interface ExecOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Default 60 000 ms. */
  timeoutMs?: number;
}

/**
 * Atmos's `!exec` (§7.6): runs the script with `/bin/sh -c` (Atmos embeds a POSIX shell
 * interpreter), trims trailing newlines from stdout and JSON-decodes it when it is valid JSON.
 * A non-zero exit, a signal or the time limit is `YAML_EXEC_FAILED`; the message carries the exit
 * status only (never the script's output, which may hold a value).
 */
export function runExec(script: string, source: SourceLocation, opts: ExecOptions = {}): Promise<unknown> {
  const timeoutMs = opts.timeoutMs ?? 60_000;
  return new Promise((resolveP, rejectP) => {
    // Own process group, so the time limit also stops the script's children (a `sleep` holding
    // stdout open would otherwise keep us waiting).
    const child = spawn('/bin/sh', ['-c', script], {
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: process.platform !== 'win32',
    });
    const out: Buffer[] = [];
    let errBytes = 0;
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        if (child.pid !== undefined && process.platform !== 'win32') process.kill(-child.pid, 'SIGKILL');
        else child.kill('SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
      child.stdout.destroy();
      child.stderr.destroy();
    }, timeoutMs);
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => (errBytes += b.length));
    child.on('error', (e) => {
      clearTimeout(timer);
      rejectP(
        new StackError({
          code: 'YAML_EXEC_FAILED',
          message: `!exec could not start /bin/sh (${(e as NodeJS.ErrnoException).code ?? 'error'})`,
          where: source,
          fix: 'make sure /bin/sh exists and the working directory is accessible',
          cause: e,
        }),
      );
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (timedOut) {
        rejectP(
          new StackError({
            code: 'YAML_EXEC_FAILED',
            message: `!exec did not finish within ${timeoutMs} ms and was stopped`,
            where: source,
            fix: 'make the command faster or non-interactive (it must not wait for input)',
          }),
        );
        return;
      }
      if (code !== 0) {
        rejectP(
          new StackError({
            code: 'YAML_EXEC_FAILED',
            message: `!exec command failed (${signal ? `signal ${signal}` : `exit status ${code}`}${errBytes ? `, ${errBytes} bytes on stderr` : ''})`,
            where: source,
            fix: 'run the command in a shell to see its error, then fix it',
          }),
        );
        return;
      }
      resolveP(decodeExecOutput(Buffer.concat(out).toString('utf8')));
    });
  });
}

/**
 * {@link runExec} without waiting: the same shell, time limit, decoding and errors, for a
 * synchronous load. The time limit stops the shell itself (`spawnSync` cannot signal a process
 * group), so keep `!exec` commands in atmos.yaml short when the CDKTF adapter loads it.
 */
export function runExecSync(script: string, source: SourceLocation, opts: ExecOptions = {}): unknown {
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const r = spawnSync('/bin/sh', ['-c', script], {
    cwd: opts.cwd,
    env: opts.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: timeoutMs,
    killSignal: 'SIGKILL',
    maxBuffer: 16 * 1024 * 1024,
  });
  const err = r.error as NodeJS.ErrnoException | undefined;
  if (err && err.code !== 'ETIMEDOUT') {
    throw new StackError({
      code: 'YAML_EXEC_FAILED',
      message: `!exec could not start /bin/sh (${err.code ?? 'error'})`,
      where: source,
      fix: 'make sure /bin/sh exists and the working directory is accessible',
      cause: err,
    });
  }
  if (err) {
    throw new StackError({
      code: 'YAML_EXEC_FAILED',
      message: `!exec did not finish within ${timeoutMs} ms and was stopped`,
      where: source,
      fix: 'make the command faster or non-interactive (it must not wait for input)',
    });
  }
  if (r.status !== 0) {
    const errBytes = r.stderr?.length ?? 0;
    throw new StackError({
      code: 'YAML_EXEC_FAILED',
      message: `!exec command failed (${r.signal ? `signal ${r.signal}` : `exit status ${r.status}`}${errBytes ? `, ${errBytes} bytes on stderr` : ''})`,
      where: source,
      fix: 'run the command in a shell to see its error, then fix it',
    });
  }
  return decodeExecOutput(r.stdout.toString('utf8'));
}

/** Trailing newlines trimmed; valid JSON decoded; else the string. */
export function decodeExecOutput(stdout: string): unknown {
  const text = stdout.replace(/[\r\n]+$/, '');
  const t = text.trim();
  if (t !== '') {
    try {
      return JSON.parse(t);
    } catch {
      /* not JSON */
    }
  }
  return text;
}

type Limiter = <T>(fn: () => Promise<T>) => Promise<T>;

function limiter(max: number): Limiter {
  let active = 0;
  const queue: (() => void)[] = [];
  return <T>(fn: () => Promise<T>): Promise<T> =>
    new Promise<T>((res, rej) => {
      const run = (): void => {
        active++;
        fn()
          .then(res, rej)
          .finally(() => {
            active--;
            queue.shift()?.();
          });
      };
      if (active < max) run();
      else queue.push(run);
    });
}

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return typeof v === 'object' && v !== null && typeof (v as { then?: unknown }).then === 'function';
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}
