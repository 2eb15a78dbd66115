import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { extname } from 'node:path';
import { Secret, unsafeUnwrap } from '../../secret';
import { decryptBytes, parseEncryptedValue } from './aes-value';
import { ensureParentDir, removeCreatedDirs, withSopsFileLock, writeFileAtomic } from './atomic-write';
import { dotenvStore } from './formats/dotenv-store';
import { jsonStore } from './formats/json-store';
import type { ParsedSopsText, SopsFormat, SopsStore } from './formats/store';
import { yamlStore } from './formats/yaml-store';
import type { SopsKeyOptions, SopsUnwrapResult } from './key-type';
import type { SopsKmsRecipient } from './key-types/aws-kms';
import { keyTypeLabels, SOPS_KEY_TYPES, sopsProviderKinds } from './key-types/index';
import { lastModifiedNow, newMetadataRaw, normalizeLastModified, orderedMetadataEntries, parseMetadata, type SopsMetadata } from './metadata';
import { resolveSopsRecipients } from './sops-config';
import { sopsError, type SopsError } from './sops-error';
import { decryptTree, encryptMac, encryptTree, fromPlain, toPlain, TreeIntegrityError, type IvStash, type SopsMap, type SopsNode, type SopsRules } from './tree';

/** Mode of SOPS files infrakey writes. */
export const SOPS_FILE_MODE = 0o600;
/**
 * Mode of parent folders infrakey creates for SOPS files. 0755 like Atmos: the files hold only
 * ciphertext and usually live in a repository folder (`secrets/`) that is committed and shared.
 */
export const SOPS_DIR_MODE = 0o755;

/** A file path, or text with its format (`name` is used in messages). */
export type SopsSource = string | { text: string; format: SopsFormat; name?: string };

export type { SopsKeyOptions } from './key-type';

/** A key path inside the document: a top-level key, or a list of keys and list indexes. */
export type SopsKeyPath = string | readonly (string | number)[];

/** Options of {@link setSopsValue} and {@link deleteSopsValue}. */
export interface SopsWriteOptions extends SopsKeyOptions {
  /** `spec.age_recipients` (comma-separated or a list), used only when the file is created. */
  recipients?: string | readonly string[];
  /**
   * The provider's spec: each key type reads its own recipients field from it (`age_recipients`)
   * when the file is created; they replace `.sops.yaml`.
   */
  spec?: Readonly<Record<string, unknown>>;
  /** Config path of the provider spec, for messages (default `spec`). */
  specPath?: string;
  /** Clock for `lastmodified` (tests). */
  now?: Date;
}

/** Options of {@link encryptSopsDocument}. */
export interface EncryptSopsOptions extends Omit<SopsKeyOptions, 'format'> {
  format: SopsFormat;
  /** age recipients of a new data key. */
  recipients?: readonly string[];
  /** AWS KMS keys of a new data key (encrypted through `kms`). */
  kmsRecipients?: readonly (string | SopsKmsRecipient)[];
  /** Recipients of any registered key type, by type name (`age`, `aws-kms`, …). */
  recipientsByType?: Readonly<Record<string, readonly unknown[]>>;
  /** The `sops` section of an existing file: its data key is reused (needs a key that opens it). */
  existingMetadata?: unknown;
  /** Which values stay in cleartext for new files (default: keys ending in `_unencrypted`). */
  rules?: SopsRules;
  now?: Date;
}

const STORES: Record<SopsFormat, SopsStore> = { yaml: yamlStore, json: jsonStore, dotenv: dotenvStore };

/** The format sops would pick for a path. */
export function sopsFormatForPath(path: string, explicit?: SopsFormat): SopsFormat {
  if (explicit) return explicit;
  const ext = extname(path).toLowerCase();
  if (ext === '.yaml' || ext === '.yml') return 'yaml';
  if (ext === '.json') return 'json';
  if (ext === '.env') return 'dotenv';
  throw sopsError('SOPS_FORMAT_UNSUPPORTED', `cannot tell the sops format from the extension "${ext}"`, path, 'name the file .yaml, .yml, .json or .env');
}

