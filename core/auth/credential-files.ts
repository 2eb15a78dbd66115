import { promises as fs } from 'node:fs';
import { writeFileAtomic } from '../fs/atomic-write';
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
  await withFilesLock(paths, async () => {
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
    await writeIni(paths.credentialsFile, credDoc);
    await writeIni(paths.configFile, cfgDoc);
  });
}

/** Reads the identity's session from the credentials file (undefined when absent). */
export async function readAwsProfile(paths: CredentialFilePaths, label: string): Promise<AwsCredentials | undefined> {
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
  const cfg = findSection(await readIni(paths.configFile), configSectionName(paths.profile));
  return Object.fromEntries(cfg?.entries ?? []);
}

/** Removes the identity's sections; deletes a file that becomes empty. True when anything was removed. */
export async function removeAwsProfile(paths: CredentialFilePaths): Promise<boolean> {
  let removed = false;
  const exists = await fileExists(paths.credentialsFile) || await fileExists(paths.configFile);
  if (!exists) return false;
  await withFilesLock(paths, async () => {
    for (const [file, name] of [[paths.credentialsFile, paths.profile], [paths.configFile, configSectionName(paths.profile)]] as const) {
      if (!(await fileExists(file))) continue;
      const doc = await readIni(file);
      if (removeSection(doc, name)) removed = true;
      if (doc.sections.filter((s) => s.name !== 'DEFAULT').length === 0) await fs.rm(file, { force: true });
      else await writeIni(file, doc);
    }
  });
  return removed;
}

async function readIni(file: string): Promise<IniDocument> {
  try {
    return parseIni(await fs.readFile(file, 'utf8'));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { preamble: [], sections: [] };
    throw e;
  }
}

/** Replaces the file atomically with mode 0600 (a reader never sees half a profile). */
async function writeIni(file: string, doc: IniDocument): Promise<void> {
  await writeFileAtomic(file, serializeIni(doc), { mode: 0o600 });
}

/** Creates `dir` and each missing parent below `realmDir`'s parent with 0700, and tightens existing ones under the realm. */
export async function ensurePrivateDir(dir: string, realmDir: string): Promise<void> {
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  let d = dir;
  while (d.startsWith(realmDir) && d.length >= realmDir.length) {
    await fs.chmod(d, 0o700);
    if (d === realmDir) break;
    d = path.dirname(d);
  }
}

const LOCK_TIMEOUT_MS = 10_000;

async function withFilesLock<T>(paths: CredentialFilePaths, fn: () => Promise<T>): Promise<T> {
  const dir = path.dirname(paths.credentialsFile);
  await ensurePrivateDir(dir, paths.realmDir);
  const lockfile = await import('proper-lockfile');
  let release: (() => Promise<void>) | undefined;
  try {
    release = await lockfile.lock(paths.credentialsFile, {
      realpath: false,
      lockfilePath: `${paths.credentialsFile}.lock`,
      stale: LOCK_TIMEOUT_MS,
      retries: { retries: Math.ceil(LOCK_TIMEOUT_MS / 100), minTimeout: 50, maxTimeout: 100, factor: 1 },
    });
  } catch (e) {
    throw authError(
      AUTH_ERROR_CODES.FILE_LOCK_TIMEOUT,
      `could not lock the credential files within ${LOCK_TIMEOUT_MS / 1000}s`,
      `${paths.credentialsFile}.lock`,
      'another infrakey or atmos process is writing them; wait and retry, or remove a stale .lock folder left by a killed process',
      e,
    );
  }
  try {
    return await fn();
  } finally {
    await release();
  }
}

async function fileExists(file: string): Promise<boolean> {
  try {
    await fs.access(file);
    return true;
  } catch {
    return false;
  }
}
