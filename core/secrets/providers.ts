/**
 * Secret providers (`secrets.providers`, semantics §6.1/§6.5): the SOPS vaults of track 2. They
 * are configured in atmos.yaml and/or in stack manifests (top level: every component of the stack;
 * component level: that component). A stack- or component-scoped provider replaces an atmos.yaml
 * provider of the same name as a whole (Atmos looks the name up in the component first).
 *
 * Also here: checking that a declaration's backend exists and can hold its scope.
 */
import type { InfrakeyError } from '../errors';
import type { Store } from '../stores/store';
import type { SecretDeclaration } from './declaration';
import { declarationError, SECRET_ERROR_CODES } from './secret-errors';
import { canonicalSopsKind, sopsProviderKinds } from './sops/key-types/index';

/**
 * SOPS provider kinds this build can decrypt (Atmos's names, §6.6). `sops/aws-kms` files have their
 * data key wrapped by AWS KMS; the KMS calls run as the provider's `identity`. Any SOPS provider
 * opens files with age and AWS KMS master keys alike (sops tries every master key); the kind
 * says which one the provider is meant for.
 */
export const SUPPORTED_PROVIDER_KINDS: readonly string[] = sopsProviderKinds();

/** One `secrets.providers.<name>` entry. */
export interface SecretsProviderConfig {
  readonly name: string;
  /** Canonical kind (`sops/age`); `sops` and an empty kind mean `sops/age`. */
  readonly kind: string;
  readonly identity?: string;
  readonly spec: Readonly<Record<string, unknown>>;
  /** Where it was configured: `atmos.yaml (secrets.providers.x)` or the component's manifest. */
  readonly where: string;
  /** `config` (atmos.yaml) or `stack` (a stack manifest's top level or a component). */
  readonly origin: 'config' | 'stack';
  /**
   * The component's merged `auth` section, set by the secrets layer: the KMS key service
   * authenticates the provider's `identity`, else this auth's default identity (§6.6).
   */
  readonly componentAuth?: unknown;
}

function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `sops`, `''` and `age` are the historic spellings of `sops/age`; a key type's alias (`sops/gpg`) its canonical kind. */
export function canonicalProviderKind(kind: unknown): string {
  if (kind === undefined || kind === null || kind === '' || kind === 'sops' || kind === 'age') return 'sops/age';
  return canonicalSopsKind(String(kind));
}

function readProviders(raw: unknown, origin: 'config' | 'stack', where: (name: string) => string, problems: InfrakeyError[]): Map<string, SecretsProviderConfig> {
  const out = new Map<string, SecretsProviderConfig>();
  if (raw === undefined || raw === null) return out;
  if (!isMap(raw)) {
    problems.push(
      declarationError(SECRET_ERROR_CODES.DECLARATION_INVALID, '`secrets.providers` must be a map of provider name to provider config', where(''), 'write `secrets: { providers: { <name>: { kind: sops/age, spec: { file: ... } } } }`'),
    );
    return out;
  }
  for (const [name, entry] of Object.entries(raw)) {
    if (!isMap(entry)) {
      problems.push(declarationError(SECRET_ERROR_CODES.DECLARATION_INVALID, `secrets provider "${name}" must be a map`, where(name), `write \`${name}: { kind: sops/age, spec: { file: secrets/{{ .atmos_stack }}.enc.yaml } }\``));
      continue;
    }
    const spec = entry.spec;
    if (spec !== undefined && spec !== null && !isMap(spec)) {
      problems.push(declarationError(SECRET_ERROR_CODES.DECLARATION_INVALID, `secrets provider "${name}": spec must be a map`, where(name), 'write `spec: { file: ... }`'));
      continue;
    }
    out.set(name, {
      name,
      kind: canonicalProviderKind(entry.kind),
      ...(typeof entry.identity === 'string' && entry.identity !== '' ? { identity: entry.identity } : {}),
      spec: (spec ?? {}) as Record<string, unknown>,
      where: where(name),
      origin,
    });
  }
  return out;
}

/** Options of {@link mergeProviders}. */
export interface MergeProvidersOptions {
  /** Maps a config path to `file:line` in atmos.yaml. */
  locateConfig?: (path: string) => string;
  /** Where the component's merged `secrets` came from (its manifest), for messages. */
  componentWhere?: string;
}

