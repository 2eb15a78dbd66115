/**
 * IdentityGoogleProvider: the Google provider block of a GCP identity, synthesized with cdktf and
 * checked by grep (no token in cdk.tf.json, even with a live session on disk) and by OpenTofu
 * (`tofu console`, built from its Go module, evaluates the block's access_token expression to the
 * identity's token). The session comes from a real login against the named fake of Google STS /
 * IAM Credentials. cdktn has no prebuilt Google provider package: a clear error.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { IdentityGoogleProvider, infrakeyContext } from '../../cdktf/index';
import { Workspace } from '../../core/index';
import { FakeGcp, fakeOidcJwt } from '../fakes/fake-gcp';
import { ENGINES, type TfJson } from './support/engines';

const TOFU = resolve(__dirname, '../../.cache/engines/bin/tofu');
const AUDIENCE = '//iam.googleapis.com/projects/7/locations/global/workloadIdentityPools/p/providers/q';
const SA = 'tf@tf-proj.iam.gserviceaccount.com';

let dir: string;
let gcp: FakeGcp;
let ws: Workspace;
beforeAll(async () => {
  if (!existsSync(TOFU)) throw new Error(`${TOFU} is missing: scripts/build-engines.sh tofu builds it (see scripts/install-test-deps.sh)`);
  gcp = new FakeGcp();
  gcp.audience = AUDIENCE;
  await gcp.start();
  gcp.allow(SA, 'principal://iam.googleapis.com/projects/7/locations/global/workloadIdentityPools/p/subject/tf-ci');
  dir = mkdtempSync(join(tmpdir(), 'ik-cdktf-gcp-'));
  writeFileSync(join(dir, 'atmos.yaml'), `auth:
  realm: cdktf-gcp
  providers:
    m: { kind: mock }
    wif:
      kind: gcp/workload-identity-federation
      spec: { project_number: "7", workload_identity_pool_id: p, workload_identity_provider_id: q, token_source: { type: environment, environment_variable: CI_OIDC } }
  identities:
    deployer:
      kind: gcp/service-account
      default: true
      via: { provider: wif }
      principal: { service_account_email: ${SA} }
    sandbox:
      kind: gcp/project
      principal: { project_id: sandbox-proj, region: us-central1, location: us-central1-c }
    aws-one:
      kind: mock
      via: { provider: m }
`);
  ws = await Workspace.load({ cwd: dir, env: { PATH: process.env.PATH, HOME: join(dir, 'home'), ATMOS_XDG_CONFIG_HOME: join(dir, 'xdg'), CI_OIDC: fakeOidcJwt('tf-ci'), ...gcp.env() } });
  await ws.identity('deployer').login();
});
afterAll(async () => {
  await gcp.stop();
  rmSync(dir, { recursive: true, force: true });
});

const cdktf = ENGINES.find((e) => e.name === 'cdktf')!;
const cdktn = ENGINES.find((e) => e.name === 'cdktn')!;

function synth(build: (s: InstanceType<typeof cdktf.lib.TerraformStack>) => void): { text: string; json: TfJson } {
  const { Testing, TerraformStack } = cdktf.lib;
  const s = new TerraformStack(Testing.app(), 'infra');
  infrakeyContext(s, { workspace: ws });
  build(s);
  const text = Testing.synth(s);
  return { text, json: JSON.parse(text) as TfJson };
}

function tofuConsole(expression: string): Promise<string> {
  const home = mkdtempSync(join(tmpdir(), 'ik-tofu-console-'));
  mkdirSync(join(home, '.home'));
  return new Promise((done, fail) => {
    const child = execFile(TOFU, ['console'], { cwd: home, encoding: 'utf8', timeout: 60_000, env: { PATH: process.env.PATH, HOME: join(home, '.home'), TF_IN_AUTOMATION: '1' } }, (err, stdout) => {
      rmSync(home, { recursive: true, force: true });
      if (err) fail(err);
      else done(stdout.trim());
    });
    child.stdin!.end(expression + '\n');
  });
}

describe('IdentityGoogleProvider (cdktf)', () => {
  it('reads the token from the identity\'s access_token file at plan time: path in the JSON, never the token', async () => {
    let p: IdentityGoogleProvider | undefined;
    const { text, json } = synth((s) => {
      p = new IdentityGoogleProvider(s, 'google');
    });
    const file = join(dir, 'xdg', 'atmos', 'cdktf-gcp', 'gcp', 'wif', 'adc', 'deployer', 'access_token');
    expect(p!.accessTokenFile).toBe(file);
    const [block] = json.provider!.google;
    expect(block.project).toBe('tf-proj');
    expect(block.access_token).toBe(`\${trimspace(element(split("\\n", file("${file}")), 0))}`);
    expect(Object.keys(block).sort()).toEqual(['access_token', 'project']);
    // A live session is on disk, and none of its tokens is in the JSON.
    expect(existsSync(file)).toBe(true);
    for (const token of gcp.issued.keys()) expect(text).not.toContain(token);
    // OpenTofu evaluates the block's expression to the identity's current token.
    const token = readFileSync(file, 'utf8').split('\n')[0];
    expect(gcp.issued.get(token)).toMatchObject({ principal: SA, via: 'iam' });
    const evaluated = await tofuConsole(String(block.access_token).slice(2, -1));
    expect(evaluated).toBe(JSON.stringify(token));
  });

  it('environment mode and gcp/project: no credentials in the block; project, region, zone, alias', () => {
    const { json } = synth((s) => {
      new IdentityGoogleProvider(s, 'env', { token: 'environment' });
      new IdentityGoogleProvider(s, 'sandbox', { identity: 'sandbox', alias: 'sandbox' });
    });
    const [env, sandbox] = json.provider!.google;
    expect(env).toEqual({ project: 'tf-proj' });
    expect(sandbox).toEqual({ alias: 'sandbox', project: 'sandbox-proj', region: 'us-central1', zone: 'us-central1-c' });
  });

  it('an AWS identity or cdktn (no prebuilt Google provider) is a clear error', () => {
    expect(() => synth((s) => new IdentityGoogleProvider(s, 'aws', { identity: 'aws-one' }))).toThrow(expect.objectContaining({ code: 'AUTH_KIND_UNSUPPORTED', message: expect.stringContaining('identity "aws-one" (mock) is not a GCP identity') }));
    const { Testing, TerraformStack } = cdktn.lib;
    const s = new TerraformStack(Testing.app(), 'tn');
    infrakeyContext(s, { workspace: ws });
    expect(() => new IdentityGoogleProvider(s, 'g')).toThrow(expect.objectContaining({ code: 'CDKTF_ENGINE_MISSING', message: expect.stringContaining('@cdktn/provider-google') }));
  });
});
