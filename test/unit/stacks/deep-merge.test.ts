import { cloneValue, deepMerge } from '../../../core/stacks/deep-merge';
import { YamlFunction } from '../../../core/yaml/yaml-function';

describe('deepMerge', () => {
  it('merges maps recursively, later layers win, scalars override', () => {
    expect(deepMerge([{ a: { x: 1, y: 2 }, b: 1 }, { a: { y: 3, z: 4 }, b: 'two' }])).toEqual({ a: { x: 1, y: 3, z: 4 }, b: 'two' });
  });

  it('replaces lists by default, appends or merges by strategy', () => {
    const layers = [{ l: [{ a: 1 }, 2] }, { l: [{ b: 1 }] }];
    expect(deepMerge(layers)).toEqual({ l: [{ b: 1 }] });
    expect(deepMerge(layers, 'append')).toEqual({ l: [{ a: 1 }, 2, { b: 1 }] });
    expect(deepMerge(layers, 'merge')).toEqual({ l: [{ a: 1, b: 1 }, 2] });
  });

  it('lets null override (env null unsets a variable) and skips non-map layers', () => {
    expect(deepMerge([{ env: { A: '1' } }, undefined, null, { env: { A: null } }])).toEqual({ env: { A: null } });
  });

  it('never mutates or shares the inputs', () => {
    const a = { m: { l: [1] } };
    const b = { m: { k: { deep: true } } };
    const out = deepMerge([a, b]);
    (out.m as any).l.push(2);
    (out.m as any).k.deep = false;
    expect(a).toEqual({ m: { l: [1] } });
    expect(b).toEqual({ m: { k: { deep: true } } });
  });

  it('keeps YAML function nodes as leaves and __proto__ as data', () => {
    const fn = new YamlFunction('!secret', 'X', { file: 'f.yaml', line: 1 });
    const evil = JSON.parse('{"__proto__": {"polluted": true}}');
    const out = deepMerge([{ v: { a: 1 } }, { v: fn }, evil]);
    expect(out.v).toBe(fn);
    expect(({} as any).polluted).toBeUndefined();
    expect(Object.keys(out)).toContain('__proto__');
    expect(cloneValue(fn)).toBe(fn);
  });
});
