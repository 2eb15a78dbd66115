import { join } from 'node:path';
import { Workspace } from '../../../core/workspace';
import { atmosYaml, writeProject } from './project';

const load = (root: string) => Workspace.load({ cwd: root, env: {} });

describe('stack engine: imports and merge order', () => {
  const root = writeProject({
    'atmos.yaml': atmosYaml('  name_template: "{{ .vars.tenant }}-{{ .vars.stage }}"\n'),
    'stacks/catalog/base.yaml': [
      'vars: { region: us-east-1, tags: [base] }',
      'settings: { team: core }',
      'overrides: { vars: { from_catalog_override: true } }',
      'components:',
      '  terraform:',
      '    vpc-defaults:',
      '      metadata: { type: abstract, owner: net }',
      '      vars: { cidr: 10.0.0.0/16, level: defaults, tags: [defaults] }',
      '    vpc-flags:',
      '      metadata: { type: abstract }',
      '      vars: { level: flags, flags: true }',
      '      secrets: { vars: { VPC_KEY: { store: ssm } } }',
    ].join('\n'),
    'stacks/catalog/nested.yaml': 'import: [catalog/base]\nvars: { nested: true }\n',
    'stacks/orgs/acme/_defaults.yaml': 'import: [catalog/nested]\nvars: { tenant: acme }\nterraform: { vars: { tf_level: type } }\nsecrets: { vars: { STACK_TOKEN: { store: ssm } } }\n',
    'stacks/orgs/acme/dev.yaml': [
      'import:',
      '  - ./_defaults',
      '  - path: catalog/missing-optional',
      '    skip_if_missing: true',
      'vars: { stage: dev, tags: [dev] }',
      'overrides: { vars: { overridden: yes-dev } }',
      'components:',
      '  terraform:',
      '    vpc:',
      '      metadata: { component: vpc-module, inherits: [vpc-defaults, vpc-flags] }',
      '      vars: { name: main }',
    ].join('\n'),
    'stacks/orgs/acme/prod.yaml': 'import: [orgs/acme/_defaults]\nvars: { stage: prod }\ncomponents: { terraform: { vpc: { vars: { name: p } } } }\n',
  });

  it('lists stacks by name_template, hiding catalog manifests and excluded defaults', async () => {
    const ws = await load(root);
    expect(ws.listStacks().map((s) => [s.name, s.fileName, s.components.terraform])).toEqual([
      ['acme-dev', 'orgs/acme/dev', ['vpc', 'vpc-defaults', 'vpc-flags']],
      ['acme-prod', 'orgs/acme/prod', ['vpc', 'vpc-defaults', 'vpc-flags']],
    ]);
  });

  it('merges stack → type → bases in order → component → overrides', async () => {
    const ws = await load(root);
    const d = await ws.describeComponent('vpc', 'acme-dev');
    expect(d.vars).toEqual({
      region: 'us-east-1',
      tags: ['defaults'], // the base component's list replaces the stack's
      nested: true,
      tenant: 'acme',
      stage: 'dev',
      tf_level: 'type',
      cidr: '10.0.0.0/16',
      level: 'flags',
      flags: true,
      name: 'main',
      overridden: 'yes-dev',
    });
    expect(d.settings).toEqual({ team: 'core' });
    expect(d.metadata).toEqual({ component: 'vpc-module', inherits: ['vpc-defaults', 'vpc-flags'], owner: 'net' });
    expect(d.component).toBe('vpc-module');
    expect(d.atmos_component).toBe('vpc');
    expect(d.atmos_stack).toBe('acme-dev');
    expect(d.atmos_stack_file).toBe('orgs/acme/dev');
    expect(d.workspace).toBe('acme-dev-vpc');
    expect(d.inheritance).toEqual(['vpc-flags', 'vpc-defaults']);
    expect(d.imports).toEqual(['catalog/base', 'catalog/nested', 'orgs/acme/_defaults']);
    // describe component shows the absolute folder, as Atmos.
    expect(d.component_info).toEqual({ component_type: 'terraform', component_path: join(root, 'components/terraform/vpc-module') });
    expect(d.secrets).toEqual({ vars: { STACK_TOKEN: { store: 'ssm', scope: 'stack' }, VPC_KEY: { store: 'ssm', scope: 'instance' } } });
    const resolved = ws.resolveComponent('vpc', 'acme-dev');
    expect(resolved.secretSources.STACK_TOKEN).toEqual({ scope: 'stack', file: join(root, 'stacks/orgs/acme/_defaults.yaml'), line: 4 });
  });

  it('applies overrides only to components of the manifest that declares them and its imports', async () => {
    const ws = await load(root);
    const prod = await ws.describeComponent('vpc', 'acme-prod');
    expect(prod.vars).not.toHaveProperty('overridden');
    expect(prod.vars).not.toHaveProperty('from_catalog_override');
    // The catalog's overrides reach the components defined in the catalog (the bases) only.
    expect(prod.vars).toMatchObject({ name: 'p', stage: 'prod' });
  });

  it('refuses -s as the file-derived name when the stack has another name (as Atmos), suggesting it; refuses abstract components', async () => {
    const ws = await load(root);
    await expect(ws.describeComponent('vpc', 'orgs/acme/prod')).rejects.toMatchObject({ code: 'STACK_NOT_FOUND', message: expect.stringContaining('did you mean "acme-prod"') });
    await expect(ws.describeComponent('vpc-defaults', 'acme-dev')).rejects.toMatchObject({ code: 'STACK_COMPONENT_ABSTRACT' });
  });

  it('parses each manifest once per workspace', async () => {
    const ws = await load(root);
    ws.listStacks();
    await ws.describeComponent('vpc', 'acme-dev');
    await ws.describeComponent('vpc', 'acme-prod');
    // dev, prod, _defaults, nested, base: five files however often they are imported.
    expect(ws.stacks.parsedFiles).toBe(5);
  });
});

