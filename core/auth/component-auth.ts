import { isMap } from './auth-config';
import { AUTH_ERROR_CODES, authError } from './auth-errors';
import { resolveRealm } from './realm';

type Raw = Record<string, unknown>;

/**
 * The effective `auth` of a component (§1.5.2): the global `auth:` with the component's merged
 * `auth` section over it, and Atmos's runtime rules:
 * - when the component makes an identity the default, every inherited default is cleared;
 * - an entry that is exactly `{default: <bool>}` is a marker resolved case-insensitively against
 *   the global identities; an undefined `default: false` marker is dropped, an undefined
 *   `default: true` marker is an error.
 * Works whether or not the component section already contains the global config.
 */
export function mergeComponentAuth(globalAuth: unknown, componentAuth: unknown, where = 'auth'): Raw {
  const g: Raw = isMap(globalAuth) ? globalAuth : {};
  const c: Raw = isMap(componentAuth) ? componentAuth : {};
  const gIds: Raw = isMap(g.identities) ? g.identities : {};
  const cIds: Raw = isMap(c.identities) ? c.identities : {};
  const find = (name: string) => Object.keys(gIds).find((k) => k === name) ?? Object.keys(gIds).find((k) => k.toLowerCase() === name.toLowerCase());

  const ids: Raw = {};
  for (const [k, v] of Object.entries(gIds)) ids[k] = isMap(v) ? { ...v } : v;
  const newDefaults = Object.entries(cIds).filter(([k, v]) => isMap(v) && v.default === true && !(isMap(gIds[find(k) ?? '']) && (gIds[find(k)!] as Raw).default === true));
  if (newDefaults.length > 0) {
    for (const [k, v] of Object.entries(ids)) if (isMap(v) && v.default === true) ids[k] = { ...v, default: false };
  }
  for (const [k, v] of Object.entries(cIds)) {
    if (!isMap(v)) continue;
    const marker = Object.keys(v).length === 1 && typeof v.default === 'boolean';
    const target = find(k);
    if (marker && !target) {
      if (v.default === false) continue;
      throw authError(
        AUTH_ERROR_CODES.IDENTITY_NOT_FOUND,
        `component default identity "${k}" is not defined in the active global auth configuration`,
        `${where}.identities.${k}`,
        `define auth.identities.${k} in atmos.yaml (or the active profile), or fix the name`,
      );
    }
    const key = target ?? k;
    const base = isMap(ids[key]) ? (ids[key] as Raw) : {};
    ids[key] = deepMerge(base, v);
  }
  const out: Raw = { ...g, ...Object.fromEntries(Object.entries(c).filter(([k]) => k !== 'identities' && k !== 'providers')) };
  out.providers = deepMerge(isMap(g.providers) ? g.providers : {}, isMap(c.providers) ? c.providers : {});
  out.identities = ids;
  return out;
}

function deepMerge(a: Raw, b: Raw): Raw {
  const out: Raw = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = isMap(v) && isMap(out[k]) ? deepMerge(out[k] as Raw, v) : v;
  return out;
}

/**
 * atmos.yaml `auth` as Atmos merges it under every component's `auth` (its AuthConfig struct
 * through JSON, `stack_processor_process_stacks.go`): when providers or identities are
 * configured, `realm` (the computed one: ATMOS_AUTH_REALM, `auth.realm`, else the hash of the
 * config folder), `logs` (`file`, `level`) and `keyring` (`type`, `spec`) are always present, so
 * `describe component` shows what Atmos shows. Otherwise the section is as written.
 */
export function globalComponentAuth(auth: unknown, opts: { env: NodeJS.ProcessEnv; configDir?: string; where?: string }): unknown {
  if (!isMap(auth) || (auth.providers == null && auth.identities == null)) return auth;
  const logs: Raw = isMap(auth.logs) ? auth.logs : {};
  const keyring: Raw = isMap(auth.keyring) ? auth.keyring : {};
  const realm = resolveRealm({ env: opts.env, configRealm: auth.realm, ...(opts.configDir ? { configDir: opts.configDir } : {}), ...(opts.where ? { where: opts.where } : {}) });
  return {
    ...auth,
    realm: realm.value,
    logs: { file: typeof logs.file === 'string' ? logs.file : '', level: typeof logs.level === 'string' ? logs.level : '' },
    keyring: Object.fromEntries(['type', 'spec'].filter((k) => keyring[k] !== undefined && keyring[k] !== '').map((k) => [k, keyring[k]])),
  };
}
