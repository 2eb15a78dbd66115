import { createHash } from 'node:crypto';
import { realmHash, realmProblem, resolveRealm } from '../../../core/auth/realm';
import { credentialFilePaths } from '../../../core/auth/credential-files';

describe('realm resolution (§2.1)', () => {
  test('ATMOS_AUTH_REALM wins over auth.realm, which wins over the config-dir hash, then default', () => {
    expect(resolveRealm({ env: { ATMOS_AUTH_REALM: 'from-env' }, configRealm: 'from-config', configDir: '/x' })).toEqual({ value: 'from-env', source: 'env' });
    expect(resolveRealm({ env: {}, configRealm: 'from-config', configDir: '/x' })).toEqual({ value: 'from-config', source: 'config' });
    expect(resolveRealm({ env: { ATMOS_AUTH_REALM: '' }, configDir: '/Repo/Infra' })).toEqual({ value: realmHash('/Repo/Infra'), source: 'config-path' });
    expect(resolveRealm({ env: {} })).toEqual({ value: 'default', source: 'default' });
  });

  test('the hash is the first 8 bytes of SHA-256 of the lower-cased, cleaned directory', () => {
    const expected = createHash('sha256').update('/repo/infra').digest('hex').slice(0, 16);
    expect(realmHash('/Repo/Infra/')).toBe(expected);
    expect(realmHash('/repo/./infra')).toBe(expected);
    expect(realmHash('/repo/infra')).toHaveLength(16);
  });

  test.each([
    ['', 'realm cannot be empty'],
    ['a'.repeat(65), 'realm exceeds maximum length of 64 characters: got 65'],
    ['../x', 'path traversal'],
    ['a/b', 'path traversal'],
    ['a\\b', 'path traversal'],
    ['A B', "realm contains invalid characters: [A ' ' B]"],
    ['-prod', 'cannot start with hyphen or underscore'],
    ['prod_', 'cannot end with hyphen or underscore'],
    ['a--b', 'consecutive'],
    ['a_-b', 'consecutive'],
  ])('%j is invalid: %s', (value, message) => {
    expect(realmProblem(value)).toContain(message);
  });

  test.each(['acme-prod', 'a', 'x_1-2', 'a'.repeat(64)])('%j is valid', (value) => {
    expect(realmProblem(value)).toBeUndefined();
  });

  test('invalid env realm: AUTH_REALM_INVALID naming the variable', () => {
    expect(() => resolveRealm({ env: { ATMOS_AUTH_REALM: '../x' } })).toThrow(expect.objectContaining({ code: 'AUTH_REALM_INVALID', where: 'ATMOS_AUTH_REALM' }));
    expect(() => resolveRealm({ env: {}, configRealm: 'Bad Realm', where: 'atmos.yaml:3' })).toThrow(/invalid realm value: auth.realm configuration/);
  });

  test('credential paths follow ATMOS_XDG_CONFIG_HOME over XDG_CONFIG_HOME', () => {
    const p = credentialFilePaths({ ATMOS_XDG_CONFIG_HOME: '/a', XDG_CONFIG_HOME: '/b', HOME: '/h' }, 'r1', 'corp-sso', 'Prod-Admin');
    expect(p).toEqual({ credentialsFile: '/a/atmos/r1/aws/corp-sso/credentials', configFile: '/a/atmos/r1/aws/corp-sso/config', profile: 'prod-admin', realmDir: '/a/atmos/r1' });
    expect(credentialFilePaths({ XDG_CONFIG_HOME: '/b', HOME: '/h' }, 'r1', 'aws-user', 'x').credentialsFile).toBe('/b/atmos/r1/aws/aws-user/credentials');
    expect(credentialFilePaths({ HOME: '/h' }, 'r1', 'aws-user', 'x').credentialsFile).toBe('/h/.config/atmos/r1/aws/aws-user/credentials');
  });
});
