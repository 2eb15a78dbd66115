import { findIdentity, parseAuthConfig, str, type IdentityConfig } from '../../auth-config';
import { parseDurationSeconds } from '../../duration';
import { AuthError, InfrakeyError } from '../../../errors';
import { Secret, unsafeUnwrap } from '../../../secret';
import { CredentialStore, type AwsKeyringCredentials } from '../../../keyring/credential-store';
import type { Keyring, KeyringType } from '../../../keyring/keyring';

/**
 * `infrakey auth user configure`: stores the long-lived access keys of an `aws/user` identity in
 * the keyring, in the entry Atmos writes and reads (§3.2): key `atmos_<realm>_<identity>`, value
 * `{"type":"aws","data":{"access_key_id","secret_access_key","mfa_arn"?,"session_duration"?}}`.
 *
 * Values come from the caller (CLI flags / stdin), then AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY,
 * then hidden prompts when a terminal is attached. They never appear in notices or errors.
 */

/** Stable codes of the `auth user` commands (configure and migrate). */
export const AUTH_USER_ERROR_CODES = {
  /** No identity of kind aws/user in the configuration. */
  NO_IDENTITIES: 'AUTH_USER_NO_IDENTITIES',
  /** `--identity` names no configured identity. */
  IDENTITY_NOT_FOUND: 'AUTH_USER_IDENTITY_NOT_FOUND',
  /** `--identity` names an identity of another kind. */
  WRONG_KIND: 'AUTH_USER_WRONG_KIND',
  /** Several aws/user identities, no `--identity`, no terminal to choose. */
  IDENTITY_REQUIRED: 'AUTH_USER_IDENTITY_REQUIRED',
  /** No terminal and no values from flags, stdin or the environment. */
  INPUT_REQUIRED: 'AUTH_USER_INPUT_REQUIRED',
  /** A value has the wrong shape (the message names the field, never the value). */
  INPUT_INVALID: 'AUTH_USER_INPUT_INVALID',
  /** `--secret-access-key-stdin`: stdin is a terminal, empty, or silent past the time limit. */
  STDIN_FAILED: 'AUTH_USER_STDIN_FAILED',
  /** atmos.yaml already holds access keys for the identity (they would win over the keyring). */
  YAML_CREDENTIALS: 'AUTH_USER_YAML_CREDENTIALS',
  /** What was read back from the keyring differs from what was written. */
  KEYRING_VERIFY_FAILED: 'AUTH_USER_KEYRING_VERIFY_FAILED',
  /** Migration refused; `problems` lists each identity and why. Nothing was changed. */
  MIGRATE_REFUSED: 'AUTH_USER_MIGRATE_REFUSED',
  /** An identity whose inline credentials are incomplete (one of the two keys). */
  MIGRATE_INCOMPLETE: 'AUTH_USER_MIGRATE_INCOMPLETE',
  /** Inline credentials written through anchors, aliases or merge keys, or repeated elsewhere in the file. */
  MIGRATE_UNSUPPORTED: 'AUTH_USER_MIGRATE_UNSUPPORTED',
  /** No atmos.yaml to migrate, or it cannot be read or parsed. */
  MIGRATE_NO_FILE: 'AUTH_USER_MIGRATE_NO_FILE',
  /** The file changed while the migration ran; the keyring holds the keys, the file is untouched. */
  MIGRATE_CONFLICT: 'AUTH_USER_MIGRATE_CONFLICT',
  /** The edited file did not re-read as the original minus the keys (a bug guard); nothing written. */
  MIGRATE_VERIFY_FAILED: 'AUTH_USER_MIGRATE_VERIFY_FAILED',
  /** The edited file could not be written; the original is intact. */
  MIGRATE_WRITE_FAILED: 'AUTH_USER_MIGRATE_WRITE_FAILED',
} as const;

/** How the commands reach the user. Only `notice` is needed without a terminal. */
export interface UserPromptIO {
  /** True when prompts are allowed (stdin is a terminal and not CI). */
  readonly interactive: boolean;
  /** Hidden input; `validate` returns an error text (never containing the value) or true. */
  secret?(message: string, validate?: (value: string) => true | string): Promise<string>;
  /** Visible input; an empty answer is allowed. `initial` is shown as the default. */
  text?(message: string, opts?: { initial?: string; validate?: (value: string) => true | string }): Promise<string>;
  /** Choose one of `choices`. */
  select?(message: string, choices: readonly string[], initial?: string): Promise<string>;
  /** A line for the user (stderr). Never given a credential value. */
  notice(line: string): void;
}

