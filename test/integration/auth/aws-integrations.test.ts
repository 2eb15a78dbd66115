import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CreateClusterCommand, EKSClient } from '@aws-sdk/client-eks';
import { parse } from 'yaml';
import { AuthManager } from '../../../core/auth/auth-manager';
import { toSdkCredentials, type Credentials } from '../../../core/auth/credentials';
import { eksExecCredential } from '../../../core/auth/eks-token';
import { redactor } from '../../../core/secret';
import { awsRecorder, type AwsRecorder } from '../../support/aws-recorder';
import { motoEndpoint } from '../../support/services';
import { makeAuthTestEnv, type AuthTestEnv } from './auth-test-env';

/**
 * The aws/ecr and aws/eks integrations against moto (ECR GetAuthorizationToken, EKS
 * DescribeCluster, through a recording proxy that writes moto 5.1's EKS `createdAt` (ISO text) as
 * the epoch seconds the EKS API specifies: the JS SDK rejects the text), the files checked against what Atmos writes (Docker config `auths`, kubeconfig
 * as client-go writes it), and the EKS token checked by botocore's own SigV4 signer.
 */

const ACCESS = 'AKIAMOTOINTEGRATION1';
const SECRET = 'integrationSecretKeyForMoto0123456789ab';
const ACCOUNT = '111111111111';
const HOST = `${ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com`;

