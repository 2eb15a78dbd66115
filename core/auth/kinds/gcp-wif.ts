import { promises as fs } from 'node:fs';
import { isMap, str, type ProviderConfig } from '../auth-config';
import { AUTH_ERROR_CODES, authError } from '../auth-errors';
import { GCP_DEFAULT_SCOPE, impersonateServiceAccount } from '../clouds/gcp-impersonate';
import type { GcpCredentials } from '../clouds/gcp-credentials';
import { gcpCallError, gcpEndpoint, gcpPost } from '../clouds/gcp-http';
import { Secret } from '../../secret';
import type { StepContext } from '../step-context';
import { requestActionsToken } from './github-oidc';
import { gcpStringList, isServiceAccountEmail } from './gcp-spec';
import type { ProviderKind, SpecReport } from './kind';

/** Largest OIDC token read from a file or variable (JWTs are a few KB). */
const MAX_SUBJECT_TOKEN_BYTES = 64 * 1024;

/**
 * `gcp/workload-identity-federation` (Atmos `gcp_wif`): an OIDC token from `spec.token_source`
 * (`url`, `file` or `environment`; in GitHub Actions, without `token_source`, the Actions token
 * endpoint), exchanged at Google STS for a federated token (RFC 8693, audience
 * `//iam.googleapis.com/projects/N/locations/global/workloadIdentityPools/P/providers/Q`), then,
 * with `spec.service_account_email`, a service account token from IAM Credentials. Ambient.
 */

interface WifSpec {
  readonly projectNumber?: string;
  readonly pool?: string;
  readonly providerId?: string;
  readonly serviceAccountEmail?: string;
  readonly projectId?: string;
  readonly scopes: string[];
  readonly tokenSource?: Record<string, unknown>;
}

function spec(p: ProviderConfig): WifSpec {
  const s = p.spec;
  return {
    projectNumber: str(s.project_number),
    pool: str(s.workload_identity_pool_id) ?? str(s.workload_identity_pool),
    providerId: str(s.workload_identity_provider_id) ?? str(s.workload_identity_provider),
    serviceAccountEmail: str(s.service_account_email),
    projectId: str(s.project_id),
    scopes: gcpStringList(s.scopes) ?? [GCP_DEFAULT_SCOPE],
    ...(isMap(s.token_source) ? { tokenSource: s.token_source } : {}),
  };
}

/** The STS audience of the pool provider (Atmos `wifAudience`). */
export function wifAudience(s: Pick<WifSpec, 'projectNumber' | 'pool' | 'providerId'>): string | undefined {
  if (!s.projectNumber || !s.pool || !s.providerId) return undefined;
  return `//iam.googleapis.com/projects/${s.projectNumber}/locations/global/workloadIdentityPools/${s.pool}/providers/${s.providerId}`;
}

/** True for GitHub Actions OIDC hosts (Atmos `isGitHubActionsHost`). */
export function isGithubActionsHost(host: string): boolean {
  const h = host.toLowerCase();
  return h === 'token.actions.githubusercontent.com' || h.endsWith('.actions.githubusercontent.com');
}

function validate(p: ProviderConfig, r: SpecReport): void {
  const s = spec(p);
  const at = (f: string) => `${p.path}.spec${f ? `.${f}` : ''}`;
  if (!s.projectNumber) r.error(AUTH_ERROR_CODES.FIELD_MISSING, at(''), `provider "${p.displayName}": project_number is required`, `set ${at('project_number')} (the numeric project number of the pool's project)`);
  if (!s.pool) r.error(AUTH_ERROR_CODES.FIELD_MISSING, at(''), `provider "${p.displayName}": workload_identity_pool_id is required`, `set ${at('workload_identity_pool_id')}`);
  if (!s.providerId) r.error(AUTH_ERROR_CODES.FIELD_MISSING, at(''), `provider "${p.displayName}": workload_identity_provider_id is required`, `set ${at('workload_identity_provider_id')}`);
  if (s.serviceAccountEmail && !isServiceAccountEmail(s.serviceAccountEmail)) r.error(AUTH_ERROR_CODES.CONFIG_INVALID, at('service_account_email'), `provider "${p.displayName}": invalid service_account_email format: ${s.serviceAccountEmail}`, 'use NAME@PROJECT.iam.gserviceaccount.com');
  if (gcpStringList(p.spec.scopes) === null) r.error(AUTH_ERROR_CODES.CONFIG_INVALID, at('scopes'), `provider "${p.displayName}": scopes must be a list of OAuth scope URLs`, `write scopes: [${GCP_DEFAULT_SCOPE}]`);
  if (p.spec.token_source !== undefined && !isMap(p.spec.token_source)) {
    r.error(AUTH_ERROR_CODES.CONFIG_INVALID, at('token_source'), `provider "${p.displayName}": token_source must be a map`, 'write token_source: {type: url|file|environment, ...}');
    return;
  }
  const ts = s.tokenSource;
  if (!ts) return;
  const type = str(ts.type) ?? 'environment';
  if (type === 'environment' && !str(ts.environment_variable)) r.error(AUTH_ERROR_CODES.FIELD_MISSING, at('token_source'), `provider "${p.displayName}": environment_variable must be specified for token_source.type=environment`, `set ${at('token_source.environment_variable')}`);
  else if (type === 'file' && !str(ts.file_path)) r.error(AUTH_ERROR_CODES.FIELD_MISSING, at('token_source'), `provider "${p.displayName}": file_path not configured`, `set ${at('token_source.file_path')}`);
  else if (type !== 'environment' && type !== 'file' && type !== 'url') r.error(AUTH_ERROR_CODES.CONFIG_INVALID, at('token_source.type'), `provider "${p.displayName}": unknown token source type: ${type}`, 'use url, file or environment');
  if (gcpStringList(ts.allowed_hosts) === null) r.error(AUTH_ERROR_CODES.CONFIG_INVALID, at('token_source.allowed_hosts'), `provider "${p.displayName}": allowed_hosts must be a list of host names`, 'write allowed_hosts: [idp.example.com]');
}

