import { ageDecrypt, ageEncryptArmored, prepareIdentities, type AgeIdentityInput } from '../age';
import { resolveAgeIdentities } from '../age-keys';
import { parseEntryList, type SopsKeyOptions, type SopsKeyType, type SopsUnwrapResult } from '../key-type';
import { SopsError, sopsError } from '../sops-error';

/**
 * The `age` key type (`sops.age[]`, provider kind `sops/age`): the data key is an armored age
 * file per recipient. Local: opening needs only an identity (key file, variable or store).
 */

/** One age recipient of a file and the data key encrypted to it (armored age file). */
export interface SopsAgeEntry {
  recipient: string;
  enc: string;
}

/** Splits sops' comma-separated recipient lists. */
export function splitRecipients(value: unknown): string[] {
  const parts = Array.isArray(value) ? value.map(String) : typeof value === 'string' ? value.split(',') : [];
  return parts.map((s) => s.trim()).filter((s) => s !== '');
}

function parseEntries(list: unknown, file: string, at: string): SopsAgeEntry[] {
  return parseEntryList(list, file, at, ['recipient', 'enc'], ({ recipient, enc }) => ({ recipient, enc }));
}

/** The identities to try: given, resolved by the caller's resolver, else sops' defaults. */
async function identitiesFor(keys: SopsKeyOptions): Promise<{ ids: readonly AgeIdentityInput[]; sources: readonly string[] }> {
  if (keys.ageIdentities) return { ids: keys.ageIdentities, sources: keys.keySources ?? ['the identities given by the caller'] };
  const resolved = keys.ageKeys ? await keys.ageKeys() : await resolveAgeIdentities({});
  return { ids: resolved.identities, sources: resolved.sources };
}

/** Tries the entries whose recipient matches a local identity first. */
async function unwrap(entries: readonly SopsAgeEntry[], keys: SopsKeyOptions): Promise<SopsUnwrapResult> {
  const recipients = entries.map((a) => a.recipient);
  let found: { ids: readonly AgeIdentityInput[]; sources: readonly string[] };
  try {
    found = await identitiesFor(keys);
  } catch (e) {
    const failure = `no age key is available for its age recipients ${recipients.join(', ')} (${e instanceof Error ? e.message : 'key lookup failed'})`;
    if (e instanceof SopsError && e.code === 'SOPS_AGE_KEY_MISSING') {
      // The file exists, so a new key (`secret keygen`) cannot help: it would add a recipient that
      // opens none of the values already in the file. Say which key is needed and where it is looked for.
      const fix = `put the age identity (AGE-SECRET-KEY-1...) of one of ${recipients.join(', ')} where infrakey looks for it (${e.where ?? 'spec.age_key_file, SOPS_AGE_KEY_FILE or SOPS_AGE_KEY'}); \`secret keygen\` would only add a second recipient that cannot open the existing values`;
      const summary = (e as { summary?: unknown }).summary;
      const alone = sopsError('SOPS_AGE_KEY_MISSING', `no age key to open this file: it is encrypted to ${recipients.join(', ')}; ${typeof summary === 'string' ? summary : e.message}`, e.where, fix, e);
      return { failure, fix, error: alone, alone };
    }
    return {
      failure,
      fix: (e as { fix?: string }).fix ?? 'set spec.age_key_file, SOPS_AGE_KEY_FILE or SOPS_AGE_KEY',
      error: e,
      // An age-only file keeps the precise age-key error (SOPS_AGE_KEY_INVALID).
      ...(e instanceof SopsError ? { alone: e } : {}),
    };
  }
  const prepared = prepareIdentities(found.ids);
  const mine = new Set(prepared.native.map((n) => n.recipient));
  const ordered = [...entries.filter((a) => mine.has(a.recipient)), ...entries.filter((a) => !mine.has(a.recipient))];
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

async function wrap(dataKey: Buffer, recipients: readonly string[], _keys: SopsKeyOptions, where: string): Promise<SopsAgeEntry[]> {
  const out: SopsAgeEntry[] = [];
  for (const recipient of recipients) {
    try {
      out.push({ recipient, enc: await ageEncryptArmored(dataKey, [recipient]) });
    } catch (e) {
      throw sopsError('SOPS_RECIPIENT_INVALID', `"${recipient}" is not a valid age recipient`, where, 'use the age1... public key that age-keygen prints', e);
    }
  }
  return out;
}

/** The `age` key type. */
export const ageKeyType: SopsKeyType<SopsAgeEntry, string> = {
  name: 'age',
  field: 'age',
  label: 'age',
  local: true,
  parseEntries,
  entryRaw: (e) => ({ recipient: e.recipient, enc: e.enc }),
  recipientsFromRule: (rule) => splitRecipients(rule.age),
  recipientsFromGroup: (group) => splitRecipients(group.age),
  spec: { field: 'age_recipients', recipients: splitRecipients },
  unwrap,
  wrap,
};
