/**
 * gcpProvider under Pulumi's mock engine, authenticating for real against the named fake of
 * Google STS / IAM Credentials (test/fakes/fake-gcp.ts): WIF (token from a variable) →
 * gcp/service-account. The default mode puts no token in the provider inputs (the plugin reads
 * GOOGLE_OAUTH_ACCESS_TOKEN from the `infrakey auth exec` environment); `secret-input` sends it
 * only inside a secret envelope.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as pulumi from '@pulumi/pulumi';
import { gcpProvider, resetWorkspaces } from '../../pulumi/index';
import { Workspace } from '../../core/index';
import { FakeGcp, fakeOidcJwt } from '../fakes/fake-gcp';
import { runProgram, useMocks, type Registered } from './pulumi-project';

const AUDIENCE = '//iam.googleapis.com/projects/42/locations/global/workloadIdentityPools/pool/providers/gh';
const SA = 'pulumi@gcp-proj.iam.gserviceaccount.com';
const SECRET_SIG = '1b47061264138c4ac30d75fd1eb44270';

describe('gcpProvider (Pulumi mocks, fake Google STS / IAM Credentials)', () => {
  let dir: string;
  let gcp: FakeGcp;
  let registered: Registered[];
  const saved = { ...process.env };

  beforeAll(async () => {
    gcp = new FakeGcp();
    gcp.audience = AUDIENCE;
    await gcp.start();
    const jwt = fakeOidcJwt('pulumi-ci');
    gcp.allow(SA, 'principal://iam.googleapis.com/projects/42/locations/global/workloadIdentityPools/pool/subject/pulumi-ci');
    dir = mkdtempSync(join(tmpdir(), 'ik-pulumi-gcp-'));
    writeFileSync(join(dir, 'atmos.yaml'), `auth:
  realm: pulumi-gcp
  providers:
    wif:
      kind: gcp/workload-identity-federation
      spec: { project_number: "42", workload_identity_pool_id: pool, workload_identity_provider_id: gh, token_source: { type: environment, environment_variable: CI_OIDC } }
  identities:
    deployer:
      kind: gcp/service-account
      via: { provider: wif }
      principal: { service_account_email: ${SA} }
    sandbox:
      kind: gcp/project
      principal: { project_id: sandbox-proj, region: europe-west4, zone: europe-west4-a }
`);
    Object.assign(process.env, gcp.env(), { CI_OIDC: jwt, ATMOS_XDG_CONFIG_HOME: join(dir, 'xdg'), HOME: join(dir, 'home'), CI: 'true' });
    for (const k of ['CLOUDSDK_CONFIG', 'GOOGLE_OAUTH_ACCESS_TOKEN', 'GOOGLE_APPLICATION_CREDENTIALS']) delete process.env[k];
    registered = await useMocks('infra', 'dev');
    resetWorkspaces();
  });
  afterAll(async () => {
    process.env = saved;
    await gcp.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const inputsOf = async (p: pulumi.Resource, name: string) => {
    await new Promise<void>((resolve) => p.urn.apply(() => resolve()));
    const r = registered.find((x) => x.name === name);
    if (!r) throw new Error(`provider ${name} was not registered`);
    expect(r.type).toBe('pulumi:providers:gcp');
    return r.raw;
  };

  it('under `infrakey auth exec`: project from the identity, no token in the inputs', async () => {
    // What `infrakey auth exec -i deployer -- pulumi up` gives the program (and so the plugin).
    const ws = await Workspace.load({ cwd: dir });
    await ws.identity('deployer').login();
    const child = ws.identity('deployer').childEnv(process.env);
    Object.assign(process.env, { CLOUDSDK_CONFIG: child.CLOUDSDK_CONFIG, GOOGLE_OAUTH_ACCESS_TOKEN: child.GOOGLE_OAUTH_ACCESS_TOKEN });
    try {
      const inputs = await inputsOf(gcpProvider('deployer', { cwd: dir, name: 'gcp-env' }), 'gcp-env');
      expect(inputs.project).toBe('gcp-proj');
      for (const k of ['accessToken', 'credentials', 'impersonateServiceAccount']) expect(inputs[k]).toBeUndefined();
      const wire = JSON.stringify(inputs);
      expect(gcp.issued.size).toBeGreaterThanOrEqual(2);
      for (const token of gcp.issued.keys()) expect(wire).not.toContain(token);
    } finally {
      delete process.env.CLOUDSDK_CONFIG;
      delete process.env.GOOGLE_OAUTH_ACCESS_TOKEN;
    }
  });

  it('outside `auth exec` the program fails with AUTH_GCP_ENV_MISSING instead of running as someone else', () => {
    // Its own process (the language host reports the rejection), with this file's environment
    // minus what `auth exec` would add.
    const file = join(dir, 'no-env.ts');
    writeFileSync(file, `import { gcpProvider } from 'infrakey/pulumi';\nexport const urn = gcpProvider('deployer').urn;\n`);
    const env = { ...process.env };
    delete env.CLOUDSDK_CONFIG;
    delete env.GOOGLE_OAUTH_ACCESS_TOKEN;
    const r = runProgram(file, { project: 'infra', stack: 'dev', env, cwd: dir });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('infrakey: gcpProvider("deployer")');
    expect(r.stderr).toContain('not started by `infrakey auth exec -i deployer`');
    expect(r.stderr).toContain('fix: run `infrakey auth exec -i deployer -- pulumi up`');
    expect(r.resources.filter((x) => x.type === 'pulumi:providers:gcp')).toEqual([]);
  });

  it('token: secret-input sends the token only inside a secret envelope', async () => {
    const inputs = await inputsOf(gcpProvider('deployer', { cwd: dir, name: 'gcp-secret', token: 'secret-input' }), 'gcp-secret');
    const token = inputs.accessToken as Record<string, unknown>;
    expect(token[Object.keys(token).find((k) => k.length === 32)!]).toBe(SECRET_SIG);
    const iamTokens = [...gcp.issued.values()].filter((t) => t.via === 'iam').map((t) => t.token);
    expect(iamTokens).toContain(token.value);
    const { accessToken: _secret, ...rest } = inputs;
    for (const t of gcp.issued.keys()) expect(JSON.stringify(rest)).not.toContain(t);
  });

  it('gcp/project: project, region and zone; nothing to check (it carries no token)', async () => {
    const inputs = await inputsOf(gcpProvider('sandbox', { cwd: dir, name: 'gcp-sandbox' }), 'gcp-sandbox');
    expect(inputs).toMatchObject({ project: 'sandbox-proj', region: 'europe-west4', zone: 'europe-west4-a' });
    expect(inputs.accessToken).toBeUndefined();
  });
});
