import { readFile } from 'node:fs/promises';
import { homedir as osHomedir } from 'node:os';
import { join } from 'node:path';
import { Secret, unsafeUnwrap } from '../../secret';
import { parseX25519Identity } from './age-native';
import { sopsError } from './sops-error';

/** The age-key fields of a SOPS provider's `spec` (atmos-semantics §6.7). */
export interface AgeKeySpec {
  /** Inline key material, or `{ store, path, value }`. */
  age_key?: string | { store?: string; path?: string; value?: string };
  /** Shorthand for `age_key: { store: file, path }`; `~` and `$ENV` are expanded. */
  age_key_file?: string;
}

/** Reads a key from a configured store (`age_key.store`); undefined when the store has none. */
export type AgeKeyStoreReader = (store: string, key: string) => Promise<string | Secret<string> | undefined>;

/** Environment of the resolution (defaults: the process's). */
export interface AgeKeyResolveOptions {
  /** The provider's name: the default store key of `age_key.store`, and used in messages. */
  providerName?: string;
  /** Where `spec` lives, for messages (e.g. `secrets.providers.dev-sops.spec`). */
  specPath?: string;
  readFromStore?: AgeKeyStoreReader;
  env?: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
  homedir?: string;
}

/** Identities found and the places that were searched (for error messages). */
export interface ResolvedAgeIdentities {
  identities: Secret<string>[];
  /** Human descriptions of every source consulted, e.g. `SOPS_AGE_KEY_FILE (/k/keys.txt)`. */
  sources: string[];
}

/** sops' default key file: `<user config dir>/sops/age/keys.txt` (macOS honours XDG_CONFIG_HOME first). */
export function defaultAgeKeysPath(opts: Pick<AgeKeyResolveOptions, 'env' | 'platform' | 'homedir'> = {}): string {
  const env = opts.env ?? process.env;
  const platform = opts.platform ?? process.platform;
  const home = opts.homedir ?? osHomedir();
  let base: string;
  if (platform === 'win32') base = env.APPDATA ?? join(home, 'AppData', 'Roaming');
  else if (platform === 'darwin') base = env.XDG_CONFIG_HOME || join(home, 'Library', 'Application Support');
  else base = env.XDG_CONFIG_HOME || join(home, '.config');
  return join(base, 'sops', 'age', 'keys.txt');
}

/** Expands a leading `~` and `$VAR`/`${VAR}` like Atmos does for `age_key_file`. */
export function expandKeyPath(p: string, env: NodeJS.ProcessEnv = process.env, home: string = osHomedir()): string {
  let out = p.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (_, a: string | undefined, b: string | undefined) => env[(a ?? b) as string] ?? '');
  if (out === '~' || out.startsWith('~/')) out = join(home, out.slice(1));
  return out;
}

/**
 * Parses key material (a keys.txt or an inline value): one identity per line, `#` comments and
 * blank lines ignored. Errors name the source and line, never the text.
 */
export function parseAgeKeys(text: string, source: string): Secret<string>[] {
  const out: Secret<string>[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const where = `${source}, line ${i + 1}`;
    if (line.startsWith('AGE-PLUGIN-')) {
      throw sopsError('SOPS_AGE_KEY_INVALID', 'age plugin identities are not supported', where, 'use a native age identity (age-keygen)');
    }
    if (/^age1[0-9a-z]+$/.test(line)) {
      throw sopsError('SOPS_AGE_KEY_INVALID', 'this is an age recipient (public key), not an identity', where, 'give the AGE-SECRET-KEY-1... line of the key file; recipients go in age_recipients or .sops.yaml');
    }
    const native = parseX25519Identity(line) !== undefined;
    const pq = /^AGE-SECRET-KEY-PQ-1[02-9AC-HJ-NP-Z]+$/.test(line);
    if (!native && !pq) {
      throw sopsError('SOPS_AGE_KEY_INVALID', 'not a valid age identity (expected AGE-SECRET-KEY-1...)', where, 'generate a key with `infrakey secret keygen` or `age-keygen` and point the provider at it');
    }
    out.push(Secret.of(line, 'age identity'));
  });
  if (out.length === 0) {
    throw sopsError('SOPS_AGE_KEY_INVALID', 'holds no age identity', source, 'put an AGE-SECRET-KEY-1... line in it (age-keygen writes one)');
  }
  return out;
}

