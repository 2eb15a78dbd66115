import { promises as fs } from 'node:fs';
import { str, type ProviderConfig } from '../auth-config';
import { AUTH_ERROR_CODES, authError } from '../auth-errors';
import { GCP_DEFAULT_SCOPE } from '../clouds/gcp-impersonate';
import type { GcpCredentials } from '../clouds/gcp-credentials';
import { Secret } from '../../secret';
import type { StepContext } from '../step-context';
import { gcpStringList } from './gcp-spec';
import type { ProviderKind } from './kind';

/** Time limit of finding Application Default Credentials and minting a token from them. */
export const ADC_TIMEOUT_MS = 30_000;

/**
 * `gcp/adc` (Atmos `gcp_adc`): a token from Google Application Default Credentials, found as
 * Google's libraries find them (`GOOGLE_APPLICATION_CREDENTIALS` — service account key,
 * authorized user, external account —, gcloud's `application_default_credentials.json`, then the
 * metadata server), with `spec.scopes` (default cloud-platform). `spec.project_id`, else the
 * credentials' project. Ambient: read afresh on every login, never cached. Atmos fails a provider
 * without `spec` ("spec is nil"); infrakey treats a missing `spec` as an empty one.
 */
export async function authenticateAdc(provider: ProviderConfig, ctx: StepContext): Promise<GcpCredentials> {
  const where = ctx.where(provider.path);
  const scopes = gcpStringList(provider.spec.scopes) ?? [GCP_DEFAULT_SCOPE];
  const keyFilename = str(ctx.env.GOOGLE_APPLICATION_CREDENTIALS);
  const { GoogleAuth } = await import('google-auth-library');
  // Node's own fetch: gaxios would otherwise import node-fetch on first use.
  const auth = new GoogleAuth({ scopes, ...(keyFilename ? { keyFilename } : {}), clientOptions: { transporterOptions: { fetchImplementation: globalThis.fetch } } });
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(authError(AUTH_ERROR_CODES.TIMEOUT, `provider "${provider.name}": Application Default Credentials gave no token within ${ADC_TIMEOUT_MS / 1000}s`, where, 'check GOOGLE_APPLICATION_CREDENTIALS and the network path to Google (or the metadata server)')), ADC_TIMEOUT_MS);
  });
  try {
    const work = (async () => {
      const client = await auth.getClient();
      const { token } = await client.getAccessToken();
      const expiry = client.credentials?.expiry_date;
      const email = (client as { email?: unknown }).email;
      // As Atmos (`google.Credentials.ProjectID`): the credentials file's own `project_id`, never
      // the library's project discovery (which runs gcloud or calls Resource Manager).
      const project = str(provider.spec.project_id) ?? (keyFilename ? await fileProject(keyFilename) : undefined);
      return { token, expiry, email: typeof email === 'string' ? email : undefined, project };
    })();
    const r = await Promise.race([work, timeout]);
    if (!r.token) throw new Error('Application Default Credentials returned no access token');
    return {
      type: 'gcp',
      accessToken: Secret.of(r.token, `${provider.name}:access_token`),
      ...(typeof r.expiry === 'number' ? { expiration: new Date(r.expiry) } : {}),
      ...(r.project ? { projectId: r.project } : {}),
      ...(r.email ? { serviceAccountEmail: r.email } : {}),
      scopes,
    };
  } catch (e) {
    if ((e as { code?: unknown }).code === AUTH_ERROR_CODES.TIMEOUT) throw e;
    const text = e instanceof Error ? e.message : String(e);
    // Atmos's advice for a gcloud login that needs re-authentication (invalid_grant + invalid_rapt).
    const reauth = /invalid_grant/.test(text) && /invalid_rapt/.test(text);
    throw authError(
      AUTH_ERROR_CODES.GCP_FAILED,
      `provider "${provider.name}": no token from Application Default Credentials (${text.slice(0, 300)})`,
      where,
      reauth
        ? 'your Google application-default credentials have expired or require reauthentication: run `gcloud auth application-default login` and try again'
        : 'set GOOGLE_APPLICATION_CREDENTIALS to a credentials file, run `gcloud auth application-default login`, or run on Google Cloud (metadata server)',
      e,
    );
  } finally {
    clearTimeout(timer);
  }
}

/** The `project_id` of a credentials file (first 1 MB), if it has one. */
async function fileProject(file: string): Promise<string | undefined> {
  try {
    const fh = await fs.open(file, 'r');
    try {
      const buf = Buffer.alloc(1024 * 1024);
      const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
      return str((JSON.parse(buf.subarray(0, bytesRead).toString('utf8')) as { project_id?: unknown }).project_id);
    } finally {
      await fh.close();
    }
  } catch {
    return undefined;
  }
}

/** The `gcp/adc` provider kind. */
export const gcpAdcProviderKind: ProviderKind = {
  kind: 'gcp/adc',
  ambient: true,
  validate(p, report) {
    if (gcpStringList(p.spec.scopes) === null) report.error(AUTH_ERROR_CODES.CONFIG_INVALID, `${p.path}.spec.scopes`, `provider "${p.displayName}": scopes must be a list of OAuth scope URLs`, `write scopes: [${GCP_DEFAULT_SCOPE}]`);
  },
  authenticate: authenticateAdc,
};
