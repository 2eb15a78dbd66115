/**
 * Coalesces single reads into batched ones. The YAML-function pass starts every `!store` of a
 * component at once; each read queued in the same tick for the same store becomes part of one
 * `getMany` call, so fifty `!store` of one SSM store cost five GetParameters calls, not fifty.
 */
import { Batcher } from '../async/batcher';
import type { ReadResult } from '../read-result';
import type { Store, StoreRequest } from './store';

/** Batches reads per store until the current tick ends. */
export class StoreBatchReader {
  private readonly batcher = new Batcher<{ store: Store; request: StoreRequest }, ReadResult, Store>({
    group: (r) => r.store,
    run: (reads, store) => store.getMany(reads.map((r) => r.request)),
  });

  /** Reads one value through the store's next batch. */
  read(store: Store, request: StoreRequest): Promise<ReadResult> {
    return this.batcher.add({ store, request });
  }
}