async function readKeyFile(path: string, label: string): Promise<Secret<string>[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw sopsError(
      'SOPS_AGE_KEY_MISSING',
      code === 'ENOENT' ? `age key file not found (${label})` : `age key file cannot be read (${label}: ${code ?? 'error'})`,
      path,
      'create it with `infrakey secret keygen` (or age-keygen -o), or point the setting at your key file',
    );
  }
  return parseAgeKeys(text, `${label} ${path}`);
}

/**
 * Finds the age identities for decryption. Precedence: `age_key` value → `age_key.store` →
 * key file (`age_key.path` / `age_key_file`) → sops' own defaults. A configured source replaces
 * the defaults. The defaults are merged like sops' local key service does: `SOPS_AGE_KEY_FILE`,
 * `SOPS_AGE_KEY` and the default keys.txt all contribute, tried in that order.
 */
export async function resolveAgeIdentities(spec: AgeKeySpec = {}, opts: AgeKeyResolveOptions = {}): Promise<ResolvedAgeIdentities> {
  const env = opts.env ?? process.env;
  const home = opts.homedir ?? osHomedir();
  const at = opts.specPath ?? 'spec';
  const key = spec.age_key;

  const inline = typeof key === 'string' ? key : key?.value;
  if (inline !== undefined && inline !== '') {
    const label = typeof key === 'string' ? `${at}.age_key` : `${at}.age_key.value`;
    return { identities: parseAgeKeys(inline, label), sources: [`${label} (inline value)`] };
  }

  if (key && typeof key === 'object' && key.store && key.store !== 'file') {
    const storeKey = key.path || opts.providerName;
    const label = `store "${key.store}" key "${storeKey ?? ''}" (${at}.age_key.store)`;
    if (!storeKey) {
      throw sopsError('SOPS_AGE_KEY_MISSING', 'age_key.store is set but neither age_key.path nor the provider name gives the store key', `${at}.age_key`, 'set age_key.path to the key name in the store');
    }
    if (!opts.readFromStore) {
      throw sopsError('SOPS_AGE_KEY_MISSING', `age_key.store "${key.store}" is set but no store reader was given`, `${at}.age_key.store`, 'load the workspace so that stores are available');
    }
    const value = await opts.readFromStore(key.store, storeKey);
    if (value === undefined) {
      throw sopsError('SOPS_AGE_KEY_MISSING', `no age key in ${label}`, `${at}.age_key`, `run \`infrakey secret keygen${opts.providerName ? ' ' + opts.providerName : ''}\` to create one, or store an AGE-SECRET-KEY-1... value there`);
    }
    const text = typeof value === 'string' ? value : unsafeUnwrap(value);
    return { identities: parseAgeKeys(text, label), sources: [label] };
  }

  const filePath = (key && typeof key === 'object' ? key.path : undefined) || spec.age_key_file;
  if (filePath) {
    const label = key && typeof key === 'object' && key.path ? `${at}.age_key.path` : `${at}.age_key_file`;
    const path = expandKeyPath(filePath, env, home);
    return { identities: await readKeyFile(path, label), sources: [`${label} (${path})`] };
  }

  const identities: Secret<string>[] = [];
  const sources: string[] = [];
  const envFile = env.SOPS_AGE_KEY_FILE;
  if (envFile) {
    const path = expandKeyPath(envFile, env, home);
    identities.push(...(await readKeyFile(path, 'SOPS_AGE_KEY_FILE')));
    sources.push(`SOPS_AGE_KEY_FILE (${path})`);
  } else sources.push('SOPS_AGE_KEY_FILE (not set)');
  const envKey = env.SOPS_AGE_KEY;
  if (envKey) {
    identities.push(...parseAgeKeys(envKey, 'SOPS_AGE_KEY'));
    sources.push('SOPS_AGE_KEY');
  } else sources.push('SOPS_AGE_KEY (not set)');
  const defPath = defaultAgeKeysPath({ env, platform: opts.platform, homedir: home });
  try {
    identities.push(...(await readKeyFile(defPath, 'default keys file')));
    sources.push(`default keys file (${defPath})`);
  } catch (e) {
    if (!(e instanceof Error && (e as { code?: string }).code === 'SOPS_AGE_KEY_MISSING')) throw e;
    sources.push(`default keys file (${defPath}, absent)`);
  }
  if (identities.length === 0) {
    throw sopsError('SOPS_AGE_KEY_MISSING', `no age key found; looked in ${sources.join(', ')}`, opts.specPath, 'set spec.age_key_file (or SOPS_AGE_KEY_FILE / SOPS_AGE_KEY), or create a key with `infrakey secret keygen`');
  }
  return { identities, sources };
}
