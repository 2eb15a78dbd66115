/* eslint-disable @typescript-eslint/no-require-imports -- synchronous lazy loading keeps cold starts light (benchmark B2) */
/**
 * `secret keygen [PROVIDER]` (semantics §6.7): generates an age key for a `sops/age` provider,
 * writes the private key to where the provider reads it (a store such as the keychain, else the
 * key file: `age_key.path` / `age_key_file` / SOPS_AGE_KEY_FILE / the default keys.txt; 0600 in a
 * 0700 folder, appended, never duplicated) and upserts the public recipient into `.sops.yaml`.
 * The private key is never printed.
 */
import { appendFile, chmod, mkdir, readFile, stat } from 'node:fs/promises';
import { dirname, isAbsolute, resolve as resolvePath } from 'node:path';
import { unsafeUnwrap } from '../secret';
import type { StoreRegistry } from '../stores/store-registry';
import type { SecretsProviderConfig } from './providers';
import { declarationError, SECRET_ERROR_CODES } from './secret-errors';

/** Result of {@link keygen}. */
export interface KeygenResult {
  provider: string;
  recipient: string;
  /** Where the private key went: `store keychain (atmos/...)` or a file path. */
  keyLocation: string;
  /** The `.sops.yaml` updated. */
  recipientsFile: string;
  /** True when a key existed and nothing was generated (no --force). */
  skipped: boolean;
}

/** Picks the provider: the named one, or the single configured `sops/age` provider. */
export function pickKeygenProvider(providers: Readonly<Record<string, SecretsProviderConfig>>, name?: string): SecretsProviderConfig {
  const all = Object.values(providers);
  if (name !== undefined) {
    const p = providers[name];
    if (!p) {
      throw declarationError(SECRET_ERROR_CODES.PROVIDER_UNKNOWN, `secrets provider "${name}" is not configured`, 'secrets.providers', all.length ? `use one of: ${all.map((x) => x.name).join(', ')}` : 'add secrets.providers to atmos.yaml');
    }
    return p;
  }
  if (all.length === 0) throw declarationError(SECRET_ERROR_CODES.KEYGEN_FAILED, 'no secrets vault is configured', 'secrets.providers', 'add a sops/age provider under secrets.providers in atmos.yaml');
  if (all.length > 1) throw declarationError(SECRET_ERROR_CODES.KEYGEN_FAILED, `multiple vaults configured; name one (${all.map((x) => x.name).join(', ')})`, 'secrets.providers', 'run `infrakey secret keygen <provider>`');
  return all[0];
}

