/**
 * azureNativeProvider under Pulumi's mock engine, logging in for real against the fake Entra ID:
 * an azure/oidc identity (federated token file) and an azure/device-code identity whose login is
 * in the realm MSAL cache (headless: the refresh token is used silently). The provider inputs
 * carry the subscription and the authentication method, never a token.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuthManager } from '../../core/auth/auth-manager';
import { azureNativeProvider, resetWorkspaces } from '../../pulumi/index';
import { AZ, FakeEntraId, federatedToken } from '../fakes/fake-entra-id';
import { useMocks, type Registered } from './pulumi-project';

const TENANT = AZ.tenant;
const SUB = AZ.subscription;
const APP = AZ.app;
const ISS = AZ.githubIssuer;

describe('azureNativeProvider (Pulumi mocks, fake Entra ID)', () => {
  let dir: string;
  let fake: FakeEntraId;
  let registered: Registered[];
  let assertion: string;
  const saved = { ...process.env };

  beforeAll(async () => {
    fake = new FakeEntraId({ subscriptions: [SUB], federated: [{ clientId: APP, issuer: ISS, subject: 'repo:acme/infra:environment:prod', audience: 'api://AzureADTokenExchange' }] });
    await fake.start();
    dir = mkdtempSync(join(tmpdir(), 'ik-pulumi-azure-'));
    mkdirSync(join(dir, 'stacks'), { recursive: true });
    assertion = federatedToken('repo:acme/infra:environment:prod');
    writeFileSync(join(dir, 'token'), assertion);
    writeFileSync(join(dir, 'ca.pem'), fake.cert);
    const auth = `auth:
  realm: pulumi-azure
  providers:
    ci: { kind: azure/oidc, spec: { tenant_id: "${TENANT}", client_id: "${APP}", token_file_path: "${join(dir, 'token')}" } }
    dev: { kind: azure/device-code, spec: { tenant_id: "${TENANT}", cloud_environment: usgovernment } }
  identities:
    deploy: { kind: azure/subscription, via: { provider: ci }, principal: { subscription_id: "${SUB}", location: westeurope } }
    me: { kind: azure/subscription, via: { provider: dev }, principal: { subscription_id: "${SUB}" } }
`;
    writeFileSync(join(dir, 'atmos.yaml'), `stacks:\n  base_path: stacks\n  included_paths: ["**/*"]\n  name_template: "{{ .vars.stage }}"\n${auth}`);
    Object.assign(process.env, { HOME: join(dir, 'home'), CI: 'true', INFRAKEY_TEST_AZURE_ENDPOINT: fake.origin, NODE_EXTRA_CA_CERTS: join(dir, 'ca.pem'), ATMOS_KEYRING_TYPE: 'memory' });
    // One interactive device login beforehand (as `infrakey auth login` in a terminal would do).
    const { parse } = await import('yaml');
    const m = new AuthManager((parse(auth) as { auth: unknown }).auth, { env: process.env, interaction: { interactive: true, notify: () => undefined } });
    await m.authenticate('me');
    registered = await useMocks('azure', 'dev');
    resetWorkspaces();
  });
  afterAll(async () => {
    for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
    Object.assign(process.env, saved);
    rmSync(dir, { recursive: true, force: true });
    await fake.stop();
  });

  /** The wire inputs, secret envelopes opened (azure-native marks clientId and others secret). */
  function inputs(name: string): Record<string, unknown> {
    const r = registered.find((x) => x.name === name);
    if (!r) throw new Error(`provider ${name} was not registered`);
    expect(r.type).toBe('pulumi:providers:azure-native');
    const SIG = '4dabf18193072939515e22adb298388d';
    const open = (v: unknown) => (v && typeof v === 'object' && SIG in v ? (v as { value?: unknown }).value : v);
    return Object.fromEntries(Object.entries(r.raw).map(([k, v]) => [k, open(v)]).filter(([, v]) => v !== null && v !== undefined));
  }
  const noToken = (wire: string) => {
    expect(wire).not.toContain(assertion);
    for (const t of fake.issued.keys()) expect(wire).not.toContain(t);
    expect(wire).not.toMatch(/clientSecret|oidcToken"/);
  };

  it('azure/oidc: useOidc with client id, tenant and token file; subscription and location; no token', async () => {
    const before = fake.count('/token', 'client_credentials');
    const p = azureNativeProvider('deploy', { cwd: dir, name: 'az-deploy' });
    await new Promise<void>((resolve) => p.urn.apply(() => resolve()));
    const wire = inputs('az-deploy');
    expect(wire).toMatchObject({ subscriptionId: SUB, tenantId: TENANT, useOidc: 'true', clientId: APP, oidcTokenFilePath: join(dir, 'token'), location: 'westeurope' });
    expect(wire.environment).toBeUndefined();
    expect(fake.count('/token', 'client_credentials')).toBeGreaterThan(before); // it logged in
    noToken(JSON.stringify(wire));
  });

  it('azure/device-code: the CLI session (no tenant, no OIDC), the sovereign cloud, no token; the login was silent', async () => {
    const devicecodes = fake.count('/devicecode');
    const p = azureNativeProvider('me', { cwd: dir, name: 'az-me' });
    await new Promise<void>((resolve) => p.urn.apply(() => resolve()));
    const wire = inputs('az-me');
    expect(wire).toMatchObject({ subscriptionId: SUB, environment: 'usgovernment' });
    for (const k of ['tenantId', 'useOidc', 'clientId', 'oidcTokenFilePath']) expect(wire[k]).toBeUndefined();
    expect(fake.count('/devicecode')).toBe(devicecodes);
    noToken(JSON.stringify(wire));
    // The session the provider uses is in the Azure CLI's cache (environment of the sovereign cloud).
    const cache = JSON.parse(readFileSync(join(dir, 'home/.azure/msal_token_cache.json'), 'utf8')) as { Account: Record<string, { environment: string }> };
    expect(Object.values(cache.Account).map((a) => a.environment)).toContain('login.microsoftonline.us');
  });
});
