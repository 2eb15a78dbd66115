import { InfrakeyError } from '../../../core/errors';
import { MASK } from '../../../core/secret';
import { parseYaml } from '../../../core/yaml/load-yaml';
import { containsYamlFunctions, decodeExecOutput, defaultEnvLookup, resolveYamlFunctions, runExec } from '../../../core/yaml/resolve-functions';
import { YamlFunction } from '../../../core/yaml/yaml-function';
import { rejection } from '../../support/errors';

const at = { file: 'stacks/dev.yaml', line: 4 };
const fn = (tag: YamlFunction['tag'], args: string, line = 4): YamlFunction => new YamlFunction(tag, args, { file: 'stacks/dev.yaml', line });


describe('resolveYamlFunctions', () => {
  it('with mask, !secret becomes <MASKED> without calling anything', async () => {
    const secret = jest.fn();
    const value = { vars: { pw: fn('!secret', 'DB_PASSWORD'), list: [fn('!secret', 'X | path .a')], plain: 1 } };
    const out = await resolveYamlFunctions(value, { secret }, { mask: true });
    expect(out).toEqual({ vars: { pw: MASK, list: [MASK], plain: 1 } });
    expect(secret).not.toHaveBeenCalled();
  });

  it('returns a new structure and leaves the input untouched', async () => {
    const value = { a: { b: fn('!secret', 'S') }, c: [1, 2] };
    const out = (await resolveYamlFunctions(value, { secret: () => 'v' })) as typeof value;
    expect(out).toEqual({ a: { b: 'v' }, c: [1, 2] });
    expect(value.a.b).toBeInstanceOf(YamlFunction);
    expect(out.c).not.toBe(value.c);
  });

  it('starts every callback before awaiting any (so resolvers can batch)', async () => {
    const started: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const secret = async (f: YamlFunction): Promise<string> => {
      started.push(f.args);
      await gate;
      return `v:${f.args}`;
    };
    const p = resolveYamlFunctions({ a: fn('!secret', 'A'), b: [fn('!secret', 'B')], c: { d: fn('!secret', 'C') } }, { secret });
    await Promise.resolve();
    expect(started.sort()).toEqual(['A', 'B', 'C']);
    release();
    expect(await p).toEqual({ a: 'v:A', b: ['v:B'], c: { d: 'v:C' } });
  });

  it('routes each tag to its callback', async () => {
    const out = await resolveYamlFunctions(
      { s: fn('!store', 'ssm vpc id'), g: fn('!store.get', 'redis k'), t: fn('!template', '{{ x }}') },
      { store: (f) => `store:${f.args}`, storeGet: (f) => `get:${f.args}`, template: () => ({ from: 'template' }) },
    );
    expect(out).toEqual({ s: 'store:ssm vpc id', g: 'get:redis k', t: { from: 'template' } });
  });

  it('!template defaults to JSON-decoding its (rendered) argument', async () => {
    expect(await resolveYamlFunctions({ m: fn('!template', '{"a":[1,2]}'), s: fn('!template', 'plain text') })).toEqual({ m: { a: [1, 2] }, s: 'plain text' });
  });

  it('a missing callback is YAML_FUNCTION_UNSUPPORTED at the node, or kept with unhandled: keep', async () => {
    const e = await rejection(resolveYamlFunctions({ s: fn('!store', 'a b c', 9) }));
    expect(e.code).toBe('YAML_FUNCTION_UNSUPPORTED');
    expect(e.where).toBe('stacks/dev.yaml:9');
    const node = fn('!secret', 'X');
    expect(await resolveYamlFunctions({ s: node }, {}, { unhandled: 'keep' })).toEqual({ s: node });
  });

  it('a plain Error from a callback is wrapped with the node location; InfrakeyErrors pass through', async () => {
    const e = await rejection(resolveYamlFunctions({ s: fn('!secret', 'X', 7) }, { secret: async () => Promise.reject(new Error('backend down')) }));
    expect(e.code).toBe('YAML_FUNCTION_FAILED');
    expect(e.where).toBe('stacks/dev.yaml:7');
    const own = new InfrakeyError({ code: 'SECRET_NOT_DECLARED', message: 'x' });
    expect(await rejection(resolveYamlFunctions([fn('!secret', 'X')], { secret: () => Promise.reject(own) }))).toBe(own);
  });

  it('containsYamlFunctions', () => {
    expect(containsYamlFunctions({ a: [1, { b: 'x' }] })).toBe(false);
    expect(containsYamlFunctions({ a: [1, { b: fn('!env', 'X') }] })).toBe(true);
  });

  it('resolves nodes straight from parsed YAML', async () => {
    const { value } = parseYaml('vars:\n  region: !env REGION us-west-2\n  pw: !secret PW\n', 'dev.yaml');
    expect(await resolveYamlFunctions(value, {}, { mask: true, env: {} })).toEqual({ vars: { region: 'us-west-2', pw: MASK } });
  });
});

