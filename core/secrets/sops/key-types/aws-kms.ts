import { messageOf, metaString, parseEntryList, rfc3339Now, type SopsKeyOptions, type SopsKeyType, type SopsUnwrapResult } from '../key-type';
import { sopsError } from '../sops-error';
import { keyServiceOf, type SopsKmsEntry, type SopsKmsKeyService } from './aws-kms-service';

/**
 * The `aws-kms` key type (`sops.kms[]`, provider kind `sops/aws-kms`): the data key is wrapped
 * by AWS KMS through a {@link SopsKmsKeyService}, built only when a KMS key is used.
 */

/** One KMS recipient of a new file (`.sops.yaml` `kms:`). */
export interface SopsKmsRecipient {
  arn: string;
  role?: string;
  context?: Record<string, string>;
  aws_profile?: string;
}

const KMS_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(key|alias)\/.+$/;

/** True when `arn` looks like a KMS key or alias ARN. */
export function isKmsArn(arn: string): boolean {
  return KMS_ARN.test(arn);
}

/**
 * sops' `kms:` string of a creation rule: comma-separated ARNs, each optionally `ARN+ROLE_ARN`
 * (kms/keysource.go NewMasterKeyFromArn). A rule-level `aws_profile` and `encryption_context`
 * apply to every key.
 */
export function parseKmsRecipients(value: unknown, profile?: string, context?: Record<string, string>): SopsKmsRecipient[] {
  const parts = Array.isArray(value) ? value.map(String) : typeof value === 'string' ? value.split(',') : [];
  return parts
    .map((s) => s.replace(/\s+/g, ''))
    .filter((s) => s !== '')
    .map((s) => {
      const plus = s.indexOf('+');
      const arn = plus === -1 ? s : s.slice(0, plus);
      const role = plus === -1 ? undefined : s.slice(plus + 1);
      return { arn, ...(role ? { role } : {}), ...(context ? { context } : {}), ...(profile ? { aws_profile: profile } : {}) };
    });
}

/** A `key_groups[].kms` list of `{arn, role, context, aws_profile}` maps. */
export function kmsRecipientsFromGroup(list: unknown): SopsKmsRecipient[] {
  if (!Array.isArray(list)) return [];
  const out: SopsKmsRecipient[] = [];
  for (const item of list) {
    if (typeof item === 'string') {
      out.push(...parseKmsRecipients(item));
      continue;
    }
    const rec = item as Record<string, unknown> | null;
    if (!rec || typeof rec.arn !== 'string' || rec.arn === '') continue;
    const context = stringMap(rec.context);
    out.push({
      arn: rec.arn,
      ...(typeof rec.role === 'string' && rec.role ? { role: rec.role } : {}),
      ...(context ? { context } : {}),
      ...(typeof rec.aws_profile === 'string' && rec.aws_profile ? { aws_profile: rec.aws_profile } : {}),
    });
  }
  return out;
}

/** A map of strings (encryption context), or undefined. */
export function stringMap(v: unknown): Record<string, string> | undefined {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return undefined;
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
    const s = metaString(x);
    if (s !== undefined) out[k] = s;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

function parseEntries(list: unknown, file: string, at: string): SopsKmsEntry[] {
  return parseEntryList(list, file, at, ['arn', 'enc'], ({ arn, enc }, rec) => {
    const out: SopsKmsEntry = { arn, enc };
    const createdAt = metaString(rec.created_at);
    if (createdAt !== undefined) out.created_at = createdAt;
    const profile = metaString(rec.aws_profile);
    if (profile !== undefined) out.aws_profile = profile;
    const role = metaString(rec.role);
    if (role) out.role = role;
    const context = stringMap(rec.context);
    if (context) out.context = context;
    return out;
  });
}

/** An entry in sops' field order (stores.go kmskey: arn, role, context, created_at, enc, aws_profile). */
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

function whoOf(keys: SopsKeyOptions): string {
  return keys.kmsIdentity ?? (keys.kms === undefined ? 'the ambient AWS credentials' : 'the configured identity');
}

/** Tries the KMS entries in order. */
async function unwrap(entries: readonly SopsKmsEntry[], keys: SopsKeyOptions): Promise<SopsUnwrapResult> {
  const arns = entries.map((k) => k.arn);
  const who = whoOf(keys);
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
  for (const entry of entries) {
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

/** Wraps a new data key with each KMS key; every ARN is checked before KMS is called. */
async function wrap(dataKey: Buffer, recipients: readonly SopsKmsRecipient[], keys: SopsKeyOptions, where: string): Promise<SopsKmsEntry[]> {
  if (recipients.length === 0) return [];
  for (const r of recipients) {
    if (!isKmsArn(r.arn)) throw sopsError('SOPS_RECIPIENT_INVALID', `"${r.arn}" is not an AWS KMS key ARN`, where, 'use the key\'s ARN: arn:aws:kms:<region>:<account>:key/<id>');
  }
  const who = whoOf(keys);
  let service: SopsKmsKeyService;
  try {
    service = await keyServiceOf(keys.kms);
  } catch (e) {
    throw sopsError('SOPS_ENCRYPT_FAILED', `cannot encrypt the new data key with AWS KMS key ${recipients.map((r) => r.arn).join(', ')}: authenticating ${who} failed: ${messageOf(e)}`, where, (e as { fix?: string }).fix ?? 'set the provider\'s identity and log in with `infrakey auth login`', e);
  }
  const runAs = service.who ?? who;
  const out: SopsKmsEntry[] = [];
  for (const r of recipients) {
    let made: SopsKmsEntry;
    try {
      made = await service.encryptDataKey(r.arn, dataKey, r.context);
    } catch (e) {
      const m = messageOf(e);
      throw sopsError('SOPS_ENCRYPT_FAILED', `cannot encrypt the new data key: ${m.includes(r.arn) ? m : `AWS KMS key ${r.arn} as ${runAs}: ${m}`}`, where, `check that ${runAs} may call kms:Encrypt on the key (same account and region, key enabled)`, e);
    }
    out.push({
      arn: r.arn,
      ...(r.role ? { role: r.role } : {}),
      ...(r.context ? { context: r.context } : {}),
      created_at: made.created_at ?? rfc3339Now(),
      enc: made.enc,
      aws_profile: r.aws_profile ?? '',
    });
  }
  return out;
}

/** The `aws-kms` key type. */
export const awsKmsKeyType: SopsKeyType<SopsKmsEntry, SopsKmsRecipient> = {
  name: 'aws-kms',
  field: 'kms',
  label: 'AWS KMS',
  local: false,
  parseEntries,
  entryRaw: kmsEntryRaw,
  recipientsFromRule: (rule) => parseKmsRecipients(rule.kms, typeof rule.aws_profile === 'string' && rule.aws_profile !== '' ? rule.aws_profile : undefined),
  recipientsFromGroup: (group) => kmsRecipientsFromGroup(group.kms),
  unwrap,
  wrap,
};
