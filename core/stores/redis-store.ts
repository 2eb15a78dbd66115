/**
 * Redis (`kind: redis`). Values are JSON without TTL; reads JSON-decode, else return the raw
 * text. Batched reads use one MGET. Redis does not encrypt at rest, so the registry refuses
 * `secret: true` on it. Atmos has no delete/has for redis; infrakey adds them (DEL, EXISTS).
 *
 * Connection: one lazily opened connection with short time limits, so an unreachable server fails
 * in about two seconds with STORE_UNREACHABLE instead of retrying forever (ioredis's default).
 */
import type { Redis, RedisOptions } from 'ioredis';
import { memoizeAsync } from '../async/memoize-async';
import { BaseStore } from './base-store';
import type { RawRead, StoreSettings } from './base-store';
import { composeKeyPrefix } from './key-path';
import type { StoreCapabilities } from './store';
import { backendError, unreachable } from './store-errors';
import { jsonCodec } from './value-codec';

/** Time limits of the redis connection. */
export const REDIS_TIMEOUTS = { connectTimeoutMs: 2000, commandTimeoutMs: 5000, maxRetriesPerRequest: 1 } as const;

/** Options of a redis store after validation. */
export interface RedisStoreOptions extends StoreSettings {
  /** `redis://` or `rediss://` URL (may carry credentials; never shown). */
  readonly url: string;
}

const CAPABILITIES: StoreCapabilities = {
  set: true,
  delete: true,
  list: true,
  has: true,
  emptyScope: false,
  local: false,
  identityAware: false,
};

/** A redis store. */
export class RedisStore extends BaseStore {
  readonly capabilities = CAPABILITIES;
  private readonly url: string;
  // One connection, opened on first use; a failed open is retried on the next operation.
  private readonly connection = memoizeAsync(() => this.open());

  constructor(options: RedisStoreOptions) {
    super(options, jsonCodec);
    this.url = options.url;
  }

  /** The URL without user and password. */
  endpointLabel(): string {
    return redactUrl(this.url);
  }

  /** Atmos quirk kept: GetKey joins prefix and key with `:`, not `/`. */
  rawKeyPath(rawKey: string): string {
    return this.settings.prefix !== '' ? `${this.settings.prefix}:${rawKey}` : rawKey;
  }

  protected async readPaths(paths: readonly string[]): Promise<Map<string, RawRead>> {
    const values = await this.run('MGET', undefined, (r) => r.mget(...paths));
    const out = new Map<string, RawRead>();
    paths.forEach((p, i) => out.set(p, values[i] === null || values[i] === undefined ? 'missing' : { raw: values[i] as string }));
    return out;
  }

  async set(stack: string, component: string, key: string, value: unknown): Promise<void> {
    const path = this.keyPath(stack, component, key);
    const encoded = this.encode(path, value);
    await this.run('SET', path, (r) => r.set(path, encoded));
  }

  async delete(stack: string, component: string, key: string): Promise<void> {
    const path = this.keyPath(stack, component, key);
    await this.run('DEL', path, (r) => r.del(path));
  }

  async has(stack: string, component: string, key: string): Promise<boolean> {
    const path = this.keyPath(stack, component, key);
    return (await this.run('EXISTS', path, (r) => r.exists(path))) > 0;
  }

  /** Keys under (stack, component) via SCAN (never KEYS, which blocks the server). */
  async list(stack: string, component: string): Promise<string[]> {
    const prefix = `${composeKeyPrefix(this.settings.prefix, this.settings.stackDelimiter, stack, component, '/')}/`;
    const names = new Set<string>();
    let cursor = '0';
    do {
      const [nextCursor, keys] = await this.run('SCAN', prefix, (r) => r.scan(cursor, 'MATCH', `${escapeGlob(prefix)}*`, 'COUNT', 500));
      for (const k of keys) if (k.startsWith(prefix) && k.length > prefix.length) names.add(k.slice(prefix.length));
      cursor = nextCursor;
    } while (cursor !== '0');
    return [...names].sort();
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
      throw backendError(this.name, operation, path, this.endpointLabel(), e);
    }
  }

  private connect(): Promise<Redis> {
    return this.connection();
  }

  private async open(): Promise<Redis> {
    const { Redis } = await import('ioredis');
    let lastError: unknown;
    const options: RedisOptions = {
      lazyConnect: true,
      connectTimeout: REDIS_TIMEOUTS.connectTimeoutMs,
      commandTimeout: REDIS_TIMEOUTS.commandTimeoutMs,
      maxRetriesPerRequest: REDIS_TIMEOUTS.maxRetriesPerRequest,
      // Reconnect a dropped connection twice, then give up rather than loop forever.
      retryStrategy: (times) => (times > 2 ? null : 200),
      enableOfflineQueue: true,
    };
    const client = new Redis(this.url, options);
    // Without a listener ioredis prints "Unhandled error event" with the error text.
    client.on('error', (e: unknown) => {
      lastError = e;
    });
    try {
      await client.connect();
    } catch (e) {
      client.disconnect();
      const reason = describeRedisError(lastError ?? e);
      throw unreachable(this.name, this.endpointLabel(), `connect: ${reason}`);
    }
    return client;
  }
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
