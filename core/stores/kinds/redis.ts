/**
 * Redis (`kind: redis`). Values are JSON without TTL; reads JSON-decode, else return the raw
 * text. Batched reads use one MGET. Redis does not encrypt at rest, so the registry refuses
 * `secret: true` on it. Atmos has no delete/has for redis; infrakey adds them (DEL, EXISTS).
 *
 * Connection: one lazily opened connection with short time limits ({@link REDIS_LIMITS}), so an
 * unreachable or silent server fails in about 4 s with STORE_UNREACHABLE instead of retrying
 * forever (ioredis's default).
 */
import type { Redis, RedisOptions } from 'ioredis';
import { memoizeAsync } from '../../async/memoize-async';
import type { RawRead, StoreBackend } from '../store-kind';
import { defineStoreKind } from '../store-kind';
import { backendError, unreachable } from '../store-errors';
import { jsonCodec } from '../value-codec';

/**
 * Time limits of the redis connection: opening it takes at most 2 attempts of 2 s each (TCP and
 * the ready check together) plus 0.2 s between them; each command then at most 5 s, sent twice
 * at most when the connection drops.
 */
export const REDIS_LIMITS = { connectTimeoutMs: 2000, connectAttempts: 2, retryDelayMs: 200, commandTimeoutMs: 5000, maxRetriesPerRequest: 1 } as const;

/** The longest opening a connection can take before STORE_UNREACHABLE. */
export const REDIS_CONNECT_BOUND_MS = REDIS_LIMITS.connectAttempts * REDIS_LIMITS.connectTimeoutMs + REDIS_LIMITS.retryDelayMs;

/** Redis's own limit for a string value (512 MiB). */
export const REDIS_MAX_VALUE_BYTES = 512 * 1024 * 1024;

/** The redis kind. */
export const redisKind = defineStoreKind<{ url: string }>({
  name: 'redis',
  aliases: ['redis'],
  secret: 'never',
  keys: {
    stackDelimiter: '/',
    finalDelimiter: '/',
    // Atmos quirk kept: GetKey joins prefix and key with `:`, not `/`.
    rawKeyPath: (prefix, rawKey) => (prefix !== '' ? `${prefix}:${rawKey}` : rawKey),
    emptyScope: false,
  },
  codec: () => jsonCodec,
  maxValueBytes: () => REDIS_MAX_VALUE_BYTES,
  options(input) {
    const url = input.option('url') || input.env.ATMOS_REDIS_URL || '';
    if (url === '') {
      input.problem('either url must be set in options or ATMOS_REDIS_URL environment variable must be set', `set stores.${input.name}.options.url (redis://host:6379/0) or ATMOS_REDIS_URL`, 'url');
    } else if (!/^rediss?:\/\//.test(url) || !isParsableUrl(url)) {
      input.problem('options.url must be a redis:// or rediss:// URL', `set stores.${input.name}.options.url to e.g. redis://127.0.0.1:6379/0`, 'url');
    }
    return { url };
  },
  create: (setup) => new RedisBackend(setup.name, setup.options.url),
});

/** A redis store's connection. */
class RedisBackend implements StoreBackend {
  // One connection, opened on first use; a failed open is retried on the next operation.
  private readonly connection = memoizeAsync(() => this.open());

  constructor(
    private readonly name: string,
    private readonly url: string,
  ) {}

  /** The URL without user and password. */
  endpointLabel(): string {
    return redactUrl(this.url);
  }

  async readMany(paths: readonly string[]): Promise<Map<string, RawRead>> {
    const values = await this.run('MGET', undefined, (r) => r.mget(...paths));
    const out = new Map<string, RawRead>();
    paths.forEach((p, i) => out.set(p, values[i] === null || values[i] === undefined ? 'missing' : { raw: values[i] as string }));
    return out;
  }

  async write(path: string, encoded: string): Promise<void> {
    await this.run('SET', path, (r) => r.set(path, encoded));
  }

  async remove(path: string): Promise<void> {
    await this.run('DEL', path, (r) => r.del(path));
  }

  async exists(path: string): Promise<boolean> {
    return (await this.run('EXISTS', path, (r) => r.exists(path))) > 0;
  }

