/**
 * IdentityAzurermProvider (cdktf with @cdktf/provider-azurerm): the AzureRM provider block of an
 * Azure identity, synthesized after a real login against the fake Entra ID, so that tokens exist
 * on disk; the synthesized cdk.tf.json names the subscription and the authentication method and
 * contains none of them. (cdktn's @cdktn/provider-azurerm is not installed here: the engine
 * reports it as a missing package, tested below.)
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as cdktf from 'cdktf';
import * as cdktn from 'cdktn';
import { IdentityAzurermProvider, infrakeyContext } from '../../cdktf/index';
import { Workspace } from '../../core/index';
import { AZ, FakeEntraId, federatedToken } from '../fakes/fake-entra-id';
import type { TfJson } from './support/engines';

const TENANT = AZ.tenant;
const SUB = AZ.subscription;
const APP = AZ.app;
const ISS = AZ.githubIssuer;

describe('IdentityAzurermProvider (cdktf)', () => {
  let dir: string;
  let fake: FakeEntraId;
  let ws: Workspace;
  let assertion: string;

  beforeAll(async () => {
    fake = new FakeEntraId({ subscriptions: [SUB], federated: [{ clientId: APP, issuer: ISS, subject: 'repo:acme/infra:environment:prod', audience: 'api://AzureADTokenExchange' }] });
    await fake.start();
    dir = mkdtempSync(join(tmpdir(), 'ik-cdktf-azure-'));
    mkdirSync(join(dir, 'stacks'), { recursive: true });
    assertion = federatedToken('repo:acme/infra:environment:prod');
    writeFileSync(join(dir, 'token'), assertion);
    writeFileSync(join(dir, 'ca.pem'), fake.cert);
    writeFileSync(
      join(dir, 'atmos.yaml'),
      `stacks:
  base_path: stacks
  included_paths: ["**/*"]
  name_template: "{{ .vars.stage }}"
auth:
  realm: cdktf-azure
  providers:
    ci: { kind: azure/oidc, spec: { tenant_id: "${TENANT}", client_id: "${APP}", token_file_path: "${join(dir, 'token')}", cloud_environment: china } }
    laptop: { kind: azure/cli, spec: { tenant_id: "${TENANT}" } }
    m: { kind: mock }
  identities:
    deploy: { kind: azure/subscription, default: true, via: { provider: ci }, principal: { subscription_id: "${SUB}" } }
    me: { kind: azure/subscription, via: { provider: laptop }, principal: { subscription_id: "${SUB}" } }
    awsy: { kind: mock, via: { provider: m } }
`,
    );
    const env = { PATH: process.env.PATH, HOME: join(dir, 'home'), ATMOS_KEYRING_TYPE: 'memory', INFRAKEY_TEST_AZURE_ENDPOINT: fake.origin, NODE_EXTRA_CA_CERTS: join(dir, 'ca.pem') };
    ws = await Workspace.load({ cwd: dir, env });
    await ws.identity('deploy').login(); // tokens now exist in ~/.azure
  });
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await fake.stop();
  });

  function synth(build: (s: cdktf.TerraformStack) => void): { text: string; json: TfJson } {
    const app = cdktf.Testing.app();
    const s = new cdktf.TerraformStack(app, 'infra');
    infrakeyContext(s, { workspace: ws });
    build(s);
    const text = cdktf.Testing.synth(s);
    return { text, json: JSON.parse(text) as TfJson };
  }

  it('OIDC and CLI identities: subscription, method, tenant only with OIDC, sovereign cloud; no token in cdk.tf.json', () => {
    let p: IdentityAzurermProvider | undefined;
    const { text, json } = synth((s) => {
      p = new IdentityAzurermProvider(s, 'azurerm');
      new IdentityAzurermProvider(s, 'me', { identity: 'me', alias: 'me' });
    });
    expect(json.provider!.azurerm).toEqual([
      { features: [{}], subscription_id: SUB, environment: 'china', use_oidc: true, tenant_id: TENANT, client_id: APP, oidc_token_file_path: join(dir, 'token') },
      { alias: 'me', features: [{}], subscription_id: SUB, use_cli: true },
    ]);
    expect(p!.identity).toBe('deploy');
    // The session written by the login holds tokens; none is in the synthesized JSON.
    const session = JSON.parse(readFileSync(join(dir, 'home/.azure/atmos/cdktf-azure/ci/credentials.json'), 'utf8')) as Record<string, string>;
    for (const v of [session.access_token, session.key_vault_token, session.graph_api_token, assertion, ...fake.issued.keys()]) expect(text).not.toContain(v);
    expect(text).not.toMatch(/"(client_secret|oidc_token|client_certificate|client_certificate_password|oidc_request_token)"\s*:/);
  });

  it('an unknown or non-Azure identity, and the cdktn engine without its azurerm package, are clear errors', () => {
    expect(() => synth((s) => new IdentityAzurermProvider(s, 'x', { identity: 'nobody' }))).toThrow(expect.objectContaining({ code: 'AUTH_IDENTITY_NOT_FOUND' }));
    expect(() => synth((s) => new IdentityAzurermProvider(s, 'x', { identity: 'awsy' }))).toThrow(expect.objectContaining({ code: 'AUTH_KIND_UNSUPPORTED', message: expect.stringContaining('not an Azure identity') }));
    const app = cdktn.Testing.app();
    const s = new cdktn.TerraformStack(app, 'infra');
    infrakeyContext(s, { workspace: ws });
    expect(() => new IdentityAzurermProvider(s, 'azurerm')).toThrow(expect.objectContaining({ code: 'CDKTF_ENGINE_MISSING', message: expect.stringContaining('@cdktn/provider-azurerm') }));
  });
});
