import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { Secret, unsafeUnwrap } from '../../secret';
import { decryptBytes, parseEncryptedValue } from './aes-value';
import { ageDecrypt, ageEncryptArmored, prepareIdentities, type AgeIdentityInput } from './age';
import { resolveAgeIdentities, type ResolvedAgeIdentities } from './age-keys';
import { writeFileAtomic } from './atomic-write';
import { dotenvStore } from './formats/dotenv-store';
import { jsonStore } from './formats/json-store';
import type { ParsedSopsText, SopsFormat, SopsStore } from './formats/store';
import { yamlStore } from './formats/yaml-store';
import { isKmsArn, keyServiceOf, type SopsKmsKeyService, type SopsKmsKeyServiceSource, type SopsKmsRecipient } from './kms-keys';
import { lastModifiedNow, newMetadataRaw, normalizeLastModified, orderedMetadataEntries, parseMetadata, type SopsAgeEntry, type SopsKmsEntry, type SopsMetadata } from './metadata';
import { resolveSopsRecipients } from './sops-config';
import { SopsError as SopsErrorClass, sopsError, type SopsError } from './sops-error';
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

/** How to find the key that opens a file. */
export interface SopsKeyOptions {
  /** Identities to try. When omitted, sops' defaults: SOPS_AGE_KEY_FILE, SOPS_AGE_KEY, keys.txt. */
  ageIdentities?: readonly AgeIdentityInput[];
  /** Where `ageIdentities` came from (shown when no key matches). */
  keySources?: readonly string[];
  /**
   * Resolves the age identities on first need (only files with age entries need them). Used when
   * `ageIdentities` is not given.
   */
  ageKeys?: () => Promise<ResolvedAgeIdentities>;
  /**
   * AWS KMS for `sops.kms` entries (and KMS recipients of new files): a key service or a function
   * that builds it (called only when a KMS key is used). Default: the ambient AWS credentials.
   */
  kms?: SopsKmsKeyServiceSource;
  /** Who KMS calls run as, for messages (e.g. `identity "dev-admin"`). */
  kmsIdentity?: string;
  /** Format, when the file extension does not tell (.yaml/.yml, .json, .env). */
  format?: SopsFormat;
}

/** A key path inside the document: a top-level key, or a list of keys and list indexes. */
export type SopsKeyPath = string | readonly (string | number)[];

/** Options of {@link setSopsValue} and {@link deleteSopsValue}. */
export interface SopsWriteOptions extends SopsKeyOptions {
  /** `spec.age_recipients` (comma-separated or a list), used only when the file is created. */
  recipients?: string | readonly string[];
  /** Config path of the provider spec, for messages (default `spec`). */
  specPath?: string;
  /** Clock for `lastmodified` (tests). */
  now?: Date;
}

