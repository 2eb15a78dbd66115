import { str, type IdentityConfig } from '../../auth-config';
import { AUTH_ERROR_CODES, authError } from '../../auth-errors';
import { clientSettings, endpointFor, mapAwsError } from '../../aws-sdk';
import { awsCredentials, type AwsCredentials } from '../../credentials';
import { clamp, parseDurationSeconds } from '../../duration';
import { readAwsKeyringCredentials } from '../../keyring-credentials';
import type { StepContext } from '../../step-context';
import { AWS_USER_ROOT } from '../../chain';
import type { IdentityKind } from '../kind';

/**
 * `aws/user` (§1.3.1): long-lived keys from the YAML `credentials:` (both or neither) or from the
 * keyring entry under the identity's name, then STS GetSessionToken (with a TOTP code when
 * `mfa_arn` is set). Ambient AWS keys are never consulted.
 */
export async function authenticateAwsUser(identity: IdentityConfig, ctx: StepContext): Promise<AwsCredentials> {
  const base = await longLivedKeys(identity, ctx);
  const mfaArn = str(identity.credentials.mfa_arn) ?? base.mfaArn;
  const region = str(identity.credentials.region) ?? base.region ?? 'us-east-1';
  const requested = parseDurationSeconds(identity.sessionDuration) ?? parseDurationSeconds(base.sessionDuration) ?? 43200;
  const duration = mfaArn ? clamp(requested, 900, 129600) : clamp(requested, 900, 43200);

  let tokenCode: string | undefined;
  if (mfaArn) {
    if (!ctx.interaction.interactive || !ctx.interaction.promptSecret) {
      throw authError(
        AUTH_ERROR_CODES.PROMPT_REQUIRES_TTY,
        `identity "${identity.name}" needs an MFA code (mfa_arn is set) but there is no terminal to ask for it`,
        ctx.where(`${identity.path}.credentials.mfa_arn`),
        `run \`infrakey auth login --identity ${identity.name}\` in a terminal first; the session it writes lasts up to 36h`,
      );
    }
    tokenCode = (await ctx.interaction.promptSecret(`MFA code for ${identity.name} (${mfaArn}):`)).trim();
    if (!/^\d{6}$/.test(tokenCode)) {
      throw authError(AUTH_ERROR_CODES.STS_FAILED, `the MFA code for identity "${identity.name}" must be 6 digits`, ctx.where(`${identity.path}.credentials.mfa_arn`), 'enter the current 6-digit code of your MFA device');
    }
  }

  const endpoint = endpointFor(ctx.chain, ctx.chain.identities.indexOf(identity), 'sts', ctx.env);
  const { STSClient, GetSessionTokenCommand } = await import('@aws-sdk/client-sts');
  const client = new STSClient(clientSettings(region, endpoint, base));
  try {
    const out = await client.send(new GetSessionTokenCommand({ DurationSeconds: duration, ...(mfaArn ? { SerialNumber: mfaArn, TokenCode: tokenCode } : {}) }));
    const c = out.Credentials;
    if (!c?.AccessKeyId || !c.SecretAccessKey) throw new Error('GetSessionToken returned no credentials');
    return awsCredentials({ accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken, expiration: c.Expiration, region }, identity.name);
  } catch (e) {
    const mapped = mapAwsError(e, 'sts:GetSessionToken', identity.name, ctx.where(identity.path), endpoint, identity.name);
    if ((mapped as { code?: string }).code === AUTH_ERROR_CODES.CREDENTIALS_EXPIRED) {
      throw authError(
        AUTH_ERROR_CODES.CREDENTIALS_EXPIRED,
        `the access keys of identity "${identity.name}" were rejected by STS (revoked or invalid)`,
        ctx.where(identity.path),
        `store new keys with \`infrakey auth user configure --identity ${identity.name}\`, then run \`infrakey auth login --identity ${identity.name}\``,
        e,
      );
    }
    throw mapped;
  } finally {
    client.destroy();
  }
}

async function longLivedKeys(identity: IdentityConfig, ctx: StepContext): Promise<AwsCredentials> {
  const id = str(identity.credentials.access_key_id);
  const secret = str(identity.credentials.secret_access_key);
  if (id && secret) {
    return awsCredentials({ accessKeyId: id, secretAccessKey: secret, region: str(identity.credentials.region) }, `${identity.name}:yaml`);
  }
  if (id || secret) {
    throw authError(
      AUTH_ERROR_CODES.CONFIG_INVALID,
      `invalid auth config: identity "${identity.name}": credentials.access_key_id and credentials.secret_access_key must be set together`,
      ctx.where(`${identity.path}.credentials`),
      'set both, or neither and store them with `infrakey auth user configure`',
    );
  }
  const keyring = await ctx.keyring();
  const fromKeyring = keyring ? await readAwsKeyringCredentials(keyring, ctx.realm, identity.name, ctx.where(identity.path)) : undefined;
  if (!fromKeyring) {
    throw authError(
      AUTH_ERROR_CODES.USER_NOT_CONFIGURED,
      `aws user not configured: identity "${identity.name}" has no access keys in atmos.yaml and none in the ${keyring?.type ?? 'configured'} keyring (realm "${ctx.realm}")`,
      ctx.where(identity.path),
      `run \`infrakey auth user configure --identity ${identity.name}\` in a terminal (in CI set ATMOS_KEYRING_TYPE=file and ATMOS_KEYRING_PASSWORD, or put credentials: in atmos.yaml from !env)`,
    );
  }
  if (fromKeyring.sessionToken) {
    throw authError(
      AUTH_ERROR_CODES.USER_NOT_CONFIGURED,
      `the keyring entry of identity "${identity.name}" holds session credentials, not long-lived access keys`,
      ctx.where(identity.path),
      `replace it: infrakey auth user configure --identity ${identity.name}`,
    );
  }
  return fromKeyring;
}

/** The `aws/user` identity kind: standalone, its chains' files live under `aws-user`. */
export const awsUserKind: IdentityKind = {
  kind: 'aws/user',
  cloud: 'aws',
  standalone: true,
  rootFolder: AWS_USER_ROOT,
  validate(id, report) {
    const c = id.credentials;
    if (Boolean(str(c.access_key_id)) !== Boolean(str(c.secret_access_key))) {
      report.error(AUTH_ERROR_CODES.CONFIG_INVALID, `${id.path}.credentials`, `invalid auth config: identity "${id.displayName}": credentials.access_key_id and credentials.secret_access_key must be set together`, 'set both, or neither and store them with `infrakey auth user configure`');
    }
  },
  authenticate: (id, _base, ctx) => authenticateAwsUser(id, ctx),
  rootRegion: (id) => str(id.credentials.region),
};
