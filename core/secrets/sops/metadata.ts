import { sopsError } from './sops-error';
import { DEFAULT_UNENCRYPTED_SUFFIX, type SopsRules } from './tree';

/** One age recipient of a file and the data key encrypted to it (armored age file). */
export interface SopsAgeEntry {
  recipient: string;
  enc: string;
}

/**
 * One AWS KMS master key of a file (`sops.kms[]`, sops' field names): the data key encrypted
 * with the KMS key `arn`; `enc` is base64 of the KMS CiphertextBlob.
 */
export interface SopsKmsEntry {
  arn: string;
  enc: string;
  created_at?: string;
  aws_profile?: string;
  /** A role sops assumes before calling KMS. */
  role?: string;
  /** KMS encryption context (must be given again to decrypt). */
  context?: Record<string, string>;
}

/** The `sops` section of a file. */
export interface SopsMetadata {
  /** The section as read, kept so that other key types and unknown fields survive a rewrite. */
  raw: Record<string, unknown>;
  age: SopsAgeEntry[];
  /** AWS KMS master keys (top level or the single key group). */
  kms: SopsKmsEntry[];
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

const OTHER_KEY_TYPES = ['gcp_kms', 'azure_kv', 'hc_vault', 'pgp', 'hckms'];

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

function str(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}

function ageEntries(list: unknown, file: string): SopsAgeEntry[] {
  if (list === null || list === undefined) return [];
  if (!Array.isArray(list)) throw sopsError('SOPS_FORMAT_INVALID', 'sops.age is not a list', file, 'restore the file from version control');
  return list.map((e, i) => {
    const rec = e as Record<string, unknown> | null;
    const recipient = str(rec?.recipient);
    const enc = str(rec?.enc);
    if (!recipient || !enc) {
      throw sopsError('SOPS_FORMAT_INVALID', `sops.age[${i}] lacks "recipient" or "enc"`, file, 'restore the file from version control');
    }
    return { recipient, enc };
  });
}

function kmsEntries(list: unknown, file: string, at: string): SopsKmsEntry[] {
  if (list === null || list === undefined) return [];
  if (!Array.isArray(list)) throw sopsError('SOPS_FORMAT_INVALID', `${at} is not a list`, file, 'restore the file from version control');
  return list.map((e, i) => {
    const rec = e as Record<string, unknown> | null;
    const arn = str(rec?.arn);
    const enc = str(rec?.enc);
    if (!arn || !enc) {
      throw sopsError('SOPS_FORMAT_INVALID', `${at}[${i}] lacks "arn" or "enc"`, file, 'restore the file from version control');
    }
    const out: SopsKmsEntry = { arn, enc };
    const createdAt = str(rec?.created_at);
    if (createdAt !== undefined) out.created_at = createdAt;
    const profile = str(rec?.aws_profile);
    if (profile !== undefined) out.aws_profile = profile;
    const role = str(rec?.role);
    if (role) out.role = role;
    const ctx = rec?.context;
    if (ctx && typeof ctx === 'object' && !Array.isArray(ctx)) {
      const context: Record<string, string> = {};
      for (const [k, v] of Object.entries(ctx as Record<string, unknown>)) {
        const sv = str(v);
        if (sv !== undefined) context[k] = sv;
      }
      if (Object.keys(context).length > 0) out.context = context;
    }
    return out;
  });
}

/** Reads and checks the `sops` section. */
export function parseMetadata(raw: unknown, file: string): SopsMetadata {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) {
    throw sopsError('SOPS_FORMAT_INVALID', 'the file has no sops metadata (it is not a sops-encrypted file)', file, 'encrypt it with `infrakey secret set` or sops, or point the provider at the encrypted file');
  }
  const r = raw as Record<string, unknown>;
  const lastModified = str(r.lastmodified);
  const mac = str(r.mac);
  if (!lastModified || !mac) {
    throw sopsError('SOPS_FORMAT_INVALID', 'the sops metadata lacks "lastmodified" or "mac"', file, 'restore the file from version control');
  }
  let age: SopsAgeEntry[];
  let kms: SopsKmsEntry[];
  const otherKeyTypes = new Set<string>();
  if (Array.isArray(r.key_groups) && r.key_groups.length > 0) {
    if (r.key_groups.length > 1) {
      throw sopsError('SOPS_FORMAT_UNSUPPORTED', `the file splits its data key over ${r.key_groups.length} key groups (Shamir), which infrakey does not support`, file, 'decrypt it with the sops CLI and re-encrypt it with a single key group');
    }
    const group = (r.key_groups[0] ?? {}) as Record<string, unknown>;
    age = ageEntries(group.age, file);
    kms = kmsEntries(group.kms, file, 'sops.key_groups[0].kms');
    for (const t of OTHER_KEY_TYPES) if (Array.isArray(group[t]) && group[t].length > 0) otherKeyTypes.add(t);
  } else {
    age = ageEntries(r.age, file);
    kms = kmsEntries(r.kms, file, 'sops.kms');
  }
  for (const t of OTHER_KEY_TYPES) if (Array.isArray(r[t]) && r[t].length > 0) otherKeyTypes.add(t);

