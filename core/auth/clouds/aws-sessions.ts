import { AUTH_ERROR_CODES, authError } from '../auth-errors';
import { clientSettings, configuredEndpoint, endpointFor, mapAwsError } from '../aws-sdk';
import { identityEnvironment, prepareChildEnvironment } from '../child-env';
import { consoleSigninUrl } from '../console-url';
import { credentialFilePaths, readAwsProfile, removeAwsProfile, writeAwsProfile, type CredentialFilePaths } from '../credential-files';
import type { AwsCredentials, Credentials } from '../credentials';
import type { CloudSessions } from '../kinds/kind';
import { unsafeUnwrap } from '../../secret';

/** The region written into a profile when nothing in the chain names one (Atmos's default). */
const DEFAULT_REGION = 'us-east-1';

function aws(c: Credentials, what: string, where: string): AwsCredentials {
  if (c.type !== 'aws') throw authError(AUTH_ERROR_CODES.KIND_UNSUPPORTED, `${what}: the session is ${c.type} credentials, not AWS credentials`, where, 'use an aws/* identity');
  return c;
}

/**
 * AWS sessions (§2.2-§2.4): the realm-scoped shared credentials and config files, one profile per
 * identity, `AWS_*` variables for tools, STS GetCallerIdentity for whoami, the federation
 * console URL and credential_process JSON.
 */
export const awsSessions: CloudSessions<CredentialFilePaths> = {
  cloud: 'aws',

  location: (env, realm, root, identity) => credentialFilePaths(env, realm, root, identity),

  async persist(paths, credentials, opts) {
    const creds = aws(credentials, `writing the profile of "${paths.profile}"`, paths.credentialsFile);
    await writeAwsProfile(paths, creds, {
      region: opts.region ?? creds.region ?? DEFAULT_REGION,
      endpointUrl: configuredEndpoint(opts.chain),
      ...(opts.credentialProcess ? { credentialProcess: opts.credentialProcess } : {}),
    });
  },

  load: (paths, label) => readAwsProfile(paths, label),

  remove: (paths) => removeAwsProfile(paths),

  environment: (paths, region) => identityEnvironment(paths, region),

  prepareEnvironment: (base, paths, region) => prepareChildEnvironment(base, paths, region),

  describe: (paths) => ({ credentials_file: paths.credentialsFile, config_file: paths.configFile, profile: paths.profile }),

  async whoami(credentials, ctx) {
    const creds = aws(credentials, `whoami of identity "${ctx.chain.target.name}"`, ctx.where);
    const endpoint = endpointFor(ctx.chain, ctx.chain.identities.length - 1, 'sts', ctx.env);
    const { STSClient, GetCallerIdentityCommand } = await import('@aws-sdk/client-sts');
    const client = new STSClient(clientSettings(ctx.region ?? creds.region ?? DEFAULT_REGION, endpoint, creds));
    try {
      const out = await client.send(new GetCallerIdentityCommand({}));
      return { ...(out.Arn ? { principal: out.Arn } : {}), ...(out.Account ? { account: out.Account } : {}), ...(out.UserId ? { userId: out.UserId } : {}) };
    } catch (e) {
      throw mapAwsError(e, 'sts:GetCallerIdentity', ctx.chain.target.name, ctx.where, endpoint, ctx.chain.target.name);
    } finally {
      client.destroy();
    }
  },

  consoleUrl: (credentials, opts) => consoleSigninUrl(aws(credentials, `the console of identity "${opts.identity}"`, opts.where), opts),

  processJson(credentials) {
    const c = aws(credentials, 'credential_process', 'auth credentials');
    return JSON.stringify({
      Version: 1,
      AccessKeyId: unsafeUnwrap(c.accessKeyId),
      SecretAccessKey: unsafeUnwrap(c.secretAccessKey),
      ...(c.sessionToken ? { SessionToken: unsafeUnwrap(c.sessionToken) } : {}),
      ...(c.expiration ? { Expiration: c.expiration.toISOString() } : {}),
    });
  },
};
