/**
 * `!store` and `!store.get` (semantics §5.6), evaluated against the store registry after the
 * stack merge. Arguments are parsed by core/yaml/function-args; the `| query` path by
 * core/yaml/query-path.
 *
 * Order, as Atmos: unknown store → error; `!store` on a `secret: true` store → STORE_IS_SECRET
 * ("use !secret"); read; on a read error the `| default` (a string) if given, else the error;
 * then `| query`. Unlike Atmos, `!store.get` refuses secret stores too (Atmos documents it but
 * does not enforce it, §11.9). Messages show the function without its default: a default may be
 * sensitive.
 */
import { StoreError, type SourceLocation } from '../errors';
import { parseStoreArgs, parseStoreGetArgs, type StoreArgs, type StoreGetArgs } from '../yaml/function-args';
import { queryPath } from '../yaml/query-path';
import type { YamlFunction } from '../yaml/yaml-function';
import { StoreBatchReader } from './batch-reader';
import { unwrapRead } from './kind-store';
import type { ReadResult } from '../read-result';
import type { Store, StoreRequest } from './store';
import { STORE_ERROR_CODES } from './store-errors';
import type { StoreRegistry } from './store-registry';

/** Where and for which stack a `!store` is evaluated. */
export interface StoreFunctionContext {
  /** The current stack (used when `!store` has 3 words). */
  readonly stack: string;
  /** Where the function was written. */
  readonly source?: SourceLocation;
  /** Shared batcher; reads of the same tick and store become one backend call. */
  readonly batch?: StoreBatchReader;
}

/** Evaluates parsed `!store` arguments. */
export async function evaluateStore(registry: StoreRegistry, args: StoreArgs, ctx: StoreFunctionContext): Promise<unknown> {
  const stack = args.stack ?? ctx.stack;
  const shown = `!store ${args.store} ${stack} ${args.component} ${args.key}`;
  const store = lookup(registry, args.store, shown, ctx.source);
  refuseSecret(store, '!store', shown, ctx.source);
  return finish(store, { stack, component: args.component, key: args.key }, args, shown, ctx, false);
}

/** Evaluates parsed `!store.get` arguments. */
export async function evaluateStoreGet(registry: StoreRegistry, args: StoreGetArgs, ctx: Omit<StoreFunctionContext, 'stack'> & { stack?: string }): Promise<unknown> {
  const shown = `!store.get ${args.store} ${args.key}`;
  const store = lookup(registry, args.store, shown, ctx.source);
  refuseSecret(store, '!store.get', shown, ctx.source);
  return finish(store, { rawKey: args.key }, args, shown, ctx, true);
}

/**
 * Callbacks for `resolveYamlFunctions` (`store`, `storeGet`) bound to a registry and a stack.
 * All reads started in one pass share a batcher.
 */
export function storeFunctionResolver(registry: StoreRegistry, stack: string): { store(fn: YamlFunction): Promise<unknown>; storeGet(fn: YamlFunction): Promise<unknown> } {
  const batch = new StoreBatchReader();
  return {
    store: (fn) => evaluateStore(registry, parseStoreArgs(fn.args, fn.source), { stack, source: fn.source, batch }),
    storeGet: (fn) => evaluateStoreGet(registry, parseStoreGetArgs(fn.args, fn.source), { source: fn.source, batch }),
  };
}

function lookup(registry: StoreRegistry, name: string, shown: string, source?: SourceLocation): Store {
  const store = registry.find(name);
  if (store) return store;
  const known = registry.names();
  throw new StoreError({
    code: STORE_ERROR_CODES.NOT_CONFIGURED,
    message: `failed to execute YAML function ${shown}: store "${name}" is not configured`,
    where: source,
    fix: known.length > 0 ? `use one of the configured stores (${known.join(', ')}) or add stores.${name} to atmos.yaml` : `add stores.${name} to atmos.yaml`,
  });
}

function refuseSecret(store: Store, fn: string, shown: string, source?: SourceLocation): void {
  if (!store.secret) return;
  throw new StoreError({
    code: STORE_ERROR_CODES.IS_SECRET,
    message: `store is a secret store; use !secret instead of ${fn}: store "${store.name}" (in ${shown})`,
    where: source,
    fix: `declare the value under the component's secrets.vars with store: ${store.name} and reference it with !secret NAME`,
  });
}

async function finish(
  store: Store,
  request: StoreRequest,
  args: { default?: string; query?: string },
  shown: string,
  ctx: { source?: SourceLocation; batch?: StoreBatchReader },
  nilIsMissing: boolean,
): Promise<unknown> {
  let value: unknown;
  try {
    const result: ReadResult = ctx.batch ? await ctx.batch.read(store, request) : (await store.getMany([request]))[0];
    value = unwrapRead(store.name, result);
  } catch (e) {
    if (args.default !== undefined) return args.default;
    throw readFailure(e, shown, ctx.source);
  }
  if (nilIsMissing && value === null && args.default !== undefined) return args.default;
  if (args.query !== undefined) return queryPath(value, args.query, { source: ctx.source, subject: `the value of ${shown}` });
  return value;
}

/** Adds the function and its location to a store error; keeps the code. */
function readFailure(e: unknown, shown: string, source?: SourceLocation): unknown {
  if (!(e instanceof StoreError)) return e;
  return new StoreError({
    code: e.code,
    message: `failed to execute YAML function ${shown}: ${e.summary}`,
    where: source ?? e.where,
    fix: e.fix,
    cause: e,
  });
}
