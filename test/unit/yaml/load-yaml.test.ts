import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, StackError } from '../../../core/errors';
import { loadYamlFile, MAX_EXPANDED_NODES, parseYaml } from '../../../core/yaml/load-yaml';
import { YAML_FUNCTION_TAGS, YamlFunction } from '../../../core/yaml/yaml-function';
import { thrown } from '../../support/errors';

let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'infrakey-yaml-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

function write(rel: string, text: string): string {
  const p = join(root, rel);
  mkdirSync(join(p, '..'), { recursive: true });
  writeFileSync(p, text);
  return p;
}


describe('parseYaml: plain values', () => {
  it('turns mappings into plain objects and sequences into arrays', () => {
    const { value } = parseYaml('a: 1\nb: [x, y]\nc:\n  d: true\n  e: null\nf: "007"\ng: yes\n', 'mem.yaml');
    expect(value).toEqual({ a: 1, b: ['x', 'y'], c: { d: true, e: null }, f: '007', g: 'yes' });
    expect(Object.getPrototypeOf((value as { c: object }).c)).toBe(Object.prototype);
  });

  it('returns null for an empty document', () => {
    expect(parseYaml('', 'e.yaml').value).toBeNull();
    expect(parseYaml('# only a comment\n', 'e.yaml').value).toBeNull();
  });

  it('supports anchors, aliases and << merge keys (explicit keys win, earlier sources win)', () => {
    const text = [
      'base: &base { a: 1, b: 2 }',
      'other: &other { b: 3, c: 4 }',
      'x:',
      '  <<: [*base, *other]',
      '  a: 9',
      'y: *base',
    ].join('\n');
    const v = parseYaml(text, 'm.yaml').value as Record<string, Record<string, number>>;
    expect(v.x).toEqual({ a: 9, b: 2, c: 4 });
    expect(v.y).toEqual({ a: 1, b: 2 });
  });

  it('does not let a __proto__ key change the prototype', () => {
    const v = parseYaml('__proto__: { polluted: true }\n', 'p.yaml').value as Record<string, unknown>;
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(v)).toBe(Object.prototype);
    expect(Object.keys(v)).toEqual(['__proto__']);
  });

  it('stringifies non-string keys as Atmos does', () => {
    expect(parseYaml('1: a\ntrue: b\n', 'k.yaml').value).toEqual({ '1': 'a', true: 'b' });
  });
});

describe('parseYaml: deferred tags become YamlFunction nodes with their position', () => {
  const text = [
    'vars:', //                                     1
    '  region: !env AWS_REGION us-east-1', //       2
    '  out: !exec echo hi', //                      3
    '  a: !store ssm dev vpc id | default x', //    4
    '  b: !store.get redis key', //                 5
    '  c: !secret DB_PASSWORD', //                  6
    '  d: !template \'{{ .vars.x }}\'', //          7
    '  list:', //                                   8
    '    - !secret TOKEN | path .a', //             9
  ].join('\n');
  const loaded = parseYaml(text, '/repo/stacks/dev.yaml');
  const vars = (loaded.value as { vars: Record<string, unknown> }).vars;

  it.each([
    ['region', '!env', 'AWS_REGION us-east-1', 2],
    ['out', '!exec', 'echo hi', 3],
    ['a', '!store', 'ssm dev vpc id | default x', 4],
    ['b', '!store.get', 'redis key', 5],
    ['c', '!secret', 'DB_PASSWORD', 6],
    ['d', '!template', '{{ .vars.x }}', 7],
  ])('%s is %s', (key, tag, args, line) => {
    const fn = vars[key] as YamlFunction;
    expect(fn).toBeInstanceOf(YamlFunction);
    expect(fn.tag).toBe(tag);
    expect(fn.args).toBe(args);
    expect(fn.source.file).toBe('/repo/stacks/dev.yaml');
    expect(fn.source.line).toBe(line);
    expect(fn.source.column).toBeGreaterThan(1);
  });

  it('finds nodes inside lists', () => {
    const fn = (vars.list as unknown[])[0] as YamlFunction;
    expect(fn.tag).toBe('!secret');
    expect(fn.source.line).toBe(9);
  });

  it('locate() gives the key line for map paths and the item line for list paths', () => {
    expect(loaded.locate(['vars', 'c'])).toEqual({ file: '/repo/stacks/dev.yaml', line: 6, column: 3 });
    expect(loaded.locate(['vars', 'list', 0])?.line).toBe(9);
    expect(loaded.locate(['vars', 'nope'])).toBeUndefined();
    expect(loaded.locate(['vars', 'nope', 'deeper'], { nearest: true })?.line).toBe(1);
  });

  it('toString/toJSON show the tag and arguments (what describe prints before resolution)', () => {
    expect(JSON.stringify(vars.c)).toBe('"!secret DB_PASSWORD"');
  });

  it('a tagged block scalar keeps its text as the argument', () => {
    const v = parseYaml('x: !exec |\n  echo a\n  echo b\n', 'b.yaml').value as { x: YamlFunction };
    expect(v.x.args).toBe('echo a\necho b');
    expect(v.x.source.line).toBe(1);
  });
});

