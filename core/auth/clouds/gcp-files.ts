import { promises as fs, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { xdgConfigHome } from '../../config/xdg';
import { InfrakeyError } from '../../errors';
import { writeFileAtomic } from '../../fs/atomic-write';
import { withFileLock, type HeldLock } from '../../fs/file-lock';
import { Secret, unsafeUnwrap } from '../../secret';
import { invalidNameError, nameProblem } from '../auth-config';
import { AUTH_ERROR_CODES, authError } from '../auth-errors';
import { checkPrivateFiles, ensurePrivateDir, fileFailure } from '../credential-files';
import type { SessionLocation } from '../kinds/kind';
import type { GcpCredentials } from './gcp-credentials';

/**
 * The realm-scoped GCP session files, at Atmos's paths (`pkg/auth/cloud/gcp/files.go`, §2.2):
 *
 * ```
 * {XDG config}/atmos/{realm}/gcp/{root provider}/
 *   adc/{identity}/application_default_credentials.json   (authorized_user JSON with the access token)
 *   adc/{identity}/access_token                           (token line, then the RFC 3339 expiry line)
 *   config/{identity}/properties                          (gcloud INI: [core] project, [compute])
 * ```
 *
 * Files 0600 in 0700 folders, each write atomic, under the lock `{identity}.identity.lock` in the
 * provider folder (Atmos locks `{identity}.identity`). Every path is checked to stay inside
 * `{realm}/gcp/`.
 */
export interface GcpSessionLocation extends SessionLocation {
  /** `{XDG config}/atmos/{realm}`. */
  readonly realmDir: string;
  /** `{realm}/gcp/{root provider}`. */
  readonly providerDir: string;
  /** `GOOGLE_APPLICATION_CREDENTIALS` of the identity. */
  readonly adcFile: string;
  readonly accessTokenFile: string;
  /** `CLOUDSDK_CONFIG` of the identity. */
  readonly configDir: string;
  readonly propertiesFile: string;
  /** The identity (lower-cased), the folder name under `adc/` and `config/`. */
  readonly identity: string;
  /** The project, region and zone its kind names ('' when none). */
  readonly project: string;
  readonly region: string;
  readonly zone: string;
  /** 'true' when the identity's kind writes a session ('false': gcp/project, which sets context only). */
  readonly persists: string;
}

/** The name gcloud's active configuration gets in a child's environment (Atmos's constant). */
export const GCLOUD_ACTIVE_CONFIG_NAME = 'config_atmos';

/** Computes the identity's GCP paths (nothing is created). */
export function gcpSessionLocation(env: NodeJS.ProcessEnv, realm: string, root: string, identity: string, settings: Readonly<Record<string, string>> = {}, persists = true): GcpSessionLocation {
  const realmDir = path.join(xdgConfigHome(env), realm);
  const gcpDir = path.join(realmDir, 'gcp');
  const providerDir = path.join(gcpDir, root);
  const problem = nameProblem(identity);
  if (problem) throw invalidNameError('identity', identity, problem, providerDir);
  if (path.dirname(providerDir) !== gcpDir || path.dirname(realmDir) !== xdgConfigHome(env)) {
    throw authError(
      AUTH_ERROR_CODES.NAME_INVALID,
      `the GCP session files of "${identity}" would be written to ${providerDir}, outside the realm folder ${gcpDir}`,
      providerDir,
      'rename the provider to a name without path separators or ".."',
    );
  }
  const adcDir = path.join(providerDir, 'adc', identity);
  const configDir = path.join(providerDir, 'config', identity);
  return {
    realmDir,
    providerDir,
    adcFile: path.join(adcDir, 'application_default_credentials.json'),
    accessTokenFile: path.join(adcDir, 'access_token'),
    configDir,
    propertiesFile: path.join(configDir, 'properties'),
    identity,
    project: settings.project ?? '',
    region: settings.region ?? '',
    zone: settings.zone ?? '',
    persists: String(persists),
  };
}

/** Atmos's RFC 3339 form of an expiry: UTC, whole seconds (Go `time.RFC3339`). */
export function rfc3339(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * The ADC JSON Atmos writes: `authorized_user` with the access token and its expiry, in Atmos's
 * field order (Go `json.MarshalIndent`, two spaces, empty fields left out). No refresh token is
 * ever written. `client_id`/`client_secret` come from `ATMOS_GCP_ADC_CLIENT_ID`/`_SECRET` when
 * set; Atmos otherwise writes gcloud's public OAuth client, which infrakey leaves out (without a
 * refresh token no client can use it).
 */
export function adcJson(creds: GcpCredentials, env: NodeJS.ProcessEnv): string {
  const clientId = env.ATMOS_GCP_ADC_CLIENT_ID?.trim();
  const clientSecret = env.ATMOS_GCP_ADC_CLIENT_SECRET?.trim();
  const body: Record<string, string> = { type: 'authorized_user', access_token: unsafeUnwrap(creds.accessToken) };
  if (clientId && clientSecret) {
    body.client_id = clientId;
    body.client_secret = clientSecret;
  }
  if (creds.expiration) body.token_expiry = rfc3339(creds.expiration);
  return JSON.stringify(body, null, 2);
}

/** The gcloud properties file as Atmos writes it with go-ini (`[core] project`, an empty `[compute]`). */
export function propertiesIni(project: string): string {
  return `[core]\n${project ? `project = ${project}\n` : ''}\n[compute]\n\n`;
}

/** Writes the identity's three files (ADC JSON, access_token, properties), replacing earlier ones. */
export async function writeGcpSession(loc: GcpSessionLocation, creds: GcpCredentials, env: NodeJS.ProcessEnv): Promise<void> {
  if (unsafeUnwrap(creds.accessToken) === '') {
    throw authError(AUTH_ERROR_CODES.FIELD_MISSING, `identity "${loc.identity}" produced no GCP access token to write`, loc.adcFile, 'check the provider of the chain (it must yield an access token)');
  }
  const project = creds.projectId ?? loc.project;
  await withIdentityLock(loc, async (lock) => {
    await ensurePrivateDir(path.dirname(loc.adcFile), loc.realmDir);
    await ensurePrivateDir(loc.configDir, loc.realmDir);
    await writePrivate(loc.adcFile, adcJson(creds, env), lock);
    await writePrivate(loc.propertiesFile, propertiesIni(project), lock);
    await writePrivate(loc.accessTokenFile, `${unsafeUnwrap(creds.accessToken)}\n${creds.expiration ? `${rfc3339(creds.expiration)}\n` : ''}`, lock);
  });
}

/** What a written session file holds. */
interface AdcFile {
  readonly type?: unknown;
  readonly access_token?: unknown;
  readonly token_expiry?: unknown;
}

function parseSession(text: string, loc: GcpSessionLocation, label: string): GcpCredentials | undefined {
  let adc: AdcFile;
  try {
    adc = JSON.parse(text) as AdcFile;
  } catch (e) {
    throw authError(AUTH_ERROR_CODES.FILES_FAILED, `the GCP credentials file ${loc.adcFile} is not JSON`, loc.adcFile, `remove it (\`infrakey auth logout ${loc.identity}\`) and log in again`, e);
  }
  if (typeof adc.access_token !== 'string' || adc.access_token === '') return undefined;
  let expiration: Date | undefined;
  if (typeof adc.token_expiry === 'string' && adc.token_expiry !== '') {
    const d = new Date(adc.token_expiry);
    // Unparsable counts as expired (Atmos fails to load it; a fresh login replaces it).
    expiration = Number.isNaN(d.getTime()) ? new Date(0) : d;
  }
  return {
    type: 'gcp',
    accessToken: Secret.of(adc.access_token, `${label}:access_token`),
    ...(expiration ? { expiration } : {}),
    ...(loc.project ? { projectId: loc.project } : {}),
  };
}

/** Reads the session back from the ADC file (undefined when absent or without a token). */
export async function readGcpSession(loc: GcpSessionLocation, label: string): Promise<GcpCredentials | undefined> {
  await checkPrivateFiles([loc.adcFile, loc.accessTokenFile], loc.realmDir);
  let text: string;
  try {
    text = await fs.readFile(loc.adcFile, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw fileFailure(e, 'read', loc.adcFile);
  }
  return parseSession(text, loc, label);
}

/**
 * The same, synchronously, for a child's environment (built synchronously). Permissions are
 * checked by the asynchronous read that precedes every `auth exec`/`shell` (cached session lookup).
 */
export function readGcpSessionSync(loc: GcpSessionLocation, label: string): GcpCredentials | undefined {
  let text: string;
  try {
    text = readFileSync(loc.adcFile, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw fileFailure(e, 'read', loc.adcFile);
  }
  return parseSession(text, loc, label);
}

/** Removes the identity's `adc/{identity}` and `config/{identity}` folders; true when anything was there. */
export async function removeGcpSession(loc: GcpSessionLocation): Promise<boolean> {
  const dirs = [path.dirname(loc.adcFile), loc.configDir];
  const present = (await Promise.all(dirs.map((d) => fs.access(d).then(() => true, () => false)))).some(Boolean);
  if (!present) return false;
  await withIdentityLock(loc, async () => {
    for (const d of dirs) {
      await fs.rm(d, { recursive: true, force: true }).catch((e: unknown) => {
        throw fileFailure(e, 'write', d);
      });
    }
  });
  return true;
}

async function writePrivate(file: string, data: string, lock: HeldLock): Promise<void> {
  try {
    await writeFileAtomic(file, data, { mode: 0o600, beforeRename: async () => lock.assertHeld() });
  } catch (e) {
    if (e instanceof InfrakeyError) throw e;
    throw fileFailure(e, 'write', file);
  }
}

async function withIdentityLock<T>(loc: GcpSessionLocation, fn: (lock: HeldLock) => Promise<T>): Promise<T> {
  await ensurePrivateDir(loc.providerDir, loc.realmDir);
  return withFileLock(
    {
      lockPath: path.join(loc.providerDir, `${loc.identity}.identity.lock`),
      subject: `the GCP session files of identity "${loc.identity}"`,
      toError: (f) => authError(f.reason === 'io' ? AUTH_ERROR_CODES.FILES_FAILED : AUTH_ERROR_CODES.FILE_LOCK_TIMEOUT, f.message, f.where, f.fix, f.cause),
    },
    fn,
  );
}
