/**
 * The one request batcher of infrakey. Requests made in the same tick are handed to one `run` per
 * group: the YAML-function pass starts every `!store`/`!secret` of a component before awaiting
 * any, a Pulumi program calls `getSecret` while it is constructed, and each of those reads joins
 * one backend batch (SSM: 10 names a call) instead of costing one call each.
 */

/** One entry of a batch result: the item's value, or a promise that settles that item alone. */
export type BatchEntry<R> = R | Promise<R>;

/** What a {@link Batcher} does with a batch. */
export interface BatcherOptions<T, R, G> {
  /** Items of one group are run together (default: one group for every item). */
  group?: (item: T) => G;
  /**
   * Runs one group; returns one entry per item, in item order. A rejection (or a throw) fails
   * every item of the group with that error; a missing entry fails its item.
   */
  run: (items: readonly T[], group: G) => Promise<readonly BatchEntry<R>[]> | readonly BatchEntry<R>[];
}

/** Counters for tests and benchmarks (no values). */
export interface BatcherStats {
  /** `run` calls made (one per group per tick). */
  batches: number;
  /** Items handed to `run`. */
  items: number;
}

interface Pending<T, R> {
  readonly item: T;
  readonly resolve: (r: R) => void;
  readonly reject: (e: unknown) => void;
}

/** Collects items until the current tick ends, then runs them per group. */
export class Batcher<T, R, G = undefined> {
  private queue: Pending<T, R>[] = [];
  private scheduled = false;
  readonly stats: BatcherStats = { batches: 0, items: 0 };

  constructor(private readonly opts: BatcherOptions<T, R, G>) {}

  /** Queues one item; the promise settles when its batch has run. */
  add(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (this.scheduled) return;
      this.scheduled = true;
      // setImmediate, not a microtask: it runs after every promise callback of this tick, so
      // items added from awaits that settle within the tick (sibling YAML nodes, a Pulumi program
      // that awaited componentConfig) still join the batch.
      setImmediate(() => this.flush());
    });
  }

  private flush(): void {
    this.scheduled = false;
    const batch = this.queue;
    this.queue = [];
    const groups = new Map<G, Pending<T, R>[]>();
    for (const p of batch) {
      const g = this.opts.group ? this.opts.group(p.item) : (undefined as G);
      const list = groups.get(g);
      if (list) list.push(p);
      else groups.set(g, [p]);
    }
    // Every group starts in this one synchronous loop.
    for (const [g, items] of groups) void this.runGroup(g, items);
  }

  private async runGroup(group: G, items: Pending<T, R>[]): Promise<void> {
    this.stats.batches++;
    this.stats.items += items.length;
    let entries: readonly BatchEntry<R>[];
    try {
      entries = await this.opts.run(
        items.map((p) => p.item),
        group,
      );
    } catch (e) {
      for (const p of items) p.reject(e);
      return;
    }
    items.forEach((p, i) => {
      if (i < entries.length) Promise.resolve(entries[i]).then(p.resolve, p.reject);
      else p.reject(new Error(`batch returned ${entries.length} results for ${items.length} requests`));
    });
  }
}