/** Generates and stores an age key for `provider`. */
export async function keygen(
  provider: SecretsProviderConfig,
  ctx: { basePath: string; env: NodeJS.ProcessEnv; registry: () => StoreRegistry; force?: boolean },
): Promise<KeygenResult> {
  if (provider.kind !== 'sops/age') {
    throw declarationError(SECRET_ERROR_CODES.KEYGEN_FAILED, `key generation is not supported for this vault: "${provider.name}" has kind "${provider.kind}"`, provider.where, 'keygen works for sops/age providers only');
  }
  const spec = provider.spec;
  const ageKey = spec.age_key;
  const inline = typeof ageKey === 'string' || (ageKey && typeof ageKey === 'object' && typeof (ageKey as Record<string, unknown>).value === 'string');
  if (inline) throw declarationError(SECRET_ERROR_CODES.KEYGEN_FAILED, `provider "${provider.name}" has an inline age_key; keygen would not be used`, provider.where, 'remove spec.age_key value (or use age_key.store / age_key_file) before running keygen');
  if (spec.age_recipients !== undefined) throw declarationError(SECRET_ERROR_CODES.KEYGEN_FAILED, `provider "${provider.name}" sets spec.age_recipients; keygen would not be used`, provider.where, 'remove spec.age_recipients and let keygen record the recipient in .sops.yaml');
  const { generateAgeIdentity } = require('./sops/age') as typeof import('./sops/age');
  const { upsertSopsYamlRecipient, pathRegexForTemplate } = require('./sops/sops-config') as typeof import('./sops/sops-config');
  const { defaultAgeKeysPath, expandKeyPath } = require('./sops/age-keys') as typeof import('./sops/age-keys');
  const { readAgeKeyFromStore, AGE_KEY_COMPONENT } = require('./sops-ops') as typeof import('./sops-ops');

  const keyObj = ageKey && typeof ageKey === 'object' ? (ageKey as Record<string, unknown>) : {};
  const storeName = typeof keyObj.store === 'string' && keyObj.store !== 'file' ? keyObj.store : undefined;
  const recipientsFile = resolveIn(ctx.basePath, typeof spec.recipients_file === 'string' && spec.recipients_file !== '' ? spec.recipients_file : '.sops.yaml');
  let keyLocation: string;
  let write: (key: string) => Promise<void>;
  let exists: () => Promise<boolean>;
  if (storeName) {
    const store = ctx.registry().get(storeName);
    const key = typeof keyObj.path === 'string' && keyObj.path !== '' ? keyObj.path : provider.name;
    keyLocation = `store ${storeName} (${store.keyPath(provider.name, AGE_KEY_COMPONENT, key)})`;
    exists = async () => (await readAgeKeyFromStore(ctx.registry(), storeName, provider.name, key)) !== undefined;
    write = async (k) => {
      if (!store.set) throw declarationError(SECRET_ERROR_CODES.KEYGEN_FAILED, `store "${storeName}" cannot be written`, `stores.${storeName}`, 'use a keychain store');
      await store.set(provider.name, AGE_KEY_COMPONENT, key, k);
    };
  } else {
    const raw = (typeof keyObj.path === 'string' && keyObj.path) || (typeof spec.age_key_file === 'string' && spec.age_key_file) || ctx.env.SOPS_AGE_KEY_FILE || '';
    const file = raw ? resolveIn(ctx.basePath, expandKeyPath(raw, ctx.env)) : defaultAgeKeysPath({ env: ctx.env });
    keyLocation = file;
    exists = async () => {
      try {
        return (await readFile(file, 'utf8')).includes('AGE-SECRET-KEY-');
      } catch {
        return false;
      }
    };
    write = (k) => appendKey(file, k);
  }
  const template = typeof spec.file === 'string' && spec.file !== '' ? spec.file : `${typeof spec.path === 'string' && spec.path ? spec.path : 'secrets'}/{{ .atmos_stack }}.enc.yaml`;
  if (!ctx.force && (await exists())) {
    return { provider: provider.name, recipient: '', keyLocation, recipientsFile, skipped: true };
  }
  const { identity, recipient } = await generateAgeIdentity();
  await write(`# created: ${new Date().toISOString()}\n# public key: ${recipient}\n${unsafeUnwrap(identity)}\n`);
  await upsertSopsYamlRecipient(dirname(recipientsFile), pathRegexForTemplate(template), recipient);
  return { provider: provider.name, recipient, keyLocation, recipientsFile, skipped: false };
}

function resolveIn(base: string, p: string): string {
  return isAbsolute(p) ? p : resolvePath(base, p);
}

/** Appends a key to a key file, 0600 in a 0700 folder (an existing folder's mode is left alone). */
async function appendKey(file: string, text: string): Promise<void> {
  const dir = dirname(file);
  let created = false;
  try {
    await stat(dir);
  } catch {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    created = true;
  }
  if (created) await chmod(dir, 0o700);
  let existing = '';
  try {
    existing = await readFile(file, 'utf8');
  } catch {
    /* new file */
  }
  const keyLine = text.split('\n').find((l) => l.startsWith('AGE-SECRET-KEY-')) ?? '';
  if (keyLine && existing.includes(keyLine)) return;
  const prefix = existing !== '' && !existing.endsWith('\n') ? '\n' : '';
  await appendFile(file, prefix + text, { mode: 0o600 });
  await chmod(file, 0o600);
}
