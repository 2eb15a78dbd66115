import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unsafeUnwrap } from '../../../core/secret';
import { Workspace } from '../../../core/workspace';
import { setSecret } from '../../../core/secrets/secret-operations';
import { FakeGcpKms } from '../../fakes/fake-gcp-kms';

/**
 * A `sops/gcp-kms` provider through the Workspace (FAKE Cloud KMS): which credentials Cloud KMS
 * calls use (§6.6). A default identity of another cloud (here the `mock` AWS identity) does not
 * speak for Cloud KMS: Application Default Credentials are used (sops' GOOGLE_OAUTH_ACCESS_TOKEN
 * here). A provider `identity` that is not a GCP identity is an error naming it and the fix.
 */
describe('sops/gcp-kms provider in a Workspace (FAKE Cloud KMS)', () => {
  const fake = new FakeGcpKms();
  let dir: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    const endpoint = await fake.start();
    const key = fake.createKey('ws', 'global', 'sops', 'app');
    fake.allow('ya29.adc-token-ws', [key]);
    dir = mkdtempSync(join(tmpdir(), 'ik-gcp-ws-'));
    mkdirSync(join(dir, 'stacks'));
    writeFileSync(
      join(dir, 'atmos.yaml'),
      [
        'base_path: "./"',
        'stacks: { base_path: stacks, included_paths: ["*.yaml"], name_template: "{{ .vars.stage }}" }',
        'auth:',
        '  providers: { mock-p: { kind: mock } }',
        '  identities:',
        '    aws-dev: { kind: mock, via: { provider: mock-p }, principal: { account: { id: "123456789012" } } }',
        // The default: an AWS identity that cannot authenticate here (no keys anywhere).
        '    aws-default: { kind: aws/user, default: true }',
        // Atmos's GCP identity kind, selected with ATMOS_IDENTITY in the last test.
        '    gcp-sa: { kind: gcp/service-account, via: { provider: mock-p }, principal: { service_account_email: "sops@p.iam.gserviceaccount.com" } }',
        'secrets:',
        '  providers:',
        '    gcp: { kind: sops/gcp-kms, spec: { file: "secrets/{{ .atmos_stack }}.enc.yaml" } }',
        '    gcp-wrong: { kind: sops/gcp-kms, identity: aws-dev, spec: { file: "secrets/{{ .atmos_stack }}.enc.yaml" } }',
        '',
      ].join('\n'),
    );
    writeFileSync(join(dir, '.sops.yaml'), `creation_rules:\n  - gcp_kms: ${key}\n`);
    writeFileSync(join(dir, 'stacks', 'dev.yaml'), 'vars: { stage: dev }\ncomponents:\n  terraform:\n    app:\n      secrets:\n        vars:\n          DB: { sops: gcp }\n          DB2: { sops: gcp-wrong }\n');
    env = { PATH: process.env.PATH, HOME: dir, ATMOS_XDG_CONFIG_HOME: join(dir, 'xdg'), ATMOS_XDG_DATA_HOME: join(dir, 'xdg-data'), GOOGLE_OAUTH_ACCESS_TOKEN: 'ya29.adc-token-ws', SOPS_GCP_KMS_ENDPOINT: endpoint };
  });
  afterAll(async () => {
    await fake.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('default identity of another cloud: ADC is used without authenticating it; set then get round-trips', async () => {
    const ws = await Workspace.load({ cwd: dir, env });
    await setSecret(ws.secretsLayer(), { stack: 'dev', component: 'app' }, 'DB', 'ws-gcp-value');
    const ws2 = await Workspace.load({ cwd: dir, env });
    expect(unsafeUnwrap(await ws2.secret('DB', { stack: 'dev', component: 'app' }))).toBe('ws-gcp-value');
    expect(fake.calls.map((c) => [c.action, c.token])).toEqual([
      ['encrypt', 'ya29.adc-token-ws'],
      ['decrypt', 'ya29.adc-token-ws'],
    ]);
  });

  it('a provider identity that is not a GCP identity: error naming the identity and the fix', async () => {
    const ws = await Workspace.load({ cwd: dir, env });
    // The file exists (previous test), so DB2's read must open it with the provider's identity.
    const err = (await ws.secret('DB2', { stack: 'dev', component: 'app' }).catch((e: unknown) => e)) as Error & { code: string; fix?: string };
    expect(err.message).toContain('identity "aws-dev" produces mock credentials, and Cloud KMS needs GCP credentials');
    expect(err.code).toBe('SOPS_DECRYPT_FAILED');
    expect(err.message).toContain('atmos.yaml:12 (secrets.providers.gcp-wrong)');
    expect(err.fix).toMatch(/gcp\/\* identity/);
  });

  it('a default identity of a GCP kind is used, not ADC: here Atmos\'s gcp/service-account, which fails with its reason', async () => {
    const ws = await Workspace.load({ cwd: dir, env: { ...env, ATMOS_IDENTITY: 'gcp-sa' } });
    const before = fake.calls.length;
    const err = (await ws.secret('DB', { stack: 'dev', component: 'app' }).catch((e: unknown) => e)) as Error & { code: string; fix?: string };
    expect(err.code).toBe('SOPS_DECRYPT_FAILED');
    expect(err.message).toContain('as identity "gcp-sa"');
    expect(err.message).toContain('gcp/service-account');
    expect(fake.calls.length).toBe(before);
  });
});
