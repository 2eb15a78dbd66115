import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { parseAuthConfig } from '../../../core/auth/auth-config';
import { buildChain } from '../../../core/auth/build-chain';
import { validateAuthConfig } from '../../../core/auth/validate-auth';
import { defaultIdentity, isDisabledValue, selectIdentity } from '../../../core/auth/identity-selection';
import { sanitizeSessionName } from '../../../core/auth/kinds/assume-role';
import { parseDurationSeconds } from '../../../core/auth/duration';
import { ATMOS_SCENARIOS } from '../../support/fixtures';

const FIXTURES = ATMOS_SCENARIOS;
const cfg = (auth: unknown) => parseAuthConfig(auth).config;

describe('auth model', () => {
  test('names are case-folded; display names kept', () => {
    const c = cfg({ providers: { 'Corp-SSO': { kind: 'aws/iam-identity-center', region: 'us-east-1', start_url: 'https://x' } }, identities: { 'Prod-Admin': { kind: 'aws/permission-set', via: { provider: 'CORP-sso' }, principal: { name: 'A', account: { id: '1' } } } } });
    const chain = buildChain(c, 'PROD-ADMIN');
    expect(chain.target.name).toBe('prod-admin');
    expect(chain.target.displayName).toBe('Prod-Admin');
    expect(chain.provider?.name).toBe('corp-sso');
    expect(chain.rootName).toBe('corp-sso');
    expect(chain.label).toBe('corp-sso -> prod-admin');
  });

  test('names differing only by case are reported', () => {
    const parsed = parseAuthConfig({ identities: { Dev: { kind: 'aws/user' }, dev: { kind: 'aws/user' } } });
    expect(parsed.problems.map((p) => p.code)).toEqual(['AUTH_NAME_COLLISION']);
  });

  test('chains are built from the target back to the root; aws/user roots use aws-user', () => {
    const c = cfg({ identities: { u: { kind: 'aws/user' }, r1: { kind: 'aws/assume-role', via: { identity: 'u' } }, r2: { kind: 'aws/assume-role', via: { identity: 'r1' } } } });
    const chain = buildChain(c, 'r2');
    expect(chain.identities.map((i) => i.name)).toEqual(['u', 'r1', 'r2']);
    expect(chain.rootName).toBe('aws-user');
    expect(chain.provider).toBeUndefined();
  });

  test('a cycle lists its members in order', () => {
    const c = cfg({ identities: { a: { kind: 'aws/assume-role', via: { identity: 'b' } }, b: { kind: 'aws/assume-role', via: { identity: 'c' } }, c: { kind: 'aws/assume-role', via: { identity: 'a' } }, x: { kind: 'aws/assume-role', via: { identity: 'a' } } } });
    expect(() => buildChain(c, 'x')).toThrow(expect.objectContaining({ code: 'AUTH_CYCLE', message: expect.stringContaining('a -> b -> c -> a') }));
  });

  test('unknown via and missing via are errors naming the identity and config path', () => {
    const c = cfg({ identities: { a: { kind: 'aws/assume-role', via: { identity: 'ghost' } }, b: { kind: 'aws/assume-role' }, p: { kind: 'aws/assume-role', via: { provider: 'nope' } } } });
    expect(() => buildChain(c, 'a')).toThrow(expect.objectContaining({ code: 'AUTH_VIA_UNKNOWN', where: 'auth.identities.a.via.identity' }));
    expect(() => buildChain(c, 'b')).toThrow(expect.objectContaining({ code: 'AUTH_VIA_INVALID', message: expect.stringContaining('has no via configuration') }));
    expect(() => buildChain(c, 'p')).toThrow(expect.objectContaining({ code: 'AUTH_VIA_UNKNOWN', message: expect.stringContaining('referenced provider "nope" does not exist') }));
    expect(() => buildChain(c, 'zzz')).toThrow(expect.objectContaining({ code: 'AUTH_IDENTITY_NOT_FOUND' }));
  });

  test('validation reports every problem at once', () => {
    const parsed = parseAuthConfig({
      realm: 'Bad Realm',
      providers: { gh: { kind: 'github/oidc', spec: { foo: 1 } }, weird: { kind: 'aws/teleport' }, pro: { kind: 'atmos/pro', spec: { workspace_id: 'w' } } },
      identities: {
        both: { kind: 'aws/assume-role', via: { provider: 'gh', identity: 'x' }, principal: { assume_role: 'arn' } },
        ps: { kind: 'aws/permission-set', via: { provider: 'gh' }, principal: {} },
        nokind: {},
        user: { kind: 'aws/user', credentials: { access_key_id: 'only-one' } },
        d1: { kind: 'aws/user', default: true },
        d2: { kind: 'aws/user', default: true },
      },
    });
    const { errors, warnings } = validateAuthConfig(parsed);
    const codes = errors.map((e) => e.code).sort();
    expect(codes).toEqual([
      'AUTH_CONFIG_INVALID',
      'AUTH_DEFAULT_MULTIPLE',
      'AUTH_FIELD_MISSING',
      'AUTH_FIELD_MISSING',
      'AUTH_FIELD_MISSING',
      'AUTH_FIELD_MISSING',
      'AUTH_KIND_UNKNOWN',
      'AUTH_REALM_INVALID',
      'AUTH_VIA_INVALID',
      'AUTH_VIA_INVALID',
    ]);
    expect(warnings.map((w) => w.code)).toEqual(['AUTH_KIND_UNSUPPORTED']);
    for (const e of errors) expect(e.where).toMatch(/^auth\./);
    expect(errors.map((e) => e.message).join('\n')).not.toContain('only-one');
  });

  test.each(['atmos-auth', 'auth-imported-defaults', 'auth-stack-scoping', 'stack-auth-defaults'])('fixture %s validates', (name) => {
    const raw = parse(readFileSync(join(FIXTURES, name, 'atmos.yaml'), 'utf8')) as { auth: unknown };
    const { errors } = validateAuthConfig(parseAuthConfig(raw.auth));
    expect(errors.map((e) => e.message)).toEqual([]);
  });

  test('atmos-auth fixture: default identity and chains', () => {
    const raw = parse(readFileSync(join(FIXTURES, 'atmos-auth', 'atmos.yaml'), 'utf8')) as { auth: unknown };
    const c = cfg(raw.auth);
    expect(defaultIdentity(c)).toBe('test-admin');
    expect(buildChain(c, 'oidc').label).toBe('provider-oidc -> oidc');
    expect(buildChain(c, 'test-user').rootName).toBe('aws-user');
  });
});

