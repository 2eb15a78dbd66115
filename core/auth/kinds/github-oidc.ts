import { str, type ProviderConfig } from '../auth-config';
import { AUTH_ERROR_CODES, authError } from '../auth-errors';
import type { OidcCredentials } from '../credentials';
import { Secret } from '../../secret';
import type { StepContext } from '../step-context';
import type { ProviderKind } from './kind';

/** Time limit of the Actions token request. */
export const GITHUB_TOKEN_TIMEOUT_MS = 10_000;

/**
 * `github/oidc`: the GitHub Actions OIDC token (per GitHub's docs: GET
 * `$ACTIONS_ID_TOKEN_REQUEST_URL&audience=<aud>` with `Authorization: bearer
 * $ACTIONS_ID_TOKEN_REQUEST_TOKEN`, answer `{"value": "<jwt>"}`). The request URL must be https
 * with a host (SSRF guard, §11.25). Ambient: never cached or written anywhere.
 */
export async function authenticateGithubOidc(provider: ProviderConfig, ctx: StepContext): Promise<OidcCredentials> {
  const where = ctx.where(provider.path);
  const audience = str(provider.spec.audience);
  if (Object.keys(provider.spec).length > 0 && !audience) {
    throw authError(AUTH_ERROR_CODES.FIELD_MISSING, `invalid provider config: audience is required in provider spec (provider "${provider.name}")`, ctx.where(`${provider.path}.spec`), `set ${provider.path}.spec.audience`);
  }
  const direct = str(ctx.env.ACTIONS_ID_TOKEN);
  if (direct) return oidc(direct, provider, audience);
  const fail = (message: string, fix: string, cause?: unknown) => authError(AUTH_ERROR_CODES.OIDC_FAILED, `provider "${provider.name}": ${message}`, where, fix, cause);
  if (ctx.env.GITHUB_ACTIONS !== 'true') {
    throw fail('github/oidc works only inside GitHub Actions (GITHUB_ACTIONS is not "true")', 'run this in a GitHub Actions job, or use another identity locally');
  }
  const requestUrl = str(ctx.env.ACTIONS_ID_TOKEN_REQUEST_URL);
  const requestToken = str(ctx.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN);
  if (!requestUrl || !requestToken) {
    throw fail('missing required environment variables ACTIONS_ID_TOKEN_REQUEST_URL / ACTIONS_ID_TOKEN_REQUEST_TOKEN', 'add `permissions: id-token: write` to the workflow job');
  }
  let url: URL;
  try {
    url = new URL(requestUrl);
  } catch {
    throw fail('ACTIONS_ID_TOKEN_REQUEST_URL is not a URL', 'leave ACTIONS_ID_TOKEN_REQUEST_URL as GitHub Actions sets it');
  }
  if (url.protocol !== 'https:' || url.hostname === '') {
    throw fail(`ACTIONS_ID_TOKEN_REQUEST_URL must be an https URL with a host (got ${url.protocol}//${url.hostname})`, 'leave ACTIONS_ID_TOKEN_REQUEST_URL as GitHub Actions sets it');
  }
  const value = await requestActionsToken(url, requestToken, audience, ctx.httpsCa, fail);
  return oidc(value, provider, audience);
}

/**
 * GETs an OIDC token from a GitHub Actions style token endpoint (`url` already checked by the
 * caller: https with a host): `audience` as query parameter, the request token as bearer, the
 * answer's `value`. Failures go through `fail` (message, fix, cause). Also used by the GCP
 * Workload Identity Federation `url` token source.
 */
export async function requestActionsToken(
  url: URL,
  requestToken: string | undefined,
  audience: string | undefined,
  ca: readonly string[] | undefined,
  fail: (message: string, fix: string, cause?: unknown) => Error,
): Promise<string> {
  if (requestToken) Secret.of(requestToken, 'actions-request-token');
  const target = new URL(url);
  if (audience) target.searchParams.set('audience', audience);
  let body: string;
  try {
    body = await httpsGet(target, { ...(requestToken ? { Authorization: `bearer ${requestToken}` } : {}), Accept: 'application/json; api-version=2.0' }, ca);
  } catch (e) {
    throw fail(`the Actions token request to ${target.host} failed (${e instanceof Error ? e.message : String(e)})`, 'check that the job has `permissions: id-token: write`', e);
  }
  let value: unknown;
  try {
    value = (JSON.parse(body) as { value?: unknown }).value;
  } catch {
    value = undefined;
  }
  if (typeof value !== 'string' || value.trim() === '') throw fail('the Actions token endpoint answered without a token', 'check that the job has `permissions: id-token: write`');
  return value.trim();
}

function oidc(token: string, provider: ProviderConfig, audience: string | undefined): OidcCredentials {
  const secret = Secret.of(token, `oidc:${provider.name}`);
  const exp = jwtExpiry(token);
  return { type: 'oidc', token: secret, provider: 'github', ...(audience ? { audience } : {}), ...(exp ? { expiration: exp } : {}) };
}

/** The `exp` claim of a JWT, read without verification (it is only used to decide reuse). */
export function jwtExpiry(token: string): Date | undefined {
  const part = token.split('.')[1];
  if (!part) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as { exp?: unknown };
    return typeof claims.exp === 'number' ? new Date(claims.exp * 1000) : undefined;
  } catch {
    return undefined;
  }
}

async function httpsGet(url: URL, headers: Record<string, string>, ca: readonly string[] | undefined): Promise<string> {
  const https = await import('node:https');
  const tls = await import('node:tls');
  return new Promise((resolve, reject) => {
    const req = https.request(
      url,
      { method: 'GET', headers, timeout: GITHUB_TOKEN_TIMEOUT_MS, ...(ca && ca.length > 0 ? { ca: [...tls.rootCertificates, ...ca] } : {}) },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          if ((res.statusCode ?? 0) >= 400) reject(new Error(`HTTP ${res.statusCode}`));
          else resolve(Buffer.concat(chunks).toString('utf8'));
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${GITHUB_TOKEN_TIMEOUT_MS / 1000}s`)));
    req.on('error', reject);
    req.end();
  });
}

/** The `github/oidc` provider kind: ambient (the token comes from the Actions job every time). */
export const githubOidcProviderKind: ProviderKind = {
  kind: 'github/oidc',
  ambient: true,
  validate(p, report) {
    if (Object.keys(p.spec).length > 0 && !str(p.spec.audience)) {
      report.error(AUTH_ERROR_CODES.FIELD_MISSING, `${p.path}.spec`, `invalid provider config: audience is required in provider spec (provider "${p.displayName}")`, `set ${p.path}.spec.audience, e.g. sts.amazonaws.com`);
    }
  },
  authenticate: authenticateGithubOidc,
};
