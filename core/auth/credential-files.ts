import { promises as fs } from 'node:fs';
import { writeFileAtomic } from '../fs/atomic-write';
import { withFileLock, type HeldLock } from '../fs/file-lock';
import { InfrakeyError } from '../errors';
import * as path from 'node:path';
import { xdgConfigHome } from '../config/xdg';
import { invalidNameError, nameProblem } from './auth-config';
import { AUTH_ERROR_CODES, authError } from './auth-errors';
import { awsCredentials, type AwsCredentials } from './credentials';
import { entry, findSection, parseIni, putSection, removeSection, serializeIni, type IniDocument } from './ini-file';
import { unsafeUnwrap } from '../secret';
import type { SessionLocation } from './kinds/kind';

/**
 * The realm-scoped AWS shared files (§2.2, §2.3):
 * `{XDG config}/atmos/{realm}/aws/{root provider}/credentials|config`, files 0600 in 0700
 * folders, one section per identity (lower-cased name), other sections preserved, every write
 * under a lock so that concurrent logins do not lose each other's profiles.
 */

/** Where one identity's session lives, as tools see it. */
export interface CredentialFilePaths extends SessionLocation {
  /** `AWS_SHARED_CREDENTIALS_FILE`. */
  readonly credentialsFile: string;
  /** `AWS_CONFIG_FILE`. */
  readonly configFile: string;
  /** `AWS_PROFILE` (the lower-cased identity name). */
  readonly profile: string;
  /** `{XDG config}/atmos/{realm}`: nothing is written outside it. */
  readonly realmDir: string;
}

/**
 * Paths for `identity` under `rootProvider` in `realm`. Every path is checked to stay inside
 * `{XDG config}/atmos/{realm}/aws/` (AUTH_NAME_INVALID otherwise), whatever the names contain.
 */
export function credentialFilePaths(env: NodeJS.ProcessEnv, realm: string, rootProvider: string, identity: string): CredentialFilePaths {
  const realmDir = path.join(xdgConfigHome(env), realm);
  const awsDir = path.join(realmDir, 'aws');
  const dir = path.join(awsDir, rootProvider);
  const profileProblem = nameProblem(identity);
  if (profileProblem) throw invalidNameError('identity', identity, profileProblem, dir);
  if (path.dirname(dir) !== awsDir || path.dirname(realmDir) !== path.join(xdgConfigHome(env))) {
    throw authError(
      AUTH_ERROR_CODES.NAME_INVALID,
      `the credential files of "${identity}" would be written to ${dir}, outside the realm folder ${awsDir}`,
      dir,
      'rename the provider (or aws/user identity) to a name without path separators or ".."',
    );
  }
  return { credentialsFile: path.join(dir, 'credentials'), configFile: path.join(dir, 'config'), profile: identity.toLowerCase(), realmDir };
}

/** The config-file section name of a profile: `[default]` or `[profile <name>]`. */
export function configSectionName(profile: string): string {
  return profile === 'default' ? 'default' : `profile ${profile}`;
}

const EXPIRATION_PREFIX = '; atmos: expiration=';

/** What {@link writeAwsProfile} writes into the config file besides the region. */
export interface ProfileWriteOptions {
  readonly region: string;
  /** `credential_process` mode: the command, and no keys in the credentials file. */
  readonly credentialProcess?: string;
  readonly endpointUrl?: string;
}

/** Writes (or replaces) the identity's profile in both files. */
export async function writeAwsProfile(paths: CredentialFilePaths, creds: AwsCredentials | undefined, opts: ProfileWriteOptions): Promise<void> {
  await withFilesLock(paths, async (lock) => {
    const credDoc = await readIni(paths.credentialsFile);
    if (opts.credentialProcess || !creds) {
      removeSection(credDoc, paths.profile);
    } else {
      const entries: [string, string][] = [
        ['aws_access_key_id', unsafeUnwrap(creds.accessKeyId)],
        ['aws_secret_access_key', unsafeUnwrap(creds.secretAccessKey)],
      ];
      if (creds.sessionToken) entries.push(['aws_session_token', unsafeUnwrap(creds.sessionToken)]);
      const comments = creds.expiration ? [`${EXPIRATION_PREFIX}${creds.expiration.toISOString().replace(/\.\d{3}Z$/, 'Z')}`] : [];
      putSection(credDoc, { name: paths.profile, comments, entries });
    }
    const cfgDoc = await readIni(paths.configFile);
    const cfgEntries: [string, string][] = [['region', opts.region]];
    if (opts.endpointUrl) cfgEntries.push(['endpoint_url', opts.endpointUrl]);
    if (opts.credentialProcess) cfgEntries.push(['credential_process', opts.credentialProcess]);
    putSection(cfgDoc, { name: configSectionName(paths.profile), comments: [], entries: cfgEntries });
    await writeIni(paths.credentialsFile, credDoc, lock);
    await writeIni(paths.configFile, cfgDoc, lock);
  });
}

