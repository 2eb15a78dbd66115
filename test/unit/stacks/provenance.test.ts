import { Workspace } from '../../../core/index';
import type { ComponentProvenance } from '../../../core/index';
import { atmosYaml, writeProject } from './project';

// Where each value of a described component comes from (describe component --provenance): the
// manifest, the line of the value and the import depth, replayed over the same merge the resolver does.

async function trace(files: Record<string, string>, component = 'app', stack = 'dev', env: NodeJS.ProcessEnv = {}): Promise<{ section: Record<string, unknown>; p: ComponentProvenance }> {
  const root = writeProject(files);
  const ws = await Workspace.load({ cwd: root, env: { HOME: root, ...env } });
  const { section, provenance } = await ws.describeComponentWithProvenance(component, stack);
  return { section, p: provenance };
}

const at = (p: ComponentProvenance, ...path: (string | number)[]) => {
  const o = p.originOf(path);
  return o ? `${o.computed ? '∴' : ''}[${o.depth}] ${o.file}:${o.line ?? '?'}` : undefined;
};

describe('component provenance', () => {
  it('a scalar names the definition that wins; a map the first manifest that writes it, its own block first', async () => {
    const { p } = await trace({
      'atmos.yaml': atmosYaml(),
      'stacks/catalog/base.yaml': ['vars:', '  region: eu-west-1', 'components:', '  terraform:', '    app:', '      vars:', '        name: app', '        tags:', '          team: a'].join('\n'),
      'stacks/mixins/region.yaml': ['import:', '  - catalog/base', 'vars:', '  region: us-east-1'].join('\n'),
      'stacks/dev.yaml': ['import:', '  - mixins/region', 'terraform:', '  vars:', '    tier: t', 'components:', '  terraform:', '    app:', '      vars:', '        tags:', '          env: dev'].join('\n'),
    });
    expect(at(p, 'vars', 'region')).toBe('[2] mixins/region.yaml:4');
    expect(at(p, 'vars', 'name')).toBe('[3] catalog/base.yaml:7');
    expect(at(p, 'vars', 'tier')).toBe('[1] dev.yaml:5');
    expect(at(p, 'vars', 'tags', 'env')).toBe('[1] dev.yaml:11');
    expect(at(p, 'vars', 'tags', 'team')).toBe('[3] catalog/base.yaml:9');
    // The maps: where the component's own block first writes them (the deepest import here).
    expect(at(p, 'vars')).toBe('[3] catalog/base.yaml:7');
    expect(at(p, 'vars', 'tags')).toBe('[3] catalog/base.yaml:9');
    // imports: where each manifest was imported, by whom.
    expect(at(p, 'imports', 0)).toBe('[2] mixins/region.yaml:2');
    expect(at(p, 'imports', 1)).toBe('[1] dev.yaml:2');
    expect([...p.sections].sort()).toEqual(['imports', 'vars']);
    expect(p.stackFile).toBe('dev');
  });

  it('bases (metadata.inherits) come before the component; overrides win over both', async () => {
    const { p, section } = await trace({
      'atmos.yaml': atmosYaml(),
      'stacks/catalog/base.yaml': ['components:', '  terraform:', '    base:', '      metadata: { type: abstract }', '      vars:', '        size: small', '        zone: a'].join('\n'),
      'stacks/dev.yaml': [
        'import: [catalog/base]',
        'overrides:',
        '  vars:',
        '    zone: z',
        'components:',
        '  terraform:',
        '    app:',
        '      metadata: { inherits: [base] }',
        '      vars:',
        '        size: large',
      ].join('\n'),
    });
    expect(section.vars).toEqual({ size: 'large', zone: 'z' });
    expect(at(p, 'vars', 'size')).toBe('[1] dev.yaml:10');
    expect(at(p, 'vars', 'zone')).toBe('[1] dev.yaml:4');
    expect(at(p, 'vars')).toBe('[2] catalog/base.yaml:6');
    // `overrides` at the top level: Atmos shows the overridden sections it names.
    expect(p.sections.has('vars')).toBe(true);
  });

  it('lists: replace takes the last list whole; append concatenates; merge merges by index', async () => {
    const files = (strategy: string) => ({
      'atmos.yaml': `${atmosYaml()}settings:\n  list_merge_strategy: ${strategy}\n`,
      'stacks/catalog/base.yaml': ['components:', '  terraform:', '    app:', '      vars:', '        zones: [a, b]', '        rules:', '          - { port: 1, open: true }'].join('\n'),
      'stacks/dev.yaml': ['import: [catalog/base]', 'components:', '  terraform:', '    app:', '      vars:', '        zones: [c]', '        rules:', '          - { port: 2 }'].join('\n'),
    });
    const replace = await trace(files('replace'));
    expect(replace.section.vars).toMatchObject({ zones: ['c'] });
    expect(at(replace.p, 'vars', 'zones')).toBe('[1] dev.yaml:6');
    expect(at(replace.p, 'vars', 'zones', 0)).toBe('[1] dev.yaml:6');

    const append = await trace(files('append'));
    expect(append.section.vars).toMatchObject({ zones: ['a', 'b', 'c'] });
    expect(at(append.p, 'vars', 'zones', 1)).toBe('[2] catalog/base.yaml:5');
    expect(at(append.p, 'vars', 'zones', 2)).toBe('[1] dev.yaml:6');

    // `!append` adds to the inherited list whatever the strategy.
    const tagged = await trace({
      ...files('replace'),
      'stacks/dev.yaml': ['import: [catalog/base]', 'components:', '  terraform:', '    app:', '      vars:', '        zones: !append [c]'].join('\n'),
    });
    expect(tagged.section.vars).toMatchObject({ zones: ['a', 'b', 'c'] });
    expect(at(tagged.p, 'vars', 'zones', 0)).toBe('[2] catalog/base.yaml:5');
    expect(at(tagged.p, 'vars', 'zones', 2)).toBe('[1] dev.yaml:6');

    const merge = await trace(files('merge'));
    expect(merge.section.vars).toMatchObject({ rules: [{ port: 2, open: true }] });
    expect(at(merge.p, 'vars', 'rules', 0, 'port')).toBe('[1] dev.yaml:8');
    expect(at(merge.p, 'vars', 'rules', 0, 'open')).toBe('[2] catalog/base.yaml:7');
  });

  it('a Go template or YAML function is marked computed; a value no manifest wrote has no origin', async () => {
    const { p, section } = await trace(
      {
        'atmos.yaml': `${atmosYaml()}templates:\n  settings:\n    enabled: true\n`,
        'stacks/dev.yaml': ['vars:', '  stage: dev', 'components:', '  terraform:', '    app:', '      vars:', '        name: "{{ .vars.stage }}-app"', '        home: !env HOME'].join('\n'),
      },
      'app',
      'dev',
    );
    expect(section.vars).toMatchObject({ name: 'dev-app' });
    expect(at(p, 'vars', 'name')).toBe('∴[1] dev.yaml:7');
    expect(at(p, 'vars', 'home')).toBe('∴[1] dev.yaml:8');
    expect(at(p, 'vars', 'stage')).toBe('[1] dev.yaml:2');
    expect(at(p, 'atmos_component')).toBeUndefined();
  });

  it('lists vars, settings and env written only in the component block (Atmos would show nothing)', async () => {
    const { p } = await trace({
      'atmos.yaml': atmosYaml(),
      'stacks/dev.yaml': 'components:\n  terraform:\n    app:\n      metadata: { component: app }\n      vars: { a: 1 }\n      env: { E: x }\n',
    });
    expect([...p.sections].sort()).toEqual(['env', 'vars']);
    expect(at(p, 'vars', 'a')).toBe('[1] dev.yaml:5');
  });
});
