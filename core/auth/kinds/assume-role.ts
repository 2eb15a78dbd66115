import { str, type IdentityConfig } from '../auth-config';
import { AUTH_ERROR_CODES, authError } from '../auth-errors';
import { clientSettings, endpointFor, mapAwsError } from '../aws-sdk';
import { awsCredentials, type AwsCredentials, type OidcCredentials } from '../credentials';
import { parseDurationSeconds } from '../duration';
import { unsafeUnwrap } from '../../secret';
import type { StepContext } from '../step-context';
import { wrongBaseError, type IdentityKind } from './kind';

/**
 * `aws/assume-role`: STS AssumeRole from base AWS credentials, or AssumeRoleWithWebIdentity
 * (unsigned) when the base is an OIDC token (§1.3).
 */
export async function authenticateAssumeRole(identity: IdentityConfig, base: AwsCredentials | OidcCredentials, ctx: StepContext): Promise<AwsCredentials> {
  const p = identity.principal;
  const roleArn = str(p.assume_role);
  if (!roleArn) {
    throw authError(AUTH_ERROR_CODES.FIELD_MISSING, `principal is required: identity "${identity.name}" has no principal.assume_role`, ctx.where(`${identity.path}.principal`), `set ${identity.path}.principal.assume_role to the role ARN`);
  }
  const sessionName = str(p.session_name) !== undefined ? sanitizeSessionName(String(p.session_name)) : sanitizeSessionName(`atmos-${identity.name}-${Math.floor(ctx.now() / 1000)}`);
  const duration = p.duration !== undefined ? parseDurationSeconds(p.duration) : undefined;
  const index = ctx.chain.identities.indexOf(identity);
  const endpoint = endpointFor(ctx.chain, index, 'sts', ctx.env);
  const loginAs = ctx.chain.target.name;
  const { STSClient, AssumeRoleCommand, AssumeRoleWithWebIdentityCommand } = await import('@aws-sdk/client-sts');

  if (base.type === 'oidc') {
    const region = str(p.region) ?? 'us-east-1';
    const client = new STSClient(clientSettings(region, endpoint));
    try {
      const out = await client.send(
        new AssumeRoleWithWebIdentityCommand({ RoleArn: roleArn, RoleSessionName: sessionName, WebIdentityToken: unsafeUnwrap(base.token), ...(duration ? { DurationSeconds: duration } : {}) }),
      );
      return fromSts(out.Credentials, region, identity);
    } catch (e) {
      throw mapAwsError(e, 'sts:AssumeRoleWithWebIdentity', identity.name, ctx.where(identity.path), endpoint, loginAs);
    } finally {
      client.destroy();
    }
  }

  const region = str(p.region) ?? base.region ?? 'us-east-1';
  const client = new STSClient(clientSettings(region, endpoint, base));
  try {
    const out = await client.send(
      new AssumeRoleCommand({
        RoleArn: roleArn,
        RoleSessionName: sessionName,
        ...(str(p.external_id) ? { ExternalId: str(p.external_id) } : {}),
        ...(duration ? { DurationSeconds: duration } : {}),
      }),
    );
    return fromSts(out.Credentials, region, identity);
  } catch (e) {
    throw mapAwsError(e, 'sts:AssumeRole', identity.name, ctx.where(identity.path), endpoint, loginAs);
  } finally {
    client.destroy();
  }
}

function fromSts(c: { AccessKeyId?: string; SecretAccessKey?: string; SessionToken?: string; Expiration?: Date } | undefined, region: string, identity: IdentityConfig): AwsCredentials {
  if (!c?.AccessKeyId || !c.SecretAccessKey) throw new Error(`STS returned no credentials for identity "${identity.name}"`);
  return awsCredentials({ accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken, expiration: c.Expiration, region }, identity.name);
}

/**
 * Atmos's session-name sanitising: characters outside `[A-Za-z0-9+=,.@-]` become `-`, the result
 * is cut to 64 characters, trailing `-` are trimmed, and an empty result becomes `atmos-session`.
 */
export function sanitizeSessionName(name: string): string {
  const s = name.replace(/[^A-Za-z0-9+=,.@-]/g, '-').slice(0, 64).replace(/-+$/, '');
  return s === '' ? 'atmos-session' : s;
}

/** The `aws/assume-role` identity kind: from AWS credentials or an OIDC token. */
export const assumeRoleKind: IdentityKind = {
  kind: 'aws/assume-role',
  cloud: 'aws',
  validate(id, report) {
    const p = id.path;
    if (!str(id.principal.assume_role)) report.error(AUTH_ERROR_CODES.FIELD_MISSING, `${p}.principal`, `identity "${id.displayName}": principal.assume_role is required`, `set ${p}.principal.assume_role to the role ARN (arn:aws:iam::<account>:role/<name>)`);
    if (id.principal.duration !== undefined && parseDurationSeconds(id.principal.duration) === undefined) {
      report.error(AUTH_ERROR_CODES.CONFIG_INVALID, `${p}.principal.duration`, `identity "${id.displayName}": principal.duration is not a duration`, 'write seconds (3600), a Go duration (1h) or days (1d)');
    }
  },
  authenticate(id, base, ctx) {
    if (base?.type !== 'aws' && base?.type !== 'oidc') throw wrongBaseError(id, base, ctx);
    return authenticateAssumeRole(id, base, ctx);
  },
  roleHop(id, where) {
    const roleArn = str(id.principal.assume_role);
    if (!roleArn) {
      throw authError(AUTH_ERROR_CODES.FIELD_MISSING, `principal is required: identity "${id.name}" has no principal.assume_role`, where(`${id.path}.principal`), `set ${id.path}.principal.assume_role to the role ARN`);
    }
    const duration = id.principal.duration !== undefined ? parseDurationSeconds(id.principal.duration) : undefined;
    return {
      identity: id.name,
      roleArn,
      ...(str(id.principal.session_name) ? { sessionName: str(id.principal.session_name) } : {}),
      ...(str(id.principal.external_id) ? { externalId: str(id.principal.external_id) } : {}),
      ...(duration !== undefined ? { durationSeconds: duration } : {}),
    };
  },
};