/** Values given by the caller (CLI flags, stdin, code). Each wins over the environment and prompts. */
export interface ConfigureAwsUserInput {
  accessKeyId?: string | Secret<string>;
  secretAccessKey?: string | Secret<string>;
  mfaArn?: string;
  sessionDuration?: string;
}

/** Options of {@link configureAwsUser}. */
export interface ConfigureAwsUserOptions {
  /** The loaded atmos.yaml (only `auth` and `locate` are read). */
  config: { auth: Record<string, unknown>; locate?(configPath: string): string };
  /** Identity name (any case); omitted → the only aws/user identity, or a choice on a terminal. */
  identity?: string;
  /** The keyring from `selectKeyring` (honours `auth.keyring.type`, unlike Atmos). */
  keyring: Keyring;
  /** The realm from `resolveRealm` (as `infrakey auth login` uses). */
  realm: string;
  input?: ConfigureAwsUserInput;
  /** For AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY; default `process.env`. */
  env?: NodeJS.ProcessEnv;
  io: UserPromptIO;
}

/** Where a value came from. */
export type ValueSource = 'input' | 'environment' | 'prompt' | 'atmos.yaml' | 'keyring' | 'none';

/** What {@link configureAwsUser} did. Holds no credential value. */
export interface ConfigureAwsUserResult {
  /** Lower-cased identity name (the keyring alias). */
  identity: string;
  /** The keyring key written, `atmos_<realm>_<identity>`. */
  key: string;
  keyringType: KeyringType;
  /** True when an entry existed before. */
  replaced: boolean;
  /** Field names stored, in Atmos's order. */
  fields: string[];
  sources: { accessKeyId: ValueSource; secretAccessKey: ValueSource; mfaArn: ValueSource; sessionDuration: ValueSource };
}

/**
 * Stores the access keys of an aws/user identity in the keyring. Everything that can fail
 * without touching the keyring (identity, values, shapes) is checked first, so a refused run
 * never asks for the keyring password. The entry is read back after the write.
 */
