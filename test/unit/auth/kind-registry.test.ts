/**
 * Issue 11 item 2: auth kinds are modules behind one registry; the code that walks chains, caches
 * sessions and validates knows no kind and no cloud.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { AuthManager } from '../../../core/auth/auth-manager';
import { parseAuthConfig } from '../../../core/auth/auth-config';
import { cloudSessions, identityKind, implementedIdentityKinds, implementedProviderKinds, isStandaloneIdentityKind, providerKind, providerKindStatus, identityKindStatus } from '../../../core/auth/kinds/registry';
import { validateAuthConfig } from '../../../core/auth/validate-auth';

const root = resolve(__dirname, '../../..');

describe('auth kind registry', () => {
  test('every implemented kind is one registered module with its contract', () => {
    expect(implementedProviderKinds().sort()).toEqual(['aws/iam-identity-center', 'aws/saml', 'azure/cli', 'azure/device-code', 'azure/interactive', 'azure/oidc', 'gcp/adc', 'gcp/workload-identity-federation', 'github/oidc', 'mock']);
    expect(implementedIdentityKinds().sort()).toEqual(['ambient', 'aws/ambient', 'aws/assume-role', 'aws/assume-root', 'aws/permission-set', 'aws/user', 'azure/subscription', 'gcp/project', 'gcp/service-account', 'mock']);
    for (const name of implementedProviderKinds()) {
      const k = providerKind(name)!;
      expect(typeof k.validate).toBe('function');
      expect(typeof k.authenticate).toBe('function');
    }
    for (const name of implementedIdentityKinds()) {
      const k = identityKind(name)!;
      expect(typeof k.validate).toBe('function');
      expect(typeof k.authenticate).toBe('function');
      expect(cloudSessions(k.cloud)?.cloud).toBe(k.cloud);
    }
  });

  test('aliases, Atmos-only kinds and standalone kinds', () => {
    expect(providerKind('mock/aws')).toBe(providerKind('mock'));
    expect(identityKind('mock/aws')).toBe(identityKind('mock'));
    expect(providerKindStatus('aws/saml')).toBe('implemented');
    expect(providerKindStatus('atmos/pro')).toBe('atmos-only');
    expect(identityKindStatus('atmos/pro')).toBe('atmos-only');
    expect(identityKindStatus('gcp/service-account')).toBe('implemented');
    expect(isStandaloneIdentityKind('gcp/project')).toBe(true);
    expect(isStandaloneIdentityKind('gcp/service-account')).toBe(false);
    expect(identityKindStatus('nope/nothing')).toBe('unknown');
    expect(isStandaloneIdentityKind('aws/user')).toBe(true);
    expect(isStandaloneIdentityKind('aws/ambient')).toBe(true);
    expect(isStandaloneIdentityKind('aws/assume-role')).toBe(false);
  });

  test('the manager, the chain builder and the validator import no kind or cloud module', () => {
    for (const file of ['auth-manager.ts', 'build-chain.ts', 'validate-auth.ts', 'chain.ts']) {
      const text = readFileSync(join(root, 'core/auth', file), 'utf8');
      const imports = [...text.matchAll(/from '([^']+)'/g)].map((m) => m[1]);
      const concrete = imports.filter((i) => /\/(kinds|clouds)\//.test(i) && !/\/kinds\/(kind|registry)$/.test(i));
      expect({ file, concrete }).toEqual({ file, concrete: [] });
      // No kind names in code either (messages list kinds from the registry).
      expect({ file, literals: text.match(/'(aws|github|gcp|azure|mock)\/[a-z-]+'/g) ?? [] }).toEqual({ file, literals: [] });
    }
  });

  test('each kind validates its own spec (reported through the one validator)', () => {
    const { errors } = validateAuthConfig(parseAuthConfig({
      providers: { sso: { kind: 'aws/iam-identity-center' }, gh: { kind: 'github/oidc', spec: { x: 1 } } },
      identities: {
        role: { kind: 'aws/assume-role', via: { provider: 'gh' } },
        ps: { kind: 'aws/permission-set', via: { provider: 'gh' }, principal: { name: 'Admin' } },
        user: { kind: 'aws/user', credentials: { access_key_id: 'AKIA0000000000000000' } },
      },
    }));
    const byWhere = errors.map((e) => `${e.code} ${e.where}`);
    expect(byWhere).toEqual(expect.arrayContaining([
      'AUTH_FIELD_MISSING auth.providers.sso',
      'AUTH_FIELD_MISSING auth.providers.gh.spec',
      'AUTH_FIELD_MISSING auth.identities.role.principal',
      'AUTH_FIELD_MISSING auth.identities.ps.principal',
      'AUTH_VIA_INVALID auth.identities.ps.via.provider',
      'AUTH_CONFIG_INVALID auth.identities.user.credentials',
    ]));
  });

  test("a mock identity authenticates, prints Atmos's fixed mock environment and answers whoami without a cloud call", async () => {
    const m = new AuthManager({ realm: 'r', providers: { p: { kind: 'mock/aws' } }, identities: { i: { kind: 'mock', via: { provider: 'p' }, principal: { account: { id: '123456789012' } } } } }, { env: { ATMOS_XDG_CONFIG_HOME: '/nonexistent-xdg' } });
    const who = await m.whoami('i');
    expect(who.account).toBe('123456789012');
    expect(who.paths.profile).toBe('i');
    // Atmos's mock/aws identity prints fixed paths, its region and MOCK_IDENTITY (nothing is written).
    expect(m.environment('i')).toEqual({
      AWS_SHARED_CREDENTIALS_FILE: '/tmp/mock-credentials',
      AWS_CONFIG_FILE: '/tmp/mock-config',
      AWS_PROFILE: 'i',
      AWS_REGION: 'us-east-1',
      AWS_DEFAULT_REGION: 'us-east-1',
      MOCK_IDENTITY: 'i',
    });
    const child = m.childEnvironment('i', { AWS_ACCESS_KEY_ID: 'AKIAAMBIENT', PATH: '/bin' });
    expect(child.AWS_ACCESS_KEY_ID).toBeUndefined();
    expect(child).toMatchObject({ ATMOS_IDENTITY: 'i', AWS_PROFILE: 'i', AWS_CONFIG_FILE: '/tmp/mock-config', PATH: '/bin' });
  });
});
