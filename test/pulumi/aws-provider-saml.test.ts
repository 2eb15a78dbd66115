/**
 * awsProvider with identities whose chains start at an aws/saml provider (FAKE ECP IdP, moto STS)
 * and end in aws/assume-role or aws/assume-root (FAKE STS AssumeRoot), under Pulumi's mock engine:
 * the provider reads the realm-scoped files under the SAML provider's folder; no key in its inputs.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { awsProvider, resetWorkspaces } from '../../pulumi/index';
import { FakeSamlIdp } from '../fakes/fake-saml-idp';
import { FakeStsAssumeRoot } from '../fakes/fake-sts-assume-root';
import { motoEndpoint } from '../support/services';
import { headlessEnv, makeProject, useMocks, type Registered, type TestProject } from './pulumi-project';

const PASSWORD = 'pulumi-Idp-Password-5';

describe('awsProvider through aws/saml and aws/assume-root (Pulumi mocks)', () => {
  let project: TestProject;
  let idp: FakeSamlIdp;
  let rootSts: FakeStsAssumeRoot;
  let registered: Registered[];
  const saved = { ...process.env };

  beforeAll(async () => {
    const moto = motoEndpoint();
    idp = new FakeSamlIdp({ username: 'dan', password: PASSWORD, roles: [['arn:aws:iam::123456789012:role/deploy', 'arn:aws:iam::123456789012:saml-provider/corp']], roleForm: 'repeated' });
    await idp.start();
    rootSts = new FakeStsAssumeRoot();
    const rootUrl = await rootSts.start();
    project = makeProject({
      endpoint: moto,
      extraConfig: `auth:
  realm: pulumi-saml
  providers:
    corp:
      kind: aws/saml
      url: "${idp.url}"
      region: us-east-1
      driver: ShibbolethECP
      username: dan
      password: "${PASSWORD}"
      spec: { endpoint_url: "${moto}" }
  identities:
    deploy:
      kind: aws/assume-role
      via: { provider: corp }
      principal: { assume_role: "arn:aws:iam::123456789012:role/deploy", region: eu-west-1 }
    root:
      kind: aws/assume-root
      via: { identity: deploy }
      principal: { target_principal: "210987654321", task_policy_arn: "arn:aws:iam::aws:policy/root-task/IAMAuditRootUserCredentials" }
      spec: { endpoint_url: "${rootUrl}" }
`,
    });
    writeFileSync(join(project.dir, 'idp.pem'), idp.cert);
    Object.assign(process.env, headlessEnv(project.dir, undefined), { NODE_EXTRA_CA_CERTS: join(project.dir, 'idp.pem') });
    for (const k of ['AWS_PROFILE', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN']) delete process.env[k];
    registered = await useMocks('api', 'dev');
    resetWorkspaces();
  }, 120_000);
  afterAll(async () => {
    process.env = saved;
    await idp.stop();
    await rootSts.stop();
    project.cleanup();
  });

  function inputs(name: string): Record<string, unknown> {
    const r = registered.find((x) => x.name === name);
    if (!r) throw new Error(`provider ${name} was not registered`);
    return r.raw;
  }

  it('a SAML chain and an assume-root on top of it: files under aws/corp, the identity\'s profile, no keys', async () => {
    const p = awsProvider('deploy', { cwd: project.dir, name: 'aws-saml' });
    await new Promise<void>((resolve) => p.urn.apply(() => resolve()));
    const r = awsProvider('root', { cwd: project.dir, name: 'aws-root' });
    await new Promise<void>((resolve) => r.urn.apply(() => resolve()));
    const dir = join(process.env.ATMOS_XDG_CONFIG_HOME as string, 'atmos', 'pulumi-saml', 'aws', 'corp');
    const saml = inputs('aws-saml');
    expect(JSON.parse(String(saml.sharedCredentialsFiles))).toEqual([join(dir, 'credentials')]);
    expect(saml.profile).toBe('deploy');
    expect(saml.region).toBe('eu-west-1');
    const root = inputs('aws-root');
    expect(JSON.parse(String(root.sharedConfigFiles))).toEqual([join(dir, 'config')]);
    expect(root.profile).toBe('root');
    const creds = readFileSync(join(dir, 'credentials'), 'utf8');
    expect(creds).toContain('[deploy]');
    expect(creds).toContain('[root]');
    const wire = JSON.stringify([saml, root]);
    for (const m of creds.matchAll(/^aws_(?:secret_access_key|session_token)\s*=\s*(\S+)/gm)) expect(wire).not.toContain(m[1]);
    expect(wire).not.toContain(PASSWORD);
    expect(rootSts.requests.filter((q) => q.params.Action === 'AssumeRoot')).toHaveLength(1);
  });
});
