import { str } from '../auth-config';
import { AUTH_ERROR_CODES, authError } from '../auth-errors';
import type { GcpCredentials } from '../clouds/gcp-credentials';
import { Secret } from '../../secret';
import { wrongBaseError, type IdentityKind } from './kind';

/**
 * `gcp/project` (Atmos `gcp_project`): sets the project context only. With a `via`, it passes the
 * base GCP token through with `principal.project_id`; without one it stands alone and carries no
 * token (tools then use their own ambient credentials, as in Atmos). It writes no files: `auth env`,
 * `exec` and `shell` add `GOOGLE_CLOUD_PROJECT`/`GCLOUD_PROJECT`/`CLOUDSDK_CORE_PROJECT`, the
 * region (`GOOGLE_CLOUD_REGION`/`CLOUDSDK_COMPUTE_REGION`) and the zone (`zone`, else
 * `location`) to the environment.
 */
export const gcpProjectKind: IdentityKind = {
  kind: 'gcp/project',
  cloud: 'gcp',
  standalone: true,
  persists: false,
  validate(id, report) {
    const p = id.path;
    if (!str(id.principal.project_id)) report.error(AUTH_ERROR_CODES.FIELD_MISSING, `${p}.principal`, `identity "${id.displayName}": project_id is required for GCP project identity`, `set ${p}.principal.project_id`);
    const via = id.via;
    if (via?.provider && via.identity) report.error(AUTH_ERROR_CODES.VIA_INVALID, `${p}.via`, `identity "${id.displayName}": via.provider and via.identity are mutually exclusive; only one can be set`, `remove one of ${p}.via.provider / ${p}.via.identity`);
    else if (via?.provider && !report.config.providers.has(via.provider)) report.error(AUTH_ERROR_CODES.VIA_UNKNOWN, `${p}.via.provider`, `identity "${id.displayName}": referenced provider "${via.provider}" does not exist`, `define auth.providers.${via.provider} or fix the name`);
    else if (via?.identity && !report.config.identities.has(via.identity)) report.error(AUTH_ERROR_CODES.VIA_UNKNOWN, `${p}.via.identity`, `identity "${id.displayName}": referenced identity "${via.identity}" does not exist`, `define auth.identities.${via.identity} or fix the name`);
  },
  settings(id) {
    const project = str(id.principal.project_id);
    const region = str(id.principal.region);
    const zone = str(id.principal.zone) ?? str(id.principal.location);
    return { ...(project ? { project } : {}), ...(region ? { region } : {}), ...(zone ? { zone } : {}) };
  },
  async authenticate(id, base, ctx): Promise<GcpCredentials> {
    const project = str(id.principal.project_id);
    if (!project) throw authError(AUTH_ERROR_CODES.FIELD_MISSING, `identity "${id.name}": project_id is required for GCP project identity`, ctx.where(`${id.path}.principal`), `set ${id.path}.principal.project_id`);
    if (base === undefined) return { type: 'gcp', accessToken: Secret.of('', `${id.name}:access_token`), projectId: project };
    if (base.type !== 'gcp') throw wrongBaseError(id, base, ctx);
    return {
      type: 'gcp',
      accessToken: base.accessToken,
      ...(base.expiration ? { expiration: base.expiration } : {}),
      projectId: project,
      ...(base.serviceAccountEmail ? { serviceAccountEmail: base.serviceAccountEmail } : {}),
      ...(base.scopes ? { scopes: base.scopes } : {}),
    };
  },
};
