import { spawn, type ChildProcess } from 'node:child_process';
import type { Socket } from 'node:net';

/**
 * A helper process that talks to the OS keyring through @napi-rs/keyring.
 *
 * The library's calls are synchronous and, on Linux, block for as long as D-Bus lets them: a
 * missing Secret Service can take 25 s (D-Bus activation), a locked collection waits forever on
 * an unlock prompt nobody sees. A call blocked in native code cannot be interrupted in a worker
 * thread, so it runs in a child process that the parent kills with SIGKILL when it misses its
 * deadline. The child also kills itself (from a watchdog thread) if a call overruns or the
 * parent disappears, so no hung helper outlives a crashed parent.
 *
 * Values travel over the IPC channel, never in argv or the environment.
 */

/** Source of the helper, run with `node -e`. argv: [modulePath, deadlineMs]. */
const HELPER_SOURCE = String.raw`
'use strict';
const { Worker } = require('node:worker_threads');
const [modulePath, limitText] = process.argv.slice(1);
const limit = Number(limitText);
// shared[0]: deadline (ms since epoch) of the call in progress, 0 when idle.
const shared = new Float64Array(new SharedArrayBuffer(16));
const watchdog = new Worker(
  "const { workerData } = require('node:worker_threads');" +
  "const s = new Float64Array(workerData.buf); const ppid = workerData.ppid;" +
  "setInterval(() => {" +
  "  let parentGone = false; try { process.kill(ppid, 0); } catch { parentGone = true; }" +
  "  if (parentGone || (s[0] > 0 && Date.now() > s[0])) process.kill(process.pid, 'SIGKILL');" +
  "}, 250);",
  { eval: true, workerData: { buf: shared.buffer, ppid: process.ppid } },
);
watchdog.unref();
let lib;
try { lib = require(modulePath); } catch (e) { process.send({ ready: false, error: String(e && e.message || e) }); process.exit(0); }
const options = process.platform === 'linux' ? { linux: { store: 'secret-service' } } : undefined;
process.on('message', (m) => {
  let reply;
  shared[0] = Date.now() + limit + 1000;
  try {
    const entry = new lib.Entry(m.service, m.account, options);
    if (m.op === 'get') reply = { id: m.id, ok: true, value: entry.getPassword() };
    else if (m.op === 'set') { entry.setPassword(m.value); reply = { id: m.id, ok: true }; }
    else if (m.op === 'delete') { entry.deleteCredential(); reply = { id: m.id, ok: true }; }
    else reply = { id: m.id, ok: false, error: 'unknown operation' };
  } catch (e) {
    let text = String((e && e.message) || e);
    if (typeof m.value === 'string' && m.value.length > 0) text = text.split(m.value).join('<MASKED>');
    reply = { id: m.id, ok: false, error: text };
  }
  shared[0] = 0;
  process.send(reply);
});
process.on('disconnect', () => process.exit(0));
process.send({ ready: true });
`;

/** A request to the helper. */
export type HelperRequest =
  | { op: 'get'; service: string; account: string }
  | { op: 'set'; service: string; account: string; value: string }
  | { op: 'delete'; service: string; account: string };

/** The helper's answer. `error` is the library's message (never contains the value). */
export type HelperReply = { ok: true; value?: string | null } | { ok: false; error: string };

/** Why a call did not complete: the deadline passed, or the helper could not start or died. */
export class HelperFailure extends Error {
  constructor(
    readonly reason: 'timeout' | 'start' | 'exit',
    message: string,
  ) {
    super(message);
  }
}

type Pending = { resolve: (r: HelperReply) => void; reject: (e: Error) => void; timer: NodeJS.Timeout };

/** One helper process; requests are answered in order. */
export class KeyringHelper {
  private readonly child: ChildProcess;
  private readonly pending = new Map<number, Pending>();
  private readonly ready: Promise<void>;
  private nextId = 1;
  private dead: HelperFailure | undefined;
  private stderr = '';

  constructor(
    modulePath: string,
    private readonly timeoutMs: number,
    env: NodeJS.ProcessEnv,
  ) {
    this.child = spawn(process.execPath, ['-e', HELPER_SOURCE, modulePath, String(timeoutMs)], {
      env,
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      windowsHide: true,
    });
    this.child.stderr?.setEncoding('utf8');
    this.child.stderr?.on('data', (d: string) => {
      this.stderr = (this.stderr + d).slice(-2000);
    });
    const onExit = (): void => {
      this.child.kill('SIGKILL');
    };
    process.once('exit', onExit);
    this.ready = new Promise<void>((resolve, reject) => {
      this.child.once('message', (m: { ready?: boolean; error?: string }) => {
        if (m.ready) resolve();
        else reject(new HelperFailure('start', `cannot load @napi-rs/keyring: ${m.error ?? 'unknown error'}`));
      });
      this.child.once('error', (e) => reject(new HelperFailure('start', `cannot start the keyring helper: ${e.message}`)));
    });
    this.ready.catch(() => undefined);
    this.child.on('message', (m: { id?: number } & HelperReply) => {
      if (m.id === undefined) return;
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      clearTimeout(p.timer);
      this.idle();
      p.resolve(m);
    });
    this.child.once('exit', (code, signal) => {
      process.removeListener('exit', onExit);
      this.fail(new HelperFailure('exit', `the keyring helper exited (${signal ?? `code ${code}`})${this.stderr ? `: ${this.stderr.trim()}` : ''}`));
    });
    this.idle();
  }

  /** Sends one request; rejects with {@link HelperFailure} when it does not complete in time. */
  request(req: HelperRequest): Promise<HelperReply> {
    if (this.dead) return Promise.reject(this.dead);
    const id = this.nextId++;
    return new Promise<HelperReply>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.fail(new HelperFailure('timeout', `the OS keyring did not answer within ${this.timeoutMs} ms`));
      }, this.timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      this.busy();
      // The deadline covers start-up too: a helper that never becomes ready times out the same way.
      this.ready.then(
        () => {
          if (!this.dead) this.child.send({ id, ...req });
        },
        (e: Error) => this.fail(e instanceof HelperFailure ? e : new HelperFailure('start', e.message)),
      );
    });
  }

  /** Kills the helper; pending and later requests fail. */
  close(): void {
    this.fail(new HelperFailure('exit', 'the keyring helper was closed'));
  }

  private fail(failure: HelperFailure): void {
    if (!this.dead) this.dead = failure;
    this.child.kill('SIGKILL');
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      this.pending.delete(id);
      p.reject(this.dead);
    }
  }

  // While idle, the helper must not keep the parent's event loop alive.
  private idle(): void {
    if (this.pending.size > 0) return;
    this.child.unref();
    this.child.channel?.unref();
    (this.child.stderr as Socket | null)?.unref();
  }

  private busy(): void {
    this.child.ref();
    this.child.channel?.ref();
    (this.child.stderr as Socket | null)?.ref();
  }
}
