import { goRegExp } from './go-regexp';
import { metaString, type SopsKeyType } from './key-type';
import { SOPS_KEY_TYPES } from './key-types/index';
import { sopsError } from './sops-error';
import { DEFAULT_UNENCRYPTED_SUFFIX, type SopsRules } from './tree';

export type { SopsAgeEntry } from './key-types/age';
export type { SopsKmsEntry } from './key-types/aws-kms-service';

/** The entries of one key type in a file. */
export interface SopsKeyEntries {
  readonly type: SopsKeyType;
  readonly entries: readonly unknown[];
}

/** The `sops` section of a file. */
export interface SopsMetadata {
  /** The section as read, kept so that other key types and unknown fields survive a rewrite. */
  raw: Record<string, unknown>;
  /** Master keys of each registered type, in registry order (top level or the single key group). */
  keys: SopsKeyEntries[];
  /** `lastmodified` as written in the file. */
  lastModified: string;
  mac: string;
  rules: SopsRules;
  version: string;
  /** Master key types this module cannot open, for messages (e.g. `gcp_kms`, `pgp`). */
  otherKeyTypes: string[];
}

/** The version written into new files: the sops release whose format this module follows. */
export const SOPS_FORMAT_VERSION = '3.8.1';

/** Field order of sops' metadata struct (stores/stores.go), which is the order sops writes. */
export const METADATA_ORDER = [
  'shamir_threshold',
  'key_groups',
  'kms',
  'gcp_kms',
  'azure_kv',
  'hc_vault',
  'age',
  'lastmodified',
  'mac',
  'pgp',
  'unencrypted_suffix',
  'encrypted_suffix',
  'unencrypted_regex',
  'encrypted_regex',
  'unencrypted_comment_regex',
  'encrypted_comment_regex',
  'mac_only_encrypted',
  'version',
] as const;

/** Master key fields sops knows; those no registered type reads are named in messages. */
const SOPS_KEY_FIELDS = ['kms', 'gcp_kms', 'azure_kv', 'hc_vault', 'age', 'pgp', 'hckms'];
const otherKeyFields = (): string[] => SOPS_KEY_FIELDS.filter((f) => !SOPS_KEY_TYPES.some((t) => t.field === f));

/**
 * Go formats `lastmodified` with time.RFC3339 after parsing it, and that string is the MAC's
 * additional data: fractions are dropped and a zero offset becomes `Z`.
 */