interface OpenedFile {
  name: string;
  store: SopsStore;
  parsed: ParsedSopsText;
  meta: SopsMetadata;
  dataKey: Buffer;
  tree: SopsMap;
  stash: IvStash;
}

async function readSource(source: SopsSource, format?: SopsFormat): Promise<{ name: string; text: string; format: SopsFormat } | undefined> {
  if (typeof source !== 'string') return { name: source.name ?? `(${source.format} text)`, text: source.text, format: source.format };
  const fmt = sopsFormatForPath(source, format);
  try {
    return { name: source, text: await readFile(source, 'utf8'), format: fmt };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw sopsError('SOPS_DECRYPT_FAILED', `cannot read the SOPS file (${(e as NodeJS.ErrnoException).code ?? 'error'})`, source, 'check the path and its permissions', e);
  }
}

function notFound(name: string): SopsError {
  return sopsError('SOPS_FILE_NOT_FOUND', 'SOPS file not found', name, 'create it with `infrakey secret set <NAME> -s <stack>` (or check spec.file)');
}

/**
 * Recovers the data key as sops does: every master key is tried until one opens it, local types
 * (age: no network) first, then the remote ones (AWS KMS), in registry order.
 */
async function unwrapDataKey(meta: SopsMetadata, name: string, keys: SopsKeyOptions): Promise<Buffer> {
  const present = meta.keys.filter((k) => k.entries.length > 0);
  if (present.length === 0) {
    throw sopsError(
      'SOPS_DECRYPT_FAILED',
      `the file has no ${keyTypeLabels()} master keys${meta.otherKeyTypes.length ? ` (its data key is wrapped with ${meta.otherKeyTypes.join(', ')}, which this in-process decryptor does not open)` : ''}`,
      name,
      `add a master key of a type infrakey opens (${keyTypeLabels()}) to the file with the sops CLI (\`sops updatekeys\`), or use a ${sopsProviderKinds().join(' or ')} provider`,
    );
  }
  const ordered = [...present.filter((k) => k.type.local), ...present.filter((k) => !k.type.local)];
  const failures: SopsUnwrapResult[] = [];
  for (const { type, entries } of ordered) {
    const r = await type.unwrap(entries, keys);
    if (r.key) return r.key;
    if (present.length === 1 && r.alone) {
      // An error that names no place (gpg missing or silent, a KMS that never answers) is about this file.
      if (r.alone.where !== undefined) throw r.alone;
      throw sopsError(r.alone.code, r.alone.summary, name, r.alone.fix, r.alone);
    }
    failures.push(r);
  }
  const cause = failures.map((f) => f.error).find((e) => e !== undefined);
  throw sopsError(
    'SOPS_DECRYPT_FAILED',
    failures.length === 1 ? failures[0].failure : `no master key opens this file: ${failures.map((f) => f.failure).join('; and ')}`,
    name,
    failures.map((f) => f.fix).join('; or '),
    cause,
  );
}

function integrityError(e: unknown, name: string): SopsError {
  if (e instanceof TreeIntegrityError) {
    if (e.kind === 'value') {
      return sopsError('SOPS_MAC_MISMATCH', `integrity check failed: the value at key path "${e.keyPath}" does not authenticate (a value or key name was altered)`, name, 'restore the file from version control; do not edit encrypted values or key names by hand', e);
    }
    return sopsError('SOPS_FORMAT_INVALID', `the value at key path "${e.keyPath}" is not a sops encrypted value of a known type`, name, 'restore the file from version control', e);
  }
  return e as SopsError;
}

function verifyMac(meta: SopsMetadata, dataKey: Buffer, computed: string, name: string): void {
  const parsed = parseEncryptedValue(meta.mac);
  let stored: Buffer | undefined;
  if (parsed) {
    try {
      stored = decryptBytes(parsed, dataKey, normalizeLastModified(meta.lastModified));
    } catch {
      stored = undefined;
    }
  }
  if (!stored) {
    throw sopsError('SOPS_MAC_MISMATCH', 'integrity check failed: the stored MAC does not authenticate (the MAC or lastmodified was altered)', name, 'restore the file from version control');
  }
  const want = Buffer.from(computed, 'utf8');
  if (stored.length !== want.length || !timingSafeEqual(stored, want)) {
    throw sopsError('SOPS_MAC_MISMATCH', 'SOPS MAC mismatch: the file\'s content does not match its MAC (values were added, removed or altered)', name, 'restore the file from version control; edit sops files only with sops or `infrakey secret set`');
  }
}

