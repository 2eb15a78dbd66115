import { unsafeUnwrap } from '../../../secret';
import { gpgReason, runGpg, type GpgOptions } from '../gpg';
import { messageOf, metaString, parseEntryList, rfc3339Now, type SopsKeyOptions, type SopsKeyType, type SopsUnwrapResult } from '../key-type';
import { SopsError, sopsError } from '../sops-error';

/**
 * The `pgp` key type (`sops.pgp[]`; provider kind `sops/pgp`, Atmos's `sops/gpg` too): the data
 * key is an armored OpenPGP message per fingerprint, made and opened by the real GnuPG exactly as
 * sops' GnuPG path does (pgp/keysource.go: `gpg --no-default-recipient --yes --encrypt -a -r FP
 * --trusted-key <last 16 hex> --no-encrypt-to`, and `gpg -d`). Local: opening needs the secret
 * key in the GnuPG home (and its agent), no network.
 */

/** One pgp master key of a file (`sops.pgp[]`, sops' field names). */
export interface SopsPgpEntry {
  fp: string;
  enc: string;
  created_at?: string;
}

/** A fingerprint as sops keeps it: spaces removed (pgp.NewMasterKeyFromFingerprint). */
function normalizeFingerprint(s: string): string {
  return s.replace(/\s+/g, '');
}

/** Splits sops' comma-separated fingerprint lists (`.sops.yaml` `pgp:`, `--pgp`). */
export function splitFingerprints(value: unknown): string[] {
  const parts = Array.isArray(value) ? value.map(String) : typeof value === 'string' ? value.split(',') : [];
  return parts.map(normalizeFingerprint).filter((s) => s !== '');
}

/** A v4 (40 hex) or v5 (64 hex) fingerprint or a long key ID (16 hex), optionally ending in `!`. */
const FINGERPRINT = /^(0x)?([0-9A-Fa-f]{16}|[0-9A-Fa-f]{40}|[0-9A-Fa-f]{64})!?$/;

/** sops' `--trusted-key` argument: the last 16 hex digits (and a trailing `!` kept). */
export function shortFingerprint(fp: string): string {
  const bang = fp.endsWith('!');
  const hex = bang ? fp.slice(0, -1) : fp;
  return (hex.length > 16 ? hex.slice(-16) : hex) + (bang ? '!' : '');
}

function parseEntries(list: unknown, file: string, at: string): SopsPgpEntry[] {
  return parseEntryList(list, file, at, ['fp', 'enc'], ({ fp, enc }, rec) => {
    const createdAt = metaString(rec.created_at);
    return { fp, enc, ...(createdAt !== undefined ? { created_at: createdAt } : {}) };
  });
}

/** An entry in sops' field order (stores.go pgpkey: created_at, enc, fp). */
function entryRaw(e: SopsPgpEntry): Record<string, unknown> {
  return { created_at: e.created_at ?? '', enc: e.enc, fp: e.fp };
}

/** Where gpg looks for keys, for messages. */
function homeLabel(keys: SopsKeyOptions): string {
  return keys.gnupgHome ? `GnuPG home ${keys.gnupgHome}` : 'the default GnuPG home (GNUPGHOME, else ~/.gnupg)';
}

async function gpgOptions(keys: SopsKeyOptions): Promise<GpgOptions & { passphrase?: string }> {
  const passphrase = keys.pgpPassphrase ? await keys.pgpPassphrase() : undefined;
  return {
    ...(keys.gnupgHome ? { home: keys.gnupgHome } : {}),
    ...(keys.gpgEnv ? { env: keys.gpgEnv } : {}),
    ...(keys.keyTimeoutMs !== undefined ? { timeoutMs: keys.keyTimeoutMs } : {}),
    ...(passphrase !== undefined ? { passphrase: unsafeUnwrap(passphrase) } : {}),
  };
}

/** `--batch` always (gpg never reads a terminal); a passphrase goes through the agent's loopback pinentry on fd 3. */
function batchArgs(passphrase: string | undefined): string[] {
  return passphrase !== undefined ? ['--batch', '--pinentry-mode', 'loopback', '--passphrase-fd', '3'] : ['--batch'];
}