/** Options of {@link encryptSopsDocument}. */
export interface EncryptSopsOptions extends Pick<SopsKeyOptions, 'ageIdentities' | 'keySources' | 'ageKeys' | 'kms' | 'kmsIdentity'> {
  format: SopsFormat;
  /** age recipients of a new data key. */
  recipients?: readonly string[];
  /** AWS KMS keys of a new data key (encrypted through `kms`). */
  kmsRecipients?: readonly (string | SopsKmsRecipient)[];
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

/** The age identities to try: given, resolved by the caller's resolver, else sops' defaults. */
async function ageIdentitiesFor(keys: SopsKeyOptions): Promise<{ ids: readonly AgeIdentityInput[]; sources: readonly string[] }> {
  if (keys.ageIdentities) return { ids: keys.ageIdentities, sources: keys.keySources ?? ['the identities given by the caller'] };
  const resolved = keys.ageKeys ? await keys.ageKeys() : await resolveAgeIdentities({});
  return { ids: resolved.identities, sources: resolved.sources };
}

/** Tries the age entries; the data key, or why none opened. */
async function unwrapWithAge(meta: SopsMetadata, keys: SopsKeyOptions, name: string): Promise<{ key?: Buffer; failure: string; fix: string; error?: unknown }> {
  const recipients = meta.age.map((a) => a.recipient);
  let found: { ids: readonly AgeIdentityInput[]; sources: readonly string[] };
  try {
    found = await ageIdentitiesFor(keys);
  } catch (e) {
    const failure = `no age key is available for its age recipients ${recipients.join(', ')} (${e instanceof Error ? messageOf(e) : 'key lookup failed'})`;
    if (!(e instanceof SopsErrorClass && e.code === 'SOPS_AGE_KEY_MISSING')) {
      return { failure, fix: (e as { fix?: string }).fix ?? 'set spec.age_key_file, SOPS_AGE_KEY_FILE or SOPS_AGE_KEY', error: e };
    }
    // The file exists, so a new key (`secret keygen`) cannot help: it would add a recipient that
    // opens none of the values already in the file. Say which key is needed and where it is looked for.
    const fix = `put the age identity (AGE-SECRET-KEY-1...) of one of ${recipients.join(', ')} where infrakey looks for it (${e.where ?? 'spec.age_key_file, SOPS_AGE_KEY_FILE or SOPS_AGE_KEY'}); \`secret keygen\` would only add a second recipient that cannot open the existing values`;
    return { failure, fix, error: sopsError('SOPS_AGE_KEY_MISSING', `no age key to open ${name}: it is encrypted to ${recipients.join(', ')}; ${messageOf(e)}`, e.where ?? name, fix, e) };
  }
  const prepared = prepareIdentities(found.ids);
  const mine = new Set(prepared.native.map((n) => n.recipient));
  const ordered: SopsAgeEntry[] = [...meta.age.filter((a) => mine.has(a.recipient)), ...meta.age.filter((a) => !mine.has(a.recipient))];
  let malformed = 0;
  for (const entry of ordered) {
    let key: Buffer | undefined;
    try {
      key = await ageDecrypt(entry.enc, prepared);
    } catch {
      malformed++;
      continue;
    }
    if (key && key.length === 32) return { key, failure: '', fix: '' };
    if (key) malformed++;
  }
  const have = prepared.native.map((n) => n.recipient);
  return {
    failure:
      `no age key opens this file. It is encrypted to ${recipients.join(', ')}; ` +
      `keys were looked for in ${found.sources.join(', ') || '(nowhere)'}` +
      (have.length ? `, and they belong to ${have.join(', ')}` : '') +
      (malformed ? ` (${malformed} recipient entr${malformed === 1 ? 'y was' : 'ies were'} unreadable or altered)` : ''),
    fix: 'point spec.age_key_file, SOPS_AGE_KEY_FILE or SOPS_AGE_KEY at the identity of one of those recipients (age-keygen -y shows an identity\'s recipient), or re-encrypt the file to your key',
  };
}

/** An error's own text (InfrakeyError: without its location and fix, which are shown apart). */
function messageOf(e: unknown): string {
  if (!(e instanceof Error)) return 'unknown error';
  const summary = (e as { summary?: unknown }).summary;
  return typeof summary === 'string' ? summary : e.message;
}

/** Tries the KMS entries in order; the data key, or why none opened. */
async function unwrapWithKms(meta: SopsMetadata, keys: SopsKeyOptions): Promise<{ key?: Buffer; failure: string; fix: string; error?: unknown }> {
  const arns = meta.kms.map((k) => k.arn);
  const who = keys.kmsIdentity ?? (keys.kms === undefined ? 'the ambient AWS credentials' : 'the configured identity');
  let service: SopsKmsKeyService;
  try {
    service = await keyServiceOf(keys.kms);
  } catch (e) {
    return {
      failure: `its data key is wrapped by AWS KMS key ${arns.join(', ')}, and authenticating ${who} for KMS failed: ${messageOf(e)}`,
      fix: (e as { fix?: string }).fix ?? 'set secrets.providers.<name>.identity (or --identity / ATMOS_IDENTITY) to an identity allowed to use the key, and log in with `infrakey auth login`',
      error: e,
    };
  }
  const runAs = service.who ?? who;
  const reasons: string[] = [];
  let last: unknown;
  let lastFix: string | undefined;
  for (const entry of meta.kms) {
    try {
      const key = await service.decryptDataKey(entry);
      if (key.length === 32) return { key, failure: '', fix: '' };
      reasons.push(`${entry.arn}: KMS returned ${key.length} bytes, not a 32-byte data key (the entry was altered)`);
    } catch (e) {
      last = e;
      lastFix = (e as { fix?: string }).fix;
      const m = messageOf(e);
      reasons.push(m.includes(entry.arn) ? m : `${entry.arn} as ${runAs}: ${m}`);
    }
  }
  return {
    failure: `no AWS KMS key opened this file's data key: ${reasons.join('; ')}`,
    fix:
      lastFix && /auth login/.test(lastFix)
        ? lastFix
        : `check that ${runAs} may call kms:Decrypt on ${arns.join(', ')} (same account and region, key enabled), set the provider's identity (secrets.providers.<name>.identity, --identity or ATMOS_IDENTITY) if it is the wrong one, or restore the file if its kms "enc" was altered`,
    error: last,
  };
}

/**
 * Recovers the data key as sops does: every master key is tried until one opens it. age entries
 * whose recipient matches a local identity go first (no network), then the AWS KMS entries.
 */
async function unwrapDataKey(meta: SopsMetadata, name: string, keys: SopsKeyOptions): Promise<Buffer> {
  if (meta.age.length === 0 && meta.kms.length === 0) {
    throw sopsError(
      'SOPS_DECRYPT_FAILED',
      `the file has no age or AWS KMS master keys${meta.otherKeyTypes.length ? ` (its data key is wrapped with ${meta.otherKeyTypes.join(', ')}, which this in-process decryptor does not open)` : ''}`,
      name,
      'add an age recipient or an AWS KMS key to the file with the sops CLI (`sops updatekeys`), or use a sops/age or sops/aws-kms provider',
    );
  }
  const failures: { failure: string; fix: string; error?: unknown }[] = [];
  if (meta.age.length > 0) {
    const r = await unwrapWithAge(meta, keys, name);
    if (r.key) return r.key;
    // An age-only file keeps the precise age-key error (SOPS_AGE_KEY_MISSING / _INVALID).
    if (meta.kms.length === 0 && r.error instanceof SopsErrorClass) throw r.error;
    failures.push(r);
  }
  if (meta.kms.length > 0) {
    const r = await unwrapWithKms(meta, keys);
    if (r.key) return r.key;
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

function kmsRecipient(r: string | SopsKmsRecipient): SopsKmsRecipient {
  return typeof r === 'string' ? { arn: r } : r;
}

async function wrapNewDataKey(
  recipients: readonly string[],
  kmsRecipients: readonly (string | SopsKmsRecipient)[],
  where: string,
  keys: Pick<SopsKeyOptions, 'kms' | 'kmsIdentity'>,
): Promise<{ dataKey: Buffer; age: SopsAgeEntry[]; kms: SopsKmsEntry[] }> {
  if (recipients.length === 0 && kmsRecipients.length === 0) {
    throw sopsError('SOPS_NO_RECIPIENTS', 'no age recipients or AWS KMS keys to encrypt the new file to', where, 'set spec.age_recipients or add a matching .sops.yaml creation rule (age: or kms:)');
  }
  const dataKey = randomBytes(32);
  const age: SopsAgeEntry[] = [];
  for (const recipient of recipients) {
    try {
      age.push({ recipient, enc: await ageEncryptArmored(dataKey, [recipient]) });
    } catch (e) {
      throw sopsError('SOPS_RECIPIENT_INVALID', `"${recipient}" is not a valid age recipient`, where, 'use the age1... public key that age-keygen prints', e);
    }
  }
  const kms: SopsKmsEntry[] = [];
  if (kmsRecipients.length > 0) {
    const wanted = kmsRecipients.map(kmsRecipient);
    for (const r of wanted) {
      if (!isKmsArn(r.arn)) throw sopsError('SOPS_RECIPIENT_INVALID', `"${r.arn}" is not an AWS KMS key ARN`, where, 'use the key\'s ARN: arn:aws:kms:<region>:<account>:key/<id>');
    }
    const who = keys.kmsIdentity ?? (keys.kms === undefined ? 'the ambient AWS credentials' : 'the configured identity');
    let service: SopsKmsKeyService;
    try {
      service = await keyServiceOf(keys.kms);
    } catch (e) {
      throw sopsError('SOPS_ENCRYPT_FAILED', `cannot encrypt the new data key with AWS KMS key ${wanted.map((r) => r.arn).join(', ')}: authenticating ${who} failed: ${messageOf(e)}`, where, (e as { fix?: string }).fix ?? 'set the provider\'s identity and log in with `infrakey auth login`', e);
    }
    const runAs = service.who ?? who;
    for (const r of wanted) {
      let out: SopsKmsEntry;
      try {
        out = await service.encryptDataKey(r.arn, dataKey, r.context);
      } catch (e) {
        const m = messageOf(e);
        throw sopsError('SOPS_ENCRYPT_FAILED', `cannot encrypt the new data key: ${m.includes(r.arn) ? m : `AWS KMS key ${r.arn} as ${runAs}: ${m}`}`, where, `check that ${runAs} may call kms:Encrypt on the key (same account and region, key enabled)`, e);
      }
      kms.push({
        arn: r.arn,
        ...(r.role ? { role: r.role } : {}),
        ...(r.context ? { context: r.context } : {}),
        created_at: out.created_at ?? lastModifiedNow(),
        enc: out.enc,
        aws_profile: r.aws_profile ?? '',
      });
    }
  }
  return { dataKey, age, kms };
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
  const { dataKey, age, kms } = await wrapNewDataKey(opts.recipients ?? [], opts.kmsRecipients ?? [], 'recipients', opts);
  const rules: SopsRules = opts.rules ?? {};
  const effective: SopsRules = rules.unencryptedSuffix || rules.encryptedSuffix || rules.unencryptedRegex || rules.encryptedRegex ? rules : { ...rules, unencryptedSuffix: '_unencrypted' };
  return seal(store, model, dataKey, newMetadataRaw(age, effective, store.emptyList, kms), effective, opts.now);
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
  const opened = await openSource(path, opts);
  if (opened) {
    setIn(opened.tree, segs, node, path);
    const text = seal(opened.store, opened.tree, opened.dataKey, opened.meta.raw, opened.meta.rules, opts.now, opened.stash, opened.parsed.context);
    await writeFileAtomic(path, text, SOPS_FILE_MODE, SOPS_DIR_MODE);
    return { created: false };
  }
  const format = sopsFormatForPath(path, opts.format);
  const store = STORES[format];
  const { recipients, kms: kmsRecipients, source } = await resolveSopsRecipients(path, { age_recipients: opts.recipients }, opts.specPath);
  const tree: SopsMap = { kind: 'map', entries: [] };
  setIn(tree, segs, node, path);
  const { dataKey, age, kms } = await wrapNewDataKey(recipients, kmsRecipients, source, opts);
  const rules: SopsRules = { unencryptedSuffix: '_unencrypted' };
  const text = seal(store, tree, dataKey, newMetadataRaw(age, rules, store.emptyList, kms), rules, opts.now);
  await writeFileAtomic(path, text, SOPS_FILE_MODE, SOPS_DIR_MODE);
  return { created: true };
}

/**
 * Removes a key from a sops file and re-encrypts it (same data key, new MAC). A missing file
 * or key is a no-op; returns whether something was removed.
 */
export async function deleteSopsValue(path: string, keyPath: SopsKeyPath, opts: SopsKeyOptions & { now?: Date } = {}): Promise<boolean> {
  const segs = normPath(keyPath);
  const opened = await openSource(path, opts);
  if (!opened) return false;
  if (!deleteIn(opened.tree, segs)) return false;
  const text = seal(opened.store, opened.tree, opened.dataKey, opened.meta.raw, opened.meta.rules, opts.now, opened.stash, opened.parsed.context);
  await writeFileAtomic(path, text, SOPS_FILE_MODE, SOPS_DIR_MODE);
  return true;
}
