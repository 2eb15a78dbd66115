import { allowedUnsafeNames, parseDeclarations, scopeForPosition } from '../../../core/secrets/declaration';
import { coordinateFor } from '../../../core/secrets/coordinates';
import { buildComponentSecrets } from '../../../core/secrets/component-secrets';
import { buildStoreRegistry } from '../../../core/stores/store-registry';

const sources = { A: { file: 'stacks/dev.yaml', line: 12, scope: 'instance' as const } };

describe('parseDeclarations', () => {
  it('reads every field and keeps the name case', () => {
    const { declarations, problems } = parseDeclarations({
      DataDog_Key: { description: 'dd', store: 'ssm', required: true, scope: 'stack', reference: 'ref' },
    });
    expect(problems).toEqual([]);
    expect(declarations.get('DataDog_Key')).toEqual({ name: 'DataDog_Key', description: 'dd', store: 'ssm', reference: 'ref', required: true, scope: 'stack', where: 'secrets.vars.DataDog_Key' });
  });

  it('refuses both store and sops, naming the declaration and file:line', () => {
    const { problems, invalid } = parseDeclarations({ A: { store: 's', sops: 'p' } }, { sources });
    expect(problems).toHaveLength(1);
    expect(problems[0].code).toBe('SECRET_BACKEND_AMBIGUOUS');
    expect(problems[0].message).toContain('"A"');
    expect(problems[0].message).toContain('stacks/dev.yaml:12');
    expect(invalid.has('A')).toBe(true);
  });

  it('refuses a declaration without backend and a bare (non-map) declaration', () => {
    const { problems } = parseDeclarations({ A: { description: 'x' }, B: null }, { sources });
    expect(problems.map((p) => p.code)).toEqual(['SECRET_NO_BACKEND', 'SECRET_NO_BACKEND']);
    expect(problems[1].message).toContain('"B"');
  });

  it('refuses unknown fields, bad types and unknown scopes', () => {
    const { problems } = parseDeclarations({ A: { store: 's', stroe: 'x' }, B: { store: 's', required: 'yes' }, C: { store: 's', scope: 'planet' } });
    expect(problems.map((p) => p.code)).toEqual(['SECRET_DECLARATION_INVALID', 'SECRET_DECLARATION_INVALID', 'SECRET_DECLARATION_INVALID']);
    expect(problems[2].message).toContain('planet');
  });

  // Issue 10 item 19: declared names become environment variables of exec/shell children.
  it('refuses names that are not valid environment variable names', () => {
    const { problems, declarations } = parseDeclarations({ 'A=B': { store: 's' }, '1X': { store: 's' }, 'db-password': { store: 's' }, 'a b': { store: 's' }, 'X\0Y': { store: 's' }, ok_Name_2: { store: 's' } });
    expect(problems.map((p) => p.code)).toEqual(Array(5).fill('SECRET_NAME_INVALID'));
    expect(problems[0].message).toContain('"A=B"');
    expect(problems[2].fix).toContain('"db_password"');
    expect([...declarations.keys()]).toEqual(['ok_Name_2']);
  });

  it('refuses names that change how a child loads or runs, unless INFRAKEY_ALLOW_UNSAFE_SECRET_NAMES lists them', () => {
    const vars = Object.fromEntries(['LD_PRELOAD', 'ld_library_path', 'DYLD_INSERT_LIBRARIES', 'NODE_OPTIONS', 'PATH', 'Path', 'PYTHONPATH', 'BASH_ENV', 'LDAP_PASSWORD', 'PATHS'].map((n) => [n, { store: 's' }]));
    const refused = parseDeclarations(vars);
    expect(refused.problems.map((p) => p.message.match(/"([^"]+)"/)?.[1])).toEqual(['LD_PRELOAD', 'ld_library_path', 'DYLD_INSERT_LIBRARIES', 'NODE_OPTIONS', 'PATH', 'Path', 'PYTHONPATH', 'BASH_ENV']);
    expect(new Set(refused.problems.map((p) => p.code))).toEqual(new Set(['SECRET_NAME_UNSAFE']));
    expect(refused.problems[0].fix).toContain('INFRAKEY_ALLOW_UNSAFE_SECRET_NAMES=LD_PRELOAD');
    // Similar-looking names that change nothing are fine.
    expect([...refused.declarations.keys()]).toEqual(['LDAP_PASSWORD', 'PATHS']);
    const allowed = parseDeclarations(vars, { allowUnsafeNames: allowedUnsafeNames({ INFRAKEY_ALLOW_UNSAFE_SECRET_NAMES: ' node_options, PATH ' }) });
    expect(allowed.declarations.has('NODE_OPTIONS')).toBe(true);
    expect(allowed.declarations.has('PATH')).toBe(true);
    expect(allowed.declarations.has('Path')).toBe(true);
    expect(allowed.invalid.has('LD_PRELOAD')).toBe(true);
  });

  it('takes the stamped scope from the stack engine sources when the map has none', () => {
    const { declarations } = parseDeclarations({ A: { store: 's' } }, { sources: { A: { file: 'f', scope: 'stack' } } });
    expect(declarations.get('A')?.scope).toBe('stack');
  });
});

describe('scopeForPosition (§6.3)', () => {
  it('derives the scope from the position, keeps global, refuses conflicts', () => {
    expect(scopeForPosition('A', undefined, 'stack')).toBe('stack');
    expect(scopeForPosition('A', undefined, 'instance')).toBe('instance');
    expect(scopeForPosition('A', 'global', 'instance')).toBe('global');
    expect(scopeForPosition('A', 'instance', 'instance')).toBe('instance');
    expect(() => scopeForPosition('A', 'stack', 'instance', 'stacks/dev.yaml:4')).toThrow(/secret scope conflicts with declaration position: secret "A" declares scope "stack" but its position implies "instance"/);
    try {
      scopeForPosition('A', 'instance', 'stack', 'stacks/dev.yaml:4');
    } catch (e) {
      expect((e as { code: string }).code).toBe('SECRET_SCOPE_CONFLICT');
      expect((e as Error).message).toContain('stacks/dev.yaml:4');
    }
  });
});

describe('coordinateFor (§6.4)', () => {
  it('drops component for stack scope and both for global; reference replaces the name', () => {
    expect(coordinateFor({ name: 'N', scope: 'instance' }, 'plat-ue2-dev', 'vpc/main')).toEqual({ stack: 'plat-ue2-dev', component: 'vpc/main', key: 'N' });
    expect(coordinateFor({ name: 'N', scope: 'stack' }, 'dev', 'api')).toEqual({ stack: 'dev', component: '', key: 'N' });
    expect(coordinateFor({ name: 'N', scope: 'global' }, 'dev', 'api')).toEqual({ stack: '', component: '', key: 'N' });
    expect(coordinateFor({ name: 'N', scope: 'instance', reference: 'op://v/i/f' }, 'dev', 'api').key).toBe('op://v/i/f');
  });

  it('composes Atmos paths through an SSM store (prefix, stack delimiter)', () => {
    const reg = buildStoreRegistry({ s: { kind: 'aws/ssm', secret: true, options: { region: 'us-east-1', prefix: '/atmos' } } });
    const store = reg.get('s');
    const at = (scope: 'instance' | 'stack' | 'global') => {
      const c = coordinateFor({ name: 'TOKEN', scope }, 'plat-ue2-dev', 'vpc/main');
      return store.keyPath(c.stack, c.component, c.key);
    };
    expect(at('instance')).toBe('/atmos/plat/ue2/dev/vpc/main/TOKEN');
    expect(at('stack')).toBe('/atmos/plat/ue2/dev/TOKEN');
    expect(at('global')).toBe('/atmos/TOKEN');
  });
});

describe('buildComponentSecrets backend checks', () => {
  const stores = buildStoreRegistry({
    vault: { kind: 'keychain', options: { backend: 'memory' } },
    plain: { kind: 'aws/ssm', options: { region: 'us-east-1' } },
  });
  const build = (vars: Record<string, unknown>, providers?: Record<string, unknown>, configProviders?: Record<string, unknown>) =>
    buildComponentSecrets({ stack: 'dev', component: 'api', section: { vars, providers }, configProviders, stores, where: 'stacks/dev.yaml' });

  it('accepts a keychain store (secret by default) and a configured sops provider', () => {
    const cs = build({ A: { store: 'vault' }, B: { sops: 'p' } }, undefined, { p: { kind: 'sops/age', spec: { file: 'x.yaml' } } });
    expect(cs.problems).toEqual([]);
    expect([...cs.declarations.keys()]).toEqual(['A', 'B']);
  });

  it('takes INFRAKEY_ALLOW_UNSAFE_SECRET_NAMES from the environment it is given', () => {
    const withEnv = (env: NodeJS.ProcessEnv) => buildComponentSecrets({ stack: 'dev', component: 'api', section: { vars: { NODE_OPTIONS: { store: 'vault' } } }, stores, env });
    expect(withEnv({}).invalid.get('NODE_OPTIONS')?.code).toBe('SECRET_NAME_UNSAFE');
    expect(withEnv({ INFRAKEY_ALLOW_UNSAFE_SECRET_NAMES: 'NODE_OPTIONS' }).declarations.has('NODE_OPTIONS')).toBe(true);
  });

  it('reports an unknown store, a non-secret store and an unknown provider, each by name', () => {
    const cs = build({ A: { store: 'nope' }, B: { store: 'plain' }, C: { sops: 'missing' } });
    expect(cs.problems.map((p) => p.code)).toEqual(['SECRET_STORE_UNKNOWN', 'SECRET_STORE_NOT_SECRET', 'SECRET_PROVIDER_UNKNOWN']);
    expect(cs.problems[0].message).toMatch(/"nope".*"A"/);
    expect(cs.problems[1].message).toMatch(/"plain".*"B"/);
    expect(cs.problems[2].message).toMatch(/"missing".*"C"/);
    expect(cs.declarations.size).toBe(0);
  });

  it('lets stack/component providers replace atmos.yaml ones of the same name', () => {
    const cs = build({ B: { sops: 'p' } }, { p: { kind: 'sops/age', spec: { file: 'stack.yaml' } } }, { p: { kind: 'sops/gpg', spec: { file: 'cfg.yaml' } } });
    expect(cs.problems).toEqual([]);
    expect(cs.providers.p.spec.file).toBe('stack.yaml');
    expect(cs.providers.p.origin).toBe('stack');
  });

  it('refuses global scope on SOPS and unsupported provider kinds', () => {
    const cs = build({ A: { sops: 'p', scope: 'global' }, B: { sops: 'g' } }, { p: { kind: 'sops/age', spec: {} }, g: { kind: 'sops/azure-kv', spec: {} } });
    expect(cs.problems.map((p) => p.code)).toEqual(['SECRET_SCOPE_UNSUPPORTED', 'SECRET_PROVIDER_UNSUPPORTED']);
  });
});
