import { Workspace } from '../../../core/workspace';
import { atmosYaml, writeProject } from './project';

// Atmos rules the stack engine follows (issue 15), each checked on a small project.
const load = (root: string, env: NodeJS.ProcessEnv = {}) => Workspace.load({ cwd: root, env });

describe('import globs follow doublestar semantics', () => {
  it('`?` matches one character and a pattern with its own extension (`.*`) gets none added', async () => {
    const root = writeProject({
      'atmos.yaml': atmosYaml(),
      'stacks/catalog/services/svc-1.yaml': 'components: { terraform: { svc-1: {} } }\n',
      'stacks/catalog/services/svc-2.yaml': 'components: { terraform: { svc-2: {} } }\n',
      'stacks/catalog/services/svc-10.yaml': 'components: { terraform: { svc-10: {} } }\n',
      'stacks/catalog/services/svc-3.md': 'not a manifest\n',
      'stacks/dev.yaml': 'import: ["catalog/services/svc-?.*"]\n',
      'stacks/prod.yaml': 'import: ["catalog/services/svc-?"]\n',
    });
    const ws = await load(root);
    expect(ws.listStacks().map((s) => [s.name, s.components.terraform])).toEqual([
      ['dev', ['svc-1', 'svc-2']],
      ['prod', ['svc-1', 'svc-2']],
    ]);
  });
});

describe('component, metadata.component and metadata.inherits', () => {
  const root = writeProject({
    'atmos.yaml': atmosYaml(),
    'stacks/catalog/base.yaml': 'components: { terraform: { vpc: { component: mock, vars: { enabled: true } } } }\n',
    'stacks/dev.yaml': [
      'import: [catalog/base]',
      'components:',
      '  terraform:',
      '    vpc: { vars: { cidr: 10.0.0.0/16 } }',
      '    net-base: { vars: { from_base: true, level: base } }',
      '    net: { component: net-base, vars: { level: own } }',
      '    net-2: { component: net, metadata: { component: folder-2 } }',
      '    mixin: { vars: { mixin: true } }',
      '    app: { metadata: { inherits: [mixin] } }',
    ].join('\n'),
  });

  it('a `component:` naming no component of the stack is ignored: folder and workspace stay the instance', async () => {
    const d = await (await load(root)).describeComponent('vpc', 'dev');
    expect(d.component).toBe('vpc');
    expect(d.workspace).toBe('dev');
    expect(d.vars).toEqual({ enabled: true, cidr: '10.0.0.0/16' });
  });

  it('a `component:` naming a component of the stack is a base: its vars and its folder', async () => {
    const ws = await load(root);
    const d = await ws.describeComponent('net', 'dev');
    expect(d.component).toBe('net-base');
    expect(d.workspace).toBe('dev-net');
    expect(d.vars).toEqual({ from_base: true, level: 'own' });
    expect(d.inheritance).toEqual(['net-base']);
    const d2 = await ws.describeComponent('net-2', 'dev');
    expect(d2.component).toBe('folder-2');
    expect(d2.vars).toEqual({ from_base: true, level: 'own' });
  });

  it('metadata.inherits merges configuration but never changes the folder', async () => {
    const d = await (await load(root)).describeComponent('app', 'dev');
    expect(d.component).toBe('app');
    expect(d.vars).toEqual({ mixin: true });
  });
});

describe('stack name precedence for lookup (name > name_template > name_pattern > file name)', () => {
  it('a manifest with `name:` is found by that name only; its file name is refused with a suggestion', async () => {
    const root = writeProject({
      'atmos.yaml': atmosYaml(),
      'stacks/legacy-prod.yaml': 'name: my-legacy-prod-stack\ncomponents: { terraform: { vpc: {} } }\n',
      'stacks/no-name.yaml': 'components: { terraform: { vpc: {} } }\n',
    });
    const ws = await load(root);
    expect((await ws.describeComponent('vpc', 'my-legacy-prod-stack')).atmos_stack_file).toBe('legacy-prod');
    expect((await ws.describeComponent('vpc', 'no-name')).atmos_stack).toBe('no-name');
    await expect(ws.describeComponent('vpc', 'legacy-prod')).rejects.toMatchObject({
      code: 'STACK_NOT_FOUND',
      message: expect.stringContaining('did you mean "my-legacy-prod-stack"'),
    });
  });

  it('with name_pattern, the file name is refused too', async () => {
    const root = writeProject({
      'atmos.yaml': atmosYaml('  name_pattern: "{stage}"\n'),
      'stacks/deploy/prod.yaml': 'vars: { stage: production }\ncomponents: { terraform: { vpc: {} } }\n',
    });
    const ws = await load(root);
    expect((await ws.describeComponent('vpc', 'production')).atmos_stack).toBe('production');
    await expect(ws.describeComponent('vpc', 'deploy/prod')).rejects.toMatchObject({ code: 'STACK_NOT_FOUND' });
  });
});