describe('stack engine: names', () => {
  it('uses manifest name:, then name_pattern, then the path', async () => {
    const root = writeProject({
      'atmos.yaml': atmosYaml('  name_pattern: "{tenant}-{stage}"\n'),
      'stacks/a.yaml': 'name: explicit\ncomponents: { terraform: { c: {} } }\n',
      'stacks/b/c.yaml': 'vars: { tenant: t, stage: s }\ncomponents: { terraform: { c: {} } }\n',
    });
    expect((await load(root)).listStacks().map((s) => s.name)).toEqual(['explicit', 't-s']);
    const plain = writeProject({ 'atmos.yaml': atmosYaml(), 'stacks/x/y.yaml': 'components: { terraform: { c: {} } }\n' });
    expect((await load(plain)).listStacks().map((s) => s.name)).toEqual(['x/y']);
  });

  it('renders .tmpl imports with the import context', async () => {
    const root = writeProject({
      'atmos.yaml': atmosYaml(),
      'stacks/catalog/svc.yaml.tmpl': 'components:\n  terraform:\n    "svc-{{ .name }}":\n      vars: { size: {{ .size }} }\n',
      'stacks/dev.yaml': 'import:\n  - path: catalog/svc\n    context: { name: api, size: 2 }\n  - path: catalog/svc\n    context: { name: web, size: 3 }\n',
    });
    const ws = await load(root);
    expect(ws.listStacks()[0].components.terraform).toEqual(['svc-api', 'svc-web']);
    expect((await ws.describeComponent('svc-web', 'dev')).vars).toEqual({ size: 3 });
  });

  it('supports glob imports', async () => {
    const root = writeProject({
      'atmos.yaml': atmosYaml(),
      'stacks/catalog/a.yaml': 'components: { terraform: { a: { vars: { x: 1 } } } }\n',
      'stacks/catalog/sub/b.yaml': 'components: { terraform: { b: {} } }\n',
      'stacks/dev.yaml': 'import: ["catalog/**/*"]\n',
    });
    expect((await load(root)).listStacks()[0].components.terraform).toEqual(['a', 'b']);
  });
});

