import { isMap, str, type IdentityConfig, type ProviderConfig } from '../auth-config';
import { AUTH_ERROR_CODES, authError } from '../auth-errors';
import { awsErrorName, clientSettings, isNetworkError, providerEndpointFor } from '../aws-sdk';
import { awsCredentials, type AwsCredentials, type SsoTokenCredentials } from '../credentials';
import { unsafeUnwrap } from '../../secret';
import type { StepContext } from '../step-context';
import { wrongBaseError, type IdentityKind } from './kind';

/**
 * `aws/permission-set`: SSO portal GetRoleCredentials for `principal.name` in
 * `principal.account.id` (or `.name`, resolved through ListAccounts) with the provider's token.
 */
export async function authenticatePermissionSet(identity: IdentityConfig, provider: ProviderConfig, token: SsoTokenCredentials, ctx: StepContext): Promise<AwsCredentials> {
  const where = ctx.where(identity.path);
  const roleName = str(identity.principal.name);
  const account = isMap(identity.principal.account) ? identity.principal.account : {};
  if (!roleName || (!str(account.id) && !str(account.name))) {
    throw authError(AUTH_ERROR_CODES.FIELD_MISSING, `principal is required: identity "${identity.name}" needs principal.name and principal.account.id or .name`, ctx.where(`${identity.path}.principal`), `set ${identity.path}.principal.name and .account.id`);
  }
  const endpoint = providerEndpointFor(provider, 'sso', ctx.env);
  const { SSOClient, GetRoleCredentialsCommand, ListAccountsCommand } = await import('@aws-sdk/client-sso');
  const client = new SSOClient(clientSettings(token.region, endpoint));
  const accessToken = unsafeUnwrap(token.accessToken);
  const mapped = (e: unknown, action: string) => {
    const name = awsErrorName(e) ?? 'Error';
    if (name === 'UnauthorizedException') {
      return authError(AUTH_ERROR_CODES.CREDENTIALS_EXPIRED, `${action} for identity "${identity.name}" failed: the IAM Identity Center session of provider "${provider.name}" is expired or revoked`, where, `run \`infrakey auth login --identity ${ctx.chain.target.name}\` to log in again`, e);
    }
    if (isNetworkError(e)) {
      return authError(AUTH_ERROR_CODES.TIMEOUT, `${action} for identity "${identity.name}" got no answer from ${endpoint ?? `the SSO portal of ${token.region}`} (${name}: ${e instanceof Error ? e.message : String(e)})`, where, 'check the network, the provider region and spec.endpoint_url / AWS_ENDPOINT_URL_SSO', e);
    }
    return authError(AUTH_ERROR_CODES.SSO_FAILED, `${action} for identity "${identity.name}" failed (${name}: ${e instanceof Error ? e.message : String(e)})`, where, 'check principal.name and the account, and that the permission set is assigned to you', e);
  };
  try {
    let accountId = str(account.id);
    if (!accountId) {
      const wanted = str(account.name)!;
      let nextToken: string | undefined;
      do {
        let page;
        try {
          page = await client.send(new ListAccountsCommand({ accessToken, nextToken, maxResults: 100 }));
        } catch (e) {
          throw mapped(e, 'sso:ListAccounts');
        }
        accountId = page.accountList?.find((a) => a.accountName === wanted)?.accountId;
        nextToken = page.nextToken;
      } while (!accountId && nextToken);
      if (!accountId) {
        throw authError(AUTH_ERROR_CODES.SSO_FAILED, `identity "${identity.name}": no account named "${wanted}" is assigned to you in IAM Identity Center`, ctx.where(`${identity.path}.principal.account.name`), 'check the account name, or use principal.account.id');
      }
    }
    let out;
    try {
      out = await client.send(new GetRoleCredentialsCommand({ accessToken, accountId, roleName }));
    } catch (e) {
      throw mapped(e, 'sso:GetRoleCredentials');
    }
    const c = out.roleCredentials;
    if (!c?.accessKeyId || !c.secretAccessKey) throw authError(AUTH_ERROR_CODES.SSO_FAILED, `sso:GetRoleCredentials returned no credentials for identity "${identity.name}"`, where, 'retry the login');
    const region = str(identity.principal.region) ?? provider.region;
    return awsCredentials(
      { accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey, sessionToken: c.sessionToken, expiration: c.expiration ? new Date(c.expiration) : undefined, region },
      identity.name,
    );
  } finally {
    client.destroy();
  }
}

/** The `aws/permission-set` identity kind: needs the token of an aws/iam-identity-center provider. */
export const permissionSetKind: IdentityKind = {
  kind: 'aws/permission-set',
  cloud: 'aws',
  validate(id, report) {
    const p = id.path;
    const principal = id.principal;
    if (!str(principal.name)) report.error(AUTH_ERROR_CODES.FIELD_MISSING, `${p}.principal`, `identity "${id.displayName}": principal.name (the permission set) is required`, `set ${p}.principal.name, e.g. AdministratorAccess`);
    const account = isMap(principal.account) ? principal.account : {};
    if (!str(account.name) && !str(account.id)) report.error(AUTH_ERROR_CODES.FIELD_MISSING, `${p}.principal`, `identity "${id.displayName}": principal.account.name or principal.account.id is required`, `set ${p}.principal.account.id (12 digits) or .name`);
    const prov = id.via?.provider ? report.config.providers.get(id.via.provider) : undefined;
    if (prov && prov.kind !== 'aws/iam-identity-center') report.error(AUTH_ERROR_CODES.VIA_INVALID, `${p}.via.provider`, `identity "${id.displayName}": aws/permission-set needs an aws/iam-identity-center provider, "${prov.name}" is ${prov.kind}`, 'point via.provider at an aws/iam-identity-center provider');
    if (id.via?.identity) report.error(AUTH_ERROR_CODES.VIA_INVALID, `${p}.via`, `identity "${id.displayName}": aws/permission-set must use via.provider`, 'set via.provider to an aws/iam-identity-center provider');
  },
  authenticate(id, base, ctx) {
    const provider = ctx.chain.provider;
    if (base?.type !== 'sso-token' || !provider) throw wrongBaseError(id, base, ctx);
    return authenticatePermissionSet(id, provider, base, ctx);
  },
};
