import { formatPath, parseQueryPath, queryPath } from '../../../core/yaml/query-path';
import { thrown as err } from '../../support/errors';


const data = { a: { b: [10, { c: 'deep' }], 'key with space': 1, 'x-y': 2 }, list: ['p', 'q'] };

describe('queryPath', () => {
  it.each([
    ['.', data],
    ['', data],
    ['.a.b[0]', 10],
    ['.a.b[1].c', 'deep'],
    ['.a["key with space"]', 1],
    [".a['key with space']", 1],
    ['.a."key with space"', 1],
    ['.a.x-y', 2],
    ['.list[-1]', 'q'],
    ['.list.[0]', 'p'],
    ['["a"]["b"][0]', 10],
  ])('%s', (expr, expected) => {
    expect(queryPath(data, expr)).toEqual(expected);
  });

  it('decodes a JSON string on the way (store values are often JSON text)', () => {
    expect(queryPath('{"password":"pw-1"}', '.password')).toBe('pw-1');
    expect(queryPath({ s: '[1,2]' }, '.s[1]')).toBe(2);
  });

  it.each([
    ['.a.missing', /key "missing" not found at \.a/],
    ['.a.b[5]', /index \[5\] is out of range at \.a\.b \(the list has 2 items\)/],
    ['.list.x', /\.list is a list, not a map/],
    ['.a.b[0].c', /\.a\.b\[0\] is a number, not a map/],
  ])('%s → YAML_QUERY_MISSING', (expr, re) => {
    const e = err(() => queryPath(data, expr, { source: { file: 'f.yaml', line: 3 } }));
    expect(e.code).toBe('YAML_QUERY_MISSING');
    expect(e.where).toBe('f.yaml:3');
    expect(e.message).toMatch(re);
  });

  it('a non-JSON string is a clear error that does not contain the value', () => {
    const e = err(() => queryPath('plain-s3cr3t-text', '.a'));
    expect(e.code).toBe('YAML_QUERY_MISSING');
    expect(e.message).toMatch(/string that is not JSON/);
    expect(e.message).not.toContain('s3cr3t');
  });

  it.each(['a.b', '.a[', '.a[x]', '.a. b', '.a["x"', '..'])('%s → YAML_QUERY_SYNTAX', (expr) => {
    expect(err(() => parseQueryPath(expr)).code).toBe('YAML_QUERY_SYNTAX');
  });

  it('formatPath round-trips', () => {
    const segs = parseQueryPath('.a["k s"][2].b');
    expect(segs).toEqual(['a', 'k s', 2, 'b']);
    expect(parseQueryPath(formatPath(segs))).toEqual(segs);
  });
});