async function openSource(source: SopsSource, keys: SopsKeyOptions): Promise<OpenedFile | undefined> {
  const src = await readSource(source, keys.format);
  if (!src) return undefined;
  const store = STORES[src.format];
  const parsed = store.parse(src.text, src.name);
  const meta = parseMetadata(parsed.metadata, src.name);
  const dataKey = await unwrapDataKey(meta, src.name, keys);
  let decrypted;
  try {
    decrypted = decryptTree(parsed.branch, dataKey, meta.rules);
  } catch (e) {
    throw integrityError(e, src.name);
  }
  verifyMac(meta, dataKey, decrypted.mac, src.name);
  return { name: src.name, store, parsed, meta, dataKey, tree: decrypted.tree, stash: decrypted.stash };
}

/**
 * Decrypts a sops file (YAML, JSON or dotenv) and verifies its MAC. Returns the plaintext
 * document. Fails with SOPS_FILE_NOT_FOUND, SOPS_DECRYPT_FAILED (no key opens it),
 * SOPS_MAC_MISMATCH (altered), SOPS_FORMAT_INVALID or SOPS_AGE_KEY_* (key sources).
 */
export async function decryptSopsFile(source: SopsSource, opts: SopsKeyOptions = {}): Promise<Record<string, unknown>> {
  const opened = await openSource(source, opts);
  if (!opened) throw notFound(source as string);
  return toPlain(opened.tree) as Record<string, unknown>;
}

/** Top-level key names of a sops file without decrypting it (undefined when the file is absent). */
export async function listSopsKeys(source: SopsSource, opts: Pick<SopsKeyOptions, 'format'> = {}): Promise<string[] | undefined> {
  const src = await readSource(source, opts.format);
  if (!src) return undefined;
  const parsed = STORES[src.format].parse(src.text, src.name);
  parseMetadata(parsed.metadata, src.name);
  return parsed.branch.entries.map((e) => e.key);
}

/**
 * A new 32-byte data key wrapped to every recipient, type by type (registry order), as the
 * entries to write by metadata field.
 */
async function wrapNewDataKey(byType: Readonly<Record<string, readonly unknown[]>>, where: string, keys: SopsKeyOptions): Promise<{ dataKey: Buffer; entries: Record<string, Record<string, unknown>[]> }> {
  if (!SOPS_KEY_TYPES.some((t) => (byType[t.name]?.length ?? 0) > 0)) {
    throw sopsError('SOPS_NO_RECIPIENTS', `no recipients (${keyTypeLabels()}) to encrypt the new file to`, where, `set spec.age_recipients or add a matching .sops.yaml creation rule (${SOPS_KEY_TYPES.map((t) => `${t.field}:`).join(', ')})`);
  }
  const dataKey = randomBytes(32);
  const entries: Record<string, Record<string, unknown>[]> = {};
  for (const type of SOPS_KEY_TYPES) {
    const recipients = byType[type.name] ?? [];
    if (recipients.length === 0) continue;
    entries[type.field] = (await type.wrap(dataKey, recipients, keys, where)).map((e) => type.entryRaw(e));
  }
  return { dataKey, entries };
}

function seal(store: SopsStore, tree: SopsMap, dataKey: Buffer, raw: Record<string, unknown>, rules: SopsRules, now: Date | undefined, stash?: IvStash, context?: unknown): string {
  for (const e of tree.entries) {
    if (e.key === 'sops') throw sopsError('SOPS_KEY_PATH_INVALID', 'the top-level key "sops" is reserved for sops metadata', undefined, 'choose another key name');
    if (store.format === 'dotenv' && (/[=\n]/.test(e.key) || e.key.startsWith('#') || e.key.startsWith('sops_') || e.key === '')) {
      throw sopsError('SOPS_KEY_PATH_INVALID', `"${e.key}" cannot be a dotenv key (no "=", newline, leading "#" or "sops_" prefix)`, undefined, 'use a plain variable name');
    }
  }
  const { tree: encrypted, mac } = encryptTree(tree, dataKey, rules, { numbersAreFloats: store.numbersAreFloats, stash });
  const lastmodified = lastModifiedNow(now);
  const out = { ...raw, lastmodified, mac: encryptMac(mac, dataKey, lastmodified) };
  return store.emit(encrypted, orderedMetadataEntries(out), context);
}