/** Reads the identity's session from the credentials file (undefined when absent). */
export async function readAwsProfile(paths: CredentialFilePaths, label: string): Promise<AwsCredentials | undefined> {
  await checkPrivate(paths);
  const credDoc = await readIni(paths.credentialsFile);
  const section = findSection(credDoc, paths.profile);
  const keyId = entry(section, 'aws_access_key_id');
  const secret = entry(section, 'aws_secret_access_key');
  if (!section || !keyId || !secret) return undefined;
  const cfg = findSection(await readIni(paths.configFile), configSectionName(paths.profile));
  let expiration: Date | undefined;
  for (const c of section.comments) {
    const m = /^[;#]\s*atmos:\s*(.*)$/.exec(c);
    const field = m?.[1].split(/\s+/).find((f) => f.startsWith('expiration='));
    if (field) {
      const d = new Date(field.slice('expiration='.length));
      // Unparsable counts as expired (Atmos IsExpired).
      expiration = Number.isNaN(d.getTime()) ? new Date(0) : d;
    }
  }
  return awsCredentials(
    { accessKeyId: keyId, secretAccessKey: secret, sessionToken: entry(section, 'aws_session_token'), region: entry(cfg, 'region'), expiration },
    label,
  );
}

/** Reads the config-file entries of the profile (region, credential_process), no secrets. */
export async function readProfileConfig(paths: CredentialFilePaths): Promise<Record<string, string>> {
  await checkPrivate(paths);
  const cfg = findSection(await readIni(paths.configFile), configSectionName(paths.profile));
  return Object.fromEntries(cfg?.entries ?? []);
}

/** Removes the identity's sections; deletes a file that becomes empty. True when anything was removed. */
export async function removeAwsProfile(paths: CredentialFilePaths): Promise<boolean> {
  let removed = false;
  const exists = await fileExists(paths.credentialsFile) || await fileExists(paths.configFile);
  if (!exists) return false;
  await withFilesLock(paths, async (lock) => {
    for (const [file, name] of [[paths.credentialsFile, paths.profile], [paths.configFile, configSectionName(paths.profile)]] as const) {
      if (!(await fileExists(file))) continue;
      const doc = await readIni(file);
      if (removeSection(doc, name)) removed = true;
      if (doc.sections.filter((s) => s.name !== 'DEFAULT').length === 0) await fs.rm(file, { force: true }).catch((e: unknown) => {
        throw fileFailure(e, 'write', file);
      });
      else await writeIni(file, doc, lock);
    }
  });
  return removed;
}

async function readIni(file: string): Promise<IniDocument> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { preamble: [], sections: [] };
    throw fileFailure(e, 'read', file);
  }
  return parseIni(text);
}

/** Replaces the file atomically with mode 0600 (a reader never sees half a profile). */
async function writeIni(file: string, doc: IniDocument, lock: HeldLock): Promise<void> {
  try {
    await writeFileAtomic(file, serializeIni(doc), { mode: 0o600, beforeRename: async () => lock.assertHeld() });
  } catch (e) {
    if (e instanceof InfrakeyError) throw e;
    throw fileFailure(e, 'write', file);
  }
}

/**
 * A file-system failure of the credential files as an AuthError with a code per cause and the
 * fix (disk full, no permission, a folder where a file should be); the raw errno stays the cause.
 */
export function fileFailure(e: unknown, action: 'read' | 'write' | 'create', file: string): Error {
  const raw = (e as NodeJS.ErrnoException)?.code ?? 'error';
  // mkdir -p over an existing file says EEXIST: a file stands where a folder should be.
  const errno = raw === 'EEXIST' && action === 'create' ? 'ENOTDIR' : raw;
  const what = `could not ${action} the credential ${action === 'create' ? 'folder' : 'file'} ${file} (${raw})`;
  switch (errno) {
    case 'ENOSPC':
    case 'EDQUOT':
      return authError(AUTH_ERROR_CODES.FILES_NO_SPACE, `${what}: the disk (or your quota) is full`, file, 'free disk space, then run the command again', e);
    case 'EACCES':
    case 'EPERM':
    case 'EROFS':
      return authError(
        AUTH_ERROR_CODES.FILES_PERMISSION,
        `${what}: ${errno === 'EROFS' ? 'the file system is read-only' : 'permission denied'}`,
        file,
        errno === 'EROFS'
          ? 'point ATMOS_XDG_CONFIG_HOME (or XDG_CONFIG_HOME) at a writable folder'
          : `make ${path.dirname(file)} and its files yours and writable (chmod u+rwx on the folders, u+rw on the files), or point ATMOS_XDG_CONFIG_HOME at a folder you own`,
        e,
      );
    case 'EISDIR':
    case 'ENOTDIR':
      return authError(
        AUTH_ERROR_CODES.FILES_NOT_A_FILE,
        `${what}: ${errno === 'EISDIR' ? 'a folder stands where the file should be' : 'a file stands where a folder of its path should be'}`,
        file,
        `move away whatever stands at ${errno === 'EISDIR' ? file : 'a part of that path'} (infrakey writes only files named credentials and config in that folder)`,
        e,
      );
    default:
      return authError(AUTH_ERROR_CODES.FILES_FAILED, what, file, 'check the folder and the disk, then run the command again', e);
  }
}

