import { Console } from 'node:console';
import { Writable } from 'node:stream';
import { format, inspect } from 'node:util';
import { Secret, unsafeUnwrap, redactor, MASK, InfrakeyError } from '../../core/index';

// Tries every ordinary way a value could escape a Secret. Each assertion checks the plaintext is
// absent, so a regression that prints the value fails here.
const PLAINTEXT = 'hunter2-correct-horse-battery';

function leaks(text: string): boolean {
  return text.includes(PLAINTEXT);
}

describe('Secret never prints its value', () => {
  const s = Secret.of(PLAINTEXT, 'DB_PASSWORD');

  it.each([
    ['String()', () => String(s)],
    ['template literal', () => `${s}`],
    ['concatenation', () => 'x' + s],
    ['toString()', () => s.toString()],
    ['JSON.stringify', () => JSON.stringify(s)],
    ['JSON.stringify nested', () => JSON.stringify({ a: [s], b: { s } })],
    ['util.inspect', () => inspect(s)],
    ['util.inspect showHidden depth', () => inspect(s, { showHidden: true, depth: 10 })],
    ['util.inspect of container', () => inspect({ s, list: [s] }, { depth: 10 })],
    ['util.format %s %o %O %j', () => format('%s %o %O %j', s, s, s, s)],
    ['Object.keys/values', () => JSON.stringify([Object.keys(s), Object.values(s), Object.entries(s)])],
    ['getOwnPropertyNames', () => Object.getOwnPropertyNames(s).map((k) => String((s as unknown as Record<string, unknown>)[k])).join()],
    ['own symbols', () => Object.getOwnPropertySymbols(s).map(String).join()],
    ['spread', () => inspect({ ...s })],
    ['structuredClone', () => inspect(structuredClone(s))],
    ['Error message', () => new Error(`failed with ${s}`).message],
    ['InfrakeyError message', () => new InfrakeyError({ code: 'X', message: `bad ${s}` }).message],
  ])('%s', (_how, render) => {
    const text = render();
    expect(leaks(text)).toBe(false);
  });

  it('prints the label', () => {
    expect(String(s)).toBe('[secret:DB_PASSWORD]');
    expect(JSON.stringify({ s })).toBe('{"s":"[secret:DB_PASSWORD]"}');
  });

  it('console.log goes through inspect and shows only the label', () => {
    // jest replaces the global console, so use a real Console on a capturing stream.
    const writes: string[] = [];
    const sink = new Writable({ write: (chunk, _enc, done) => { writes.push(String(chunk)); done(); } });
    const console2 = new Console({ stdout: sink, stderr: sink });
    console2.log(s);
    console2.log('%s', s);
    console2.error({ nested: s });
    console2.table([{ s }]);
    console2.dir(s, { depth: 5 });
    expect(writes.join('')).toContain('[secret:DB_PASSWORD]');
    expect(leaks(writes.join(''))).toBe(false);
  });

  it('map keeps the result secret', () => {
    const upper = s.map((v) => v.toUpperCase());
    expect(String(upper)).toBe('[secret:DB_PASSWORD]');
    expect(unsafeUnwrap(upper)).toBe(PLAINTEXT.toUpperCase());
  });

  it('unsafeUnwrap is the one way out', () => {
    expect(unsafeUnwrap(s)).toBe(PLAINTEXT);
    expect(() => unsafeUnwrap({} as Secret<string>)).toThrow(TypeError);
  });
});

describe('Redactor masks every encoded form of an unwrapped value', () => {
  const value = 'p@ss w/rd+"quoted"&more';
  beforeAll(() => unsafeUnwrap(Secret.of(value, 'X')));

  it.each([
    ['raw', value],
    ['base64', Buffer.from(value).toString('base64')],
    ['base64 unpadded', Buffer.from(value).toString('base64').replace(/=+$/, '')],
    ['base64url', Buffer.from(value).toString('base64url')],
    ['URL-encoded', encodeURIComponent(value)],
    ['form-encoded', new URLSearchParams({ v: value }).toString().slice(2)],
    ['JSON-escaped', JSON.stringify(value).slice(1, -1)],
  ])('%s', (_form, encoded) => {
    const text = `before ${encoded} after`;
    expect(redactor.contains(text)).toBe(true);
    expect(redactor.mask(text)).toBe(`before ${MASK} after`);
  });

  it('keeps JSON valid when masking inside a JSON document', () => {
    const doc = JSON.stringify({ password: value, other: 'x' });
    const masked = redactor.mask(doc);
    expect(JSON.parse(masked)).toEqual({ password: MASK, other: 'x' });
  });

  it('maskDeep masks strings and Secret objects in structures', () => {
    const out = redactor.maskDeep({ a: `x${value}y`, b: [value], c: Secret.of('zzzz-other', 'c'), n: 3 });
    expect(out).toEqual({ a: `x${MASK}y`, b: [MASK], c: MASK, n: 3 });
  });

  it('does not mask values shorter than the minimum', () => {
    const r = new (redactor.constructor as typeof import('../../core/secret').Redactor)();
    r.register('ab');
    expect(r.mask('abc ab')).toBe('abc ab');
    r.register('abcd');
    expect(r.mask('xabcdx')).toBe(`x${MASK}x`);
  });
});
