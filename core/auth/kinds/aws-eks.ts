import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import * as path from 'node:path';
import { isMap, str, type IntegrationConfig } from '../auth-config';
import { AUTH_ERROR_CODES, authError } from '../auth-errors';
import { clientSettings, endpointFor, mapAwsError } from '../aws-sdk';
import { cliInvocation } from '../credential-process';
import { toSdkCredentials, type AwsCredentials } from '../credentials';
import { updateSharedFile } from '../integration-file';
import { xdgConfigHome } from '../../config/xdg';
import { Secret } from '../../secret';
import type { IntegrationKind } from './kind';

/**
 * `aws/eks` (Atmos `pkg/auth/integrations/aws/eks.go`, `pkg/auth/cloud/aws/eks.go`,
 * `pkg/auth/cloud/kube/config.go`): EKS DescribeCluster with the identity's session, then a
 * kubeconfig at `spec.cluster.kubeconfig.path` (default `{XDG config}/atmos/kube/config`), mode
 * `kubeconfig.mode` (octal, default 0600), folder 0700, updated per `kubeconfig.update`:
 * `merge` (default: entries of the same name replaced, the rest kept, current-context set),
 * `replace` (the file becomes this cluster only) or `error` (refuse when the cluster or context
 * exists). The cluster is named by its ARN, the context by `alias` or the ARN, the user
 * `atmos-eks-<name>-<region>` with an `exec` of `infrakey aws eks token --cluster-name N --region R
 * --identity=I` (Atmos writes `atmos ...`): a token minted through the identity on every use, so
 * no token rests in the file. `KUBECONFIG` and `KUBE_CONFIG_PATH` join the identity's environment.
 */

const EXEC_API_VERSION = 'client.authentication.k8s.io/v1beta1';
/** Atmos's token lifetime (the presigned URL is valid 60 s; EKS accepts the token ~15 min). */
const TOKEN_LIFETIME_MS = 14 * 60 * 1000;
const PRESIGN_SECONDS = 60;
const UPDATE_MODES = ['merge', 'replace', 'error'] as const;

interface ClusterSpec {
  name?: string;
  region?: string;
  alias?: string;
  kubeconfig: { path?: string; mode?: string; update?: string };
}

function cluster(i: IntegrationConfig): ClusterSpec | undefined {
  if (!isMap(i.spec.cluster)) return undefined;
  const c = i.spec.cluster;
  const k = isMap(c.kubeconfig) ? c.kubeconfig : {};
  return { name: str(c.name), region: str(c.region), alias: str(c.alias), kubeconfig: { path: str(k.path), mode: str(k.mode), update: str(k.update) } };
}

function problems(i: IntegrationConfig): [string, string][] {
  const c = cluster(i);
  if (!c) return [[`${i.path}.spec`, `integration "${i.displayName}" has no cluster configured (spec.cluster is required for aws/eks)`]];
  const out: [string, string][] = [];
  if (!c.name) out.push([`${i.path}.spec.cluster`, `integration "${i.displayName}" has no cluster name configured`]);
  if (!c.region) out.push([`${i.path}.spec.cluster`, `integration "${i.displayName}" has no region configured`]);
  if (c.kubeconfig.mode !== undefined && !/^[0-7]{1,4}$/.test(c.kubeconfig.mode)) out.push([`${i.path}.spec.cluster.kubeconfig.mode`, `integration "${i.displayName}" has invalid kubeconfig mode "${c.kubeconfig.mode}"`]);
  if (c.kubeconfig.update !== undefined && !(UPDATE_MODES as readonly string[]).includes(c.kubeconfig.update)) {
    out.push([`${i.path}.spec.cluster.kubeconfig.update`, `integration "${i.displayName}" has invalid kubeconfig update mode "${c.kubeconfig.update}" (must be merge, replace, or error)`]);
  }
  return out;
}

/** The kubeconfig path of the integration: `kubeconfig.path` (`~` expanded), else `{XDG config}/atmos/kube/config`. */
export function kubeconfigPath(i: IntegrationConfig, env: NodeJS.ProcessEnv): string {
  const p = cluster(i)?.kubeconfig.path;
  if (!p) return path.join(xdgConfigHome(env), 'kube', 'config');
  return p.startsWith('~/') && env.HOME ? path.join(env.HOME, p.slice(2)) : path.resolve(p);
}

type Named = { name?: unknown } & Record<string, unknown>;

function named(list: unknown): Named[] {
  return Array.isArray(list) ? (list.filter((e) => isMap(e)) as Named[]) : [];
}

function upsert(list: Named[], entry: Named): Named[] {
  return [...list.filter((e) => e.name !== entry.name), entry];
}