export async function configureAwsUser(opts: ConfigureAwsUserOptions): Promise<ConfigureAwsUserResult> {
  const env = opts.env ?? process.env;
  const { io } = opts;
  const identity = await chooseIdentity(opts);
  const where = (field?: string) => configWhere(opts.config, `auth.identities.${identity.displayName}${field ? `.${field}` : ''}`);
  refuseYamlKeys(identity, where);

  const canPrompt = io.interactive && io.secret !== undefined;
  const input = opts.input ?? {};
  const sources: ConfigureAwsUserResult['sources'] = { accessKeyId: 'none', secretAccessKey: 'none', mfaArn: 'none', sessionDuration: 'none' };

  let accessKeyId = plain(input.accessKeyId)?.trim();
  if (accessKeyId) sources.accessKeyId = 'input';
  else if (nonEmpty(env.AWS_ACCESS_KEY_ID)) {
    accessKeyId = env.AWS_ACCESS_KEY_ID!.trim();
    sources.accessKeyId = 'environment';
  }
  let secretAccessKey = plain(input.secretAccessKey)?.trim();
  if (secretAccessKey) sources.secretAccessKey = 'input';
  else if (nonEmpty(env.AWS_SECRET_ACCESS_KEY)) {
    secretAccessKey = env.AWS_SECRET_ACCESS_KEY!.trim();
    sources.secretAccessKey = 'environment';
  }
  if ((!accessKeyId || !secretAccessKey) && !canPrompt) {
    const missing = [!accessKeyId ? 'the access key ID (--access-key-id or AWS_ACCESS_KEY_ID)' : '', !secretAccessKey ? 'the secret access key (--secret-access-key-stdin or AWS_SECRET_ACCESS_KEY)' : '']
      .filter(Boolean)
      .join(' and ');
    throw new AuthError({
      code: AUTH_USER_ERROR_CODES.INPUT_REQUIRED,
      message: `no terminal to prompt for the keys of identity "${identity.name}", and ${missing} ${!accessKeyId && !secretAccessKey ? 'were' : 'was'} not given`,
      where: where(),
      fix: `run it in a terminal, or pass the keys: printf '%s\\n' "$SECRET" | infrakey auth user configure --identity ${identity.name} --access-key-id AKIA... --secret-access-key-stdin (or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)`,
    });
  }
  if (sources.accessKeyId === 'environment' || sources.secretAccessKey === 'environment') {
    const names = [sources.accessKeyId === 'environment' ? 'AWS_ACCESS_KEY_ID' : '', sources.secretAccessKey === 'environment' ? 'AWS_SECRET_ACCESS_KEY' : ''].filter(Boolean);
    io.notice(`Using ${names.join(' and ')} from the environment.`);
  }
  // Shapes are checked before prompting for anything else: a bad flag fails at once.
  if (accessKeyId) checkAccessKeyId(accessKeyId, sources.accessKeyId, where());
  if (secretAccessKey) checkSecretAccessKey(secretAccessKey, sources.secretAccessKey, where());
  if (!accessKeyId) {
    accessKeyId = (await io.secret!(`AWS Access Key ID for ${identity.displayName}:`, (v) => accessKeyIdProblem(v.trim()) ?? true)).trim();
    sources.accessKeyId = 'prompt';
    checkAccessKeyId(accessKeyId, 'prompt', where());
  }
  if (!secretAccessKey) {
    secretAccessKey = (await io.secret!(`AWS Secret Access Key for ${identity.displayName}:`, (v) => secretProblem(v.trim()) ?? true)).trim();
    sources.secretAccessKey = 'prompt';
    checkSecretAccessKey(secretAccessKey, 'prompt', where());
  }
  // Both values are credentials from here on: registered with the redactor.
  Secret.of(accessKeyId, `credentials:${identity.name}`);
  Secret.of(secretAccessKey, `credentials:${identity.name}`);

  const yamlMfa = str(identity.credentials.mfa_arn);
  const yamlDuration = typeof identity.sessionDuration === 'string' || typeof identity.sessionDuration === 'number' ? String(identity.sessionDuration) : undefined;
  let mfaArn = nonEmpty(input.mfaArn)?.trim();
  if (mfaArn) sources.mfaArn = 'input';
  else if (yamlMfa) [mfaArn, sources.mfaArn] = [yamlMfa, 'atmos.yaml'];
  if (mfaArn) checkMfaArn(mfaArn, sources.mfaArn === 'atmos.yaml' ? where('credentials.mfa_arn') : '--mfa-arn');
  let sessionDuration = nonEmpty(input.sessionDuration)?.trim();
  if (sessionDuration) sources.sessionDuration = 'input';
  else if (yamlDuration) [sessionDuration, sources.sessionDuration] = [yamlDuration, 'atmos.yaml'];
  if (sessionDuration) checkDuration(sessionDuration, sources.sessionDuration === 'atmos.yaml' ? where('session.duration') : '--session-duration');

  const store = new CredentialStore(opts.keyring, opts.realm);
  const key = store.keyFor(identity.name);
  const { existing, existed } = await readExisting(store, identity.name, key, io);
  if (!mfaArn && existing?.mfa_arn) [mfaArn, sources.mfaArn] = [existing.mfa_arn, 'keyring'];
  if (!sessionDuration && existing?.session_duration) [sessionDuration, sources.sessionDuration] = [existing.session_duration, 'keyring'];
  if (sources.mfaArn !== 'input' && sources.mfaArn !== 'atmos.yaml' && canPrompt && io.text) {
    const answer = (await io.text(`MFA device ARN for ${identity.displayName} (optional, Enter to ${mfaArn ? 'keep' : 'skip'}):`, { initial: mfaArn, validate: (v) => (v.trim() === '' ? true : (mfaArnProblem(v.trim()) ?? true)) })).trim();
    if (answer !== (mfaArn ?? '')) [mfaArn, sources.mfaArn] = [answer || undefined, answer ? 'prompt' : 'none'];
  }

  const data: AwsKeyringCredentials = { access_key_id: accessKeyId, secret_access_key: secretAccessKey, mfa_arn: mfaArn, session_duration: sessionDuration };
  await store.setAws(identity.name, Secret.of(data, key));
  await verifyStored(store, identity.name, key, data, opts.keyring.type);
  const fields = (['access_key_id', 'secret_access_key', 'mfa_arn', 'session_duration'] as const).filter((f) => data[f] !== undefined && data[f] !== '');
  return { identity: identity.name, key, keyringType: opts.keyring.type, replaced: existed, fields, sources };
}