describe('parseYaml: errors name file and line', () => {
  it('malformed YAML → YAML_PARSE with file:line:col and the reason', () => {
    const e = thrown(() => parseYaml('a: 1\nb: [1, 2\nc: 3\n', '/repo/bad.yaml'));
    expect(e).toBeInstanceOf(StackError);
    expect(e.code).toBe('YAML_PARSE');
    expect(e.where).toMatch(/^\/repo\/bad\.yaml:\d+:\d+$/);
    expect(e.message).toMatch(/malformed YAML: .+/);
    expect(e.fix).toBeTruthy();
  });

  it('a bad indentation is reported at its line', () => {
    const e = thrown(() => parseYaml('a:\n  b: 1\n c: 2\n', 'ind.yaml'));
    expect(e.code).toBe('YAML_PARSE');
    expect(e.where).toMatch(/^ind\.yaml:3:/);
  });

  it('duplicate keys are an error, as in go-yaml v3', () => {
    const e = thrown(() => parseYaml('a: 1\na: 2\n', 'dup.yaml'));
    expect(e.code).toBe('YAML_PARSE');
    expect(e.where).toMatch(/^dup\.yaml:2:/);
  });

  it('the parse error never quotes the source text (it may hold a value)', () => {
    const e = thrown(() => parseYaml('password: "hunter2-very-secret\nnext: 1\n', 'q.yaml'));
    expect(e.code).toBe('YAML_PARSE');
    expect(e.message).not.toContain('hunter2');
  });

  it('unknown tag → YAML_UNKNOWN_TAG with file:line and the supported tags', () => {
    const e = thrown(() => parseYaml('a: 1\nb: !foo bar\n', '/repo/t.yaml'));
    expect(e.code).toBe('YAML_UNKNOWN_TAG');
    expect(e.where).toBe('/repo/t.yaml:2:4');
    expect(e.message).toContain('!foo');
    for (const t of YAML_FUNCTION_TAGS) expect(e.fix).toContain(t);
  });

  it('an unknown tag on a map is reported too', () => {
    const e = thrown(() => parseYaml('a: !frobnicate\n  x: 1\n', 't.yaml'));
    expect(e.code).toBe('YAML_UNKNOWN_TAG');
    expect(e.where).toMatch(/^t\.yaml:1:/);
  });

  it('standard tags are accepted', () => {
    expect(parseYaml('a: !!str 123\nb: !!int "7"\n', 's.yaml').value).toEqual({ a: '123', b: 7 });
  });

  it('a function tag on a map is YAML_FUNCTION_ARGS', () => {
    const e = thrown(() => parseYaml('a: !secret\n  x: 1\n', 'f.yaml'));
    expect(e.code).toBe('YAML_FUNCTION_ARGS');
  });

  it('errorKind config throws ConfigError', () => {
    const e = thrown(() => parseYaml('a: !nope x\n', 'atmos.yaml', { errorKind: 'config' }));
    expect(e).toBeInstanceOf(ConfigError);
  });
});

