import { awsClientOptions, type AwsClientOptions } from '../aws/client-options';
import { StackError } from '../errors';
import type { YamlFunction } from '../yaml/yaml-function';
import type { AwsCredentialSource } from './workspace-auth';

/** Who the credentials of a component are, as STS says (Atmos `CallerIdentity`). */
interface CallerIdentity {
  readonly account: string;
  readonly arn: string;
  readonly userId: string;
  readonly region: string;
}

/**
 * The `!aws.*` YAML functions (Atmos internal/exec/yaml_func_aws.go) for one component:
 * `!aws.account_id`, `!aws.caller_identity_arn`, `!aws.caller_identity_user_id` and `!aws.region`
 * from one STS GetCallerIdentity, `!aws.organization_id` from Organizations
 * DescribeOrganization, both through the component's identity (its effective auth's default
 * identity, `--identity`/`ATMOS_IDENTITY`; the ambient AWS credentials when it has none or auth
 * is disabled). Each call is made once per component, however many functions use it. The
 * functions take no arguments, as in Atmos; with no region anywhere they fail (as the AWS SDK
 * does in Atmos) rather than guess one.
 */
export function awsYamlFunctions(source: () => Promise<AwsCredentialSource>): (fn: YamlFunction) => Promise<string> {
  let conn: Promise<AwsCredentialSource & { region: string }> | undefined;
  let caller: Promise<CallerIdentity> | undefined;
  let organization: Promise<string> | undefined;

  const connection = (fn: YamlFunction) =>
    (conn ??= source().then((s) => {
      const region = s.region ?? (s.env.AWS_REGION || s.env.AWS_DEFAULT_REGION || undefined);
      if (!region) {
        throw new StackError({
          code: 'YAML_FUNCTION_FAILED',
          message: `${fn.tag} needs an AWS region, and ${s.identity ? `identity "${s.identity}"` : 'the environment'} names none`,
          where: fn.source,
          fix: s.identity ? `set region on identity "${s.identity}" (or its provider) in atmos.yaml, or AWS_REGION` : 'set AWS_REGION (or AWS_DEFAULT_REGION), or give the component an identity with a region',
        });
      }
      return { ...s, region };
    }));

  const failure = (fn: YamlFunction, action: string, s: AwsCredentialSource, e: unknown) =>
    new StackError({
      code: 'YAML_FUNCTION_FAILED',
      message: `${fn.tag}: ${action} as ${s.identity ? `identity "${s.identity}"` : 'the ambient AWS credentials'} failed: ${e instanceof Error ? e.message : String(e)}`,
      where: fn.source,
      fix: s.identity ? `check that identity "${s.identity}" can log in (infrakey auth whoami --identity ${s.identity})` : 'check the ambient AWS credentials (aws sts get-caller-identity), or give the component an identity',
      cause: e,
    });

  /** One AWS call with the component's connection; the client is destroyed afterwards. */
  const call = async <C extends { destroy(): void }, T>(fn: YamlFunction, s: AwsCredentialSource & { region: string }, action: string, service: string, make: (o: AwsClientOptions<NonNullable<AwsCredentialSource['credentials']>>) => C, send: (client: C) => Promise<T>): Promise<T> => {
    const endpoint = s.endpoint ?? (s.env[`AWS_ENDPOINT_URL_${service}`] || s.env.AWS_ENDPOINT_URL || undefined);
    const client = make(awsClientOptions({ region: s.region, endpoint, credentials: s.credentials }));
    try {
      return await send(client);
    } catch (e) {
      throw failure(fn, action, s, e);
    } finally {
      client.destroy();
    }
  };

  const whoami = (fn: YamlFunction) =>
    (caller ??= connection(fn).then(async (s) => {
      const sts = await import('@aws-sdk/client-sts');
      const out = await call(fn, s, 'sts:GetCallerIdentity', 'STS', (o) => new sts.STSClient(o), (c) => c.send(new sts.GetCallerIdentityCommand({})));
      return { account: out.Account ?? '', arn: out.Arn ?? '', userId: out.UserId ?? '', region: s.region };
    }));

  const organizationId = (fn: YamlFunction) =>
    (organization ??= connection(fn).then(async (s) => {
      const orgs = await import('@aws-sdk/client-organizations');
      const out = await call(fn, s, 'organizations:DescribeOrganization', 'ORGANIZATIONS', (o) => new orgs.OrganizationsClient(o), (c) => c.send(new orgs.DescribeOrganizationCommand({})));
      const id = out.Organization?.Id;
      if (!id) throw failure(fn, 'organizations:DescribeOrganization', s, new Error('the account is not in an organization'));
      return id;
    }));

  return async (fn) => {
    if (fn.args.trim() !== '') {
      throw new StackError({
        code: 'YAML_FUNCTION_ARGS',
        message: `${fn.tag} takes no arguments, got "${fn.args}"`,
        where: fn.source,
        fix: `write \`${fn.tag}\` alone`,
      });
    }
    switch (fn.tag) {
      case '!aws.account_id':
        return (await whoami(fn)).account;
      case '!aws.caller_identity_arn':
        return (await whoami(fn)).arn;
      case '!aws.caller_identity_user_id':
        return (await whoami(fn)).userId;
      case '!aws.region':
        return (await whoami(fn)).region;
      case '!aws.organization_id':
        return organizationId(fn);
      default:
        throw new StackError({
          code: 'YAML_FUNCTION_UNSUPPORTED',
          message: `${fn.tag} is not an Atmos !aws function`,
          where: fn.source,
          fix: 'use !aws.account_id, !aws.caller_identity_arn, !aws.caller_identity_user_id, !aws.region or !aws.organization_id',
        });
    }
  };
}