function toTree(value: unknown): SopsMap {
  const node = fromPlain(Secret.isSecret(value) ? unsafeUnwrap(value) : value);
  if (node.kind !== 'map') throw sopsError('SOPS_KEY_PATH_INVALID', 'a sops document must be a mapping at the top level', undefined, 'pass an object');
  return node;
}

/**
 * Encrypts a plaintext document to sops text. With `existingMetadata` the file's data key is
 * reused (as `sops set` does) and its key entries are kept; otherwise a new 32-byte data key
 * is wrapped to each of `recipients`.
 */
export async function encryptSopsDocument(tree: unknown, opts: EncryptSopsOptions): Promise<string> {
  const store = STORES[opts.format];
  const model = toTree(tree);
  if (opts.existingMetadata !== undefined) {
    const meta = parseMetadata(opts.existingMetadata, '(existing metadata)');
    const dataKey = await unwrapDataKey(meta, '(existing metadata)', opts);
    return seal(store, model, dataKey, meta.raw, meta.rules, opts.now);
  }
  const byType = { ...opts.recipientsByType, ...(opts.recipients ? { age: opts.recipients } : {}), ...(opts.kmsRecipients ? { 'aws-kms': opts.kmsRecipients.map((r) => (typeof r === 'string' ? { arn: r } : r)) } : {}) };
  const { dataKey, entries } = await wrapNewDataKey(byType, 'recipients', opts);
  const rules: SopsRules = opts.rules ?? {};
  const effective: SopsRules = rules.unencryptedSuffix || rules.encryptedSuffix || rules.unencryptedRegex || rules.encryptedRegex ? rules : { ...rules, unencryptedSuffix: '_unencrypted' };
  return seal(store, model, dataKey, newMetadataRaw(entries, effective, store.emptyList), effective, opts.now);
}

function normPath(keyPath: SopsKeyPath): (string | number)[] {
  const path = typeof keyPath === 'string' ? [keyPath] : [...keyPath];
  if (path.length === 0) throw sopsError('SOPS_KEY_PATH_INVALID', 'empty key path', undefined, 'name the key to set');
  return path;
}

function describe(path: readonly (string | number)[]): string {
  return path.map((p) => `[${JSON.stringify(p)}]`).join('');
}

function setIn(root: SopsMap, path: readonly (string | number)[], value: SopsNode, where: string): void {
  let node: SopsNode = root;
  path.forEach((seg, i) => {
    const last = i === path.length - 1;
    const fresh = (): SopsNode => (last ? value : typeof path[i + 1] === 'number' ? { kind: 'list', items: [] } : { kind: 'map', entries: [] });
    if (node.kind === 'map' && typeof seg === 'string') {
      let entry = node.entries.find((e) => e.key === seg);
      if (!entry) {
        entry = { key: seg, value: fresh() };
        node.entries.push(entry);
      } else if (last || entry.value.kind === 'leaf') {
        entry.value = fresh();
      }
      node = entry.value;
    } else if (node.kind === 'list' && typeof seg === 'number' && Number.isInteger(seg) && seg >= 0) {
      if (seg >= node.items.length) node.items.push(fresh());
      else if (last || node.items[seg].kind === 'leaf') node.items[seg] = fresh();
      node = node.items[Math.min(seg, node.items.length - 1)];
    } else {
      throw sopsError('SOPS_KEY_PATH_INVALID', `key path ${describe(path)} does not fit the document at ${describe(path.slice(0, i + 1))}`, where, 'use string keys for mappings and integer indexes for lists');
    }
  });
}

