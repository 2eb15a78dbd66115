import { messageOf, metaString, parseEntryList, rfc3339Now, type SopsKeyOptions, type SopsKeyType, type SopsUnwrapResult } from '../key-type';
import { SopsError, sopsError } from '../sops-error';
import { gcpKmsServiceOf, isGcpKmsResourceId, type SopsGcpKmsEntry, type SopsGcpKmsService } from './gcp-kms-service';

/**
 * The `gcp-kms` key type (`sops.gcp_kms[]`, provider kind `sops/gcp-kms`): the data key is
 * encrypted by a Google Cloud KMS CryptoKey (`resource_id`), `enc` is base64 of the ciphertext,
 * as sops' gcpkms keysource writes it. The service is built only when such a key is used.
 */

/** Splits sops' comma-separated resource ID lists (spaces removed, as MasterKeysFromResourceIDString). */
export function splitResourceIds(value: unknown): string[] {
  const parts = Array.isArray(value) ? value.map(String) : typeof value === 'string' ? value.split(',') : [];
  return parts.map((s) => s.replace(/\s+/g, '')).filter((s) => s !== '');
}

/** `.sops.yaml` `key_groups[].gcp_kms`: a list of `{resource_id}` maps (or strings). */
function recipientsFromGroup(group: Readonly<Record<string, unknown>>): string[] {
  const list = group.gcp_kms;
  if (!Array.isArray(list)) return [];
  return list.flatMap((item) => (typeof item === 'string' ? splitResourceIds(item) : typeof (item as { resource_id?: unknown })?.resource_id === 'string' ? splitResourceIds((item as { resource_id: string }).resource_id) : []));
}

function parseEntries(list: unknown, file: string, at: string): SopsGcpKmsEntry[] {
  return parseEntryList(list, file, at, ['resource_id', 'enc'], ({ resource_id, enc }, rec) => {
    const createdAt = metaString(rec.created_at);
    return { resource_id, enc, ...(createdAt !== undefined ? { created_at: createdAt } : {}) };
  });
}

function whoOf(keys: SopsKeyOptions): string {
  return keys.gcpIdentity ?? (keys.gcpKms === undefined ? 'Application Default Credentials' : 'the configured identity');
}

async function serviceOf(keys: SopsKeyOptions): Promise<SopsGcpKmsService> {
  return gcpKmsServiceOf(keys.gcpKms, keys.keyTimeoutMs);
}

async function unwrap(entries: readonly SopsGcpKmsEntry[], keys: SopsKeyOptions): Promise<SopsUnwrapResult> {
  const ids = entries.map((k) => k.resource_id);
  let service: SopsGcpKmsService;
  try {
    service = await serviceOf(keys);
  } catch (e) {
    return {
      failure: `its data key is wrapped by Cloud KMS key ${ids.join(', ')}, and authenticating ${whoOf(keys)} for Cloud KMS failed: ${messageOf(e)}`,
      fix: (e as { fix?: string }).fix ?? 'set secrets.providers.<name>.identity to a GCP identity allowed to use the key and log in with `infrakey auth login`, or set up Application Default Credentials',
      error: e,
    };
  }
  const reasons: string[] = [];
  let last: unknown;
  let lastFix: string | undefined;
  for (const entry of entries) {
    try {
      const key = await service.decryptDataKey(entry);
      if (key.length === 32) return { key, failure: '', fix: '' };
      reasons.push(`${entry.resource_id}: Cloud KMS returned ${key.length} bytes, not a 32-byte data key (the entry was altered)`);
    } catch (e) {
      last = e;
      lastFix = (e as { fix?: string }).fix;
      reasons.push(messageOf(e));
      // A key service that never answers does not answer for the next key either.
      if (e instanceof SopsError && e.code === 'SOPS_KEY_TIMEOUT') return { failure: reasons.join('; '), fix: e.fix ?? '', error: e, alone: e };
    }
  }
  return {
    failure: `no Cloud KMS key opened this file's data key: ${reasons.join('; ')}`,
    fix: lastFix ?? `check that ${service.who ?? whoOf(keys)} may decrypt with ${ids.join(', ')}`,
    error: last,
  };
}

async function wrap(dataKey: Buffer, recipients: readonly string[], keys: SopsKeyOptions, where: string): Promise<SopsGcpKmsEntry[]> {
  if (recipients.length === 0) return [];
  for (const id of recipients) {
    if (!isGcpKmsResourceId(id)) throw sopsError('SOPS_RECIPIENT_INVALID', `"${id}" is not a Cloud KMS key resource ID`, where, 'use projects/<project>/locations/<location>/keyRings/<ring>/cryptoKeys/<key>');
  }
  let service: SopsGcpKmsService;
  try {
    service = await serviceOf(keys);
  } catch (e) {
    throw sopsError('SOPS_ENCRYPT_FAILED', `cannot encrypt the new data key with Cloud KMS key ${recipients.join(', ')}: authenticating ${whoOf(keys)} failed: ${messageOf(e)}`, where, (e as { fix?: string }).fix ?? 'set the provider\'s identity to a GCP identity and log in with `infrakey auth login`', e);
  }
  const out: SopsGcpKmsEntry[] = [];
  for (const id of recipients) {
    let enc: string;
    try {
      enc = await service.encryptDataKey(id, dataKey);
    } catch (e) {
      const code = e instanceof SopsError && e.code === 'SOPS_KEY_TIMEOUT' ? 'SOPS_KEY_TIMEOUT' : 'SOPS_ENCRYPT_FAILED';
      throw sopsError(code, `cannot encrypt the new data key: ${messageOf(e)}`, where, (e as { fix?: string }).fix ?? `check that ${service.who ?? whoOf(keys)} may encrypt with the key`, e);
    }
    out.push({ resource_id: id, created_at: rfc3339Now(), enc });
  }
  return out;
}

/** The `gcp-kms` key type. */
export const gcpKmsKeyType: SopsKeyType<SopsGcpKmsEntry, string> = {
  name: 'gcp-kms',
  field: 'gcp_kms',
  label: 'GCP KMS',
  local: false,
  parseEntries,
  entryRaw: (e) => ({ resource_id: e.resource_id, created_at: e.created_at ?? '', enc: e.enc }),
  recipientsFromRule: (rule) => splitResourceIds(rule.gcp_kms),
  recipientsFromGroup,
  unwrap,
  wrap,
};
