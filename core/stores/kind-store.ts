/**
 * The one {@link Store} implementation: a kind's definition (key rules, encoding, size limit) over
 * the raw I/O of its backend. Batching, de-duplication, key validation and error shapes are the
 * same for every kind; the abilities (`set`, `delete`, `list`, `has`) exist exactly when the
 * backend has the matching method.
 */
import { StoreError } from '../errors';
import { composeKeyPrefix } from './key-path';
import type { ReadResult } from '../read-result';
import type { Store, StoreAuthResolver, StoreKind, StoreRequest, StoredEncoding } from './store';
import { isRawKeyRequest } from './store';
import { composePath, KeyRuleError, type RawRead, type StoreBackend, type StoreKeyRules } from './store-kind';
import { keyInvalid, keyNotFound, STORE_ERROR_CODES, storeWhere, valueInvalid, valueTooLarge } from './store-errors';
import type { ValueCodec } from './value-codec';

export type { RawRead } from './store-kind';

/** Settings of one store, after the registry applied the kind's defaults. */
export interface StoreSettings {
  readonly name: string;
  readonly kind: StoreKind;
  readonly secret: boolean;
  readonly identity?: string;
  readonly prefix: string;
  readonly stackDelimiter: string;
  readonly keys: StoreKeyRules;
  readonly local: boolean;
  readonly codec: ValueCodec;
  /** Largest encoded value in bytes; undefined: no limit. */
  readonly maxValueBytes?: number;
}

/** Reads in flight at once for backends without a batch read. */
const READ_ONE_CONCURRENCY = 8;

/** A configured store of any kind. */
export class KindStore implements Store {
  readonly name: string;
  readonly kind: StoreKind;
  readonly secret: boolean;
  readonly identity?: string;
  readonly local: boolean;
  readonly emptyScope: boolean;
  readonly encoding: StoredEncoding;
  readonly maxValueBytes?: number;
  readonly set?: (stack: string, component: string, key: string, value: unknown) => Promise<void>;
  readonly delete?: (stack: string, component: string, key: string) => Promise<void>;
  readonly list?: (stack: string, component: string) => Promise<string[]>;
  readonly has?: (stack: string, component: string, key: string) => Promise<boolean>;
  readonly setAuthResolver?: (resolver: StoreAuthResolver, defaultIdentity?: string) => void;

  constructor(
    private readonly settings: StoreSettings,
    private readonly backend: StoreBackend,
  ) {
    this.name = settings.name;
    this.kind = settings.kind;
    this.secret = settings.secret;
    this.identity = settings.identity;
    this.local = settings.local;
    this.emptyScope = settings.keys.emptyScope;
    this.encoding = settings.codec.encoding;
    this.maxValueBytes = settings.maxValueBytes;
    const { write, remove, exists, list } = backend;
    if (write) {
      this.set = async (stack, component, key, value) => {
        const path = this.keyPath(stack, component, key);
        await write.call(backend, path, this.encode(path, value));
      };
    }
    if (remove) this.delete = async (stack, component, key) => remove.call(backend, this.keyPath(stack, component, key));
    if (exists) this.has = async (stack, component, key) => exists.call(backend, this.keyPath(stack, component, key));
    if (list) {
      this.list = async (stack, component) => {
        const scope = composeKeyPrefix(this.settings.prefix, this.settings.stackDelimiter, stack, component, this.settings.keys.finalDelimiter);
        return [...new Set(await list.call(backend, scope))].sort();
      };
    }
    if (backend.setAuthResolver) this.setAuthResolver = (resolver, defaultIdentity) => backend.setAuthResolver?.(resolver, defaultIdentity);
  }

  /** Where the backend is, for messages (no credentials in it). */
  endpointLabel(): string {
    return this.backend.endpointLabel();
  }

  keyPath(stack: string, component: string, key: string): string {
    if (key === '') throw keyInvalid(this.name, 'key cannot be empty');
    if (!this.emptyScope) {
      if (stack === '') throw keyInvalid(this.name, `stack cannot be empty (backend "${this.kind}" needs a stack and a component)`);
      if (component === '') throw keyInvalid(this.name, `component cannot be empty (backend "${this.kind}" needs a stack and a component)`);
    }
    return this.byRule(() => composePath(this.settings.keys, this.settings.prefix, this.settings.stackDelimiter, stack, component, key));
  }

  rawKeyPath(rawKey: string): string {
    return this.byRule(() => this.settings.keys.rawKeyPath(this.settings.prefix, rawKey));
  }

  locate(path: string): string {
    return this.backend.locate ? this.backend.locate(path) : path;
  }

  /** Runs a kind's key rule, turning its refusal into STORE_KEY_INVALID naming this store. */
  private byRule(rule: () => string): string {
    try {
      return rule();
    } catch (e) {
      if (!(e instanceof KeyRuleError)) throw e;
      throw new StoreError({ code: STORE_ERROR_CODES.KEY_INVALID, message: `store "${this.name}": ${e.message}`, where: storeWhere(this.name), fix: e.fix });
    }
  }

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
        if (!isRawKeyRequest(r)) return this.keyPath(r.stack, r.component, r.key);
        if (r.rawKey === '') throw keyInvalid(this.name, 'key cannot be empty');
        return this.rawKeyPath(r.rawKey);
      } catch (e) {
        if (e instanceof StoreError) return e;
        throw e;
      }
    });
    const distinct = [...new Set(paths.filter((p): p is string => typeof p === 'string'))];
    const reads = distinct.length > 0 ? await this.read(distinct) : new Map<string, RawRead>();
    return paths.map((p): ReadResult => {
      if (typeof p !== 'string') return { status: 'error', location: '', error: p };
      const read = reads.get(p) ?? 'missing';
      if (read === 'missing') return { status: 'missing', location: p };
      if (read instanceof Error) return { status: 'error', location: p, error: read };
      return { status: 'found', location: p, value: this.settings.codec.decode(read.raw) };
    });
  }

  async close(): Promise<void> {
    await this.backend.close?.();
  }

  private async read(paths: readonly string[]): Promise<Map<string, RawRead>> {
    const { readMany, readOne } = this.backend;
    if (readMany) return readMany.call(this.backend, paths);
    if (!readOne) throw new TypeError(`store kind "${this.kind}" has no read method`);
    const reads = await mapLimit(paths, READ_ONE_CONCURRENCY, (p) => readOne.call(this.backend, p));
    return new Map(paths.map((p, i) => [p, reads[i]]));
  }

  /** Encodes a value for `path`, refusing what cannot be stored or is larger than the backend takes. */
  private encode(path: string, value: unknown): string {
    if (value === null || value === undefined) throw valueInvalid(this.name, path, 'cannot store nil value');
    let encoded: string;
    try {
      encoded = this.settings.codec.encode(value);
    } catch (e) {
      throw valueInvalid(this.name, path, e instanceof TypeError ? e.message : 'not JSON-encodable');
    }
    const max = this.maxValueBytes;
    if (max !== undefined) {
      const size = Buffer.byteLength(encoded, 'utf8');
      if (size > max) throw valueTooLarge(this.name, this.kind, path, size, max);
    }
    return encoded;
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

/** How a batch is named in messages: its first key, and how many more it holds. */
export function batchLabel(keys: readonly string[]): string {
  return keys.length === 1 ? keys[0] : `${keys[0]} (+${keys.length - 1} more)`;
}