describe('!env', () => {
  it('looks in the component env section, then the process env, then the default, else ""', async () => {
    const value = { a: fn('!env', 'A'), b: fn('!env', 'B dflt'), c: fn('!env', 'C "the default"'), d: fn('!env', 'D'), n: fn('!env', 'N') };
    const out = await resolveYamlFunctions(value, {}, { componentEnv: { A: 'from-component', N: 42 }, env: { A: 'from-process', B: 'b-process' } });
    expect(out).toEqual({ a: 'from-component', b: 'b-process', c: 'the default', d: '', n: '42' });
  });

  it('a custom env callback gets name, default and source', async () => {
    const env = jest.fn(() => 'x');
    await resolveYamlFunctions({ a: fn('!env', 'NAME def') }, { env });
    expect(env).toHaveBeenCalledWith('NAME', 'def', { file: 'stacks/dev.yaml', line: 4 });
  });

  it('bad arguments are YAML_FUNCTION_ARGS', async () => {
    expect((await rejection(resolveYamlFunctions({ a: fn('!env', 'A b c') }))).code).toBe('YAML_FUNCTION_ARGS');
  });

  it('defaultEnvLookup formats maps as JSON', () => {
    expect(defaultEnvLookup('M', undefined, { componentEnv: { M: { k: 1 } }, env: {} })).toBe('{"k":1}');
  });
});

describe('!exec', () => {
  it('trims trailing newlines and decodes JSON', async () => {
    const out = await resolveYamlFunctions(
      { s: fn('!exec', 'printf "hello\\n\\n"'), j: fn('!exec', 'echo \'{"a": [1, 2]}\''), n: fn('!exec', 'echo 42'), e: fn('!exec', 'echo $MY_VAR') },
      {},
      { env: { PATH: process.env.PATH, MY_VAR: 'from-env' } },
    );
    expect(out).toEqual({ s: 'hello', j: { a: [1, 2] }, n: 42, e: 'from-env' });
  });

  it('a failing command is YAML_EXEC_FAILED with the status, never its output', async () => {
    const e = await rejection(runExec('echo leaked-output; echo leaked-err >&2; exit 3', at));
    expect(e.code).toBe('YAML_EXEC_FAILED');
    expect(e.where).toBe('stacks/dev.yaml:4');
    expect(e.message).toContain('exit status 3');
    expect(e.message).not.toContain('leaked');
  });

  it('stops a command at the time limit', async () => {
    const e = await rejection(runExec('sleep 5', at, { timeoutMs: 200 }));
    expect(e.code).toBe('YAML_EXEC_FAILED');
    expect(e.message).toMatch(/did not finish within 200 ms/);
  });

  it('decodeExecOutput keeps non-JSON text', () => {
    expect(decodeExecOutput('a b\n')).toBe('a b');
    expect(decodeExecOutput('true\r\n')).toBe(true);
    expect(decodeExecOutput('')).toBe('');
  });
});