describe('loadYamlFile and !include', () => {
  it('reports a missing file', () => {
    const e = thrown(() => loadYamlFile(join(root, 'missing.yaml')));
    expect(e.code).toBe('YAML_FILE_NOT_FOUND');
    expect(e.where).toBe(join(root, 'missing.yaml'));
  });

  it('includes YAML relative to the file (./ and ../), with tags parsed recursively', () => {
    write('inc/common/net.yaml', 'cidr: 10.0.0.0/16\ntoken: !secret NET_TOKEN\nsubnets: [a, b]\n');
    const f = write('inc/stacks/dev.yaml', 'vars:\n  net: !include ../common/net.yaml\n  again: !include ./../common/net.yaml .subnets[1]\n');
    const v = loadYamlFile(f).value as { vars: { net: Record<string, unknown>; again: unknown } };
    expect(v.vars.net.cidr).toBe('10.0.0.0/16');
    expect(v.vars.net.token).toBeInstanceOf(YamlFunction);
    expect((v.vars.net.token as YamlFunction).source).toEqual({ file: join(root, 'inc/common/net.yaml'), line: 2, column: 8 });
    expect(loadYamlFile(join(root, 'inc/common/net.yaml')).locate(['token'])).toEqual({ file: join(root, 'inc/common/net.yaml'), line: 2, column: 1 });
    expect(v.vars.again).toBe('b');
  });

  it('resolves other relative paths against includeBase, then the file folder', () => {
    write('base/catalog/vpc.yaml', 'name: vpc\n');
    write('base/deep/local.yaml', 'here: true\n');
    const f = write('base/deep/s.yaml', 'a: !include catalog/vpc.yaml\nb: !include local.yaml\n');
    expect(loadYamlFile(f, { includeBase: join(root, 'base') }).value).toEqual({ a: { name: 'vpc' }, b: { here: true } });
  });

  it('absolute paths, JSON files with a path, other files as strings, !include.raw', () => {
    const json = write('j/data.json', '{"a": {"b": [1, {"c": "deep"}]}, "k e y": 5}');
    write('j/notes.txt', 'hello\nworld\n');
    write('j/tags.yaml', 'x: !env NOT_RESOLVED_HERE\n');
    const f = write(
      'j/s.yaml',
      [
        `abs: !include ${json}`,
        'deep: !include ./data.json .a.b[1].c',
        'spaced: !include ./data.json \'["k e y"]\'',
        'txt: !include ./notes.txt',
        'raw: !include.raw ./tags.yaml',
        'quoted: !include "./notes.txt"',
      ].join('\n'),
    );
    const v = loadYamlFile(f).value as Record<string, unknown>;
    expect(v.abs).toEqual({ a: { b: [1, { c: 'deep' }] }, 'k e y': 5 });
    expect(v.deep).toBe('deep');
    expect(v.spaced).toBe(5);
    expect(v.txt).toBe('hello\nworld\n');
    expect(v.raw).toBe('x: !env NOT_RESOLVED_HERE\n');
    expect(v.quoted).toBe('hello\nworld\n');
  });

  it('a missing include names file:line, where it looked and the fix', () => {
    const f = write('m/s.yaml', 'a: 1\nb: !include ./nope.yaml\n');
    const e = thrown(() => loadYamlFile(f));
    expect(e).toBeInstanceOf(StackError);
    expect(e.code).toBe('YAML_INCLUDE_NOT_FOUND');
    expect(e.where).toBe(`${f}:2:4`);
    expect(e.message).toContain(join(root, 'm/nope.yaml'));
    expect(e.fix).toMatch(/relative/);
  });

  it('a missing path segment in an include names the segment, not the value', () => {
    write('q/v.yaml', 'a: { secretish: s3cr3t-value }\n');
    const f = write('q/s.yaml', 'x: !include ./v.yaml .a.missing\n');
    const e = thrown(() => loadYamlFile(f));
    expect(e.code).toBe('YAML_QUERY_MISSING');
    expect(e.where).toBe(`${f}:1:4`);
    expect(e.message).toContain('"missing"');
    expect(e.message).not.toContain('s3cr3t');
  });

  it('include cycles are detected', () => {
    write('c/a.yaml', 'b: !include ./b.yaml\n');
    write('c/b.yaml', 'a: !include ./a.yaml\n');
    const e = thrown(() => loadYamlFile(join(root, 'c/a.yaml')));
    expect(e.code).toBe('YAML_INCLUDE_CYCLE');
  });

  it('remote includes other than http(s) are refused with a fix', () => {
    const e = thrown(() => parseYaml('a: !include git::https://example.com/r.git//x.yaml\n', 'r.yaml'));
    expect(e.code).toBe('YAML_INCLUDE_REMOTE');
    expect(e.where).toBe('r.yaml:1:4');
  });

  it('malformed included YAML/JSON points into the included file', () => {
    const bad = write('bad/inc.yaml', 'a: [1\n');
    const badJson = write('bad/inc.json', '{\n  "a": 1,\n  oops\n}');
    expect(thrown(() => parseYaml('x: !include ./inc.yaml\n', join(root, 'bad/s.yaml'))).where).toMatch(new RegExp(`^${bad}:\\d+:\\d+$`));
    const e = thrown(() => parseYaml('x: !include ./inc.json\n', join(root, 'bad/s.yaml')));
    expect(e.code).toBe('YAML_PARSE');
    expect(e.where).toMatch(new RegExp(`^${badJson}`));
  });

  it('the include cache parses a shared file once', () => {
    write('cache/shared.yaml', 'v: 1\n');
    const cache = new Map<string, unknown>();
    const a = parseYaml('x: !include ./shared.yaml\n', join(root, 'cache/a.yaml'), { includeCache: cache }).value as { x: unknown };
    const b = parseYaml('x: !include ./shared.yaml\n', join(root, 'cache/b.yaml'), { includeCache: cache }).value as { x: unknown };
    expect(a.x).toBe(b.x);
    expect(cache.size).toBe(1);
  });
});

