import type { Secret } from '../core/index';
import { locateWorkspace, type Target, type WorkspaceOptions } from './workspace-locator';

/** One `getSecret` request. */
export interface SecretRequest {
  name: string;
  /** The component instance (resolved when the call was made). */
  target: Target;
  /** Where the Atmos project is. */
  workspace: WorkspaceOptions;
  path?: string;
  default?: string;
}

interface Queued {
  request: SecretRequest;
  resolve: (s: Secret<unknown>) => void;
  reject: (e: unknown) => void;
}

/** Counters for tests and the B5 benchmark (no values). */
export interface BatcherStats {
  /** Batches handed to the core resolver. */
  flushes: number;
  /** Requests received. */
  requests: number;
}

/**
 * Collects the `getSecret` calls a Pulumi program makes while it is being constructed (the
 * program body runs synchronously) and hands them to the core resolver together, in one
 * synchronous loop once the workspaces are loaded. The core resolver groups every read of that
 * tick per backend and reads each group with the store's `getMany` (SSM: 10 names a call), so 200
 * calls cost about 20 backend calls instead of 200.
 */
export class SecretBatcher {
  private queue: Queued[] = [];
  private scheduled = false;
  readonly stats: BatcherStats = { flushes: 0, requests: 0 };

  /** Queues one request; the promise settles when its batch is read. */
  request(request: SecretRequest): Promise<Secret<unknown>> {
    this.stats.requests++;
    return new Promise((resolve, reject) => {
      this.queue.push({ request, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        // setImmediate, not a microtask: calls made from promise callbacks of the same turn
        // (e.g. after an awaited componentConfig) still join the batch.
        setImmediate(() => {
          this.scheduled = false;
          const batch = this.queue;
          this.queue = [];
          void this.flush(batch);
        });
      }
    });
  }

  private async flush(batch: Queued[]): Promise<void> {
    this.stats.flushes++;
    const prepared = await Promise.all(
      batch.map(async (q) => {
        try {
          return { q, ws: await locateWorkspace(q.request.workspace), target: q.request.target };
        } catch (e) {
          q.reject(e);
          return undefined;
        }
      }),
    );
    // Every read starts in this one synchronous loop, so the core resolver batches them all.
    for (const p of prepared) {
      if (!p) continue;
      const { q, ws, target } = p;
      const { path, default: fallback } = q.request;
      ws.secret(q.request.name, { ...target, ...(path !== undefined ? { path } : {}), ...(fallback !== undefined ? { default: fallback } : {}) }).then(q.resolve, q.reject);
    }
  }
}

/** The batcher every getSecret call of the process uses. */
export const secretBatcher = new SecretBatcher();