/** Checks the spec at login (the same rules as `auth validate`, first problem thrown). */
function checkSpec(p: ProviderConfig, ctx: StepContext): void {
  let first: Error | undefined;
  validate(p, {
    config: { providers: new Map(), identities: new Map() } as unknown as SpecReport['config'],
    error: (code, path, message, fix) => {
      first ??= authError(code, message, ctx.where(path), fix);
    },
  });
  if (first) throw first;
}

async function subjectToken(p: ProviderConfig, s: WifSpec, ctx: StepContext): Promise<string> {
  const where = ctx.where(`${p.path}.spec.token_source`);
  const fail = (message: string, fix: string, cause?: unknown) => authError(AUTH_ERROR_CODES.GCP_FAILED, `provider "${p.name}": ${message}`, where, fix, cause);
  let ts = s.tokenSource;
  if (!ts) {
    // GitHub Actions auto-detection (Atmos: token_source nil and ACTIONS_ID_TOKEN_REQUEST_URL set).
    if (!str(ctx.env.ACTIONS_ID_TOKEN_REQUEST_URL)) {
      throw authError(AUTH_ERROR_CODES.FIELD_MISSING, `provider "${p.name}": token_source not configured (set token_source in provider config, or run in GitHub Actions with id-token permission)`, ctx.where(`${p.path}.spec`), `set ${p.path}.spec.token_source, or add \`permissions: id-token: write\` to the GitHub Actions job`);
    }
    ts = { type: 'url' };
  }
  const type = str(ts.type) ?? 'environment';
  let token: string;
  if (type === 'environment') {
    const name = str(ts.environment_variable);
    if (!name) throw fail('environment_variable must be specified for token_source.type=environment', `set ${p.path}.spec.token_source.environment_variable`);
    token = (ctx.env[name] ?? '').trim();
    if (token === '') throw fail(`environment variable ${name} is empty`, `export ${name} with the OIDC token before logging in`);
  } else if (type === 'file') {
    const file = str(ts.file_path);
    if (!file) throw fail('file_path not configured', `set ${p.path}.spec.token_source.file_path`);
    let text: string;
    try {
      const fh = await fs.open(file, 'r');
      try {
        const buf = Buffer.alloc(MAX_SUBJECT_TOKEN_BYTES + 1);
        const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
        if (bytesRead > MAX_SUBJECT_TOKEN_BYTES) throw new Error(`larger than ${MAX_SUBJECT_TOKEN_BYTES} bytes`);
        text = buf.subarray(0, bytesRead).toString('utf8');
      } finally {
        await fh.close();
      }
    } catch (e) {
      throw fail(`cannot read the token file ${file} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, `make ${file} readable, or fix ${p.path}.spec.token_source.file_path`, e);
    }
    token = text.trim();
    if (token === '') throw fail(`the token file ${file} is empty`, `write the OIDC token to ${file} before logging in`);
  } else if (type === 'url') {
    token = await urlToken(p, s, ts, ctx, fail);
  } else {
    throw fail(`unknown token source type: ${type}`, 'use url, file or environment');
  }
  Secret.of(token, `${p.name}:subject_token`);
  return token;
}

async function urlToken(p: ProviderConfig, s: WifSpec, ts: Record<string, unknown>, ctx: StepContext, fail: (m: string, f: string, c?: unknown) => Error): Promise<string> {
  const configured = str(ts.url);
  const raw = configured ?? str(ctx.env.ACTIONS_ID_TOKEN_REQUEST_URL);
  if (!raw) throw fail('token URL not configured', `set ${p.path}.spec.token_source.url, or run in GitHub Actions with \`permissions: id-token: write\``);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw fail(`the token URL${configured ? '' : ' (ACTIONS_ID_TOKEN_REQUEST_URL)'} is not a URL`, `fix ${p.path}.spec.token_source.url`);
  }
  if (url.protocol !== 'https:') throw fail('token URL must use https', 'use an https token endpoint');
  if (url.hostname === '') throw fail('token URL host is required', 'use an https URL with a host');
  // SSRF guards (§11.25): a URL from the environment must be GitHub's (or a host the config
  // allows — infrakey's addition, config-controlled only); a configured URL must be in
  // allowed_hosts when that list is given.
  const allowed = (gcpStringList(ts.allowed_hosts) ?? []).map((h) => h.toLowerCase());
  const hostAllowed = allowed.includes(url.hostname.toLowerCase()) || allowed.includes(url.host.toLowerCase());
  if (!configured && !isGithubActionsHost(url.hostname) && !hostAllowed) {
    throw fail(`token URL host "${url.hostname}" is not a trusted GitHub Actions OIDC host`, 'leave ACTIONS_ID_TOKEN_REQUEST_URL as GitHub Actions sets it');
  }
  if (configured && allowed.length > 0 && !hostAllowed) throw fail(`token URL host "${url.hostname}" is not allowed; set token_source.allowed_hosts to override`, `add ${url.hostname} to ${p.path}.spec.token_source.allowed_hosts`);
  let audience = str(ts.audience);
  if (!audience && !configured) {
    audience = wifAudience(s);
    if (!audience) throw fail('cannot construct WIF audience for GitHub Actions OIDC request; ensure project_number, workload_identity_pool_id, and workload_identity_provider_id are set', `set them in ${p.path}.spec`);
  }
  const bearer = str(ts.request_token) ?? str(ctx.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN);
  return requestActionsToken(url, bearer, audience, ctx.httpsCa, fail);
}

/** Authenticates a `gcp/workload-identity-federation` provider. */
export async function authenticateWif(p: ProviderConfig, ctx: StepContext): Promise<GcpCredentials> {
  checkSpec(p, ctx);
  const s = spec(p);
  const where = ctx.where(p.path);
  const subject = await subjectToken(p, s, ctx);
  let out: Record<string, unknown>;
  try {
    out = await gcpPost(
      gcpEndpoint('sts', ctx.env),
      new URLSearchParams({
        grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
        audience: wifAudience(s)!,
        scope: s.scopes.join(' '),
        requested_token_type: 'urn:ietf:params:oauth:token-type:access_token',
        subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
        subject_token: subject,
      }),
      {},
      { call: 'sts token exchange', where },
    );
  } catch (e) {
    throw gcpCallError(e, `provider "${p.name}": sts token exchange`, where, ctx.chain.target.name, 'check the pool provider (its issuer, audience and attribute condition must accept the OIDC token)');
  }
  if (typeof out.access_token !== 'string' || out.access_token === '') {
    throw authError(AUTH_ERROR_CODES.GCP_FAILED, `provider "${p.name}": the STS answer has no access_token`, where, 'check the STS endpoint (INFRAKEY_GCP_STS_URL is for tests only)');
  }
  const federated = Secret.of(out.access_token, `${p.name}:federated_token`);
  const expiresIn = typeof out.expires_in === 'number' ? out.expires_in : Number(out.expires_in);
  const federatedExpiry = Number.isFinite(expiresIn) ? new Date(ctx.now() + expiresIn * 1000) : undefined;
  if (!s.serviceAccountEmail) {
    return { type: 'gcp', accessToken: federated, ...(federatedExpiry ? { expiration: federatedExpiry } : {}), ...(s.projectId ? { projectId: s.projectId } : {}), scopes: s.scopes };
  }
  const sa = await impersonateServiceAccount(federated, { serviceAccountEmail: s.serviceAccountEmail, scopes: s.scopes }, { env: ctx.env, where, loginAs: ctx.chain.target.name, label: p.name, now: ctx.now });
  return { type: 'gcp', accessToken: sa.accessToken, expiration: sa.expiration, ...(s.projectId ? { projectId: s.projectId } : {}), serviceAccountEmail: s.serviceAccountEmail, scopes: s.scopes };
}

/** The `gcp/workload-identity-federation` provider kind. */
export const gcpWifProviderKind: ProviderKind = {
  kind: 'gcp/workload-identity-federation',
  ambient: true,
  validate,
  authenticate: authenticateWif,
};
