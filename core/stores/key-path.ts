/**
 * Store key composition, exactly as Atmos composes it (`pkg/store/providers/keys.go`, semantics §5.3).
 * Values written by Atmos must be found by infrakey at the same paths, and the other way round, so
 * the quirks are kept: an empty prefix still contributes an empty first segment, and `//` is
 * collapsed by a single non-overlapping pass (`///` becomes `//`).
 */
import type { StoreKind } from './store';

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

/** Default stack delimiter per kind (§5.3). */
export function defaultStackDelimiter(kind: StoreKind): string {
  switch (kind) {
    case 'hashicorp/vault':
    case 'redis':
    case 'artifactory':
      return '/';
    default:
      return '-';
  }
}

/** Final delimiter per kind (§5.3). */
export function finalDelimiter(kind: StoreKind): string {
  switch (kind) {
    case 'azure/keyvault':
      return '-';
    case 'gcp/secretmanager':
      return '_';
    default:
      return '/';
  }
}

/**
 * The full backend path for coordinates, with each backend's post-processing (§5.3). Backends
 * that address by reference or by flat name (1Password, GitHub Actions) are not composed here.
 */
export function backendKeyPath(kind: StoreKind, rules: KeyPathRules, stack: string, component: string, key: string): string {
  const joined = composeKey(rules.prefix, rules.stackDelimiter, stack, component, key, rules.finalDelimiter);
  switch (kind) {
    case 'azure/keyvault':
      return azureName(joined);
    case 'gcp/secretmanager':
      return gcpName(joined);
    default:
      return joined;
  }
}

/** Azure Key Vault names allow only `[0-9A-Za-z-]`. */
function azureName(s: string): string {
  const cleaned = s
    .replace(/[^0-9A-Za-z-]/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-+|-+$/g, '');
  return cleaned === '' ? 'default' : cleaned;
}

/** GCP Secret Manager ids: `/` → `_`, one `__` → `_` pass, trim `_`. */
function gcpName(s: string): string {
  return s.replaceAll('/', '_').replaceAll('__', '_').replace(/^_+|_+$/g, '');
}

/** SSM `GetKey`: `prefix + "/" + raw` when a prefix is set, with a forced leading `/`. */
export function ssmRawKeyPath(prefix: string, rawKey: string): string {
  const name = prefix !== '' ? `${prefix}/${rawKey}` : rawKey;
  return name.startsWith('/') ? name : `/${name}`;
}

/** Secrets Manager `GetKey`: `prefix + "/" + raw` when a prefix is set. */
export function asmRawKeyPath(prefix: string, rawKey: string): string {
  return prefix !== '' ? `${prefix}/${rawKey}` : rawKey;
}

/** Vault `GetKey`: `trimRight(prefix, "/") + "/" + trimLeft(raw, "/")`. */
export function vaultRawKeyPath(prefix: string, rawKey: string): string {
  return `${prefix.replace(/\/+$/, '')}/${rawKey.replace(/^\/+/, '')}`;
}