export function normalizeLastModified(s: string): string {
  const m = /^(\d{4}-\d{2}-\d{2})[Tt](\d{2}:\d{2}:\d{2})(?:\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/.exec(s.trim());
  if (!m) return s;
  const zone = m[3].toUpperCase() === 'Z' || m[3] === '+00:00' || m[3] === '-00:00' ? 'Z' : m[3];
  return `${m[1]}T${m[2]}${zone}`;
}

/** `time.Now().UTC().Format(time.RFC3339)`. */
export function lastModifiedNow(now: Date = new Date()): string {
  return now.toISOString().replace(/\.\d+Z$/, 'Z');
}

/** Reads and checks the `sops` section. */
export function parseMetadata(raw: unknown, file: string): SopsMetadata {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) {
    throw sopsError('SOPS_FORMAT_INVALID', 'the file has no sops metadata (it is not a sops-encrypted file)', file, 'encrypt it with `infrakey secret set` or sops, or point the provider at the encrypted file');
  }
  const r = raw as Record<string, unknown>;
  const lastModified = metaString(r.lastmodified);
  const mac = metaString(r.mac);
  if (!lastModified || !mac) {
    throw sopsError('SOPS_FORMAT_INVALID', 'the sops metadata lacks "lastmodified" or "mac"', file, 'restore the file from version control');
  }
  let keys: SopsKeyEntries[];
  const otherKeyTypes = new Set<string>();
  const others = otherKeyFields();
  if (Array.isArray(r.key_groups) && r.key_groups.length > 0) {
    if (r.key_groups.length > 1) {
      throw sopsError('SOPS_FORMAT_UNSUPPORTED', `the file splits its data key over ${r.key_groups.length} key groups (Shamir), which infrakey does not support`, file, 'decrypt it with the sops CLI and re-encrypt it with a single key group');
    }
    const group = (r.key_groups[0] ?? {}) as Record<string, unknown>;
    keys = SOPS_KEY_TYPES.map((type) => ({ type, entries: type.parseEntries(group[type.field], file, `sops.key_groups[0].${type.field}`) }));
    for (const t of others) if (Array.isArray(group[t]) && group[t].length > 0) otherKeyTypes.add(t);
  } else {
    keys = SOPS_KEY_TYPES.map((type) => ({ type, entries: type.parseEntries(r[type.field], file, `sops.${type.field}`) }));
  }
  for (const t of others) if (Array.isArray(r[t]) && r[t].length > 0) otherKeyTypes.add(t);

  const ruleFields = {
    unencryptedSuffix: metaString(r.unencrypted_suffix),
    encryptedSuffix: metaString(r.encrypted_suffix),
    unencryptedRegex: metaString(r.unencrypted_regex),
    encryptedRegex: metaString(r.encrypted_regex),
  };
  if (metaString(r.unencrypted_comment_regex) || metaString(r.encrypted_comment_regex)) {
    throw sopsError('SOPS_FORMAT_UNSUPPORTED', 'the file uses unencrypted_comment_regex/encrypted_comment_regex, which infrakey does not support', file, 'use unencrypted_suffix or encrypted_regex instead');
  }
  const set = Object.entries(ruleFields).filter(([, v]) => v);
  if (set.length > 1) {
    throw sopsError('SOPS_FORMAT_INVALID', `the sops metadata sets ${set.length} of unencrypted_suffix/encrypted_suffix/unencrypted_regex/encrypted_regex; sops allows one`, file, 'keep one of them');
  }
  for (const [field, pattern] of [['unencrypted_regex', ruleFields.unencryptedRegex], ['encrypted_regex', ruleFields.encryptedRegex]] as const) {
    if (pattern) goRegExp(pattern, `${file} (sops.${field})`, 'SOPS_FORMAT_INVALID');
  }
  const rules: SopsRules = set.length === 0 ? { unencryptedSuffix: DEFAULT_UNENCRYPTED_SUFFIX } : { ...Object.fromEntries(set) };
  const onlyEnc = r.mac_only_encrypted;
  rules.macOnlyEncrypted = onlyEnc === true || onlyEnc === 'true';
  return { raw: r, keys, lastModified, mac, rules, version: metaString(r.version) ?? '', otherKeyTypes: [...otherKeyTypes] };
}

/**
 * Metadata for a new file: the entries of each key type (as {@link SopsKeyType.entryRaw} writes
 * them, by metadata field), empty lists for the other key fields sops writes, rules as given
 * (default unencrypted suffix).
 */
export function newMetadataRaw(entries: Readonly<Record<string, readonly Record<string, unknown>[]>>, rules: SopsRules, emptyList: null | []): Record<string, unknown> {
  const list = (field: string): unknown => (entries[field]?.length ? entries[field] : emptyList);
  const raw: Record<string, unknown> = {
    kms: list('kms'),
    gcp_kms: list('gcp_kms'),
    azure_kv: list('azure_kv'),
    hc_vault: list('hc_vault'),
    age: list('age'),
    lastmodified: '',
    mac: '',
    pgp: list('pgp'),
  };
  const anyRule = rules.unencryptedSuffix || rules.encryptedSuffix || rules.unencryptedRegex || rules.encryptedRegex;
  if (!anyRule || rules.unencryptedSuffix) raw.unencrypted_suffix = rules.unencryptedSuffix ?? DEFAULT_UNENCRYPTED_SUFFIX;
  if (rules.encryptedSuffix) raw.encrypted_suffix = rules.encryptedSuffix;
  if (rules.unencryptedRegex) raw.unencrypted_regex = rules.unencryptedRegex;
  if (rules.encryptedRegex) raw.encrypted_regex = rules.encryptedRegex;
  if (rules.macOnlyEncrypted) raw.mac_only_encrypted = true;
  raw.version = SOPS_FORMAT_VERSION;
  return raw;
}

/** The section's fields in sops' order, unknown fields last (in their original order). */
export function orderedMetadataEntries(raw: Record<string, unknown>): Array<[string, unknown]> {
  const known = new Set<string>(METADATA_ORDER);
  const out: Array<[string, unknown]> = [];
  for (const k of METADATA_ORDER) if (k in raw && raw[k] !== undefined) out.push([k, raw[k]]);
  for (const [k, v] of Object.entries(raw)) if (!known.has(k) && v !== undefined) out.push([k, v]);
  return out;
}