/** The aws/user identities of a configuration, lower-cased names, sorted. */
export function awsUserIdentities(auth: Record<string, unknown>): string[] {
  const { config } = parseAuthConfig(auth);
  return [...config.identities.values()].filter((i) => i.kind === 'aws/user').map((i) => i.name).sort();
}

async function chooseIdentity(opts: ConfigureAwsUserOptions): Promise<IdentityConfig> {
  const { config } = parseAuthConfig(opts.config.auth, { locate: opts.config.locate ? (p) => opts.config.locate!(p) : undefined });
  const users = [...config.identities.values()].filter((i) => i.kind === 'aws/user').sort((a, b) => a.name.localeCompare(b.name));
  const list = users.map((u) => u.name).join(', ');
  if (opts.identity !== undefined && opts.identity !== '') {
    const found = findIdentity(config, opts.identity);
    if (!found) {
      throw new AuthError({
        code: AUTH_USER_ERROR_CODES.IDENTITY_NOT_FOUND,
        message: `identity "${opts.identity}" is not configured`,
        where: configWhere(opts.config, 'auth.identities'),
        fix: users.length > 0 ? `use one of the aws/user identities: ${list}` : 'define an identity with kind: aws/user under auth.identities in atmos.yaml',
      });
    }
    if (found.kind !== 'aws/user') {
      throw new AuthError({
        code: AUTH_USER_ERROR_CODES.WRONG_KIND,
        message: `identity "${found.name}" is of kind "${found.kind}"; only aws/user identities have access keys to store`,
        where: configWhere(opts.config, `auth.identities.${found.displayName}.kind`),
        fix: users.length > 0 ? `use one of the aws/user identities: ${list}` : 'define an identity with kind: aws/user under auth.identities in atmos.yaml',
      });
    }
    return found;
  }
  if (users.length === 0) {
    throw new AuthError({
      code: AUTH_USER_ERROR_CODES.NO_IDENTITIES,
      message: 'no identities of kind aws/user are configured',
      where: configWhere(opts.config, 'auth.identities'),
      fix: 'define one under auth.identities in atmos.yaml (kind: aws/user), then run this command again',
    });
  }
  if (users.length === 1) return users[0];
  if (!opts.io.interactive || !opts.io.select) {
    throw new AuthError({
      code: AUTH_USER_ERROR_CODES.IDENTITY_REQUIRED,
      message: `several aws/user identities are configured (${list}) and there is no terminal to choose one`,
      where: configWhere(opts.config, 'auth.identities'),
      fix: `pass --identity NAME (one of: ${list})`,
    });
  }
  const initial = users.find((u) => u.default)?.name ?? users[0].name;
  const choice = await opts.io.select('Choose an aws/user identity to configure', users.map((u) => u.name), initial);
  return users.find((u) => u.name === choice) ?? users[0];
}

function refuseYamlKeys(identity: IdentityConfig, where: (field?: string) => string): void {
  const inYaml = ['access_key_id', 'secret_access_key'].filter((f) => str(identity.credentials[f]) !== undefined);
  if (inYaml.length === 0) return;
  throw new AuthError({
    code: AUTH_USER_ERROR_CODES.YAML_CREDENTIALS,
    message: `atmos.yaml sets credentials.${inYaml.join(' and credentials.')} for identity "${identity.name}"; keys in atmos.yaml take precedence over the keyring, so a stored entry would never be used`,
    where: where('credentials'),
    fix: `move them to the keyring with \`infrakey auth user migrate\`, or delete them from atmos.yaml and run this command again`,
  });
}

/**
 * The entry already stored for `alias`: its long-lived AWS fields when it holds some (kept for the
 * fields not given now), and whether anything was there at all.
 */
export async function readExisting(store: CredentialStore, alias: string, key: string, io: Pick<UserPromptIO, 'notice'>): Promise<{ existing?: AwsKeyringCredentials; existed: boolean }> {
  try {
    const found = await store.get<AwsKeyringCredentials>(alias);
    if (!found) return { existed: false };
    const envelope = unsafeUnwrap(found);
    if (envelope.type !== 'aws' || envelope.data.session_token) {
      io.notice(`The keyring entry ${key} held ${envelope.type === 'aws' ? 'session credentials' : `"${envelope.type}" credentials`}; it is replaced.`);
      return { existed: true };
    }
    return { existing: envelope.data, existed: true };
  } catch (e) {
    // An unreadable entry is replaced (the new keys are what the user wants); an unusable
    // keyring (locked, wrong password) is not: those errors stop the command.
    if (e instanceof InfrakeyError && ['KEYRING_CORRUPT', 'CREDENTIAL_TYPE_UNKNOWN'].includes(e.code)) {
      io.notice(`The keyring entry ${key} was unreadable (${e.code}); it is replaced.`);
      return { existed: true };
    }
    throw e;
  }
}

