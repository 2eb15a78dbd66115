import { AUTH_ERROR_CODES, authError } from '../auth-errors';
import { isExpired, type Credentials } from '../credentials';
import type { CloudSessions, PrincipalInfo } from '../kinds/kind';
import { unsafeUnwrap } from '../../secret';
import type { GcpCredentials } from './gcp-credentials';
import { GCLOUD_ACTIVE_CONFIG_NAME, gcpSessionLocation, readGcpSession, readGcpSessionSync, removeGcpSession, writeGcpSession, type GcpSessionLocation } from './gcp-files';
import { gcpEndpoint, gcpPost } from './gcp-http';

/**
 * GCP variables a child run as a GCP identity must not inherit (Atmos `GCPEnvironmentVariables`,
 * cleared before its own are set): another account's ADC file, project or token would win.
 */
export const STRIPPED_GCP_VARS = [
  'GOOGLE_APPLICATION_CREDENTIALS',
  'GOOGLE_CLOUD_PROJECT',
  'GCLOUD_PROJECT',
  'CLOUDSDK_CORE_PROJECT',
  'CLOUDSDK_CONFIG',
  'CLOUDSDK_ACTIVE_CONFIG_NAME',
  'GOOGLE_OAUTH_ACCESS_TOKEN',
  'GOOGLE_CLOUD_REGION',
  'CLOUDSDK_COMPUTE_REGION',
  'GOOGLE_CLOUD_ZONE',
  'CLOUDSDK_COMPUTE_ZONE',
] as const;

/** Project, region and zone variables (Atmos `ProjectEnvVars`, `RegionEnvVars`, `ZoneEnvVars`). */
export function gcpContextVars(loc: Pick<GcpSessionLocation, 'project' | 'region' | 'zone'>): Record<string, string> {
  const vars: Record<string, string> = {};
  if (loc.project) Object.assign(vars, { GOOGLE_CLOUD_PROJECT: loc.project, GCLOUD_PROJECT: loc.project, CLOUDSDK_CORE_PROJECT: loc.project });
  if (loc.region) Object.assign(vars, { GOOGLE_CLOUD_REGION: loc.region, CLOUDSDK_COMPUTE_REGION: loc.region });
  if (loc.zone) Object.assign(vars, { GOOGLE_CLOUD_ZONE: loc.zone, CLOUDSDK_COMPUTE_ZONE: loc.zone });
  return vars;
}

function gcp(c: Credentials, what: string, where: string): GcpCredentials {
  if (c.type !== 'gcp') throw authError(AUTH_ERROR_CODES.KIND_UNSUPPORTED, `${what}: the session is ${c.type} credentials, not GCP credentials`, where, 'use a gcp/* identity');
  return c;
}

/**
 * The identity's valid session for a child, read from its files; an identity that writes none
 * (gcp/project) has none. A missing or expired session is an error that says to log in (Atmos:
 * "no valid credentials found for identity; run 'atmos auth login' first").
 */
function sessionForChild(loc: GcpSessionLocation): GcpCredentials | undefined {
  if (loc.persists !== 'true') return undefined;
  const creds = readGcpSessionSync(loc, `${loc.identity}:child`);
  if (!creds || isExpired(creds)) {
    throw authError(AUTH_ERROR_CODES.CREDENTIALS_EXPIRED, `no valid GCP session found for identity "${loc.identity}" in ${loc.adcFile}`, loc.adcFile, `run infrakey auth login --identity ${loc.identity}`);
  }
  return creds;
}

/**
 * GCP sessions (§2.2, `pkg/auth/cloud/gcp`): the realm-scoped ADC JSON, access-token file and
 * gcloud properties per identity; the project/region/zone variables for `auth env`; for `auth
 * exec`/`shell` the ambient GCP variables removed and `CLOUDSDK_CONFIG`,
 * `CLOUDSDK_ACTIVE_CONFIG_NAME=config_atmos`, `GOOGLE_OAUTH_ACCESS_TOKEN` and the project set, as
 * Atmos. There is no console sign-in URL for GCP (Atmos: "not yet implemented").
 */
export const gcpSessions: CloudSessions<GcpSessionLocation> = {
  cloud: 'gcp',

  location: (env, realm, root, identity, step) => gcpSessionLocation(env, realm, root, identity, step?.settings, step?.persists ?? true),

  async persist(loc, credentials, opts) {
    const creds = gcp(credentials, `writing the GCP session of "${loc.identity}"`, loc.adcFile);
    // `credential_files.mode: process` is an AWS SDK protocol (opts.credentialProcess); Google's
    // clients have no such hook, so GCP sessions are written to their files in either mode.
    await writeGcpSession(loc, creds, opts.env ?? process.env);
  },

  load: (loc, label) => readGcpSession(loc, label),

  remove: (loc) => removeGcpSession(loc),

  // Atmos `Environment()` of the GCP identities: the project (and, for gcp/project, region and
  // zone) variables; never a token or a path that holds one.
  environment: (loc) => gcpContextVars(loc),

  prepareEnvironment(base, loc) {
    const env: NodeJS.ProcessEnv = { ...base };
    const creds = sessionForChild(loc);
    if (!creds) return { ...env, ...gcpContextVars(loc) };
    for (const k of STRIPPED_GCP_VARS) delete env[k];
    env.CLOUDSDK_CONFIG = loc.configDir;
    env.CLOUDSDK_ACTIVE_CONFIG_NAME = GCLOUD_ACTIVE_CONFIG_NAME;
    // Atmos prefers the token over GOOGLE_APPLICATION_CREDENTIALS: the ADC file holds no refresh
    // token, which Google's clients need for an authorized_user file.
    env.GOOGLE_OAUTH_ACCESS_TOKEN = unsafeUnwrap(creds.accessToken);
    return { ...env, ...gcpContextVars(loc) };
  },

  describe: (loc) => (loc.persists === 'true' ? { credentials_file: loc.adcFile, access_token_file: loc.accessTokenFile, config_dir: loc.configDir, ...(loc.project ? { project: loc.project } : {}) } : { ...(loc.project ? { project: loc.project } : {}) }),

  async whoami(credentials, ctx): Promise<PrincipalInfo> {
    const creds = gcp(credentials, `whoami of identity "${ctx.chain.target.name}"`, ctx.where);
    const account = creds.projectId ? { account: creds.projectId } : {};
    if (creds.serviceAccountEmail) return { principal: creds.serviceAccountEmail, ...account };
    if (unsafeUnwrap(creds.accessToken) === '') return account;
    // Who a token without a service account is (ADC user, federated principal): Google's
    // tokeninfo, the token in the POST body (never in a URL). Best effort, as Atmos.
    try {
      const info = await gcpPost(gcpEndpoint('tokeninfo', ctx.env), new URLSearchParams({ access_token: unsafeUnwrap(creds.accessToken) }), {}, { call: 'oauth2 tokeninfo', where: ctx.where });
      const email = typeof info.email === 'string' ? info.email : undefined;
      const sub = typeof info.sub === 'string' ? info.sub : undefined;
      // A federated token has no email; its subject names the principal.
      const principal = email ?? sub;
      return { ...(principal ? { principal } : {}), ...(sub ? { userId: sub } : {}), ...account };
    } catch {
      return account;
    }
  },
};
