import { str } from '../auth-config';
import { AUTH_ERROR_CODES, authError } from '../auth-errors';
import { clientSettings, endpointFor, mapAwsError } from '../aws-sdk';
import { awsCredentials, type AwsCredentials } from '../credentials';
import { parseDurationSeconds } from '../duration';
import type { StepContext } from '../step-context';
import { wrongBaseError, type IdentityKind } from './kind';
import type { IdentityConfig } from '../auth-config';

/**
 * `aws/assume-root` (Atmos `pkg/auth/identities/aws/assume_root.go`): STS AssumeRoot from the
 * base identity's AWS session (centralized root access of an AWS Organization), for one member
 * account (`principal.target_principal`, 12 digits) and one AWS-managed root task policy
 * (`principal.task_policy_arn`). The session lasts at most 900 s (a longer
 * `principal.duration` is cut to 900, an unparsable one is left out, as Atmos does).
 */

/** AWS's limit for AssumeRoot sessions. */
const MAX_ASSUME_ROOT_SECONDS = 900;
const TASK_POLICY_PREFIX = 'arn:aws:iam::aws:policy/root-task/';
/** The task policies AWS offers (named in messages; Atmos checks the prefix only). */
export const ROOT_TASK_POLICIES = [
  'IAMAuditRootUserCredentials',
  'IAMCreateRootUserPassword',
  'IAMDeleteRootUserCredentials',
  'S3UnlockBucketPolicy',
  'SQSUnlockQueuePolicy',
].map((n) => TASK_POLICY_PREFIX + n);

/** Problems of the principal, as [config path, code, message, fix]. */
function principalProblems(id: IdentityConfig): [string, string, string, string][] {
  const p = id.path;
  const out: [string, string, string, string][] = [];
  const target = str(id.principal.target_principal);
  if (!target) out.push([`${p}.principal`, AUTH_ERROR_CODES.FIELD_MISSING, `identity "${id.displayName}": missing 'target_principal' configuration`, `set ${p}.principal.target_principal to the 12-digit member account ID`]);
  else if (!/^\d{12}$/.test(target)) out.push([`${p}.principal.target_principal`, AUTH_ERROR_CODES.CONFIG_INVALID, `identity "${id.displayName}": invalid 'target_principal' format (must be a 12-digit AWS account ID)`, 'write the member account ID, 12 digits, quoted in YAML ("012345678901")']);
  const policy = str(id.principal.task_policy_arn);
  if (!policy) out.push([`${p}.principal`, AUTH_ERROR_CODES.FIELD_MISSING, `identity "${id.displayName}": missing 'task_policy_arn' configuration`, `set ${p}.principal.task_policy_arn to one of ${ROOT_TASK_POLICIES.join(', ')}`]);
  else if (!policy.startsWith(TASK_POLICY_PREFIX)) out.push([`${p}.principal.task_policy_arn`, AUTH_ERROR_CODES.CONFIG_INVALID, `identity "${id.displayName}": invalid 'task_policy_arn' (must be an AWS-managed root task policy)`, `use one of ${ROOT_TASK_POLICIES.join(', ')}`]);
  return out;
}

/** Atmos's `parseDurationSeconds` of assume-root: unset or unparsable -> omitted; above 900 -> 900. */
export function assumeRootDurationSeconds(id: IdentityConfig): number | undefined {
  const raw = id.principal.duration;
  if (raw === undefined || raw === '') return undefined;
  const s = parseDurationSeconds(raw);
  if (s === undefined) return undefined;
  return Math.min(s, MAX_ASSUME_ROOT_SECONDS);
}

async function authenticateAssumeRoot(id: IdentityConfig, base: AwsCredentials, ctx: StepContext): Promise<AwsCredentials> {
  const [problem] = principalProblems(id);
  if (problem) throw authError(problem[1], problem[2], ctx.where(problem[0]), problem[3]);
  const region = str(id.principal.region) ?? base.region ?? 'us-east-1';
  const index = ctx.chain.identities.indexOf(id);
  const endpoint = endpointFor(ctx.chain, index, 'sts', ctx.env);
  const duration = assumeRootDurationSeconds(id);
  const { STSClient, AssumeRootCommand } = await import('@aws-sdk/client-sts');
  const client = new STSClient(clientSettings(region, endpoint, base));
  try {
    const out = await client.send(new AssumeRootCommand({ TargetPrincipal: str(id.principal.target_principal), TaskPolicyArn: { arn: str(id.principal.task_policy_arn) }, ...(duration !== undefined ? { DurationSeconds: duration } : {}) }));
    const c = out.Credentials;
    if (!c?.AccessKeyId || !c.SecretAccessKey) throw new Error('STS returned empty credentials');
    return awsCredentials({ accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken, expiration: c.Expiration, region }, id.name);
  } catch (e) {
    throw mapAwsError(e, `sts:AssumeRoot on account ${str(id.principal.target_principal)}`, id.name, ctx.where(id.path), endpoint, ctx.chain.target.name);
  } finally {
    client.destroy();
  }
}

/** The `aws/assume-root` identity kind: from AWS credentials only. */
export const assumeRootKind: IdentityKind = {
  kind: 'aws/assume-root',
  cloud: 'aws',
  validate(id, report) {
    for (const [path, code, message, fix] of principalProblems(id)) report.error(code, path, message, fix);
  },
  authenticate(id, base, ctx) {
    if (base?.type !== 'aws') throw wrongBaseError(id, base, ctx);
    return authenticateAssumeRoot(id, base, ctx);
  },
};
