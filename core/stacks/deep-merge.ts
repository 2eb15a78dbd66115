import { AppendList, isYamlFunction } from '../yaml/yaml-function';

/** How lists merge across layers (`settings.list_merge_strategy`, as Atmos). */
export type ListMergeStrategy = 'replace' | 'append' | 'merge';

export const LIST_MERGE_STRATEGIES: readonly ListMergeStrategy[] = ['replace', 'append', 'merge'];

/** A YAML map as the stack engine sees it. */
export type YamlMap = Record<string, unknown>;

/** True for plain maps (not lists, not YAML function nodes, not null). */
export function isMap(value: unknown): value is YamlMap {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !isYamlFunction(value);
}

/**
 * Sets a key without ever touching the prototype: a manifest key named `__proto__` must stay data.
 */
export function setKey(target: YamlMap, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

/**
 * Copies maps and lists; leaves (scalars, YAML function nodes) are immutable and shared. The stack
 * engine hands out merged values built with this, so callers may mutate what they receive without
 * corrupting the parsed-file cache.
 */
export function cloneValue(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(cloneValue);
  if (isMap(value)) {
    const out: YamlMap = {};
    for (const key of Object.keys(value)) setKey(out, key, cloneValue(value[key]));
    return out;
  }
  return value;
}

/**
 * Merges `source` into `target`, which must be owned by the caller (built by this module). Maps
 * merge recursively, scalars and YAML function nodes override, `null` overrides (an `env` entry of
 * `null` unsets the variable), lists follow `strategy`.
 */
export function mergeInto(target: YamlMap, source: YamlMap, strategy: ListMergeStrategy = 'replace'): YamlMap {
  for (const key of Object.keys(source)) {
    const next = source[key];
    const prev = Object.prototype.hasOwnProperty.call(target, key) ? target[key] : undefined;
    if (isMap(next) && isMap(prev)) {
      mergeInto(prev, next, strategy);
    } else if (next instanceof AppendList && Array.isArray(prev)) {
      // `!append`: this list adds to the inherited one whatever the strategy.
      setKey(target, key, [...prev, ...next.map(cloneValue)]);
    } else if (Array.isArray(next) && Array.isArray(prev) && strategy !== 'replace') {
      setKey(target, key, strategy === 'append' ? [...prev, ...next.map(cloneValue)] : mergeLists(prev, next, strategy));
    } else {
      setKey(target, key, cloneValue(next));
    }
  }
  return target;
}

/** `merge` strategy: items at the same index deep-merge (maps) or override; extra items are kept. */
function mergeLists(prev: unknown[], next: unknown[], strategy: ListMergeStrategy): unknown[] {
  const out = prev.slice();
  next.forEach((item, i) => {
    const old = out[i];
    if (isMap(item) && isMap(old)) out[i] = mergeInto(old, item, strategy);
    else out[i] = cloneValue(item);
  });
  return out;
}

/**
 * Deep-merges layers, lowest priority first, into a new map. Non-map layers (`undefined`, `null`)
 * are skipped; the inputs are never mutated.
 */
export function deepMerge(layers: readonly unknown[], strategy: ListMergeStrategy = 'replace'): YamlMap {
  const out: YamlMap = {};
  for (const layer of layers) if (isMap(layer)) mergeInto(out, layer, strategy);
  return out;
}
