import { Secret, unsafeUnwrap } from '../../secret';
import { AUTH_ERROR_CODES, authError } from '../auth-errors';
import { gcpCallError, gcpEndpoint, gcpPost } from './gcp-http';

/** Google's default OAuth scope for the GCP kinds (Atmos `DefaultScope`). */
export const GCP_DEFAULT_SCOPE = 'https://www.googleapis.com/auth/cloud-platform';

/** What {@link impersonateServiceAccount} needs. */
export interface ImpersonationRequest {
  readonly serviceAccountEmail: string;
  readonly scopes: readonly string[];
  /** Service account emails of the delegation chain, in order (sent as `projects/-/serviceAccounts/<email>`). */
  readonly delegates?: readonly string[];
  /** `"3600s"` form; absent: Google's default (one hour). */
  readonly lifetime?: string;
}

/**
 * IAM Service Account Credentials `generateAccessToken` (Atmos `ImpersonateServiceAccount`):
 * `POST v1/projects/-/serviceAccounts/{email}:generateAccessToken` with the base token as bearer,
 * body `{scope, delegates, lifetime}`; the answer's `accessToken` and `expireTime` (RFC 3339;
 * unparsable: one hour from now, as Atmos).
 */
export async function impersonateServiceAccount(
  base: Secret<string>,
  req: ImpersonationRequest,
  ctx: { env: NodeJS.ProcessEnv; where: string; loginAs: string; label: string; now: () => number },
): Promise<{ accessToken: Secret<string>; expiration: Date }> {
  const url = `${gcpEndpoint('iamCredentials', ctx.env).replace(/\/+$/, '')}/v1/projects/-/serviceAccounts/${encodeURIComponent(req.serviceAccountEmail).replace(/%40/g, '@')}:generateAccessToken`;
  let out: Record<string, unknown>;
  try {
    out = await gcpPost(
      url,
      {
        scope: [...req.scopes],
        ...(req.delegates && req.delegates.length > 0 ? { delegates: req.delegates.map((d) => `projects/-/serviceAccounts/${d}`) } : {}),
        ...(req.lifetime ? { lifetime: req.lifetime } : {}),
      },
      { authorization: `Bearer ${unsafeUnwrap(base)}` },
      { call: `iamcredentials generateAccessToken for ${req.serviceAccountEmail}`, where: ctx.where },
    );
  } catch (e) {
    throw gcpCallError(e, `iamcredentials generateAccessToken for ${req.serviceAccountEmail}`, ctx.where, ctx.loginAs, `grant the base principal roles/iam.serviceAccountTokenCreator on ${req.serviceAccountEmail}${req.delegates?.length ? ' (and on each delegate)' : ''}`);
  }
  if (typeof out.accessToken !== 'string' || out.accessToken === '') {
    throw authError(AUTH_ERROR_CODES.GCP_FAILED, `iamcredentials generateAccessToken for ${req.serviceAccountEmail} answered without an accessToken`, ctx.where, 'check the IAM Credentials endpoint (INFRAKEY_GCP_IAMCREDENTIALS_URL is for tests only)');
  }
  const parsed = typeof out.expireTime === 'string' ? new Date(out.expireTime) : new Date(Number.NaN);
  return {
    accessToken: Secret.of(out.accessToken, `${ctx.label}:access_token`),
    expiration: Number.isNaN(parsed.getTime()) ? new Date(ctx.now() + 3600_000) : parsed,
  };
}
