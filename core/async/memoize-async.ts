/**
 * The one way core shares an asynchronous result: concurrent callers share the pending promise,
 * later callers the settled value, and a rejection is never kept (the next call tries again, so
 * a fixed environment, a reachable server or a corrected password is picked up in-process).
 */

/** Pending or fulfilled results by key; a rejected load is forgotten. */
export class AsyncCache<K, V> {
  private readonly entries = new Map<K, Promise<V>>();

  /**
   * The result for `key`: the cached promise, or `load()` started now. A rejection reaches every
   * caller waiting on it and is then dropped, unless the entry was already replaced or deleted.
   */
  get(key: K, load: () => Promise<V>): Promise<V> {
    const cached = this.entries.get(key);
    if (cached) return cached;
    let p: Promise<V>;
    try {
      p = load();
    } catch (e) {
      return Promise.reject(e);
    }
    this.entries.set(key, p);
    p.catch(() => {
      if (this.entries.get(key) === p) this.entries.delete(key);
    });
    return p;
  }

  /** The entry for `key`, pending or fulfilled, without loading. */
  peek(key: K): Promise<V> | undefined {
    return this.entries.get(key);
  }

  /** Forgets `key` (e.g. after a write); a load still pending settles only its own callers. */
  delete(key: K): void {
    this.entries.delete(key);
  }

  /** Forgets every entry. */
  clear(): void {
    this.entries.clear();
  }
}

/** A memoized nullary async function; see {@link memoizeAsync}. */
export interface MemoizedAsync<T> {
  (): Promise<T>;
  /** The pending or fulfilled result, if any (e.g. to close a client that was created). */
  peek(): Promise<T> | undefined;
  /** Forgets the result: the next call loads again. */
  clear(): void;
}

const ONLY = Symbol('only');

/**
 * `load` run once on first call and its result shared; a rejection is not kept, so the next call
 * runs `load` again. A synchronous throw from `load` becomes a rejection.
 */
export function memoizeAsync<T>(load: () => Promise<T>): MemoizedAsync<T> {
  const cache = new AsyncCache<typeof ONLY, T>();
  const memo = (() => cache.get(ONLY, load)) as MemoizedAsync<T>;
  memo.peek = () => cache.peek(ONLY);
  memo.clear = () => cache.clear();
  return memo;
}

/**
 * Forgets the memoized result and disposes of it if one was created (a client's sockets would hold
 * the process open); a load that failed holds nothing and is ignored.
 */
export async function disposeMemoized<T>(memo: MemoizedAsync<T>, dispose: (value: T) => Promise<void> | void): Promise<void> {
  const pending = memo.peek();
  memo.clear();
  if (!pending) return;
  try {
    await dispose(await pending);
  } catch {
    // A failed load (or dispose) leaves nothing to release.
  }
}
