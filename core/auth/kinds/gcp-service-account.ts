import { str, type IdentityConfig } from '../auth-config';
import { AUTH_ERROR_CODES, authError } from '../auth-errors';
import { GCP_DEFAULT_SCOPE, impersonateServiceAccount } from '../clouds/gcp-impersonate';
import type { GcpCredentials } from '../clouds/gcp-credentials';
import { parseDurationSeconds } from '../duration';
import { unsafeUnwrap } from '../../secret';
import { gcpStringList, isServiceAccountEmail, projectOfServiceAccount } from './gcp-spec';
import { wrongBaseError, type IdentityKind, type SpecReport } from './kind';

/** Longest `lifetime` Google grants (12 h, with the org policy that allows more than 1 h). */
export const MAX_LIFETIME_SECONDS = 43_200;
/**
 * `principal.lifetime` as Google wants it (`"<seconds>s"`). Atmos passes the text through (so
 * `1h` reaches Google and is refused there); infrakey accepts every duration form Atmos accepts
 * elsewhere (seconds, `3600s`, `1h`) and sends seconds. Undefined: invalid or out of range.
 */
export function lifetimeSeconds(value: unknown): number | undefined {
  const s = parseDurationSeconds(value);
  return s !== undefined && s >= 1 && s <= MAX_LIFETIME_SECONDS ? s : undefined;
}

function report(id: IdentityConfig, r: SpecReport): void {
  const p = id.path;
  const email = str(id.principal.service_account_email);
  if (!email) {
    r.error(AUTH_ERROR_CODES.FIELD_MISSING, `${p}.principal`, `identity "${id.displayName}": service_account_email is required for GCP service account identity`, `set ${p}.principal.service_account_email (NAME@PROJECT.iam.gserviceaccount.com)`);
  } else if (!isServiceAccountEmail(email)) {
    r.error(AUTH_ERROR_CODES.CONFIG_INVALID, `${p}.principal.service_account_email`, `identity "${id.displayName}": invalid service_account_email format: ${email}`, 'use the service account email NAME@PROJECT.iam.gserviceaccount.com');
  }
  const delegates = gcpStringList(id.principal.delegates);
  if (delegates === null) r.error(AUTH_ERROR_CODES.CONFIG_INVALID, `${p}.principal.delegates`, `identity "${id.displayName}": delegates must be a list of service account emails`, 'write delegates: [a@p.iam.gserviceaccount.com, ...]');
  else for (const d of delegates ?? []) if (!isServiceAccountEmail(d)) r.error(AUTH_ERROR_CODES.CONFIG_INVALID, `${p}.principal.delegates`, `identity "${id.displayName}": delegate ${d} is not a service account email`, 'use emails NAME@PROJECT.iam.gserviceaccount.com');
  if (gcpStringList(id.principal.scopes) === null) r.error(AUTH_ERROR_CODES.CONFIG_INVALID, `${p}.principal.scopes`, `identity "${id.displayName}": scopes must be a list of OAuth scope URLs`, `write scopes: [${GCP_DEFAULT_SCOPE}]`);
  if (id.principal.lifetime !== undefined && lifetimeSeconds(id.principal.lifetime) === undefined) {
    r.error(AUTH_ERROR_CODES.CONFIG_INVALID, `${p}.principal.lifetime`, `identity "${id.displayName}": lifetime must be a duration from 1s to 12h`, 'write seconds with an s (3600s) or a duration (1h); Google allows up to 12h');
  }
}

/**
 * `gcp/service-account` (Atmos `gcp_service_account`): impersonates
 * `principal.service_account_email` with IAM Credentials `generateAccessToken` from the base GCP
 * token (`delegates`, `scopes` default cloud-platform, `lifetime` default 3600s). The project is
 * `principal.project_id`, else the email's project. Sessions go to the realm's GCP files.
 */
export const gcpServiceAccountKind: IdentityKind = {
  kind: 'gcp/service-account',
  cloud: 'gcp',
  validate: report,
  settings(id): Record<string, string> {
    const email = str(id.principal.service_account_email) ?? '';
    const project = str(id.principal.project_id) ?? projectOfServiceAccount(email);
    return project ? { project } : {};
  },
  async authenticate(id, base, ctx): Promise<GcpCredentials> {
    if (base?.type !== 'gcp' || unsafeUnwrap(base.accessToken) === '') throw wrongBaseError(id, base, ctx);
    const email = str(id.principal.service_account_email);
    if (!email || !isServiceAccountEmail(email)) {
      throw authError(AUTH_ERROR_CODES.FIELD_MISSING, `identity "${id.name}": principal.service_account_email is missing or not a service account email`, ctx.where(`${id.path}.principal`), `set ${id.path}.principal.service_account_email`);
    }
    const scopes = gcpStringList(id.principal.scopes) ?? [GCP_DEFAULT_SCOPE];
    const lifetime = id.principal.lifetime === undefined ? 3600 : lifetimeSeconds(id.principal.lifetime);
    if (lifetime === undefined) throw authError(AUTH_ERROR_CODES.CONFIG_INVALID, `identity "${id.name}": lifetime must be a duration from 1s to 12h`, ctx.where(`${id.path}.principal.lifetime`), 'write 3600s or 1h');
    const { accessToken, expiration } = await impersonateServiceAccount(
      base.accessToken,
      { serviceAccountEmail: email, scopes: scopes.length > 0 ? scopes : [GCP_DEFAULT_SCOPE], delegates: gcpStringList(id.principal.delegates) ?? [], lifetime: `${lifetime}s` },
      { env: ctx.env, where: ctx.where(id.path), loginAs: ctx.chain.target.name, label: id.name, now: ctx.now },
    );
    const project = str(id.principal.project_id) ?? projectOfServiceAccount(email);
    return { type: 'gcp', accessToken, expiration, ...(project ? { projectId: project } : {}), serviceAccountEmail: email, scopes: scopes.length > 0 ? scopes : [GCP_DEFAULT_SCOPE] };
  },
};