describe('stack engine: errors name the file and line', () => {
  const expectError = async (files: Record<string, string>, act: (ws: Workspace) => unknown, code: string, where: RegExp) => {
    const root = writeProject({ 'atmos.yaml': atmosYaml(files['atmos-extra'] ?? ''), ...files });
    let error: any;
    try {
      const ws = await load(root);
      await act(ws);
    } catch (e) {
      error = e;
    }
    expect(error).toBeDefined();
    expect(error.code).toBe(code);
    expect(error.where).toMatch(where);
    expect(error.message).toContain('fix:');
    return error;
  };
  const list = (ws: Workspace) => ws.listStacks();

  it('malformed YAML', () => expectError({ 'stacks/dev.yaml': 'vars:\n  a: [1, 2\n' }, list, 'YAML_PARSE', /stacks\/dev\.yaml:\d+/));
  it('an unknown tag', () => expectError({ 'stacks/dev.yaml': 'vars:\n  a: !nope x\n' }, list, 'YAML_UNKNOWN_TAG', /stacks\/dev\.yaml:2/));
  it('an import that does not exist', async () => {
    const e = await expectError({ 'stacks/dev.yaml': 'vars: {}\nimport:\n  - catalog/nothing\n' }, list, 'STACK_IMPORT_NOT_FOUND', /stacks\/dev\.yaml:3/);
    expect(e.message).toContain('catalog/nothing');
  });
  it('an import cycle, naming the chain', async () => {
    const e = await expectError(
      { 'stacks/dev.yaml': 'import: [catalog/a]\n', 'stacks/catalog/a.yaml': 'import: [catalog/b]\n', 'stacks/catalog/b.yaml': 'import:\n  - catalog/a\n' },
      list,
      'STACK_IMPORT_CYCLE',
      /catalog\/b\.yaml:2/,
    );
    expect(e.message).toContain('dev.yaml -> catalog/a.yaml -> catalog/b.yaml -> catalog/a.yaml');
  });
  it('a name_template that yields duplicate names for manifests defining a component differently (as Atmos, same definitions are fine)', async () => {
    const same = writeProject({
      'atmos.yaml': atmosYaml('  name_template: "{{ .vars.stage }}"\n'),
      'stacks/a.yaml': 'vars: { stage: dev }\ncomponents: { terraform: { c: {}, only-a: {} } }\n',
      'stacks/b.yaml': 'vars: { stage: dev }\ncomponents: { terraform: { c: {}, only-b: {} } }\n',
    });
    const ws = await load(same);
    expect(ws.listStacks().map((s) => [s.name, s.components.terraform])).toEqual([['dev', ['c', 'only-a', 'only-b']]]);
    expect((await ws.describeComponent('only-b', 'dev')).atmos_manifest).toBe('b');
    expect((await ws.describeComponent('c', 'dev')).atmos_manifest).toBe('a');
    const e = await expectError(
      {
        'atmos-extra': '  name_template: "{{ .vars.stage }}"\n',
        'stacks/a.yaml': 'vars: { stage: dev }\ncomponents: { terraform: { c: {} } }\n',
        'stacks/b.yaml': 'vars: { stage: dev }\ncomponents: { terraform: { c: { vars: { x: 1 } } } }\n',
      },
      (ws) => ws.describeComponent('c', 'dev'),
      'STACK_NAME_DUPLICATE',
      /atmos\.yaml:\d+/,
    );
    expect(e.message).toMatch(/stacks\/a\.yaml and .*stacks\/b\.yaml/);
  });
  it('inheriting a missing component', async () => {
    const e = await expectError(
      { 'stacks/dev.yaml': 'components:\n  terraform:\n    c:\n      metadata:\n        inherits:\n          - ghost\n' },
      (ws) => ws.describeComponent('c', 'dev'),
      'STACK_INHERITS_MISSING',
      /stacks\/dev\.yaml:6/,
    );
    expect(e.message).toContain('"ghost"');
    expect(e.message).toContain('stack "dev"');
  });
  it('an inheritance cycle', () =>
    expectError(
      { 'stacks/dev.yaml': 'components:\n  terraform:\n    a: { metadata: { inherits: [b] } }\n    b: { metadata: { inherits: [a] } }\n' },
      (ws) => ws.describeComponent('a', 'dev'),
      'STACK_INHERITS_CYCLE',
      /stacks\/dev\.yaml:4/,
    ));
  it('describing an abstract component', () =>
    expectError({ 'stacks/dev.yaml': 'components: { terraform: { base: { metadata: { type: abstract } } } }\n' }, (ws) => ws.describeComponent('base', 'dev'), 'STACK_COMPONENT_ABSTRACT', /stacks\/dev\.yaml/));
  it('an unknown stack', () => expectError({ 'stacks/dev.yaml': 'components: { terraform: { c: {} } }\n' }, (ws) => ws.describeComponent('c', 'nope'), 'STACK_NOT_FOUND', /stacks\.base_path/));
  it('an unknown component', async () => {
    const e = await expectError({ 'stacks/dev.yaml': 'components: { terraform: { c: {} } }\n' }, (ws) => ws.describeComponent('zz', 'dev'), 'STACK_COMPONENT_NOT_FOUND', /stacks\/dev\.yaml/);
    expect(e.fix).toContain('c');
  });
  it('a secret scope that contradicts its position', () =>
    expectError(
      { 'stacks/dev.yaml': 'components:\n  terraform:\n    c:\n      secrets:\n        vars:\n          K:\n            scope: stack\n' },
      (ws) => ws.describeComponent('c', 'dev'),
      'STACK_SECRET_SCOPE_CONFLICT',
      /stacks\/dev\.yaml:7/,
    ));
});
