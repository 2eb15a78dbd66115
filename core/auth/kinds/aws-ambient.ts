import { str, type IdentityConfig } from '../auth-config';
import { AUTH_ERROR_CODES, authError } from '../auth-errors';
import { awsCredentials, type AwsCredentials } from '../credentials';
import type { StepContext } from '../step-context';
import type { IdentityKind } from './kind';

/**
 * `aws/ambient` (Atmos `pkg/auth/identities/aws/ambient.go`): standalone; its credentials are the
 * AWS SDK's default chain of the environment at each authentication (access key variables, then
 * the shared files and `AWS_PROFILE`, SSO, `credential_process`, container and instance roles).
 * Nothing is written and its child environment is the caller's, plus `principal.region`; an
 * identity `via` it writes its own session under `aws/aws-ambient/` as Atmos does.
 */

/** Atmos's provider name of an aws/ambient root (the credential-file folder of chains through it). */
const AWS_AMBIENT_ROOT = 'aws-ambient';

async function ambientAwsCredentials(id: IdentityConfig, ctx: StepContext): Promise<AwsCredentials> {
  const region = str(id.principal.region) ?? str(ctx.env.AWS_REGION) ?? str(ctx.env.AWS_DEFAULT_REGION);
  const env = ctx.env;
  // The environment given to the manager first (it may not be process.env), as the SDK's env provider would.
  const key = str(env.AWS_ACCESS_KEY_ID);
  const secret = str(env.AWS_SECRET_ACCESS_KEY);
  if (key && secret) {
    const token = str(env.AWS_SESSION_TOKEN);
    const exp = str(env.AWS_CREDENTIAL_EXPIRATION);
    return awsCredentials({ accessKeyId: key, secretAccessKey: secret, ...(token ? { sessionToken: token } : {}), ...(exp ? { expiration: new Date(exp) } : {}), ...(region ? { region } : {}) }, id.name);
  }
  const { defaultProvider } = await import('@aws-sdk/credential-provider-node');
  const profile = str(env.AWS_PROFILE);
  const filepath = str(env.AWS_SHARED_CREDENTIALS_FILE);
  const configFilepath = str(env.AWS_CONFIG_FILE);
  try {
    const c = await defaultProvider({ ...(profile ? { profile } : {}), ...(filepath ? { filepath } : {}), ...(configFilepath ? { configFilepath } : {}), maxRetries: 1, timeout: 1000 })();
    return awsCredentials({ accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey, ...(c.sessionToken ? { sessionToken: c.sessionToken } : {}), ...(c.expiration ? { expiration: c.expiration } : {}), ...(region ? { region } : {}) }, id.name);
  } catch (e) {
    throw authError(
      AUTH_ERROR_CODES.AMBIENT_NOT_FOUND,
      `identity "${id.name}" (aws/ambient): no AWS credentials in the environment (${e instanceof Error ? e.name : 'error'})`,
      ctx.where(id.path),
      'set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or AWS_PROFILE, or run where a container or instance role is available',
      e,
    );
  }
}

/** The `aws/ambient` identity kind. */
export const awsAmbientKind: IdentityKind = {
  kind: 'aws/ambient',
  cloud: 'aws-ambient',
  standalone: true,
  rootFolder: AWS_AMBIENT_ROOT,
  persists: false,
  validate(id, report) {
    if (id.via) report.error(AUTH_ERROR_CODES.VIA_INVALID, `${id.path}.via`, `aws/ambient identity "${id.displayName}" must not define via`, `remove ${id.path}.via: aws/ambient takes the environment's credentials`);
  },
  authenticate(id, _base, ctx) {
    if (id.via) throw authError(AUTH_ERROR_CODES.VIA_INVALID, `aws/ambient identity "${id.name}" must not define via`, ctx.where(`${id.path}.via`), `remove ${id.path}.via`);
    return ambientAwsCredentials(id, ctx);
  },
  rootRegion: (id) => str(id.principal.region),
};
