import { Batcher, type ComponentTarget, type Secret } from '../core/internal';
import { locateWorkspace, type WorkspaceOptions } from './workspace-locator';

/** One `getSecret` request. */
export interface SecretRequest {
  name: string;
  /** The component instance (resolved when the call was made). */
  target: ComponentTarget;
  /** Where the Atmos project is. */
  workspace: WorkspaceOptions;
  path?: string;
  default?: string;
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
  private readonly batcher = new Batcher<SecretRequest, Secret<unknown>>({ run: (batch) => readBatch(batch) });

  /** Batches handed to the core resolver and requests received. */
  get stats(): BatcherStats {
    return { flushes: this.batcher.stats.batches, requests: this.batcher.stats.items };
  }

  /** Queues one request; the promise settles when its batch is read. */
  request(request: SecretRequest): Promise<Secret<unknown>> {
    return this.batcher.add(request);
  }
}

async function readBatch(batch: readonly SecretRequest[]): Promise<Promise<Secret<unknown>>[]> {
  const located = await Promise.all(batch.map((r) => locateWorkspace(r.workspace).then((ws) => ({ ws }), (error: unknown) => ({ error }))));
  // Every read starts in this one synchronous loop, so the core resolver batches them all.
  return batch.map((r, i) => {
    const l = located[i];
    if ('error' in l) return Promise.reject(l.error);
    const { path, default: fallback } = r;
    return l.ws.secret(r.name, { ...r.target, ...(path !== undefined ? { path } : {}), ...(fallback !== undefined ? { default: fallback } : {}) });
  });
}

/** The batcher every getSecret call of the process uses. */
export const secretBatcher = new SecretBatcher();