describe('Go templates in stack manifests (templates.settings.enabled)', () => {
  const files = (enabled: boolean) => ({
    'atmos.yaml': `${atmosYaml()}templates:\n  settings:\n    enabled: ${enabled}\n`,
    'stacks/nonprod.yaml': [
      'vars: { stage: nonprod }',
      'terraform:',
      '  backend_type: s3',
      '  backend:',
      '    s3:',
      '      bucket: "{{ .vars.stage }}-tfstate"',
      '      workspace_key_prefix: "{{ .atmos_component }}"',
      'components:',
      '  terraform:',
      '    component-1:',
      '      vars:',
      '        foo: "{{ .atmos_component }}-a"',
      '        upper: "{{ .vars.stage | upper }}"',
      '        env: "{{ env \\"TEAM\\" | default \\"none\\" }}"',
      '        missing: "{{ .vars.nope }}"',
      '      env:',
      '        WS: "{{ .workspace }}"',
    ].join('\n'),
  });

  it('renders the merged section with the component as data (vars, atmos_component, workspace, Sprig, env)', async () => {
    const ws = await load(writeProject(files(true)), { TEAM: 'platform' });
    const d = await ws.describeComponent('component-1', 'nonprod');
    expect(d.backend).toEqual({ bucket: 'nonprod-tfstate', workspace_key_prefix: 'component-1' });
    expect(d.vars).toMatchObject({ foo: 'component-1-a', upper: 'NONPROD', env: 'platform', missing: '<no value>' });
    expect(d.env).toEqual({ WS: 'nonprod' });
  });

  it('leaves templates alone when templating is disabled (as Atmos)', async () => {
    const d = await (await load(writeProject(files(false)))).describeComponent('component-1', 'nonprod');
    expect((d.vars as Record<string, unknown>).foo).toBe('{{ .atmos_component }}-a');
  });

  it('an unsupported function fails naming it, the manifest and the line', async () => {
    const f = files(true);
    f['stacks/nonprod.yaml'] = f['stacks/nonprod.yaml'].replace('| upper', '| frobnicate');
    const ws = await load(writeProject(f));
    await expect(ws.describeComponent('component-1', 'nonprod')).rejects.toMatchObject({
      code: 'STACK_TEMPLATE_UNSUPPORTED',
      message: expect.stringContaining('"frobnicate"'),
      where: expect.stringMatching(/stacks\/nonprod\.yaml:13/),
    });
  });
});

describe('!include parses by extension and resolves paths as Atmos', () => {
  const root = writeProject({
    'atmos.yaml': atmosYaml(),
    'config/dev.tfvars': 'cidr_block = "10.0.0.0/16"\nenable_dns_hostnames = true\ncount_x = 3\ntags = {\n  Team = "platform"\n}\nzones = ["a", "b"]\n',
    'config/vars.hcl': 'region = "us-west-2"\n',
    'config/vars.json': '{"from_json": [1, 2]}',
    'config/vars.env': 'export A=1\nB="two words"\n',
    'config/note.txt': 'plain text\n',
    'config/block.tf': 'variable "x" {\n  type = string\n}\n',
    'config/ref.tfvars': 'a = var.other\n',
    'config/bad.tfvars': 'a = = 1\n',
    'stacks/deploy/near.yaml': 'near: true\n',
    'stacks/deploy/dev.yaml': [
      'components:',
      '  terraform:',
      '    vpc:',
      '      vars: !include config/dev.tfvars',
      '    hcl:',
      '      vars: !include config/vars.hcl',
      '    others:',
      '      vars:',
      '        json: !include config/vars.json .from_json[1]',
      '        env: !include config/vars.env',
      '        text: !include config/note.txt',
      '        raw: !include.raw config/vars.hcl',
      '        relative: !include ./near.yaml',
    ].join('\n'),
  });

  it('.tfvars and .hcl are HCL, .json JSON, .env dotenv, other files text; base-path-relative and ./ paths', async () => {
    const ws = await load(root);
    expect((await ws.describeComponent('vpc', 'deploy/dev')).vars).toEqual({
      cidr_block: '10.0.0.0/16',
      enable_dns_hostnames: true,
      count_x: 3,
      tags: { Team: 'platform' },
      zones: ['a', 'b'],
    });
    expect((await ws.describeComponent('hcl', 'deploy/dev')).vars).toEqual({ region: 'us-west-2' });
    expect((await ws.describeComponent('others', 'deploy/dev')).vars).toEqual({
      json: 2,
      env: { A: '1', B: 'two words' },
      text: 'plain text\n',
      raw: 'region = "us-west-2"\n',
      relative: { near: true },
    });
  });

  it.each([
    ['config/block.tf', 'YAML_INCLUDE_HCL', /config\/block\.tf:1/],
    ['config/ref.tfvars', 'YAML_INCLUDE_HCL', /config\/ref\.tfvars/],
    ['config/bad.tfvars', 'YAML_PARSE', /config\/bad\.tfvars:1:5/],
  ])('%s fails loudly (%s)', async (file, code, where) => {
    const bad = writeProject({
      'atmos.yaml': atmosYaml(),
      [file]: { 'config/block.tf': 'variable "x" {\n  type = string\n}\n', 'config/ref.tfvars': 'a = var.other\n', 'config/bad.tfvars': 'a = = 1\n' }[file] as string,
      'stacks/dev.yaml': `components: { terraform: { c: { vars: !include ${file} } } }\n`,
    });
    await expect((await load(bad)).describeComponent('c', 'dev')).rejects.toMatchObject({ code, where: expect.stringMatching(where) });
  });
});