/** The user name Atmos gives the exec user (`kube.UserName` with prefix `eks`). */
export function eksUserName(name: string, region: string): string {
  return `atmos-eks-${name}-${region}`;
}

/** ECR/EKS presigning needs SHA-256 and HMAC-SHA-256 in smithy's `Checksum` shape. */
class Sha256 {
  private h: Hash | Hmac;
  private readonly secret?: Buffer;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    if (secret !== undefined) this.secret = typeof secret === 'string' ? Buffer.from(secret) : ArrayBuffer.isView(secret) ? Buffer.from(secret.buffer, secret.byteOffset, secret.byteLength) : Buffer.from(secret);
    this.h = this.secret ? createHmac('sha256', this.secret) : createHash('sha256');
  }
  update(data: string | Uint8Array): void {
    this.h.update(data);
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.h.digest());
  }
  reset(): void {
    this.h = this.secret ? createHmac('sha256', this.secret) : createHash('sha256');
  }
}

/**
 * An EKS bearer token (aws-iam-authenticator's format, Atmos `GetToken`): `k8s-aws-v1.` + the
 * unpadded base64url of an STS GetCallerIdentity URL presigned for 60 s with the signed header
 * `x-k8s-aws-id: <cluster>`. The token is a Secret (registered for masking).
 */
export async function eksToken(credentials: AwsCredentials, clusterName: string, region: string, stsEndpoint: string | undefined, now = Date.now()): Promise<{ token: Secret<string>; expiresAt: Date }> {
  const { SignatureV4 } = await import('@smithy/signature-v4');
  const base = new URL(stsEndpoint ?? `https://sts.${region}.amazonaws.com`);
  const signer = new SignatureV4({ credentials: toSdkCredentials(credentials), region, service: 'sts', sha256: Sha256, uriEscapePath: true });
  const signed = await signer.presign(
    {
      method: 'GET',
      protocol: base.protocol,
      hostname: base.hostname,
      ...(base.port ? { port: Number(base.port) } : {}),
      path: base.pathname || '/',
      query: { Action: 'GetCallerIdentity', Version: '2011-06-15' },
      headers: { host: base.host, 'x-k8s-aws-id': clusterName },
    },
    { expiresIn: PRESIGN_SECONDS, signingDate: new Date(now) },
  );
  const url = new URL(`${base.protocol}//${base.host}${signed.path}`);
  for (const [k, v] of Object.entries(signed.query ?? {})) url.searchParams.set(k, Array.isArray(v) ? v.join(',') : String(v));
  const token = Secret.of(`k8s-aws-v1.${Buffer.from(url.toString()).toString('base64url')}`, `eks:${clusterName}:token`);
  return { token, expiresAt: new Date(now + TOKEN_LIFETIME_MS) };
}