describe('identity selection (§1.8)', () => {
  const c = cfg({ identities: { a: { kind: 'aws/user', default: true }, b: { kind: 'aws/user' } } });
  test('flag, then ATMOS_IDENTITY, then the default', () => {
    expect(selectIdentity(c, { flag: 'B', env: { ATMOS_IDENTITY: 'a' } })).toEqual({ kind: 'identity', name: 'b', source: 'flag' });
    expect(selectIdentity(c, { env: { ATMOS_IDENTITY: 'B' } })).toEqual({ kind: 'identity', name: 'b', source: 'env' });
    expect(selectIdentity(c, { env: {} })).toEqual({ kind: 'identity', name: 'a', source: 'default' });
    expect(selectIdentity(cfg({ identities: { b: { kind: 'aws/user' } } }), { env: {} })).toEqual({ kind: 'none' });
  });
  test.each(['false', 'FALSE', '0', 'no', 'Off'])('%s disables auth', (v) => {
    expect(isDisabledValue(v)).toBe(true);
    expect(selectIdentity(c, { flag: v, env: {} })).toEqual({ kind: 'disabled', source: 'flag' });
    expect(selectIdentity(c, { env: { ATMOS_IDENTITY: v } })).toEqual({ kind: 'disabled', source: 'env' });
  });
  test('two defaults are an error', () => {
    expect(() => selectIdentity(cfg({ identities: { a: { kind: 'aws/user', default: true }, b: { kind: 'aws/user', default: true } } }), { env: {} })).toThrow(expect.objectContaining({ code: 'AUTH_DEFAULT_MULTIPLE' }));
  });
});

describe('small rules', () => {
  test.each([
    ['ops session!', 'ops-session'],
    ['a'.repeat(70), 'a'.repeat(64)],
    ['!!!', 'atmos-session'],
    ['user@example.com', 'user@example.com'],
  ])('session name %j -> %j', (input, out) => expect(sanitizeSessionName(input)).toBe(out));

  test.each([
    ['3600', 3600],
    [900, 900],
    ['1h30m', 5400],
    ['1.5h', 5400],
    ['2d', 172800],
    ['15m', 900],
    ['soon', undefined],
    ['1x', undefined],
  ])('duration %j -> %j', (input, out) => expect(parseDurationSeconds(input)).toBe(out));
});
