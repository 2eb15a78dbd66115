/**
 * Coalesces single reads into batched ones. The YAML-function pass starts every `!store` of a
 * component at once; each read queued in the same tick for the same store becomes part of one
 * `getMany` call, so fifty `!store` of one SSM store cost five GetParameters calls, not fifty.
 */
import type { Store, StoreReadResult, StoreRequest } from './store';

interface Pending {
  readonly request: StoreRequest;
  readonly resolve: (r: StoreReadResult) => void;
  readonly reject: (e: unknown) => void;
}

/** Batches reads per store until the current tick ends. */
export class StoreBatchReader {
  private readonly queues = new Map<Store, Pending[]>();

  /** Reads one value through the store's next batch. */
  read(store: Store, request: StoreRequest): Promise<StoreReadResult> {
    return new Promise<StoreReadResult>((resolve, reject) => {
      let queue = this.queues.get(store);
      if (!queue) {
        queue = [];
        this.queues.set(store, queue);
        // setImmediate runs after every promise callback of this tick, so reads started by
        // sibling nodes (and their awaits) all join the batch.
        setImmediate(() => void this.flush(store));
      }
      queue.push({ request, resolve, reject });
    });
  }

  private async flush(store: Store): Promise<void> {
    const queue = this.queues.get(store) ?? [];
    this.queues.delete(store);
    try {
      const results = await store.getMany(queue.map((p) => p.request));
      queue.forEach((p, i) => p.resolve(results[i]));
    } catch (e) {
      for (const p of queue) p.reject(e);
    }
  }
}