/** Creates `dir` and each missing parent below `realmDir`'s parent with 0700, and tightens existing ones under the realm. */
export async function ensurePrivateDir(dir: string, realmDir: string): Promise<void> {
  try {
    await fs.mkdir(dir, { recursive: true, mode: 0o700 });
    let d = dir;
    while (d.startsWith(realmDir) && d.length >= realmDir.length) {
      await fs.chmod(d, 0o700);
      if (d === realmDir) break;
      d = path.dirname(d);
    }
  } catch (e) {
    throw fileFailure(await realMkdirError(dir, e), 'create', dir);
  }
}

/**
 * Node's recursive mkdir reports ENOENT when a parent cannot be created on a read-only file
 * system; one plain mkdir below the deepest existing ancestor gives the real cause (EROFS, EACCES).
 */
async function realMkdirError(dir: string, e: unknown): Promise<unknown> {
  if ((e as NodeJS.ErrnoException).code !== 'ENOENT') return e;
  let child = dir;
  for (let parent = path.dirname(dir); parent !== child; child = parent, parent = path.dirname(parent)) {
    if (await fileExists(parent)) {
      try {
        await fs.mkdir(child, { mode: 0o700 });
      } catch (real) {
        return real;
      }
      break;
    }
  }
  return e;
}

/**
 * Refuses credential files others can read or change, as ssh refuses a private key with loose
 * permissions: a file with any group/other bit (its session keys may be known to others), or a
 * file or folder (from the file's up to the realm folder) that another user owns or that is
 * writable by group or others (someone else could plant a profile or its credential_process
 * command). POSIX only. A missing file passes.
 */
export async function checkPrivate(paths: CredentialFilePaths): Promise<void> {
  await checkPrivateFiles([paths.credentialsFile, paths.configFile], paths.realmDir);
}

/**
 * {@link checkPrivate} for any cloud's session files: `files` (missing ones pass) and every folder
 * from the first file's up to `realmDir`.
 */
export async function checkPrivateFiles(files: readonly string[], realmDir: string): Promise<void> {
  if (process.platform === 'win32') return;
  const uid = process.getuid?.();
  const insecure = (target: string, problem: string, fix: string) =>
    authError(AUTH_ERROR_CODES.FILES_INSECURE, `refusing to use ${target}: ${problem}`, target, fix);
  let anyFile = false;
  for (const file of files) {
    let st;
    try {
      st = await fs.lstat(file);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw fileFailure(e, 'read', file);
    }
    anyFile = true;
    const mode = (st.mode & 0o777).toString(8).padStart(4, '0');
    if (!st.isFile()) throw fileFailure(Object.assign(new Error('not a file'), { code: st.isDirectory() ? 'EISDIR' : 'EINVAL' }), 'read', file);
    if (uid !== undefined && st.uid !== uid) throw insecure(file, `it belongs to another user (uid ${st.uid})`, `remove it (\`rm ${file}\`) and log in again`);
    if ((st.mode & 0o077) !== 0) {
      throw insecure(file, `its mode is ${mode}, so other users can read it (the session keys in it may be known to them)`, `run \`chmod 600 ${file}\`; if others may have read it, run \`infrakey auth logout\` and log in again for new keys`);
    }
  }
  if (!anyFile) return;
  // The realm folder and below are created 0700 by infrakey and Atmos; folders above belong to
  // the user's XDG layout (often 0775 under a user-private group) and are not judged.
  const top = realmDir;
  for (let d = path.dirname(files[0]); ; d = path.dirname(d)) {
    const st = await fs.stat(d).catch((e: unknown) => {
      throw fileFailure(e, 'read', d);
    });
    const mode = (st.mode & 0o777).toString(8).padStart(4, '0');
    if (uid !== undefined && st.uid !== uid) throw insecure(d, `the folder belongs to another user (uid ${st.uid})`, `point ATMOS_XDG_CONFIG_HOME at a folder you own`);
    if ((st.mode & 0o022) !== 0) throw insecure(d, `the folder's mode is ${mode}, so other users can add or replace files in it`, `run \`chmod 700 ${d}\``);
    if (d === top || d === path.dirname(d)) break;
  }
}

async function withFilesLock<T>(paths: CredentialFilePaths, fn: (lock: HeldLock) => Promise<T>): Promise<T> {
  const dir = path.dirname(paths.credentialsFile);
  await ensurePrivateDir(dir, paths.realmDir);
  return withFileLock(
    {
      lockPath: `${paths.credentialsFile}.lock`,
      subject: `the credential files in ${dir}`,
      toError: (f) =>
        authError(f.reason === 'io' ? AUTH_ERROR_CODES.FILES_FAILED : AUTH_ERROR_CODES.FILE_LOCK_TIMEOUT, f.message, f.where, f.fix, f.cause),
    },
    fn,
  );
}

async function fileExists(file: string): Promise<boolean> {
  try {
    await fs.access(file);
    return true;
  } catch {
    return false;
  }
}
