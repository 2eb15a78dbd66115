/**
 * The registry of store kinds: every kind module under `kinds/`, one line each. Adding a kind is
 * one new module plus one line in {@link STORE_KIND_DEFINITIONS} (and its CDKTF mapping and tests).
 * Everything else (alias table, secret policies, key rules, codecs) is read from the definitions.
 */
import { artifactoryKind } from './kinds/artifactory';
import { awsAsmKind } from './kinds/aws-asm';
import { awsSsmKind } from './kinds/aws-ssm';
import { azureKeyVaultKind } from './kinds/azure-keyvault';
import { gcpSecretManagerKind } from './kinds/gcp-secretmanager';
import { githubActionsKind } from './kinds/github-actions';
import { hashicorpVaultKind } from './kinds/hashicorp-vault';
import { keychainKind } from './kinds/keychain';
import { onePasswordKind } from './kinds/onepassword';
import { redisKind } from './kinds/redis';
import type { StoreKind } from './store';
import { composePath, type StoreKindDefinition } from './store-kind';
import type { ValueCodec } from './value-codec';

/** Every store kind, in Atmos's order (§5.1). */
export const STORE_KIND_DEFINITIONS: readonly StoreKindDefinition<unknown>[] = [
  awsSsmKind,
  awsAsmKind,
  azureKeyVaultKind,
  gcpSecretManagerKind,
  hashicorpVaultKind,
  redisKind,
  artifactoryKind,
  onePasswordKind,
  keychainKind,
  githubActionsKind,
];

const BY_NAME = new Map<string, StoreKindDefinition<unknown>>(STORE_KIND_DEFINITIONS.map((k) => [k.name, k]));

/** Canonical store kinds (Atmos `kind`, §5.1). */
export const STORE_KINDS: readonly StoreKind[] = STORE_KIND_DEFINITIONS.map((k) => k.name);

/** Legacy `type` values and their canonical kind (§5.1). Unknown values pass through. */
export const STORE_KIND_ALIASES: Readonly<Record<string, StoreKind>> = Object.fromEntries(STORE_KIND_DEFINITIONS.flatMap((k) => k.aliases.map((a) => [a, k.name])));

/** Kinds that are secret stores whatever the config says. */
export const SECRET_BY_DEFAULT_KINDS: readonly StoreKind[] = STORE_KIND_DEFINITIONS.filter((k) => k.secret === 'always').map((k) => k.name);
/** Kinds that cannot be secret: they do not encrypt values at rest. */
export const SECRET_INCAPABLE_KINDS: readonly StoreKind[] = STORE_KIND_DEFINITIONS.filter((k) => k.secret === 'never').map((k) => k.name);

/** The definition of a canonical kind name, or undefined. */
export function storeKind(name: string): StoreKindDefinition<unknown> | undefined {
  return BY_NAME.get(name);
}

/** Maps `kind`/`type` to a canonical kind; undefined when unknown. */
export function resolveStoreKind(entry: { kind?: unknown; type?: unknown }): { kind?: StoreKind; written: string } {
  const written = typeof entry.kind === 'string' && entry.kind !== '' ? entry.kind : typeof entry.type === 'string' ? entry.type : '';
  const mapped = STORE_KIND_ALIASES[written] ?? written;
  return { kind: BY_NAME.has(mapped) ? mapped : undefined, written };
}

function known(kind: StoreKind): StoreKindDefinition<unknown> {
  const def = BY_NAME.get(kind);
  if (!def) throw new TypeError(`unknown store kind "${kind}"`);
  return def;
}

/** Default `stack_delimiter` of a kind (§5.3). */
export function defaultStackDelimiter(kind: StoreKind): string {
  return known(kind).keys.stackDelimiter;
}

/** Final delimiter of a kind (§5.3). */
export function finalDelimiter(kind: StoreKind): string {
  return known(kind).keys.finalDelimiter;
}

/** The full backend path for coordinates, with the kind's composition and post-processing (§5.3). */
export function backendKeyPath(kind: StoreKind, rules: { prefix: string; stackDelimiter: string; finalDelimiter: string }, stack: string, component: string, key: string): string {
  return composePath({ ...known(kind).keys, finalDelimiter: rules.finalDelimiter }, rules.prefix, rules.stackDelimiter, stack, component, key);
}

/** The codec of a kind. */
export function codecFor(kind: StoreKind, secret: boolean): ValueCodec {
  return known(kind).codec(secret);
}
