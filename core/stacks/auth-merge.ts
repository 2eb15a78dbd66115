import { AuthError, type SourceLocation } from '../errors';
import { cloneValue, deepMerge, isMap, setKey, type ListMergeStrategy, type YamlMap } from './deep-merge';

/**
 * Merges a component's `auth` (atmos-semantics §1.5.2): atmos.yaml `auth` is the base, then the
 * stack layers (already merged in stack order: top-level → component type → bases → component →
 * overrides). The runtime rules of Atmos's MergeComponentAuthConfig are applied here, so that what
 * `describe component` shows is what authentication will use:
 * - if the stack layers mark any identity `default: true`, the global defaults are cleared first;
 * - an entry that is exactly `{default: <bool>}` is a marker, matched case-insensitively against
 *   the global identities; an undefined `default: false` marker is dropped, an undefined
 *   `default: true` marker is AUTH_DEFAULT_IDENTITY_UNDEFINED.
 */
export function mergeComponentAuth(
  globalAuth: unknown,
  stackAuth: YamlMap,
  strategy: ListMergeStrategy,
  where?: (identity: string) => SourceLocation | string | undefined,
): YamlMap {
  const base = isMap(globalAuth) ? (cloneValue(globalAuth) as YamlMap) : {};
  const globalIds = isMap(base.identities) ? base.identities : {};
  const stackIds = isMap(stackAuth.identities) ? stackAuth.identities : undefined;
  let layer = stackAuth;
  if (stackIds) {
    const fixed: YamlMap = {};
    let stackHasDefault = false;
    for (const name of Object.keys(stackIds)) {
      const entry = stackIds[name];
      if (isMap(entry) && entry.default === true) stackHasDefault = true;
      if (!isMarker(entry) || Object.prototype.hasOwnProperty.call(globalIds, name)) {
        setKey(fixed, name, entry);
        continue;
      }
      const match = Object.keys(globalIds).find((g) => g.toLowerCase() === name.toLowerCase());
      if (match) setKey(fixed, match, entry);
      else if ((entry as YamlMap).default === true) {
        throw new AuthError({
          code: 'AUTH_DEFAULT_IDENTITY_UNDEFINED',
          message: `Component default identity "${name}" is not defined in the active global auth configuration`,
          where: where?.(name),
          fix: `define auth.identities.${name} in atmos.yaml (or a profile), or correct the identity name`,
        });
      }
    }
    if (stackHasDefault) {
      for (const g of Object.keys(globalIds)) {
        const id = globalIds[g];
        if (isMap(id) && id.default === true) id.default = false;
      }
    }
    layer = { ...stackAuth, identities: fixed };
  }
  return deepMerge([base, layer], strategy);
}

function isMarker(entry: unknown): boolean {
  return isMap(entry) && Object.keys(entry).length === 1 && typeof entry.default === 'boolean';
}
