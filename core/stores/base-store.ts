/**
 * Shared behaviour of the backends: key validation and composition, value encoding, and the
 * single-read conveniences built on the batched read. A backend implements only the raw I/O
 * (`readPaths`, `writePath`, ...), so batching, de-duplication and error shapes are the same
 * everywhere.
 */
import { StoreError } from '../errors';
import { backendKeyPath } from './key-path';
import type { ReadResult } from '../read-result';
import type { Store, StoreCapabilities, StoreKind, StoreRequest } from './store';
import { isRawKeyRequest } from './store';
import { keyInvalid, keyNotFound, unsupported, valueInvalid } from './store-errors';
import type { ValueCodec } from './value-codec';

/** Settings every store has, after the registry applied defaults. */
export interface StoreSettings {
  readonly name: string;
  readonly kind: StoreKind;
  readonly secret: boolean;
  readonly identity?: string;
  readonly prefix: string;
  readonly stackDelimiter: string;
  readonly finalDelimiter: string;
}

/** What a backend read of one path gives. */
export type RawRead = { readonly raw: string } | 'missing' | Error;

/** Base class of the backends in this folder. */
export abstract class BaseStore implements Store {
  readonly name: string;
  readonly kind: StoreKind;
  readonly secret: boolean;
  readonly identity?: string;
  abstract readonly capabilities: StoreCapabilities;

  protected constructor(
    protected readonly settings: StoreSettings,
    protected readonly codec: ValueCodec,
  ) {
    this.name = settings.name;
    this.kind = settings.kind;
    this.secret = settings.secret;
    this.identity = settings.identity;
  }

  /** Where the backend is, for messages (no credentials in it). */
  abstract endpointLabel(): string;

  /** Reads distinct backend paths; a missing path is `'missing'`. Rejects when the backend is unusable. */
  protected abstract readPaths(paths: readonly string[]): Promise<Map<string, RawRead>>;

  keyPath(stack: string, component: string, key: string): string {
    this.checkCoordinate(stack, component, key);
    return backendKeyPath(this.kind, this.settings, stack, component, key);
  }

  abstract rawKeyPath(rawKey: string): string;

  async get(stack: string, component: string, key: string): Promise<unknown> {
    const [result] = await this.getMany([{ stack, component, key }]);
    return unwrapRead(this.name, result);
  }

  async getKey(rawKey: string): Promise<unknown> {
    const [result] = await this.getMany([{ rawKey }]);
    return unwrapRead(this.name, result);
  }

  /**
   * Batched read. Requests with an invalid key get an `error` result; the rest are de-duplicated
   * and read with as few backend calls as the backend allows. Rejects (instead of returning
   * per-request errors) when the backend cannot be used at all: unreachable, no credentials.
   */
  async getMany(requests: readonly StoreRequest[]): Promise<ReadResult[]> {
    const paths: (string | StoreError)[] = requests.map((r) => {
      try {
        return isRawKeyRequest(r) ? this.checkedRawKeyPath(r.rawKey) : this.keyPath(r.stack, r.component, r.key);
      } catch (e) {
        if (e instanceof StoreError) return e;
        throw e;
      }
    });
    const distinct = [...new Set(paths.filter((p): p is string => typeof p === 'string'))];
    const reads = distinct.length > 0 ? await this.readPaths(distinct) : new Map<string, RawRead>();
    return paths.map((p): ReadResult => {
      if (typeof p !== 'string') return { status: 'error', location: '', error: p };
      const read = reads.get(p) ?? 'missing';
      if (read === 'missing') return { status: 'missing', location: p };
      if (read instanceof Error) return { status: 'error', location: p, error: read };
      return { status: 'found', location: p, value: this.codec.decode(read.raw) };
    });
  }

  /** Encodes a value for `path`, refusing what cannot be stored. */
  protected encode(path: string, value: unknown): string {
    if (value === null || value === undefined) throw valueInvalid(this.name, path, 'cannot store nil value');
    try {
      return this.codec.encode(value);
    } catch (e) {
      throw valueInvalid(this.name, path, e instanceof TypeError ? e.message : 'not JSON-encodable');
    }
  }

  protected unsupported(operation: string): StoreError {
    return unsupported(this.name, operation, this.kind);
  }

  private checkedRawKeyPath(rawKey: string): string {
    if (rawKey === '') throw keyInvalid(this.name, 'key cannot be empty');
    return this.rawKeyPath(rawKey);
  }

  protected checkCoordinate(stack: string, component: string, key: string): void {
    if (key === '') throw keyInvalid(this.name, 'key cannot be empty');
    if (!this.capabilities.emptyScope) {
      if (stack === '') throw keyInvalid(this.name, `stack cannot be empty (backend "${this.kind}" needs a stack and a component)`);
      if (component === '') throw keyInvalid(this.name, `component cannot be empty (backend "${this.kind}" needs a stack and a component)`);
    }
  }
}

/** The value of a single read, or its error. */
export function unwrapRead(store: string, result: ReadResult | undefined): unknown {
  if (!result || result.status === 'missing') throw keyNotFound(store, result?.location ?? '');
  if (result.status === 'error') throw result.error;
  return result.value;
}

/** Runs `fn` over `items` with at most `limit` in flight; results keep the input order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** Splits into chunks of `size`. */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
