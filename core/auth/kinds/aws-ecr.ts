import * as path from 'node:path';
import { isMap, str, type IntegrationConfig } from '../auth-config';
import { AUTH_ERROR_CODES, authError } from '../auth-errors';
import { clientSettings, endpointFor, mapAwsError } from '../aws-sdk';
import { updateSharedFile } from '../integration-file';
import { homeDir } from '../../config/xdg';
import { Secret, unsafeUnwrap } from '../../secret';
import type { IntegrationKind } from './kind';

/**
 * `aws/ecr` (Atmos `pkg/auth/integrations/aws/ecr.go`, `pkg/auth/cloud/docker/config.go`): ECR
 * GetAuthorizationToken with the identity's session, written as `docker login` does into the
 * Docker config: `$DOCKER_CONFIG/config.json` (else `~/.docker/config.json`), file 0600, folder
 * 0700, `auths["<account>.dkr.ecr.<region>.amazonaws.com"] = {"auth": base64("AWS:<token>")}`.
 * Unlike Atmos, which rewrites the file with `auths` only, the file's other keys (`credsStore`,
 * `credHelpers`, `proxies`, ...) are kept. `DOCKER_CONFIG` joins the identity's environment.
 */

function registry(i: IntegrationConfig): { accountId?: string; region?: string } {
  const r = isMap(i.spec.registry) ? i.spec.registry : {};
  return { accountId: str(r.account_id), region: str(r.region) };
}

/** The Docker config folder Atmos uses: `DOCKER_CONFIG`, else `~/.docker`. */
export function dockerConfigDir(env: NodeJS.ProcessEnv): string {
  return str(env.DOCKER_CONFIG) ?? path.join(homeDir(env), '.docker');
}

/** `<account>.dkr.ecr.<region>.amazonaws.com` (Atmos `BuildRegistryURL`). */
export function ecrRegistryHost(accountId: string, region: string): string {
  return `${accountId}.dkr.ecr.${region}.amazonaws.com`;
}

function problems(i: IntegrationConfig): [string, string][] {
  const { accountId, region } = registry(i);
  const out: [string, string][] = [];
  if (!isMap(i.spec.registry)) out.push([`${i.path}.spec`, `integration "${i.displayName}" has no registry configured (spec.registry is required for aws/ecr)`]);
  else {
    if (!accountId) out.push([`${i.path}.spec.registry`, `integration "${i.displayName}" has no account_id configured`]);
    else if (!/^\d{12}$/.test(accountId)) out.push([`${i.path}.spec.registry.account_id`, `integration "${i.displayName}": account_id must be a 12-digit AWS account ID`]);
    if (!region) out.push([`${i.path}.spec.registry`, `integration "${i.displayName}" has no region configured`]);
    else if (!/^[a-z0-9-]+$/.test(region)) out.push([`${i.path}.spec.registry.region`, `integration "${i.displayName}": region is not an AWS region name`]);
  }
  return out;
}

function parseConfig(text: string | undefined, file: string): Record<string, unknown> {
  if (text === undefined || text.trim() === '') return {};
  try {
    const v = JSON.parse(text) as unknown;
    if (isMap(v)) return v;
  } catch {
    // reported below
  }
  throw authError(AUTH_ERROR_CODES.INTEGRATION_FAILED, `the Docker config ${file} is not a JSON object`, file, 'fix or remove the file (docker login rewrites it)');
}

export const awsEcrIntegration: IntegrationKind = {
  kind: 'aws/ecr',
  validate(i, report) {
    for (const [p, message] of problems(i)) report.error(AUTH_ERROR_CODES.INTEGRATION_FAILED, p, message, `set ${i.path}.spec.registry: {account_id: "123456789012", region: us-east-1}`);
  },
  async execute(i, credentials, ctx) {
    const [problem] = problems(i);
    if (problem) throw authError(AUTH_ERROR_CODES.INTEGRATION_FAILED, problem[1], ctx.where(problem[0]), `set ${i.path}.spec.registry.account_id and .region`);
    if (credentials.type !== 'aws') throw authError(AUTH_ERROR_CODES.INTEGRATION_FAILED, `integration "${i.name}" (aws/ecr) needs AWS credentials, its identity gave ${credentials.type}`, ctx.where(`${i.path}.via`), 'link it to an AWS identity');
    const { accountId, region } = registry(i) as { accountId: string; region: string };
    const endpoint = endpointFor(ctx.chain, ctx.chain.identities.length - 1, 'ecr', ctx.env);
    const { ECRClient, GetAuthorizationTokenCommand } = await import('@aws-sdk/client-ecr');
    const client = new ECRClient(clientSettings(region, endpoint, credentials));
    let username: string;
    let password: Secret<string>;
    let expiresAt: Date | undefined;
    try {
      const out = await client.send(new GetAuthorizationTokenCommand({}));
      const data = out.authorizationData?.[0];
      if (!data?.authorizationToken) throw new Error('no authorization data returned');
      const token = Secret.of(data.authorizationToken, `ecr:${i.name}:token`);
      const decoded = Buffer.from(unsafeUnwrap(token), 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon <= 0) throw new Error('invalid token format');
      username = decoded.slice(0, colon);
      password = Secret.of(decoded.slice(colon + 1), `ecr:${i.name}:password`);
      expiresAt = data.expiresAt;
    } catch (e) {
      throw mapAwsError(e, `ecr:GetAuthorizationToken for integration "${i.name}"`, ctx.chain.target.name, ctx.where(i.path), endpoint, ctx.chain.target.name);
    } finally {
      client.destroy();
    }
    const host = ecrRegistryHost(accountId, region);
    const file = path.join(dockerConfigDir(ctx.env), 'config.json');
    const auth = Secret.of(Buffer.from(`${username}:${unsafeUnwrap(password)}`).toString('base64'), `ecr:${i.name}:auth`);
    await updateSharedFile(file, 0o600, (current) => {
      const config = parseConfig(current, file);
      const auths = isMap(config.auths) ? config.auths : {};
      return JSON.stringify({ ...config, auths: { ...auths, [host]: { auth: unsafeUnwrap(auth) } } }, null, 2);
    }, 'aws/ecr: the Docker config');
    const left = expiresAt ? Math.max(0, Math.round((expiresAt.getTime() - ctx.now()) / 60000)) : undefined;
    return `ECR login: ${host}${left !== undefined ? ` (expires in ${Math.floor(left / 60)}h${left % 60}m)` : ''}`;
  },
  async cleanup(i, ctx) {
    const { accountId, region } = registry(i);
    if (!accountId || !region) return false;
    const host = ecrRegistryHost(accountId, region);
    const file = path.join(dockerConfigDir(ctx.env), 'config.json');
    return updateSharedFile(file, 0o600, (current) => {
      if (current === undefined) return undefined;
      const config = parseConfig(current, file);
      if (!isMap(config.auths) || !(host in config.auths)) return undefined;
      const { [host]: _removed, ...auths } = config.auths;
      return JSON.stringify({ ...config, auths }, null, 2);
    }, 'aws/ecr: the Docker config');
  },
  environment: (_i, env) => ({ DOCKER_CONFIG: dockerConfigDir(env) }),
  targetKey(i) {
    const { accountId, region } = registry(i);
    return `aws/ecr:${accountId ?? ''}:${region ?? ''}`;
  },
};
