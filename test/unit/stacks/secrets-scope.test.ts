import { deepMerge } from '../../../core/stacks/deep-merge';
import { mergeSecretsLayers } from '../../../core/stacks/secrets-scope';

const merge = (layers: readonly unknown[]) => deepMerge(layers);

describe('mergeSecretsLayers (atmos-semantics §6.3)', () => {
  it('stamps stack and instance by position, keeps global, records the source file', () => {
    const stackLayer = { section: { vars: { S: { store: 'ssm' }, G: { store: 'ssm', scope: 'global' } } }, position: 'stack' as const, file: '/s.yaml' };
    const component = { section: { vars: { I: { store: 'ssm' } } }, position: 'instance' as const, file: '/c.yaml' };
    const { section, sources } = mergeSecretsLayers([stackLayer, component], merge);
    expect(section.vars).toEqual({ S: { store: 'ssm', scope: 'stack' }, G: { store: 'ssm', scope: 'global' }, I: { store: 'ssm', scope: 'instance' } });
    expect(sources.S).toEqual({ scope: 'stack', file: '/s.yaml', line: undefined });
    expect(sources.I.file).toBe('/c.yaml');
    expect(stackLayer.section.vars.S).toEqual({ store: 'ssm' });
  });

  it('makes a stack secret re-declared in a component instance-scoped (one-way rule)', () => {
    const { section, sources } = mergeSecretsLayers(
      [
        { section: { vars: { T: { store: 'ssm', description: 'd' } } }, position: 'stack', file: '/s.yaml' },
        { section: { vars: { T: { description: 'mine' } } }, position: 'instance', file: '/c.yaml' },
      ],
      merge,
    );
    expect(section.vars).toEqual({ T: { store: 'ssm', description: 'mine', scope: 'instance' } });
    expect(sources.T.scope).toBe('instance');
  });

  it('rejects an explicit scope that contradicts the position', () => {
    expect(() =>
      mergeSecretsLayers([{ section: { vars: { X: { scope: 'stack' } } }, position: 'instance', file: '/c.yaml' }], merge),
    ).toThrow(expect.objectContaining({ code: 'STACK_SECRET_SCOPE_CONFLICT', message: expect.stringContaining('secret "X" declares scope "stack" but its position implies "instance"') }));
    expect(() => mergeSecretsLayers([{ section: { vars: { X: { scope: 'instance' } } }, position: 'stack', file: '/s.yaml' }], merge)).toThrow(
      expect.objectContaining({ code: 'STACK_SECRET_SCOPE_CONFLICT' }),
    );
  });
});