  /** Keys under the scope via SCAN (never KEYS, which blocks the server). */
  async list(scope: string): Promise<string[]> {
    const prefix = `${scope}/`;
    const names = new Set<string>();
    let cursor = '0';
    do {
      const [nextCursor, keys] = await this.run('SCAN', prefix, (r) => r.scan(cursor, 'MATCH', `${escapeGlob(prefix)}*`, 'COUNT', 500));
      for (const k of keys) if (k.startsWith(prefix) && k.length > prefix.length) names.add(k.slice(prefix.length));
      cursor = nextCursor;
    } while (cursor !== '0');
    return [...names];
  }

  async close(): Promise<void> {
    const conn = this.connection.peek();
    this.connection.clear();
    if (!conn) return;
    try {
      (await conn).disconnect();
    } catch {
      // A connection that never opened has nothing to close.
    }
  }

  private async run<T>(operation: string, path: string | undefined, fn: (r: Redis) => Promise<T>): Promise<T> {
    const client = await this.connect();
    try {
      return await fn(client);
    } catch (e) {
      throw backendError(this.name, operation, path, this.endpointLabel(), redisFailure(e));
    }
  }

  private connect(): Promise<Redis> {
    return this.connection();
  }

  /**
   * Opens the connection: at most {@link REDIS_LIMITS}.connectAttempts attempts, each bounded as a
   * whole (TCP, TLS and the ready check) by connectTimeoutMs, so a server that accepts and never
   * answers fails in about 4 s instead of ioredis's reconnect loop (issue 10 #2).
   */
  private async open(): Promise<Redis> {
    let last: unknown;
    for (let attempt = 1; attempt <= REDIS_LIMITS.connectAttempts; attempt++) {
      try {
        return await this.openOnce();
      } catch (e) {
        last = e;
      }
      if (attempt < REDIS_LIMITS.connectAttempts) await new Promise((r) => setTimeout(r, REDIS_LIMITS.retryDelayMs));
    }
    throw unreachable(this.name, this.endpointLabel(), `connect: ${describeRedisError(last)}`);
  }

  private async openOnce(): Promise<Redis> {
    const { Redis } = await import('ioredis');
    let lastError: unknown;
    const options: RedisOptions = {
      lazyConnect: true,
      connectTimeout: REDIS_LIMITS.connectTimeoutMs,
      commandTimeout: REDIS_LIMITS.commandTimeoutMs,
      maxRetriesPerRequest: REDIS_LIMITS.maxRetriesPerRequest,
      // No reconnect loop while connecting (open() retries); a dropped connection is re-opened once.
      retryStrategy: (times) => (times > 1 ? null : REDIS_LIMITS.retryDelayMs),
      enableOfflineQueue: true,
    };
    const client = new Redis(this.url, options);
    // Without a listener ioredis prints "Unhandled error event" with the error text.
    client.on('error', (e: unknown) => {
      lastError = e;
    });
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(Object.assign(new Error('no answer'), { code: 'ETIMEDOUT' })), REDIS_LIMITS.connectTimeoutMs);
    });
    try {
      await Promise.race([client.connect(), deadline]);
      return client;
    } catch (e) {
      client.disconnect();
      throw (e as { code?: unknown }).code === 'ETIMEDOUT' ? e : (lastError ?? e);
    } finally {
      clearTimeout(timer);
    }
  }
}

/** ioredis reports a command time-out by message only; it is a network failure, not a bad request. */
function redisFailure(e: unknown): unknown {
  return e instanceof Error && /^Command timed out/.test(e.message) ? { name: 'TimeoutError' } : e;
}

function describeRedisError(e: unknown): string {
  const code = (e as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string') return code;
  const name = (e as { name?: unknown } | undefined)?.name;
  return typeof name === 'string' ? name : 'Error';
}

/** A redis URL with the user and password removed. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    return u.toString().replace(/\/$/, '');
  } catch {
    return '<invalid url>';
  }
}

function escapeGlob(s: string): string {
  return s.replace(/[*?[\]\\]/g, '\\$&');
}

function isParsableUrl(s: string): boolean {
  try {
    new URL(s);
    return true;
  } catch {
    return false;
  }
}
