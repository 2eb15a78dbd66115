/**
 * Viper-style deep merge for configuration layers: maps merge recursively, anything else
 * (scalars, lists, YAML function nodes) is replaced by the higher layer. Inputs are not mutated.
 */
export function mergeConfig(lower: unknown, higher: unknown): unknown {
  if (isPlainObject(lower) && isPlainObject(higher)) {
    const out: Record<string, unknown> = { ...lower };
    for (const k of Object.keys(higher)) {
      const v = Object.prototype.hasOwnProperty.call(out, k) ? mergeConfig(out[k], higher[k]) : higher[k];
      if (k === '__proto__') Object.defineProperty(out, k, { value: v, writable: true, enumerable: true, configurable: true });
      else out[k] = v;
    }
    return out;
  }
  return higher === undefined ? lower : higher;
}

/** True for `{}`-style objects (not arrays, not class instances such as YamlFunction). */
export function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}
