import { Workspace } from '../../../core/workspace';
import { atmosYaml, writeProject } from './project';

// spacelift_stack, atlantis_project and settings.integrations.github as Atmos derives them for
// every component (before its Go templates render), each checked on a small project.
const load = (root: string) => Workspace.load({ cwd: root, env: {} });

const ATMOS = (naming: string) =>
  `${atmosYaml(naming)}templates:\n  settings:\n    enabled: true\nintegrations:\n  atlantis:\n    project_templates:\n      project-1: { name: "{tenant}-{environment}-{stage}-{component}" }\n  github:\n    gitops: { opentofu-version: 1.8.4, infracost-enabled: false }\n`;

const STACK = [
  'vars: { tenant: t1, environment: ue2, stage: dev }',
  'settings:',
  '  spacelift: { workspace_enabled: true }',
  '  atlantis: { project_template_name: project-1 }',
  '  integrations: { github: { gitops: { infracost-enabled: true } } }',
  'terraform:',
  '  vars:',
  '    tags:',
  '      spacelift_stack: "{{ .spacelift_stack }}"',
  '      atlantis_project: "{{ .atlantis_project }}"',
  'components:',
  '  terraform:',
  '    infra/vpc: { vars: { a: 1 } }',
  '    named: { settings: { spacelift: { stack_name: my-stack }, atlantis: { project_template: { name: "{namespace}x-{component}" } } } }',
  '    patterned: { settings: { spacelift: { stack_name_pattern: "{tenant}-{stage}-{component}" } } }',
  '    disabled: { settings: { spacelift: { workspace_enabled: false }, atlantis: { project_template_name: "" } } }',
].join('\n');

describe('Spacelift and Atlantis names, GitHub integration settings', () => {
  it('renders the names into the section and into templates that use them (name_template)', async () => {
    const ws = await load(writeProject({ 'atmos.yaml': ATMOS('  name_template: "{{ .vars.tenant }}-{{ .vars.environment }}-{{ .vars.stage }}"\n'), 'stacks/dev.yaml': STACK }));
    const vpc = await ws.describeComponent('infra/vpc', 't1-ue2-dev');
    expect(vpc.spacelift_stack).toBe('t1-ue2-dev-infra-vpc');
    expect(vpc.atlantis_project).toBe('t1-ue2-dev-infra-vpc');
    expect((vpc.vars as { tags: unknown }).tags).toEqual({ spacelift_stack: 't1-ue2-dev-infra-vpc', atlantis_project: 't1-ue2-dev-infra-vpc' });
    // atmos.yaml's integrations.github under the stack's settings.integrations.github.
    expect((vpc.settings as { integrations: unknown }).integrations).toEqual({ github: { gitops: { 'opentofu-version': '1.8.4', 'infracost-enabled': true } } });
    const named = await ws.describeComponent('named', 't1-ue2-dev');
    expect([named.spacelift_stack, named.atlantis_project]).toEqual(['my-stack', 'x-named']);
    expect((await ws.describeComponent('patterned', 't1-ue2-dev')).spacelift_stack).toBe('t1-dev-patterned');
    const off = await ws.describeComponent('disabled', 't1-ue2-dev');
    expect(off.spacelift_stack).toBeUndefined();
    expect(off.atlantis_project).toBeUndefined();
    // No name: the template reads Go's <no value>, as in Atmos.
    expect((off.vars as { tags: { spacelift_stack: string } }).tags.spacelift_stack).toBe('<no value>');
  });

  it('uses name_pattern when there is no name_template; a missing pattern var is an error naming it', async () => {
    const ws = await load(writeProject({ 'atmos.yaml': ATMOS('  name_pattern: "{tenant}-{environment}-{stage}"\n'), 'stacks/dev.yaml': STACK }));
    expect((await ws.describeComponent('infra/vpc', 't1-ue2-dev')).spacelift_stack).toBe('t1-ue2-dev-infra-vpc');
    // The stack is named from its own vars; the component's vars lack the namespace.
    const bad = await load(writeProject({ 'atmos.yaml': ATMOS('  name_pattern: "{namespace}-{stage}"\n'), 'stacks/dev.yaml': STACK.replace('vars: {', 'vars: { namespace: n1,').replace('infra/vpc: { vars: { a: 1 } }', 'infra/vpc: { vars: { namespace: "" } }') }));
    await expect(bad.describeComponent('infra/vpc', 'n1-dev')).rejects.toMatchObject({ code: 'STACK_NAME_MISSING_VALUE', message: expect.stringContaining("specifies 'namespace'") });
  });

  it('workspace_enabled without a name template or pattern is an error (as Atmos), unless the component names its stack', async () => {
    const ws = await load(writeProject({ 'atmos.yaml': ATMOS(''), 'stacks/dev.yaml': STACK }));
    await expect(ws.describeComponent('infra/vpc', 'dev')).rejects.toMatchObject({ code: 'STACK_SPACELIFT_NAME_UNDEFINED', where: expect.stringMatching(/stacks\/dev\.yaml:13:/) });
    expect((await ws.describeComponent('named', 'dev')).spacelift_stack).toBe('my-stack');
  });
});
