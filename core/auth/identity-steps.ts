import { isMap, str, type IdentityConfig } from './auth-config';
import { AUTH_ERROR_CODES, authError } from './auth-errors';
import type { Credentials } from './credentials';
import { authenticateAssumeRole } from './kinds/assume-role';
import { authenticateAwsUser } from './kinds/aws-user';
import { authenticatePermissionSet } from './kinds/permission-set';
import type { StepContext } from './step-context';

/** Derives an identity's credentials from the previous step's (`base`; none for aws/user). */
export async function authenticateIdentityStep(identity: IdentityConfig, base: Credentials | undefined, ctx: StepContext): Promise<Credentials> {
  const wrongBase = (what: string) =>
    authError(AUTH_ERROR_CODES.VIA_INVALID, `identity "${identity.name}" (${identity.kind}) cannot derive credentials from ${what}`, ctx.where(`${identity.path}.via`), 'point via at a provider or identity whose credentials this kind accepts');
  switch (identity.kind) {
    case 'aws/user':
      return authenticateAwsUser(identity, ctx);
    case 'aws/assume-role':
      if (base?.type !== 'aws' && base?.type !== 'oidc') throw wrongBase(base ? `${base.type} credentials` : 'nothing');
      return authenticateAssumeRole(identity, base, ctx);
    case 'aws/permission-set': {
      const provider = ctx.chain.provider;
      if (base?.type !== 'sso-token' || !provider) throw wrongBase(base ? `${base.type} credentials` : 'nothing');
      return authenticatePermissionSet(identity, provider, base, ctx);
    }
    case 'mock':
    case 'mock/aws': {
      const account = isMap(identity.principal.account) ? str(identity.principal.account.id) : undefined;
      return { type: 'mock', ...(account ? { account } : {}) };
    }
    default:
      throw authError(AUTH_ERROR_CODES.KIND_UNSUPPORTED, `identity "${identity.name}": kind ${identity.kind} is not implemented by infrakey`, ctx.where(`${identity.path}.kind`), 'use aws/user, aws/assume-role or aws/permission-set');
  }
}