describe("Atmos's other YAML functions load as typed nodes", () => {
  const root = writeProject({
    'atmos.yaml': atmosYaml(),
    'stacks/catalog/base.yaml': 'components: { terraform: { app: { vars: { zones: [a], drop: x } } } }\n',
    'stacks/dev.yaml': [
      'import: [catalog/base]',
      'components:',
      '  terraform:',
      '    app:',
      '      vars:',
      '        zones: !append [b]',
      '        drop: !unset',
      '        here: !cwd',
      '        port: !random 1000 1999',
      '        lit: !literal "{{ not rendered }}"',
      '        root: !repo-root /no/repo',
      '    state:',
      '      vars:',
      '        vpc_id: !terraform.output vpc vpc_id',
      '        account: !aws.account_id',
      '        empty_exec: !exec',
    ].join('\n'),
  });

  it('validate-style loading succeeds; !append, !unset, !cwd, !random, !literal, !repo-root evaluate', async () => {
    const ws = await load(root);
    expect(() => ws.resolveComponent('state', 'dev')).not.toThrow();
    const d = await ws.describeComponent('app', 'dev');
    const vars = d.vars as Record<string, unknown>;
    expect(vars.zones).toEqual(['a', 'b']);
    expect('drop' in vars).toBe(false);
    expect(vars.here).toBe(root);
    expect(vars.port).toBeGreaterThanOrEqual(1000);
    expect(vars.port).toBeLessThanOrEqual(1999);
    expect(vars.lit).toBe('{{ not rendered }}');
    expect(vars.root).toBe('/no/repo');
  });

  it('the Terraform-state functions fail only when their value is asked for, with a coded error', async () => {
    const ws = await load(root);
    await expect(ws.describeComponent('state', 'dev')).rejects.toMatchObject({ code: expect.stringMatching(/^YAML_FUNCTION_(TERRAFORM_STATE|UNSUPPORTED|ARGS)$/) });
    const raw = await ws.describeComponent('state', 'dev', { processFunctions: false });
    expect((raw.vars as Record<string, unknown>).vpc_id).toBe('!terraform.output vpc vpc_id');
  });
});

describe('validate-time problems Atmos reports', () => {
  it('a remote_state_backend_type with no remote_state_backend settings for it fails naming component and stack', async () => {
    const root = writeProject({
      'atmos.yaml': atmosYaml(),
      'stacks/sandbox.yaml': [
        'terraform:',
        '  backend_type: s3',
        '  backend: { s3: { bucket: b } }',
        '  remote_state_backend: { s3: { role_arn: r } }',
        'components:',
        '  terraform:',
        '    ok: {}',
        '    bootstrap:',
        '      backend_type: local',
        '      backend: { local: { path: terraform.tfstate } }',
      ].join('\n'),
    });
    const ws = await load(root);
    expect((await ws.describeComponent('ok', 'sandbox')).remote_state_backend).toEqual({ bucket: 'b', role_arn: 'r' });
    await expect(ws.describeComponent('bootstrap', 'sandbox')).rejects.toMatchObject({
      code: 'STACK_REMOTE_STATE_BACKEND_MISMATCH',
      message: expect.stringMatching(/component "bootstrap" in stack "sandbox": remote_state_backend_type is "local"/),
    });
  });
});