describe('input size bounds (issue 10)', () => {
  const bomb = (levels: number) => {
    const lines = ['a0: &a0 [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i <= levels; i++) lines.push(`a${i}: &a${i} [${Array(10).fill(`*a${i - 1}`).join(', ')}]`);
    return `${lines.join('\n')}\n`;
  };

  it('an alias bomb (nine levels of ten references, ~500 bytes) fails fast with YAML_PARSE naming the file', () => {
    const text = bomb(9);
    expect(text.length).toBeLessThan(600);
    const started = Date.now();
    const e = thrown(() => parseYaml(text, '/repo/stacks/bomb.yaml'));
    expect(Date.now() - started).toBeLessThan(2000);
    expect(e.code).toBe('YAML_PARSE');
    expect(e.where).toMatch(/^\/repo\/stacks\/bomb\.yaml:\d+:\d+$/);
    expect(e.message).toContain(String(MAX_EXPANDED_NODES));
  });

  it('a few shared anchors stay allowed', () => {
    const v = parseYaml(bomb(3), 'ok.yaml').value as Record<string, unknown[]>;
    expect((v.a3[0] as unknown[][])[0]).toHaveLength(10);
  });

  it('a file with 100,000 keys parses in linear time; a duplicate among them is still found', () => {
    const keys = Array.from({ length: 100_000 }, (_, i) => `k${i}: ${i}`);
    const started = Date.now();
    const v = parseYaml(`${keys.join('\n')}\n`, 'big.yaml').value as Record<string, number>;
    // Generous for a loaded CI machine: the quadratic check took 35 s at 20,000 keys and ~4 min at
    // 40,000 here, so 100,000 keys would take far longer than this bound.
    expect(Date.now() - started).toBeLessThan(60_000);
    expect(v.k99999).toBe(99999);
    const e = thrown(() => parseYaml(`${keys.join('\n')}\nk5: again\n`, 'big.yaml'));
    expect(e.code).toBe('YAML_PARSE');
    expect(e.where).toBe('big.yaml:100001:1');
  }, 180_000);

  it('a key merged in with `<<` may be overridden once by an explicit key', () => {
    expect(parseYaml('base: &b { x: 1, y: 2 }\nc:\n  <<: *b\n  x: 3\n', 'm.yaml').value).toEqual({ base: { x: 1, y: 2 }, c: { x: 3, y: 2 } });
  });
});
