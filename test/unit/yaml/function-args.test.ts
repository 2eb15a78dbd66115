import {
  parseEnvArgs,
  parseSecretArgs,
  parseStoreArgs,
  parseStoreGetArgs,
  SECRET_SYNTAX,
  STORE_GET_SYNTAX,
  STORE_SYNTAX,
  splitWords,
} from '../../../core/yaml/function-args';
import { thrown as err } from '../../support/errors';

const src = { file: 'stacks/dev.yaml', line: 12, column: 9 };


describe('splitWords', () => {
  it.each([
    ['a b  c', ['a', 'b', 'c']],
    ['"a b" c', ['a b', 'c']],
    ["'it''s' x", ["it's", 'x']],
    ['"say ""hi""" x', ['say "hi"', 'x']],
    ["don't stop", ["don't", 'stop']],
    ['a|b', ['a|b']],
    ['', []],
  ])('%j', (input, words) => {
    expect(splitWords(input)).toEqual(words);
  });

  it('rejects an unterminated quote', () => {
    expect(() => splitWords('"open')).toThrow(/unterminated/);
  });
});

describe('parseSecretArgs', () => {
  it.each([
    ['DB_PASSWORD', { name: 'DB_PASSWORD' }],
    ['  DB_PASSWORD  ', { name: 'DB_PASSWORD' }],
    ['DB | path .password', { name: 'DB', path: '.password' }],
    ['DB | path ".password"', { name: 'DB', path: '.password' }],
    ['DB|default x', { name: 'DB', default: 'x' }],
    ['DB | default "a | b"', { name: 'DB', default: 'a | b' }],
    ["DB | default 'a | b' | path .x", { name: 'DB', default: 'a | b', path: '.x' }],
    ['DB | default hello world', { name: 'DB', default: 'hello world' }],
    ['DB | default ""', { name: 'DB', default: '' }],
    ['DB | path .a["k | v"] | default z', { name: 'DB', path: '.a["k | v"]', default: 'z' }],
    ['"DB"', { name: 'DB' }],
  ])('%j', (args, expected) => {
    expect(parseSecretArgs(args, src)).toEqual(expected);
  });

  it.each([
    ['', /secret name cannot be empty/],
    ['| default x', /secret name cannot be empty/],
    ['A B', /one secret name/],
    ['DB | query .a', /unknown modifier "query"/],
    ['DB | default a | default b', /"default" given twice/],
    ['DB | path', /"path" needs a value/],
    ['DB | default "unterminated', /unterminated quote/],
    ['DB |', /empty modifier/],
  ])('%j is rejected with YAML_FUNCTION_ARGS naming file:line and the syntax', (args, re) => {
    const e = err(() => parseSecretArgs(args, src));
    expect(e.code).toBe('YAML_FUNCTION_ARGS');
    expect(e.where).toBe('stacks/dev.yaml:12:9');
    expect(e.message).toMatch(re);
    expect(e.fix).toContain(SECRET_SYNTAX);
  });

  it('never repeats a default value in its error', () => {
    const e = err(() => parseSecretArgs('DB | default sup3r-s3cret | bogus', src));
    expect(e.message).not.toContain('sup3r');
  });
});

describe('parseStoreArgs', () => {
  it.each([
    ['ssm vpc vpc_id', { store: 'ssm', component: 'vpc', key: 'vpc_id' }],
    ['ssm plat-ue2-dev vpc vpc_id', { store: 'ssm', stack: 'plat-ue2-dev', component: 'vpc', key: 'vpc_id' }],
    ['ssm vpc vpc_id | default "a | b"', { store: 'ssm', component: 'vpc', key: 'vpc_id', default: 'a | b' }],
    ['ssm vpc k | query .a.b | default x', { store: 'ssm', component: 'vpc', key: 'k', query: '.a.b', default: 'x' }],
    ['ssm vpc k | default x | query .a | .b', { store: 'ssm', component: 'vpc', key: 'k', default: 'x', query: '.a | .b' }],
    ['ssm "my stack" vpc k', { store: 'ssm', stack: 'my stack', component: 'vpc', key: 'k' }],
    ["ssm vpc k | default ''", { store: 'ssm', component: 'vpc', key: 'k', default: '' }],
    ['ssm vpc k|default x', { store: 'ssm', component: 'vpc', key: 'k', default: 'x' }],
  ])('%j', (args, expected) => {
    expect(parseStoreArgs(args, src)).toEqual(expected);
  });

  it.each([
    ['ssm vpc', /3 or 4 parameters/],
    ['a b c d e', /3 or 4 parameters/],
    ['ssm vpc k | default a b', /exactly one value/],
    ['ssm vpc k | query', /"query" needs an expression/],
    ['ssm vpc k | bogus x', /unknown option "bogus"/],
    ['ssm vpc k | default x | default y', /given twice/],
    ['ssm "vpc k', /unterminated quote/],
  ])('%j is rejected', (args, re) => {
    const e = err(() => parseStoreArgs(args, src));
    expect(e.code).toBe('YAML_FUNCTION_ARGS');
    expect(e.where).toBe('stacks/dev.yaml:12:9');
    expect(e.message).toMatch(re);
    expect(e.fix).toContain(STORE_SYNTAX);
  });
});

describe('parseStoreGetArgs', () => {
  it('parses two words and options', () => {
    expect(parseStoreGetArgs('redis /global/key', src)).toEqual({ store: 'redis', key: '/global/key' });
    expect(parseStoreGetArgs('redis key | default "x y" | query .a', src)).toEqual({ store: 'redis', key: 'key', default: 'x y', query: '.a' });
  });

  it('requires exactly two words', () => {
    const e = err(() => parseStoreGetArgs('redis a b', src));
    expect(e.message).toMatch(/2 parameters/);
    expect(e.fix).toContain(STORE_GET_SYNTAX);
  });
});

describe('parseEnvArgs', () => {
  it('takes a name and an optional (quotable) default', () => {
    expect(parseEnvArgs('HOME', src)).toEqual({ name: 'HOME' });
    expect(parseEnvArgs('REGION us-east-1', src)).toEqual({ name: 'REGION', default: 'us-east-1' });
    expect(parseEnvArgs('MSG "hello world"', src)).toEqual({ name: 'MSG', default: 'hello world' });
  });

  it('rejects zero or three words', () => {
    expect(err(() => parseEnvArgs('', src)).code).toBe('YAML_FUNCTION_ARGS');
    expect(err(() => parseEnvArgs('A b c', src)).message).toMatch(/one or two/);
  });
});
