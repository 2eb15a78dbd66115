import type { SopsKmsEntry } from './metadata';

/**
 * AWS KMS master keys of sops files. The KMS calls themselves live behind
 * {@link SopsKmsKeyService} (core/auth/kms-data-key.ts implements it with an identity's
 * credentials), so that this folder never loads the AWS SDK for age-only files.
 */

/** Wraps and unwraps sops data keys with AWS KMS. */
export interface SopsKmsKeyService {
  /** Who the calls run as, for messages (`identity "x"`, `the ambient AWS credentials`). */
  readonly who?: string;
  /** The data key of one `sops.kms[]` entry; throws when the key cannot be used. */
  decryptDataKey(entry: SopsKmsEntry): Promise<Buffer>;
  /** Encrypts a data key with the KMS key `arn` and returns the entry to store. */
  encryptDataKey(arn: string, dataKey: Buffer, context?: Record<string, string>): Promise<SopsKmsEntry>;
}

/** A key service, or a function that builds it on first need (authentication happens there). */
export type SopsKmsKeyServiceSource = SopsKmsKeyService | (() => Promise<SopsKmsKeyService>);

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
    out.push({
      arn: rec.arn,
      ...(typeof rec.role === 'string' && rec.role ? { role: rec.role } : {}),
      ...(stringMap(rec.context) ? { context: stringMap(rec.context) } : {}),
      ...(typeof rec.aws_profile === 'string' && rec.aws_profile ? { aws_profile: rec.aws_profile } : {}),
    });
  }
  return out;
}

/** A map of strings (encryption context), or undefined. */
export function stringMap(v: unknown): Record<string, string> | undefined {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return undefined;
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) if (typeof x === 'string' || typeof x === 'number' || typeof x === 'boolean') out[k] = String(x);
  return Object.keys(out).length > 0 ? out : undefined;
}

/** The key service of a source, built once per call site. */
export async function keyServiceOf(source: SopsKmsKeyServiceSource | undefined): Promise<SopsKmsKeyService> {
  if (source === undefined) {
    // No identity given: the ambient AWS credential chain, as sops' local key service does.
    // Loaded here so that age-only files never load the auth layer or the AWS SDK.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { kmsKeyService } = require('../../auth/kms-data-key') as typeof import('../../auth/kms-data-key');
    return kmsKeyService();
  }
  return typeof source === 'function' ? source() : source;
}
