import { join } from 'node:path';
import { Workspace } from '../../../core/workspace';
import { ATMOS_SCENARIOS } from '../../support/fixtures';

// Real Atmos repositories (cloudposse/atmos tests, Apache-2.0, read from ../shared/fixtures).
const fixture = (name: string) => join(ATMOS_SCENARIOS, name);
const load = (name: string, env: NodeJS.ProcessEnv = {}) => Workspace.load({ cwd: fixture(name), env });

describe('Atmos scenario repositories', () => {
  it('atmos-auth: name_template {{.vars.stage}}, catalog import, component auth merged over atmos.yaml auth', async () => {
    const ws = await load('atmos-auth');
    expect(ws.listStacks().map((s) => [s.name, s.fileName, s.components.terraform])).toEqual([
      ['component-auth', 'deploy/component-auth-configured', ['mycomponent']],
      ['no-component-auth', 'deploy/nonprod', ['mycomponent']],
    ]);
    const d = await ws.describeComponent('mycomponent', 'component-auth');
    expect(d.vars).toEqual({ stage: 'component-auth', region: 'us-east-1' });
    expect(d.component).toBe('mock_caller_identity');
    expect(d.imports).toEqual(['catalog/mock']);
    const auth = d.auth as any;
    expect(auth.identities['identity-oidc']).toEqual({ via: { provider: 'provider-oidc' } });
    expect(auth.identities['test-admin'].default).toBe(true);
    expect(auth.providers['provider-oidc']).toEqual({ kind: 'github/oidc', region: 'us-east-1', spec: { audience: 'sts.us-east-1.amazonaws.com' } });
    const plain = await ws.describeComponent('mycomponent', 'no-component-auth');
    expect((plain.auth as any).identities).not.toHaveProperty('identity-oidc');
  });

  it('auth-imported-defaults: the default identity comes from the imported, excluded _defaults.yaml', async () => {
    const ws = await load('auth-imported-defaults');
    expect(ws.listStacks().map((s) => s.name)).toEqual(['acme-dev']);
    const d = await ws.describeComponent('mycomponent', 'acme-dev');
    expect(d.vars).toEqual({ tenant: 'acme', stage: 'dev', region: 'us-east-1', enabled: true });
    expect((d.auth as any).identities['dev-identity'].default).toBe(true);
    expect((d.auth as any).identities['prod-identity'].default).toBeUndefined();
  });

  it('auth-stack-scoping: a stack default does not leak into another stack', async () => {
    const ws = await load('auth-stack-scoping');
    expect(ws.listStacks().map((s) => s.name)).toEqual(['data-staging', 'plat-staging']);
    const data = await ws.describeComponent('monitoring', 'data-staging');
    const plat = await ws.describeComponent('eks', 'plat-staging');
    expect((data.auth as any).identities['data-default'].default).toBe(true);
    expect((plat.auth as any).identities['data-default'].default).toBeUndefined();
    expect(plat.vars).toEqual({ tenant: 'plat', stage: 'staging', region: 'us-east-1', enabled: true });
  });

  it('stack-auth-defaults: _defaults.yaml has no components so it is not listed; test.yaml names itself from its vars', async () => {
    const ws = await load('stack-auth-defaults');
    expect(ws.listStacks().map((s) => s.name)).toEqual(['test-ue2-test']);
    expect(ws.listStacks({ includeEmpty: true }).map((s) => s.name)).toEqual(['test-ue2-dev', 'test-ue2-test']);
    const d = await ws.describeComponent('test-component', 'test-ue2-test');
    expect(d.vars).toEqual({ tenant: 'test', environment: 'ue2', stage: 'test', enabled: true });
    expect((d.auth as any).identities['test-identity'].default).toBe(true);
  });

  it('aws-secrets-floci: stack, instance and global secret scopes; !secret masked', async () => {
    const ws = await load('aws-secrets-floci');
    expect(ws.listStacks().map((s) => s.name)).toEqual(['dev', 'prod']);
    for (const stack of ['dev', 'prod']) {
      const d = await ws.describeComponent('secret-consumer', stack);
      const vars = (d.secrets as any).vars;
      expect(Object.fromEntries(Object.entries(vars).map(([k, v]: [string, any]) => [k, v.scope]))).toEqual({
        SSM_STACK_TOKEN: 'stack',
        SSM_INSTANCE_TOKEN: 'instance',
        ASM_DATABASE_CONFIG: 'instance',
        GLOBAL_SHARED_TOKEN: 'global',
      });
      expect(d.vars).toEqual({
        stage: stack,
        ssm_instance_token: '<MASKED>',
        ssm_stack_token: '<MASKED>',
        asm_database_password: '<MASKED>',
        global_shared_token: '<MASKED>',
      });
      expect(d.dependencies).toEqual({ tools: { opentofu: '1.12.2' } });
      expect(ws.resolveComponent('secret-consumer', stack).secretSources.SSM_STACK_TOKEN).toMatchObject({ scope: 'stack', file: fixture(`aws-secrets-floci/stacks/${stack}.yaml`), line: 6 });
    }
  });

  it.each([
    ['azure-secrets-floci', 'AZURE_INSTANCE_TOKEN', 'azure_instance_token'],
    ['gcp-secrets-floci', 'GCP_INSTANCE_TOKEN', 'gcp_instance_token'],
  ])('%s: one instance-scoped secret in stack dev', async (name, secret, variable) => {
    const ws = await load(name);
    expect(ws.listStacks().map((s) => s.name)).toEqual(['dev']);
    const d = await ws.describeComponent('secret-consumer', 'dev');
    expect((d.secrets as any).vars[secret].scope).toBe('instance');
    expect((d.vars as any)[variable]).toBe('<MASKED>');
  });

  it('sops-kms-floci: a sops-backed declaration, and the !env in atmos.yaml auth resolved from the environment', async () => {
    const ws = await load('sops-kms-floci', { FLOCI_ENDPOINT_URL: 'http://127.0.0.1:4566' });
    const d = await ws.describeComponent('app', 'dev');
    expect((d.secrets as any).vars.API_KEY).toMatchObject({ sops: 'sops-kms', scope: 'instance', required: true });
    expect((d.auth as any).identities['floci-superuser'].credentials.aws.resolver.url).toBe('http://127.0.0.1:4566');
    expect(d.vars).toEqual({ stage: 'dev', api_key: '<MASKED>' });
  });
});
