import { asmCodec } from '../../../core/stores/kinds/aws-asm';
import { ssmCodec } from '../../../core/stores/kinds/aws-ssm';
import { codecFor } from '../../../core/stores/store-kinds';
import { decodeJsonOrRaw, decodeStored, goJson, jsonCodec } from '../../../core/stores/value-codec';

describe('goJson (Go encoding/json output)', () => {
  it('sorts object keys and escapes <, >, & and U+2028/2029 like Go', () => {
    expect(goJson({ b: 1, a: { d: [true, null], c: 'x' } })).toBe('{"a":{"c":"x","d":[true,null]},"b":1}');
    expect(goJson('a<b>&c\u2028')).toBe('"a\\u003cb\\u003e\\u0026c\\u2028"');
  });
  it('refuses values JSON cannot represent', () => {
    expect(() => goJson(undefined)).toThrow(TypeError);
  });
});

describe('SSM codec (§5.4)', () => {
  it('non-secret: JSON-encodes everything and JSON-decodes on read (raw when not JSON)', () => {
    const c = ssmCodec(false);
    expect(c.encode('vpc-123')).toBe('"vpc-123"');
    expect(c.encode(42)).toBe('42');
    expect(c.encode({ a: 1 })).toBe('{"a":1}');
    expect(c.decode('"vpc-123"')).toBe('vpc-123');
    expect(c.decode('100000')).toBe(100000);
    // Issue 10 #14: one read rule for every backend; a number only decodes in its canonical form.
    expect(c.decode('1e5')).toBe('1e5');
    expect(c.decode('not json')).toBe('not json');
  });
  it('secret: non-empty strings raw, empty string JSON, others JSON', () => {
    const c = ssmCodec(true);
    expect(c.encode('s3cr3t value')).toBe('s3cr3t value');
    expect(c.encode('')).toBe('""');
    expect(c.encode(7)).toBe('7');
    expect(c.encode(['a'])).toBe('["a"]');
  });
  it('secret: decodes only what it JSON-encoded (maps, lists, ""); everything else comes back byte-exact', () => {
    const c = ssmCodec(true);
    expect(c.decode('1e5')).toBe('1e5');
    expect(c.decode('12345678901234567890')).toBe('12345678901234567890');
    expect(c.decode('true')).toBe('true');
    expect(c.decode('null')).toBe('null');
    // Issue 10 #16: a SecureString `"quoted"` written by another tool keeps its quotes.
    expect(c.decode('"quoted"')).toBe('"quoted"');
    expect(c.decode('""')).toBe('');
    expect(c.decode('{"u":"x"}')).toEqual({ u: 'x' });
    expect(c.decode('[1]')).toEqual([1]);
    expect(c.decode('plain')).toBe('plain');
  });
});

describe('Secrets Manager codec (§5.4)', () => {
  it('stores JSON object/array strings verbatim (trimmed) and JSON-quotes other strings', () => {
    expect(asmCodec.encode('  {"user":"u","password":"p"}  ')).toBe('{"user":"u","password":"p"}');
    expect(asmCodec.encode('[1, 2]')).toBe('[1, 2]');
    expect(asmCodec.encode('{not json')).toBe('"{not json"');
    expect(asmCodec.encode('plain')).toBe('"plain"');
    expect(asmCodec.encode({ b: 2, a: 1 })).toBe('{"a":1,"b":2}');
    expect(asmCodec.encode(3)).toBe('3');
  });
  it('JSON-decodes, else returns the raw text', () => {
    expect(asmCodec.decode('{"a":1}')).toEqual({ a: 1 });
    expect(asmCodec.decode('3')).toBe(3);
    expect(asmCodec.decode('"plain"')).toBe('plain');
    expect(asmCodec.decode('written by another tool')).toBe('written by another tool');
  });
});

describe('JSON codec (redis, keychain)', () => {
  it('round-trips every JSON type and reads non-JSON as raw text', () => {
    for (const v of ['s', 1.5, true, { a: [1, { b: 'c' }] }, ['x']]) expect(jsonCodec.decode(jsonCodec.encode(v))).toEqual(v);
    expect(decodeJsonOrRaw('raw token')).toBe('raw token');
    expect(codecFor('redis', false)).toBe(jsonCodec);
    expect(codecFor('keychain', true)).toBe(jsonCodec);
    expect(codecFor('aws/asm', true)).toBe(asmCodec);
  });
});

describe('one read rule (issue 10 #14): numbers decode only in the form JSON writes them', () => {
  it.each(['12345678901234567890', '1e5', '0.1000000000000000055511', '1.0', '-0', ' 42'])('Secrets Manager and SSM leave %s as text', (raw) => {
    expect(asmCodec.decode(raw)).toBe(raw);
    expect(ssmCodec(false).decode(raw)).toBe(raw);
    expect(ssmCodec(true).decode(raw)).toBe(raw);
    expect(jsonCodec.decode(raw)).toBe(raw);
  });
  it.each([['42', 42], ['-7', -7], ['0.1', 0.1], ['1e+21', 1e21], ['1e-7', 1e-7], ['true', true], ['null', null]])('typed stores decode %s', (raw, value) => {
    expect(asmCodec.decode(raw)).toBe(value);
    expect(decodeStored(raw, { scalars: 'typed', strings: 'all' })).toBe(value);
  });
  it('round-trips every number goJson writes', () => {
    for (const n of [0, 1, -1, 0.5, 123456789012, 1e21, 5e-324, Number.MAX_SAFE_INTEGER, 1 / 3]) expect(asmCodec.decode(asmCodec.encode(n))).toBe(n);
  });
});