export const awsEksIntegration: IntegrationKind = {
  kind: 'aws/eks',
  validate(i, report) {
    for (const [p, message] of problems(i)) report.error(AUTH_ERROR_CODES.INTEGRATION_FAILED, p, message, `set ${i.path}.spec.cluster: {name: NAME, region: REGION, kubeconfig: {path, mode: "0600", update: merge|replace|error}}`);
  },
  async execute(i, credentials, ctx) {
    const [problem] = problems(i);
    if (problem) throw authError(AUTH_ERROR_CODES.INTEGRATION_FAILED, problem[1], ctx.where(problem[0]), `fix ${i.path}.spec.cluster`);
    if (credentials.type !== 'aws') throw authError(AUTH_ERROR_CODES.INTEGRATION_FAILED, `integration "${i.name}" (aws/eks) needs AWS credentials, its identity gave ${credentials.type}`, ctx.where(`${i.path}.via`), 'link it to an AWS identity');
    const c = cluster(i)!;
    const name = c.name!;
    const region = c.region!;
    const endpoint = endpointFor(ctx.chain, ctx.chain.identities.length - 1, 'eks', ctx.env);
    const { EKSClient, DescribeClusterCommand } = await import('@aws-sdk/client-eks');
    const client = new EKSClient(clientSettings(region, endpoint, credentials));
    let info: { arn: string; endpoint: string; ca: string };
    try {
      const out = await client.send(new DescribeClusterCommand({ name }));
      if (!out.cluster?.arn || !out.cluster.endpoint) throw new Error(`cluster ${name} has no ARN or endpoint yet`);
      info = { arn: out.cluster.arn, endpoint: out.cluster.endpoint, ca: out.cluster.certificateAuthority?.data ?? '' };
    } catch (e) {
      throw mapAwsError(e, `eks:DescribeCluster ${name} for integration "${i.name}"`, ctx.chain.target.name, ctx.where(i.path), endpoint, ctx.chain.target.name);
    } finally {
      client.destroy();
    }
    const identity = i.via?.identity ?? ctx.chain.target.name;
    const contextName = c.alias ?? info.arn;
    const user = eksUserName(name, region);
    const cli = cliInvocation(ctx.configDir);
    const entries = {
      cluster: { name: info.arn, cluster: { 'certificate-authority-data': info.ca, server: info.endpoint } },
      context: { name: contextName, context: { cluster: info.arn, user } },
      user: {
        name: user,
        user: {
          exec: {
            apiVersion: EXEC_API_VERSION,
            command: cli.command,
            args: [...cli.args, 'aws', 'eks', 'token', '--cluster-name', name, '--region', region, `--identity=${identity}`],
            env: [{ name: 'ATMOS_IDENTITY', value: identity }],
            interactiveMode: 'Never',
            provideClusterInfo: false,
          },
        },
      },
    };
    const file = kubeconfigPath(i, ctx.env);
    const mode = Number.parseInt(c.kubeconfig.mode ?? '0600', 8);
    const update = c.kubeconfig.update ?? 'merge';
    const { parse, stringify } = await import('yaml');
    await updateSharedFile(file, mode, (current) => {
      let doc: Record<string, unknown> = {};
      if (current !== undefined && update !== 'replace') {
        const parsed = parse(current) as unknown;
        if (parsed !== null && parsed !== undefined && !isMap(parsed)) throw authError(AUTH_ERROR_CODES.INTEGRATION_FAILED, `the kubeconfig ${file} is not a map`, file, 'fix or remove the file');
        doc = (parsed as Record<string, unknown> | null) ?? {};
      }
      if (update === 'error') {
        if (named(doc.clusters).some((e) => e.name === info.arn)) throw authError(AUTH_ERROR_CODES.INTEGRATION_FAILED, `cluster ${info.arn} already exists in ${file}`, ctx.where(`${i.path}.spec.cluster.kubeconfig.update`), 'use update: merge, or remove the entry');
        if (named(doc.contexts).some((e) => e.name === contextName)) throw authError(AUTH_ERROR_CODES.INTEGRATION_FAILED, `context ${contextName} already exists in ${file}`, ctx.where(`${i.path}.spec.cluster.kubeconfig.update`), 'use update: merge, another alias, or remove the entry');
      }
      const next = {
        apiVersion: 'v1',
        kind: 'Config',
        preferences: {},
        ...doc,
        clusters: upsert(named(doc.clusters), entries.cluster),
        contexts: upsert(named(doc.contexts), entries.context),
        users: upsert(named(doc.users), entries.user),
        'current-context': contextName,
      };
      const text = stringify(next);
      return text === current ? undefined : text;
    }, 'aws/eks: the kubeconfig');
    // The mode is the configured one even when the content did not change (Atmos reconcileMode).
    const { chmod } = await import('node:fs/promises');
    await chmod(file, mode);
    return `EKS kubeconfig: ${contextName} → ${file}`;
  },
  async cleanup(i, ctx) {
    const c = cluster(i);
    if (!c?.name || !c.region) return false;
    const file = kubeconfigPath(i, ctx.env);
    const { parse, stringify } = await import('yaml');
    const user = eksUserName(c.name, c.region);
    return updateSharedFile(file, Number.parseInt(c.kubeconfig.mode ?? '0600', 8), (current) => {
      if (current === undefined) return undefined;
      const doc = (parse(current) as Record<string, unknown> | null) ?? {};
      const arn = named(doc.clusters).map((e) => String(e.name)).find((n) => n.endsWith(`cluster/${c.name}`));
      if (!arn) return undefined;
      const contextName = c.alias ?? arn;
      const clusters = named(doc.clusters).filter((e) => e.name !== arn);
      const contexts = named(doc.contexts).filter((e) => e.name !== contextName);
      const users = named(doc.users).filter((e) => e.name !== user);
      if (clusters.length + contexts.length + users.length === 0) return null;
      return stringify({ ...doc, clusters, contexts, users, 'current-context': doc['current-context'] === contextName ? '' : doc['current-context'] });
    }, 'aws/eks: the kubeconfig');
  },
  environment(i, env) {
    const file = kubeconfigPath(i, env);
    return { KUBECONFIG: file, KUBE_CONFIG_PATH: file };
  },
  targetKey(i) {
    const c = cluster(i);
    return `aws/eks:${c?.name ?? ''}:${c?.region ?? ''}`;
  },
};
