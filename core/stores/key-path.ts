/**
 * Store key composition, exactly as Atmos composes it (`pkg/store/providers/keys.go`, semantics §5.3).
 * Values written by Atmos must be found by infrakey at the same paths, and the other way round, so
 * the quirks are kept: an empty prefix still contributes an empty first segment, and `//` is
 * collapsed by a single non-overlapping pass (`///` becomes `//`). Each kind's delimiters, name
 * sanitising and raw-key rule are declared in its module (`kinds/`).
 */

/** Parameters of the composition for one store. */
export interface KeyPathRules {
  readonly prefix: string;
  readonly stackDelimiter: string;
  readonly finalDelimiter: string;
}

/**
 * Atmos `getKey`: `[prefix, ...split(stack, stackDelimiter), ...split(component, "/"), key]`
 * joined by `finalDelimiter`, then one `replaceAll("//", "/")`.
 */
export function composeKey(prefix: string, stackDelimiter: string, stack: string, component: string, key: string, finalDelimiter: string): string {
  return joinParts(keyParts(prefix, stackDelimiter, stack, component).concat(key), finalDelimiter);
}

/**
 * Atmos `getKeyPrefix`: the same composition without the key, the scope a listing is limited to.
 * Every key `composeKey` builds for (stack, component) starts with this prefix + `finalDelimiter`.
 */
export function composeKeyPrefix(prefix: string, stackDelimiter: string, stack: string, component: string, finalDelimiter: string): string {
  return joinParts(keyParts(prefix, stackDelimiter, stack, component), finalDelimiter);
}

function keyParts(prefix: string, stackDelimiter: string, stack: string, component: string): string[] {
  const parts = [prefix];
  if (stack !== '') parts.push(...splitLikeGo(stack, stackDelimiter));
  if (component !== '') parts.push(...component.split('/'));
  return parts;
}

function joinParts(parts: string[], finalDelimiter: string): string {
  return parts.join(finalDelimiter).replaceAll('//', '/');
}

/** Go's strings.Split: an empty separator splits after each code point. */
function splitLikeGo(s: string, sep: string): string[] {
  return sep === '' ? Array.from(s) : s.split(sep);
}

/** The common raw-key rule (Secrets Manager, Vault-style kinds): `prefix + "/" + raw` when a prefix is set. */
export function prefixedRawKey(prefix: string, rawKey: string): string {
  return prefix !== '' ? `${prefix}/${rawKey}` : rawKey;
}