/** Tries each entry with `gpg -d`; the first 32-byte answer is the data key. */
async function unwrap(entries: readonly SopsPgpEntry[], keys: SopsKeyOptions): Promise<SopsUnwrapResult> {
  const fps = entries.map((e) => e.fp);
  const where = homeLabel(keys);
  let opts: GpgOptions & { passphrase?: string };
  try {
    opts = await gpgOptions(keys);
  } catch (e) {
    return { failure: `its data key is wrapped to PGP keys ${fps.join(', ')}, and the passphrase could not be read: ${messageOf(e)}`, fix: (e as { fix?: string }).fix ?? 'set spec.pgp_passphrase_env to a variable that holds the passphrase', error: e };
  }
  const reasons: string[] = [];
  let last: unknown;
  for (const entry of entries) {
    try {
      const r = await runGpg([...batchArgs(opts.passphrase), '--quiet', '--no-tty', '-d'], entry.enc, { ...opts, what: `decrypt the data key of PGP key ${entry.fp}` });
      if (r.code === 0 && r.stdout.length === 32) return { key: r.stdout, failure: '', fix: '' };
      // sops: zero bytes and exit 0 happen when an old gpg drops an AEAD packet it cannot read.
      reasons.push(r.code === 0 ? `${entry.fp}: gpg returned ${r.stdout.length} bytes, not a 32-byte data key` : `${entry.fp}: ${gpgReason(r.stderr)}`);
    } catch (e) {
      // gpg missing or hanging is the same for every entry: report it as is.
      if (e instanceof SopsError && (e.code === 'SOPS_GPG_NOT_FOUND' || e.code === 'SOPS_KEY_TIMEOUT')) {
        const withFile = sopsError(e.code, `${messageOf(e)}; the file's data key is wrapped to PGP keys ${fps.join(', ')}`, e.where, e.fix, e);
        return { failure: messageOf(withFile), fix: e.fix ?? '', error: withFile, alone: withFile };
      }
      last = e;
      reasons.push(`${entry.fp}: ${messageOf(e)}`);
    }
  }
  return {
    failure: `no PGP key in ${where} opens this file (its data key is wrapped to ${fps.join(', ')}): ${reasons.join('; ')}`,
    fix: `import the secret key of one of ${fps.join(', ')} into ${where} (\`gpg --import\`), point spec.gnupg_home or GNUPGHOME at the GnuPG home that has it, or set spec.pgp_passphrase_env when the key has a passphrase`,
    ...(last !== undefined ? { error: last } : {}),
  };
}

/** Wraps a new data key to each fingerprint with `gpg --encrypt`, as sops does. */
async function wrap(dataKey: Buffer, recipients: readonly string[], keys: SopsKeyOptions, where: string): Promise<SopsPgpEntry[]> {
  if (recipients.length === 0) return [];
  for (const fp of recipients) {
    if (!FINGERPRINT.test(fp)) throw sopsError('SOPS_RECIPIENT_INVALID', `"${fp}" is not a PGP fingerprint`, where, 'use the key\'s 40-hex-digit fingerprint as `gpg --list-keys --with-colons` shows it (fpr line)');
  }
  const opts = await gpgOptions({ ...keys, pgpPassphrase: undefined });
  const out: SopsPgpEntry[] = [];
  for (const fp of recipients) {
    const r = await runGpg(['--batch', '--no-tty', '--no-default-recipient', '--yes', '--encrypt', '-a', '-r', fp, '--trusted-key', shortFingerprint(fp), '--no-encrypt-to'], dataKey, {
      ...opts,
      what: `encrypt the new data key to PGP key ${fp}`,
    }).catch((e: unknown) => {
      if (e instanceof SopsError) throw sopsError(e.code, messageOf(e), where, e.fix, e);
      throw e;
    });
    const armored = r.stdout.toString('utf8').trim();
    if (r.code !== 0 || !armored.startsWith('-----BEGIN PGP MESSAGE-----')) {
      throw sopsError(
        'SOPS_ENCRYPT_FAILED',
        `cannot encrypt the new data key to PGP key ${fp} with ${homeLabel(keys)}: ${gpgReason(r.stderr)}`,
        where,
        `import the public key of ${fp} into ${homeLabel(keys)} (\`gpg --import key.asc\`, or \`gpg --recv-keys ${fp}\`), or fix the fingerprint`,
      );
    }
    out.push({ fp, enc: armored, created_at: rfc3339Now() });
  }
  return out;
}

/** The `pgp` key type. */
export const pgpKeyType: SopsKeyType<SopsPgpEntry, string> = {
  name: 'pgp',
  aliases: ['gpg'],
  field: 'pgp',
  label: 'PGP',
  local: true,
  parseEntries,
  entryRaw,
  recipientsFromRule: (rule) => splitFingerprints(rule.pgp),
  recipientsFromGroup: (group) => splitFingerprints(group.pgp),
  spec: { field: 'pgp_fingerprints', recipients: splitFingerprints },
  unwrap,
  wrap,
};