/**
 * The providers a component sees: atmos.yaml `secrets.providers`, replaced name by name by the
 * component's merged `secrets.providers` (which already holds the stack-level ones).
 */
export function mergeProviders(
  configProviders: unknown,
  componentProviders: unknown,
  opts: MergeProvidersOptions = {},
): { providers: Record<string, SecretsProviderConfig>; problems: InfrakeyError[] } {
  const problems: InfrakeyError[] = [];
  const cfgWhere = (name: string): string => {
    const path = name === '' ? 'secrets.providers' : `secrets.providers.${name}`;
    const loc = opts.locateConfig?.(path);
    return loc && loc !== path ? `${loc} (${path})` : path;
  };
  const stackWhere = (name: string): string => `${opts.componentWhere ?? 'stack manifest'} (secrets.providers${name ? `.${name}` : ''})`;
  const merged = readProviders(configProviders, 'config', cfgWhere, problems);
  for (const [name, p] of readProviders(componentProviders, 'stack', stackWhere, problems)) merged.set(name, p);
  return { providers: Object.fromEntries(merged), problems };
}

/** What {@link checkBackend} needs to know about stores. */
export interface StoreLookup {
  find(name: string): Store | undefined;
  names(): string[];
}

/**
 * Checks that the declaration's backend exists, is a secret backend and can hold its scope.
 * Returns the problem (naming the declaration, the store or provider and the file) or undefined.
 */
export function checkBackend(decl: SecretDeclaration, stores: StoreLookup, providers: Readonly<Record<string, SecretsProviderConfig>>): InfrakeyError | undefined {
  const n = JSON.stringify(decl.name);
  if (decl.store !== undefined) {
    const store = stores.find(decl.store);
    if (!store) {
      const known = stores.names();
      return declarationError(
        SECRET_ERROR_CODES.STORE_UNKNOWN,
        `referenced store is not configured: "${decl.store}" (secret ${n})`,
        decl.where,
        known.length > 0 ? `use one of the configured stores (${known.join(', ')}) or add stores.${decl.store} to atmos.yaml with secret: true` : `add stores.${decl.store} to atmos.yaml with secret: true`,
      );
    }
    if (!store.secret) {
      return declarationError(
        SECRET_ERROR_CODES.STORE_NOT_SECRET,
        `referenced store is not a secret store (set \`secret: true\`): "${decl.store}" (secret ${n})`,
        decl.where,
        `set stores.${decl.store}.secret: true in atmos.yaml (the store must encrypt at rest), or point ${decl.name} at a secret store`,
      );
    }
    if (decl.scope !== 'instance' && !store.emptyScope) {
      return declarationError(
        SECRET_ERROR_CODES.SCOPE_UNSUPPORTED,
        `secret scope not supported by backend: secret ${n} has scope "${decl.scope}" but store "${decl.store}" (${store.kind}) needs a stack and a component`,
        decl.where,
        `declare ${decl.name} at component level without scope: (instance scope), or use a store kind that supports ${decl.scope} scope`,
      );
    }
    return undefined;
  }
  const name = decl.sops ?? '';
  const provider = providers[name];
  if (!provider) {
    const known = Object.keys(providers).sort();
    return declarationError(
      SECRET_ERROR_CODES.PROVIDER_UNKNOWN,
      `referenced secrets provider is not configured: "${name}" (secret ${n})`,
      decl.where,
      known.length > 0 ? `use one of: ${known.join(', ')}; or add secrets.providers.${name} to atmos.yaml or the stack` : `add secrets.providers.${name} (kind: sops/age, spec.file) to atmos.yaml or the stack`,
    );
  }
  if (!SUPPORTED_PROVIDER_KINDS.includes(provider.kind)) {
    return declarationError(
      SECRET_ERROR_CODES.PROVIDER_UNSUPPORTED,
      `secrets provider "${name}" has kind "${provider.kind}", which infrakey cannot use yet (secret ${n})`,
      provider.where,
      `use kind: ${SUPPORTED_PROVIDER_KINDS.join(' or ')}`,
    );
  }
  if (decl.scope === 'global') {
    return declarationError(
      SECRET_ERROR_CODES.SCOPE_UNSUPPORTED,
      `secret scope not supported by backend: secret ${n} has scope "global" but SOPS provider "${name}" keeps values per stack file`,
      decl.where,
      `remove scope: global from ${decl.name}, or move it to a secret store (store: <name>)`,
    );
  }
  return undefined;
}