function deleteIn(root: SopsMap, path: readonly (string | number)[]): boolean {
  let node: SopsNode = root;
  for (let i = 0; i < path.length; i++) {
    const seg = path[i];
    const last = i === path.length - 1;
    if (node.kind === 'map' && typeof seg === 'string') {
      const idx = node.entries.findIndex((e) => e.key === seg);
      if (idx === -1) return false;
      if (last) {
        node.entries.splice(idx, 1);
        return true;
      }
      node = node.entries[idx].value;
    } else if (node.kind === 'list' && typeof seg === 'number') {
      if (seg < 0 || seg >= node.items.length) return false;
      if (last) {
        node.items.splice(seg, 1);
        return true;
      }
      node = node.items[seg];
    } else return false;
  }
  return false;
}

/**
 * Sets a value in a sops file, like `sops set`: the file is decrypted (MAC verified), changed,
 * re-encrypted with the same data key (unchanged values keep their ciphertext), given a new MAC
 * and `lastmodified`, and written atomically with mode 0600. A missing file is created with a
 * new data key for `recipients`, else the matching `.sops.yaml` creation rule; missing parent
 * folders are created 0755 (see {@link SOPS_DIR_MODE}).
 */
export async function setSopsValue(path: string, keyPath: SopsKeyPath, value: unknown, opts: SopsWriteOptions = {}): Promise<{ created: boolean }> {
  const segs = normPath(keyPath);
  const node = fromPlain(Secret.isSecret(value) ? unsafeUnwrap(value) : value);
  // The lock lives next to the file, so its folder is created first (0755, see SOPS_DIR_MODE).
  const made = await ensureParentDir(path, SOPS_DIR_MODE);
  try {
    // Read, change and write under the file's lock: a concurrent writer's key is never lost.
    return await withSopsFileLock(path, async (lock) => {
      const opened = await openSource(path, opts);
      if (opened) {
        setIn(opened.tree, segs, node, path);
        const text = seal(opened.store, opened.tree, opened.dataKey, opened.meta.raw, opened.meta.rules, opts.now, opened.stash, opened.parsed.context);
        await writeFileAtomic(path, text, SOPS_FILE_MODE, SOPS_DIR_MODE, lock);
        return { created: false };
      }
      const format = sopsFormatForPath(path, opts.format);
      const store = STORES[format];
      const { byType, source } = await resolveSopsRecipients(path, { ...opts.spec, ...(opts.recipients !== undefined ? { age_recipients: opts.recipients } : {}) }, opts.specPath);
      const tree: SopsMap = { kind: 'map', entries: [] };
      setIn(tree, segs, node, path);
      const { dataKey, entries } = await wrapNewDataKey(byType, source, opts);
      const rules: SopsRules = { unencryptedSuffix: '_unencrypted' };
      const text = seal(store, tree, dataKey, newMetadataRaw(entries, rules, store.emptyList), rules, opts.now);
      await writeFileAtomic(path, text, SOPS_FILE_MODE, SOPS_DIR_MODE, lock);
      return { created: true };
    });
  } catch (e) {
    await removeCreatedDirs(path, made);
    throw e;
  }
}

/**
 * Removes a key from a sops file and re-encrypts it (same data key, new MAC). A missing file
 * or key is a no-op; returns whether something was removed.
 */
export async function deleteSopsValue(path: string, keyPath: SopsKeyPath, opts: SopsKeyOptions & { now?: Date } = {}): Promise<boolean> {
  const segs = normPath(keyPath);
  if (!(await fileExists(path))) return false;
  return withSopsFileLock(path, async (lock) => {
    const opened = await openSource(path, opts);
    if (!opened) return false;
    if (!deleteIn(opened.tree, segs)) return false;
    const text = seal(opened.store, opened.tree, opened.dataKey, opened.meta.raw, opened.meta.rules, opts.now, opened.stash, opened.parsed.context);
    await writeFileAtomic(path, text, SOPS_FILE_MODE, SOPS_DIR_MODE, lock);
    return true;
  });
}

async function fileExists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'ENOTDIR') return false;
    throw sopsError('SOPS_DECRYPT_FAILED', `cannot read the SOPS file (${(e as NodeJS.ErrnoException).code ?? 'error'})`, path, 'check the path and its permissions', e);
  }
}