describe('aws/ecr and aws/eks integrations (moto)', () => {
  let t: AuthTestEnv;
  let moto: string;
  let notices: string[];
  let kube: string;
  let docker: string;
  let proxy: AwsRecorder;
  beforeAll(async () => {
    proxy = await awsRecorder(motoEndpoint(), {
      rewriteResponse: (path, body) => (path.startsWith('/clusters') ? body.replace(/"createdAt": ?"([^"]+)"/g, (_m, iso: string) => `"createdAt": ${Math.floor(Date.parse(iso.endsWith('Z') ? iso : `${iso}Z`) / 1000)}`) : body),
    });
  });
  afterAll(() => proxy.close());
  beforeEach(() => {
    moto = proxy.url;
    t = makeAuthTestEnv();
    notices = [];
    kube = join(t.root, 'kube', 'config');
    docker = join(t.root, 'docker');
    t.env.DOCKER_CONFIG = docker;
  });
  afterEach(() => t.cleanup());

  const config = (eks: Record<string, unknown> = {}, ecr: Record<string, unknown> = {}) => ({
    realm: 'integ',
    identities: {
      base: { kind: 'aws/user', credentials: { access_key_id: ACCESS, secret_access_key: SECRET, region: 'us-east-1' }, spec: { endpoint_url: moto } },
      ops: { kind: 'aws/assume-role', via: { identity: 'base' }, principal: { assume_role: `arn:aws:iam::${ACCOUNT}:role/ops` } },
    },
    integrations: {
      registry: { kind: 'aws/ecr', via: { identity: 'ops' }, spec: { registry: { account_id: ACCOUNT, region: 'us-east-1' }, ...ecr } },
      prod: { kind: 'aws/eks', via: { identity: 'ops' }, spec: { cluster: { name: 'prod', region: 'us-east-1', alias: 'prod-ctx', kubeconfig: { path: kube, mode: '0640', ...eks } } } },
    },
  });
  const manager = (cfg: Record<string, unknown>) => new AuthManager(cfg, { env: t.env, configDir: '/repo', interaction: { interactive: false, notify: (s) => notices.push(s) } });

  async function createCluster(creds: Credentials, name = 'prod'): Promise<void> {
    if (creds.type !== 'aws') throw new Error('aws creds expected');
    const eks = new EKSClient({ region: 'us-east-1', endpoint: moto, credentials: toSdkCredentials(creds) });
    try {
      await eks.send(new CreateClusterCommand({ name, roleArn: `arn:aws:iam::${ACCOUNT}:role/eks`, resourcesVpcConfig: { subnetIds: [] } }));
    } catch (e) {
      if ((e as { name?: string }).name !== 'ResourceInUseException') throw e;
    } finally {
      eks.destroy();
    }
  }

  test('login provisions the registry login and the kubeconfig as Atmos writes them', async () => {
    mkdirSync(docker, { recursive: true, mode: 0o700 });
    writeFileSync(join(docker, 'config.json'), JSON.stringify({ credsStore: 'desktop', auths: { 'ghcr.io': { auth: 'eA==' } } }), { mode: 0o600 });
    const m = manager(config());
    const first = await m.authenticate('ops', { integrations: false });
    await createCluster(first.credentials);
    await m.authenticate('ops', { force: true });
    expect(notices).toEqual([expect.stringMatching(new RegExp(`^✓ ECR login: ${HOST.replace(/\./g, '\\.')}`)), expect.stringContaining(`✓ EKS kubeconfig: prod-ctx → ${kube}`)]);

    // Docker config: auths[registry].auth = base64("AWS:<token>"); moto's token names the caller's account.
    const dc = JSON.parse(readFileSync(join(docker, 'config.json'), 'utf8')) as { auths: Record<string, { auth: string }>; credsStore?: string };
    expect(Buffer.from(dc.auths[HOST].auth, 'base64').toString()).toBe(`AWS:${ACCOUNT}-auth-token`);
    expect(dc.auths['ghcr.io']).toEqual({ auth: 'eA==' }); // other registries kept
    expect(dc.credsStore).toBe('desktop'); // other keys kept (Atmos drops them)
    expect(statSync(join(docker, 'config.json')).mode & 0o777).toBe(0o600);
    expect(redactor.contains(`${ACCOUNT}-auth-token`)).toBe(true);

    // kubeconfig: clientcmd's shape, mode from the spec.
    const kc = parse(readFileSync(kube, 'utf8'));
    const arn = `arn:aws:eks:us-east-1:${ACCOUNT}:cluster/prod`;
    expect(kc).toMatchObject({ apiVersion: 'v1', kind: 'Config', 'current-context': 'prod-ctx' });
    expect(kc.clusters).toEqual([{ name: arn, cluster: { server: expect.stringMatching(/^https:\/\//), 'certificate-authority-data': expect.any(String) } }]);
    expect(kc.contexts).toEqual([{ name: 'prod-ctx', context: { cluster: arn, user: 'atmos-eks-prod-us-east-1' } }]);
    expect(kc.users[0].name).toBe('atmos-eks-prod-us-east-1');
    const exec = kc.users[0].user.exec;
    expect(exec).toMatchObject({ apiVersion: 'client.authentication.k8s.io/v1beta1', interactiveMode: 'Never', env: [{ name: 'ATMOS_IDENTITY', value: 'ops' }] });
    expect(exec.args.slice(-8)).toEqual(['--config', '/repo', 'aws', 'eks', 'token', '--cluster-name', 'prod', '--region', 'us-east-1', '--identity=ops'].slice(-8));
    expect(exec.args).toContain('/repo');
    expect(statSync(kube).mode & 0o777).toBe(0o640);
    expect(statSync(join(t.root, 'kube')).mode & 0o777).toBe(0o700);

    // The identity's environment points tools at both files.
    expect(m.environment('ops')).toMatchObject({ DOCKER_CONFIG: docker, KUBECONFIG: kube, KUBE_CONFIG_PATH: kube });
    expect(m.childEnvironment('ops', t.env)).toMatchObject({ KUBECONFIG: kube, AWS_PROFILE: 'ops' });

    // The AWS CLI's own reader accepts the kubeconfig's YAML as written (it is plain YAML 1.1).
    execFileSync('/usr/bin/python3', ['-c', 'import sys,yaml; d=yaml.safe_load(open(sys.argv[1])); assert d["users"][0]["user"]["exec"]["apiVersion"]', kube]);

    // Logout removes both (and only what it added).
    await m.logout({ identity: 'ops' });
    const after = JSON.parse(readFileSync(join(docker, 'config.json'), 'utf8')) as { auths: Record<string, unknown> };
    expect(Object.keys(after.auths)).toEqual(['ghcr.io']);
    expect(() => statSync(kube)).toThrow();
  });

  test('update: merge keeps other clusters; error refuses an existing context (a warning, not a failed login); replace keeps only this one', async () => {
    mkdirSync(join(t.root, 'kube'), { recursive: true, mode: 0o700 });
    const other = { apiVersion: 'v1', kind: 'Config', clusters: [{ name: 'kind-dev', cluster: { server: 'https://127.0.0.1:6443' } }], contexts: [{ name: 'prod-ctx', context: { cluster: 'kind-dev', user: 'dev' } }], users: [{ name: 'dev', user: { token: 'x' } }], 'current-context': 'prod-ctx' };
    const { stringify } = await import('yaml');
    writeFileSync(kube, stringify(other), { mode: 0o600 });
    const m1 = manager(config({ update: 'error' }));
    await createCluster((await m1.authenticate('ops', { integrations: false })).credentials);
    await m1.authenticate('ops', { force: true });
    expect(notices).toContainEqual(expect.stringMatching(/^warning: integration "prod" failed \[AUTH_INTEGRATION_FAILED\]: auth.integrations.prod.spec.cluster.kubeconfig.update: context prod-ctx already exists/));
    expect(parse(readFileSync(kube, 'utf8'))).toEqual(other);

    const m2 = manager(config({ update: 'merge' }));
    await m2.authenticate('ops', { force: true });
    const merged = parse(readFileSync(kube, 'utf8'));
    expect(merged.clusters.map((c: { name: string }) => c.name)).toEqual(['kind-dev', `arn:aws:eks:us-east-1:${ACCOUNT}:cluster/prod`]);
    expect(merged.users.map((c: { name: string }) => c.name)).toEqual(['dev', 'atmos-eks-prod-us-east-1']);

    const m3 = manager(config({ update: 'replace' }));
    await m3.authenticate('ops', { force: true });
    const replaced = parse(readFileSync(kube, 'utf8'));
    expect(replaced.clusters.map((c: { name: string }) => c.name)).toEqual([`arn:aws:eks:us-east-1:${ACCOUNT}:cluster/prod`]);
  });

  test('auto_provision: false writes nothing at login; validate knows the specs', async () => {
    const m = manager(config({}, { auto_provision: false }));
    const cfg = config();
    (cfg.integrations.prod.spec as Record<string, unknown>).auto_provision = false;
    const m2 = manager({ ...cfg, integrations: { ...cfg.integrations, registry: config({}, { auto_provision: false }).integrations.registry } });
    await m2.authenticate('ops');
    expect(notices).toEqual([]);
    expect(() => statSync(join(docker, 'config.json'))).toThrow();
    expect(() => statSync(kube)).toThrow();
    // Still in the environment (Atmos composes every linked integration's variables).
    expect(m.environment('ops').DOCKER_CONFIG).toBe(docker);
    // Two clusters: KUBECONFIG and KUBE_CONFIG_PATH list both paths once, joined with ':'.
    const two = config();
    const second = join(t.root, 'kube', 'staging');
    const m3 = manager({ ...two, integrations: { ...two.integrations, staging: { kind: 'aws/eks', via: { identity: 'ops' }, spec: { cluster: { name: 'staging', region: 'us-east-1', kubeconfig: { path: second } } } }, again: { kind: 'aws/eks', via: { identity: 'ops' }, spec: { cluster: { name: 'qa', region: 'us-east-1', kubeconfig: { path: kube } } } } } });
    expect(m3.environment('ops')).toMatchObject({ KUBECONFIG: `${kube}:${second}`, KUBE_CONFIG_PATH: `${kube}:${second}` });

    const bad = manager({
      ...config(),
      integrations: {
        a: { kind: 'aws/ecr', via: { identity: 'ops' }, spec: {} },
        b: { kind: 'aws/eks', via: { identity: 'nobody' }, spec: { cluster: { name: 'x', region: 'us-east-1', kubeconfig: { mode: '0x1', update: 'sometimes' } } } },
        c: { kind: 'azure/aks', via: { identity: 'ops' } },
        d: { kind: 'aws/nothing', via: { identity: 'ops' } },
      },
    });
    const v = bad.validate();
    expect(v.errors.map((e) => `${e.code} ${e.message}`)).toEqual([
      expect.stringContaining('AUTH_INTEGRATION_FAILED auth.integrations.a.spec: integration "a" has no registry configured (spec.registry is required for aws/ecr)'),
      expect.stringContaining('AUTH_VIA_UNKNOWN auth.integrations.b.via.identity: integration "b": referenced identity "nobody" does not exist'),
      expect.stringContaining('AUTH_INTEGRATION_FAILED auth.integrations.b.spec.cluster.kubeconfig.mode: integration "b" has invalid kubeconfig mode "0x1"'),
      expect.stringContaining('integration "b" has invalid kubeconfig update mode "sometimes" (must be merge, replace, or error)'),
      expect.stringContaining('AUTH_INTEGRATION_KIND_UNSUPPORTED auth.integrations.d.kind: integration "d": unknown integration kind aws/nothing'),
    ]);
    expect(v.warnings.map((w) => w.code)).toEqual(['AUTH_INTEGRATION_KIND_UNSUPPORTED']);
  });

  test('the kubeconfig exec command gives an EKS token that botocore\'s SigV4 signer agrees with', async () => {
    const m = manager(config());
    const r = await m.authenticate('ops', { integrations: false });
    if (r.credentials.type !== 'aws') throw new Error('aws expected');
    const json = JSON.parse(await eksExecCredential(m, 'ops', 'prod', 'us-east-1'));
    expect(json).toMatchObject({ kind: 'ExecCredential', apiVersion: 'client.authentication.k8s.io/v1beta1', status: { expirationTimestamp: expect.stringMatching(/Z$/) } });
    const token: string = json.status.token;
    expect(token.startsWith('k8s-aws-v1.')).toBe(true);
    expect(redactor.contains(token)).toBe(true);
    const url = new URL(Buffer.from(token.slice('k8s-aws-v1.'.length), 'base64url').toString());
    expect(url.searchParams.get('Action')).toBe('GetCallerIdentity');
    expect(url.searchParams.get('X-Amz-Expires')).toBe('60');
    expect(url.searchParams.get('X-Amz-SignedHeaders')).toBe('host;x-k8s-aws-id');
    const c = toSdkCredentials(r.credentials);
    expect(url.searchParams.get('X-Amz-Credential')).toMatch(new RegExp(`^${c.accessKeyId}/\\d{8}/us-east-1/sts/aws4_request$`));
    // botocore signs the same request at the same instant: the signatures must be equal.
    const py = `
import sys, datetime, urllib.parse
import botocore.auth, botocore.credentials
from botocore.awsrequest import AWSRequest
url, key, secret, token, cluster = sys.argv[1:6]
u = urllib.parse.urlsplit(url)
q = urllib.parse.parse_qs(u.query)
when = datetime.datetime.strptime(q['X-Amz-Date'][0], '%Y%m%dT%H%M%SZ')
class Fixed(datetime.datetime):
    @classmethod
    def utcnow(cls): return when
    @classmethod
    def now(cls, tz=None): return when.replace(tzinfo=tz) if tz else when
botocore.auth.datetime.datetime = Fixed
base = f"{u.scheme}://{u.netloc}{u.path}?Action=GetCallerIdentity&Version=2011-06-15"
req = AWSRequest(method='GET', url=base, headers={'x-k8s-aws-id': cluster})
botocore.auth.SigV4QueryAuth(botocore.credentials.Credentials(key, secret, token), 'sts', 'us-east-1', expires=60).add_auth(req)
print(urllib.parse.parse_qs(urllib.parse.urlsplit(req.url).query)['X-Amz-Signature'][0])
`;
    const expected = execFileSync('/usr/bin/python3', ['-c', py, url.toString(), c.accessKeyId, c.secretAccessKey, c.sessionToken ?? '', 'prod'], { encoding: 'utf8' }).trim();
    expect(url.searchParams.get('X-Amz-Signature')).toBe(expected);
  });
});
