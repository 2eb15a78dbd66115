/**
 * How a tool that reads AWS shared files itself (Terraform's AWS provider) reaches an identity
 * that ends in `aws/assume-role` hops, without any key material: the files of the identity the
 * hops start from plus each hop's role, so that the tool assumes the roles itself. (An identity's
 * own files and profile: `Workspace.identity(name).credentialFiles()`.) Config only: nothing is
 * read, written or authenticated here.
 */
import { AuthError } from '../errors';
import { locateWhere } from './auth-errors';
import type { AuthManager } from './auth-manager';
import { credentialFilePaths } from './credential-files';
import type { RoleHop } from './kinds/kind';
import { identityKind } from './kinds/registry';

/** An identity's profile in its realm-scoped shared files. */
export interface AwsProfileFiles {
  /** The identity (lower-cased name). */
  readonly identity: string;
  readonly credentialsFile: string;
  readonly configFile: string;
  readonly profile: string;
  readonly region?: string;
}

/** One `aws/assume-role` step, as Terraform's `assume_role` block takes it. */
export type AssumeRoleHop = RoleHop;

/** Base profile + the role hops after it, root first. */
export interface AssumeRolePlan {
  readonly base: AwsProfileFiles;
  readonly hops: readonly AssumeRoleHop[];
  /** The target identity's region (what `auth env` exports for it), when one resolves. */
  readonly region?: string;
}

/** Code of {@link assumeRolePlan}'s refusal (kept here: the auth error table is another module's). */
export const ASSUME_ROLE_PLAN_ERROR = 'AUTH_ASSUME_ROLE_PLAN';

function planError(message: string, where: string, fix: string): AuthError {
  return new AuthError({ code: ASSUME_ROLE_PLAN_ERROR, message, where, fix });
}

/** True when the kind's sessions are written to the AWS shared files (a base Terraform can read). */
function fileBacked(kind: string): boolean {
  const k = identityKind(kind);
  return k !== undefined && k.cloud === 'aws' && k.persists !== false;
}

/**
 * The identity's trailing `aws/assume-role` hops and the identity before them, whose session in
 * the shared files is the base. AUTH_ASSUME_ROLE_PLAN when the identity is not an assume-role
 * identity, or when the hops start from something that has no AWS session in the files (an OIDC
 * provider, for example).
 */
export function assumeRolePlan(manager: AuthManager, name: string): AssumeRolePlan {
  const chain = manager.chain(name);
  const ids = chain.identities;
  let first = ids.length;
  while (first > 0 && identityKind(ids[first - 1].kind)?.roleHop) first--;
  const where = locateWhere(chain.target.path, manager.config.locate);
  if (first === ids.length) {
    throw planError(
      `identity "${chain.target.name}" (${chain.target.kind}) is not an aws/assume-role identity: there is no role for Terraform to assume`,
      where,
      'use the identity\'s profile instead (the default mode), or pick an aws/assume-role identity',
    );
  }
  const base = first > 0 ? ids[first - 1] : undefined;
  if (!base || !fileBacked(base.kind)) {
    throw planError(
      `identity "${chain.target.name}": its role hops start from ${base ? `identity "${base.name}" (${base.kind})` : `provider "${chain.provider?.name ?? '?'}" (${chain.provider?.kind ?? '?'})`}, which leaves no AWS session in the shared files for Terraform to start from`,
      where,
      'use the identity\'s profile instead (the default mode): infrakey writes the final session to the files',
    );
  }
  const hops = ids.slice(first).map((id) => identityKind(id.kind)!.roleHop!(id, (p) => locateWhere(p, manager.config.locate)));
  const paths = credentialFilePaths(manager.env, manager.realm.value, chain.rootName, base.name);
  const baseRegion = manager.region(base.name);
  const region = manager.region(name);
  return {
    base: { identity: base.name, credentialsFile: paths.credentialsFile, configFile: paths.configFile, profile: paths.profile, ...(baseRegion ? { region: baseRegion } : {}) },
    hops,
    ...(region ? { region } : {}),
  };
}