  const ruleFields = {
    unencryptedSuffix: str(r.unencrypted_suffix),
    encryptedSuffix: str(r.encrypted_suffix),
    unencryptedRegex: str(r.unencrypted_regex),
    encryptedRegex: str(r.encrypted_regex),
  };
  if (str(r.unencrypted_comment_regex) || str(r.encrypted_comment_regex)) {
    throw sopsError('SOPS_FORMAT_UNSUPPORTED', 'the file uses unencrypted_comment_regex/encrypted_comment_regex, which infrakey does not support', file, 'use unencrypted_suffix or encrypted_regex instead');
  }
  const set = Object.entries(ruleFields).filter(([, v]) => v);
  if (set.length > 1) {
    throw sopsError('SOPS_FORMAT_INVALID', `the sops metadata sets ${set.length} of unencrypted_suffix/encrypted_suffix/unencrypted_regex/encrypted_regex; sops allows one`, file, 'keep one of them');
  }
  const rules: SopsRules = set.length === 0 ? { unencryptedSuffix: DEFAULT_UNENCRYPTED_SUFFIX } : { ...Object.fromEntries(set) };
  const onlyEnc = r.mac_only_encrypted;
  rules.macOnlyEncrypted = onlyEnc === true || onlyEnc === 'true';
  return { raw: r, age, kms, lastModified, mac, rules, version: str(r.version) ?? '', otherKeyTypes: [...otherKeyTypes] };
}

/** A kms entry in sops' field order (stores.go kmskey: arn, role, context, created_at, enc, aws_profile). */
export function kmsEntryRaw(e: SopsKmsEntry): Record<string, unknown> {
  return {
    arn: e.arn,
    ...(e.role ? { role: e.role } : {}),
    ...(e.context && Object.keys(e.context).length > 0 ? { context: { ...e.context } } : {}),
    created_at: e.created_at ?? '',
    enc: e.enc,
    aws_profile: e.aws_profile ?? '',
  };
}

/** Metadata for a new file: age and AWS KMS entries, rules as given (default unencrypted suffix). */
export function newMetadataRaw(age: SopsAgeEntry[], rules: SopsRules, emptyList: null | [], kms: readonly SopsKmsEntry[] = []): Record<string, unknown> {
  const raw: Record<string, unknown> = {
    kms: kms.length > 0 ? kms.map(kmsEntryRaw) : emptyList,
    gcp_kms: emptyList,
    azure_kv: emptyList,
    hc_vault: emptyList,
    age: age.length > 0 || kms.length === 0 ? age.map((a) => ({ recipient: a.recipient, enc: a.enc })) : emptyList,
    lastmodified: '',
    mac: '',
    pgp: emptyList,
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