/** Reads the entry back and compares it with what was written. */
export async function verifyStored(store: CredentialStore, alias: string, key: string, data: AwsKeyringCredentials, type: KeyringType): Promise<void> {
  const back = await store.getAws(alias);
  const got = back ? unsafeUnwrap(back) : undefined;
  if (!got || got.access_key_id !== data.access_key_id || got.secret_access_key !== data.secret_access_key || got.mfa_arn !== data.mfa_arn || got.session_duration !== data.session_duration) {
    throw new AuthError({
      code: AUTH_USER_ERROR_CODES.KEYRING_VERIFY_FAILED,
      message: `the ${type} keyring did not return what was just stored under ${key}`,
      where: `keyring entry "${key}"`,
      fix: 'check that no other program rewrites the keyring, then run the command again',
    });
  }
}

/** Why `value` is not a long-lived access key ID, or undefined. Never quotes the value. */
export function accessKeyIdProblem(value: string): string | undefined {
  if (value === '') return 'the access key ID is empty';
  if (/^ASIA/.test(value)) return 'the access key ID is a temporary key (ASIA…); aws/user needs a long-lived IAM user key (AKIA…)';
  if (!/^[A-Z0-9]{16,128}$/.test(value)) return 'the access key ID must be 16 to 128 upper-case letters and digits (e.g. AKIA…)';
  return undefined;
}

/** Why `value` is not a secret access key, or undefined. Never quotes the value. */
export function secretProblem(value: string): string | undefined {
  if (value === '') return 'the secret access key is empty';
  if (/\s/.test(value)) return 'the secret access key contains white space';
  if (value.length < 16 || value.length > 128) return `the secret access key must be 16 to 128 characters (AWS issues 40); got ${value.length}`;
  return undefined;
}

/** Why `value` is not an MFA device ARN, or undefined. */
export function mfaArnProblem(value: string): string | undefined {
  return /^arn:aws[a-z-]*:iam::\d{12}:(mfa|u2f)\/\S+$/.test(value) ? undefined : 'the MFA ARN must look like arn:aws:iam::123456789012:mfa/DEVICE';
}

function checkAccessKeyId(value: string, source: ValueSource, where: string): void {
  const problem = accessKeyIdProblem(value);
  if (problem) throw invalid(problem, source === 'environment' ? 'environment variable AWS_ACCESS_KEY_ID' : source === 'input' ? '--access-key-id' : where);
}

function checkSecretAccessKey(value: string, source: ValueSource, where: string): void {
  const problem = secretProblem(value);
  if (problem) throw invalid(problem, source === 'environment' ? 'environment variable AWS_SECRET_ACCESS_KEY' : source === 'input' ? '--secret-access-key-stdin' : where);
}

function checkMfaArn(value: string, where: string): void {
  const problem = mfaArnProblem(value);
  if (problem) throw invalid(problem, where);
}

function checkDuration(value: string, where: string): void {
  const seconds = parseDurationSeconds(value);
  if (seconds === undefined || seconds <= 0) throw invalid(`the session duration "${value}" is not a duration`, where, 'use seconds (3600), a Go duration (12h, 1h30m) or days (1d); 900 s to 12 h, up to 36 h with MFA');
}

function invalid(message: string, where: string, fix = 'copy the value again from the IAM console (Security credentials → Access keys)'): AuthError {
  return new AuthError({ code: AUTH_USER_ERROR_CODES.INPUT_INVALID, message, where, fix });
}

function configWhere(config: { locate?(p: string): string }, path: string): string {
  const at = config.locate?.(path);
  return at && at !== path ? `${at} (${path})` : path;
}

function plain(v: string | Secret<string> | undefined): string | undefined {
  if (v === undefined) return undefined;
  const s = Secret.isSecret(v) ? unsafeUnwrap(v) : v;
  return s === '' ? undefined : s;
}

function nonEmpty(v: string | undefined): string | undefined {
  return v !== undefined && v.trim() !== '' ? v : undefined;
}
