import { join } from 'node:path';
import { Workspace } from '../../core/workspace';
import { awsRecorder, type AwsRecorder } from '../support/aws-recorder';
import { motoEndpoint } from '../support/services';
import { atmosYaml, writeProject } from '../unit/stacks/project';

// The !aws.* YAML functions through the component's identity, against moto behind a recording
// proxy: the values STS and Organizations give, one GetCallerIdentity per component however many
// functions use it, the ambient credentials without auth, and the errors Atmos also gives.

const STACK = [
  'components:',
  '  terraform:',
  '    app:',
  '      vars:',
  '        account: !aws.account_id',
  '        arn: !aws.caller_identity_arn',
  '        user_id: !aws.caller_identity_user_id',
  '        region: !aws.region',
  '        org: !aws.organization_id',
  '        again: !aws.account_id',
  '',
].join('\n');

describe('!aws.* YAML functions (moto)', () => {
  let proxy: AwsRecorder;
  let orgId: string;
  const ambient = { AWS_ACCESS_KEY_ID: 'AKIAAWSFNTEST0000001', AWS_SECRET_ACCESS_KEY: 'awsFnTestSecret', AWS_REGION: 'eu-west-1' };
  beforeAll(async () => {
    proxy = await awsRecorder(motoEndpoint());
    // moto keeps one organization per account; create it unless an earlier run did.
    const orgs = await import('@aws-sdk/client-organizations');
    const client = new orgs.OrganizationsClient({ region: 'us-east-1', endpoint: motoEndpoint(), credentials: { accessKeyId: ambient.AWS_ACCESS_KEY_ID, secretAccessKey: ambient.AWS_SECRET_ACCESS_KEY } });
    try {
      await client.send(new orgs.CreateOrganizationCommand({ FeatureSet: 'ALL' }));
    } catch (e) {
      if ((e as { name?: string }).name !== 'AlreadyInOrganizationException') throw e;
    }
    orgId = (await client.send(new orgs.DescribeOrganizationCommand({}))).Organization?.Id ?? '';
    client.destroy();
    expect(orgId).toMatch(/^o-/);
  });
  afterAll(() => proxy.close());

  it("through the component's identity: STS and Organizations values, one GetCallerIdentity per component", async () => {
    const root = writeProject({
      'atmos.yaml': `${atmosYaml()}auth:
  realm: awsfn
  identities:
    dev:
      kind: aws/user
      default: true
      credentials: { access_key_id: AKIAAWSFNTEST0000002, secret_access_key: awsFnTestSecret2, region: us-west-2 }
      spec: { endpoint_url: "${proxy.url}" }
`,
      'stacks/dev.yaml': STACK,
    });
    const env = { HOME: root, ATMOS_XDG_CONFIG_HOME: join(root, 'xdg'), ATMOS_KEYRING_TYPE: 'memory' };
    const ws = await Workspace.load({ cwd: root, env });
    proxy.calls.length = 0;
    const vars = (await ws.describeComponent('app', 'dev')).vars as Record<string, string>;
    expect(vars.account).toMatch(/^\d{12}$/);
    expect(vars.again).toBe(vars.account);
    expect(vars.arn).toMatch(new RegExp(`^arn:aws:(iam|sts)::${vars.account}:`));
    expect(vars.user_id).not.toBe('');
    expect(vars.region).toBe('us-west-2');
    expect(vars.org).toBe(orgId);
    expect(proxy.calls.filter((c) => c.action === 'GetCallerIdentity')).toHaveLength(1);
    expect(proxy.calls.filter((c) => c.action === 'DescribeOrganization')).toHaveLength(1);
  });

  it('without auth: the ambient credentials and region; with no region anywhere: an error naming the fix', async () => {
    // The AWS SDK's default chain reads the process environment.
    const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
    process.env.AWS_ACCESS_KEY_ID = ambient.AWS_ACCESS_KEY_ID;
    process.env.AWS_SECRET_ACCESS_KEY = ambient.AWS_SECRET_ACCESS_KEY;
    try {
      await ambientCase();
    } finally {
      for (const [k, v] of [['AWS_ACCESS_KEY_ID', saved.id], ['AWS_SECRET_ACCESS_KEY', saved.secret]] as const) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  });

  async function ambientCase(): Promise<void> {
    const root = writeProject({ 'atmos.yaml': atmosYaml(), 'stacks/dev.yaml': STACK });
    const ws = await Workspace.load({ cwd: root, env: { ...ambient, AWS_ENDPOINT_URL: proxy.url } });
    const vars = (await ws.describeComponent('app', 'dev')).vars as Record<string, string>;
    expect(vars.region).toBe('eu-west-1');
    expect(vars.account).toMatch(/^\d{12}$/);
    const noRegion = await Workspace.load({ cwd: root, env: { AWS_ACCESS_KEY_ID: ambient.AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY: ambient.AWS_SECRET_ACCESS_KEY, AWS_ENDPOINT_URL: proxy.url } });
    await expect(noRegion.describeComponent('app', 'dev')).rejects.toMatchObject({ code: 'YAML_FUNCTION_FAILED', message: expect.stringContaining('needs an AWS region'), where: expect.stringMatching(/stacks\/dev\.yaml:5/) });
  }

  it('arguments are refused, as in Atmos', async () => {
    const root = writeProject({ 'atmos.yaml': atmosYaml(), 'stacks/dev.yaml': 'components: { terraform: { app: { vars: { a: !aws.account_id extra } } } }\n' });
    const ws = await Workspace.load({ cwd: root, env: { ...ambient, AWS_ENDPOINT_URL: proxy.url } });
    await expect(ws.describeComponent('app', 'dev')).rejects.toMatchObject({ code: 'YAML_FUNCTION_ARGS', message: expect.stringContaining('!aws.account_id takes no arguments, got "extra"') });
  });
});
