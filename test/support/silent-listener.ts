/**
 * A TCP listener on 127.0.0.1 that accepts every connection and never sends a byte: the endpoint
 * that made clients without a request time limit wait forever (issue 10 #1, #2). A refused port
 * fails at once and proves nothing about request time limits.
 */
import { createServer, type Socket } from 'node:net';
import type { Store } from '../../core/stores/store';

/** A running silent listener. */
export interface SilentListener {
  readonly port: number;
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** Connections accepted so far (the client really connected). */
  accepted(): number;
  /** `performance.now()` of the first accepted connection, if any. */
  firstAcceptedAt(): number | undefined;
  close(): Promise<void>;
}

/** Starts a listener that accepts and never answers. */
export async function silentListener(): Promise<SilentListener> {
  const sockets = new Set<Socket>();
  let accepted = 0;
  let first: number | undefined;
  const server = createServer((socket) => {
    accepted++;
    first ??= performance.now();
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as { port: number };
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    accepted: () => accepted,
    firstAcceptedAt: () => first,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Runs `fn` and returns its error and how long it took. */
export async function timed(fn: () => Promise<unknown>): Promise<{ error: unknown; ms: number; value?: unknown }> {
  const start = performance.now();
  try {
    const value = await fn();
    return { error: undefined, value, ms: performance.now() - start };
  } catch (error) {
    return { error, ms: performance.now() - start };
  }
}

/** Every store verb, each on stack `dev`, component `app`: what a silent endpoint must not hang. */
export const STORE_VERBS: readonly [string, (s: Store) => Promise<unknown>][] = [
  ['get', (s) => s.get('dev', 'app', 'k')],
  ['getMany', (s) => s.getMany([{ stack: 'dev', component: 'app', key: 'a' }, { rawKey: 'b' }])],
  ['getKey', (s) => s.getKey('raw/key')],
  ['set', (s) => s.set!('dev', 'app', 'k', 'v')],
  ['delete', (s) => s.delete!('dev', 'app', 'k')],
  ['has', (s) => s.has!('dev', 'app', 'k')],
  ['list', (s) => s.list!('dev', 'app')],
];
