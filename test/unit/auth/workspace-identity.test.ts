import { join } from 'node:path';
import { Workspace } from '../../../core/workspace';
import { mergeComponentAuth } from '../../../core/auth/component-auth';
import { ATMOS_SCENARIOS } from '../../support/fixtures';

const FIXTURES = ATMOS_SCENARIOS;
const env = { HOME: '/nonexistent-home', ATMOS_XDG_CONFIG_HOME: '/tmp/ik-never-written', ATMOS_KEYRING_TYPE: 'memory' };

describe('Workspace.identity with stack-scoped auth defaults', () => {
  test('stack-auth-defaults: the default comes from the stack', async () => {
    const ws = await Workspace.load({ cwd: join(FIXTURES, 'stack-auth-defaults'), env });
    const id = ws.identity(undefined, { stack: 'test-ue2-test', component: 'test-component' });
    expect(id.name).toBe('test-identity');
    const files = id.credentialFiles();
    expect(files.profile).toBe('test-identity');
    expect(files.credentialsFile).toMatch(/^\/tmp\/ik-never-written\/atmos\/[0-9a-f]{16}\/aws\/test-sso\/credentials$/);
    expect(id.env()).toMatchObject({ AWS_PROFILE: 'test-identity', AWS_REGION: 'us-east-1' });
    // Without component context the global config has no default.
    expect(() => ws.identity()).toThrow(expect.objectContaining({ code: 'AUTH_NO_DEFAULT' }));
  });

  test('auth-imported-defaults: a default declared in an imported _defaults.yaml is seen', async () => {
    const ws = await Workspace.load({ cwd: join(FIXTURES, 'auth-imported-defaults'), env });
    expect(ws.identity(undefined, { stack: 'acme-dev', component: 'mycomponent' }).name).toBe('dev-identity');
  });

  test('auth-stack-scoping: one stack\'s default does not leak into another stack', async () => {
    const ws = await Workspace.load({ cwd: join(FIXTURES, 'auth-stack-scoping'), env });
    expect(ws.identity(undefined, { stack: 'data-staging', component: 'monitoring' }).name).toBe('data-default');
    expect(() => ws.identity(undefined, { stack: 'plat-staging', component: 'eks' })).toThrow(expect.objectContaining({ code: 'AUTH_NO_DEFAULT' }));
  });

  test('explicit name and ATMOS_IDENTITY win', async () => {
    const ws = await Workspace.load({ cwd: join(FIXTURES, 'auth-stack-scoping'), env: { ...env, ATMOS_IDENTITY: 'Plat-Default' } });
    expect(ws.identity(undefined, { stack: 'data-staging', component: 'monitoring' }).name).toBe('plat-default');
    expect(ws.identity('data-default').name).toBe('data-default');
  });
});

describe('component auth merge (§1.5.2)', () => {
  const global = { identities: { a: { kind: 'aws/user', default: true }, B: { kind: 'aws/user' } } };
  test('a component default clears inherited defaults; markers resolve case-insensitively', () => {
    const merged = mergeComponentAuth(global, { identities: { b: { default: true } } }) as { identities: Record<string, { default?: boolean; kind?: string }> };
    expect(merged.identities.a.default).toBe(false);
    expect(merged.identities.B).toEqual({ kind: 'aws/user', default: true });
    expect(merged.identities.b).toBeUndefined();
  });
  test('an undefined default:true marker is an error; default:false is dropped', () => {
    expect(() => mergeComponentAuth(global, { identities: { ghost: { default: true } } })).toThrow(expect.objectContaining({ code: 'AUTH_IDENTITY_NOT_FOUND' }));
    expect((mergeComponentAuth(global, { identities: { ghost: { default: false } } }) as { identities: Record<string, unknown> }).identities.ghost).toBeUndefined();
  });
  test('a component section that already contains the global config keeps one default', () => {
    const merged = mergeComponentAuth(global, { identities: { a: { kind: 'aws/user', default: true }, B: { kind: 'aws/user' } } }) as { identities: Record<string, { default?: boolean }> };
    expect(merged.identities.a.default).toBe(true);
  });
});
