/**
 * The masker at its edges (issue 10 items 6–8, 10–12): long, multi-line, quoted, JSON and
 * non-ASCII values; credential shapes inside JSON strings; infrakey's own text left alone.
 */
import { MASK, Redactor, Secret, redactor, registerAmbientSecrets, safeText, shellQuote } from '../../core/internal';
import { LiteralIndex, literalSpans } from '../../core/masking/literal-search';
import { LONG_VALUE, MULTI_CRLF, MULTI_LF, QUOTED, UNICODE, nonAsciiCount } from './edge-values';

const b64 = (s: string) => Buffer.from(s).toString('base64');

describe('a long value (item 6)', () => {
  it('is ≥ 25,000 characters with about 5,500 non-ASCII', () => {
    expect(LONG_VALUE.length).toBeGreaterThanOrEqual(25_000);
    expect(nonAsciiCount(LONG_VALUE)).toBeGreaterThan(5_000);
    expect(nonAsciiCount(LONG_VALUE)).toBeLessThan(6_500);
  });

  it('is masked in every form, with no error', () => {
    const r = new Redactor();
    r.register(LONG_VALUE);
    r.register(UNICODE);
    for (let i = 0; i < 200; i++) r.register(`other-secret-value-${i}`);
    expect(r.mask(`a ${LONG_VALUE} b`)).toBe(`a ${MASK} b`);
    expect(r.mask(`a ${b64(LONG_VALUE)} b`)).toBe(`a ${MASK} b`);
    expect(r.mask(`a ${encodeURIComponent(LONG_VALUE)} b`)).toBe(`a ${MASK} b`);
    expect(r.mask(JSON.stringify({ v: LONG_VALUE }))).toBe(`{"v":"${MASK}"}`);
    expect(r.contains(`..${LONG_VALUE}..`)).toBe(true);
  });

  // Measured here: 0.25–0.4 s under a load average of 25 (about 500 distinct forms, one index pass). The bound leaves
  // room for a loaded 2-core machine and still fails if masking turns quadratic in the text.
  it('masking 1 MB of text with 200 registered values and a 25,000-character one takes under 3 s', () => {
    const r = new Redactor();
    r.register(LONG_VALUE);
    for (let i = 0; i < 200; i++) r.register(`other-secret-value-${i}`);
    const text = ('ordinary log line with nothing secret in it\n'.repeat(20_000) + `${LONG_VALUE}\n`).slice(0, 1_000_000);
    const t0 = performance.now();
    r.mask(text);
    expect(performance.now() - t0).toBeLessThan(3_000);
  });
});

describe('quoted values (item 7)', () => {
  it('the shell-quoted form is masked', () => {
    const r = new Redactor();
    r.register(QUOTED);
    const quoted = shellQuote(QUOTED);
    expect(quoted).toBe(`'it'\\''s-a-secret-42'`);
    const out = r.mask(`X=${quoted}`);
    expect(out).not.toContain('s-a-secret-42');
    expect(out).toContain(MASK);
  });
});

describe('streamed output (item 8)', () => {
  const collect = (r: Redactor, chunks: string[]) => {
    const s = r.maskStream();
    return chunks.map((c) => s.push(c)).join('') + s.end();
  };

  it.each([
    ['LF', MULTI_LF, '\n'],
    ['CRLF', MULTI_CRLF, '\r\n'],
  ])('a %s multi-line value written line by line is masked whole', (_n, value, eol) => {
    const r = new Redactor();
    r.register(value);
    const lines = value.split(eol);
    const out = collect(r, [`start${eol}`, lines[0] + eol, lines[1] + eol, `end${eol}`]);
    expect(out).toBe(`start${eol}${MASK}${eol}end${eol}`);
  });

  it('a value cut at any byte boundary is masked; other text passes through in order', () => {
    const r = new Redactor();
    r.register(UNICODE);
    const text = `before ${UNICODE} middle ${UNICODE}after`;
    for (let cut = 1; cut < text.length; cut += 3) {
      expect(collect(r, [text.slice(0, cut), text.slice(cut)])).toBe(`before ${MASK} middle ${MASK}after`);
    }
  });

  it('holds back only what could start a value: a prompt is flushed at once', () => {
    const r = new Redactor();
    r.register(MULTI_LF);
    const s = r.maskStream();
    expect(s.push('Continue? [y/N] ')).toBe('Continue? [y/N] ');
    expect(s.push('first-line-of-the-secret\n')).toBe('');
    expect(s.push('no it was not\n')).toBe('first-line-of-the-secret\nno it was not\n');
  });

  it('a long value arriving in 1 KiB chunks is masked', () => {
    const r = new Redactor();
    r.register(LONG_VALUE);
    const text = `x${LONG_VALUE}\n`;
    const chunks: string[] = [];
    for (let i = 0; i < text.length; i += 1024) chunks.push(text.slice(i, i + 1024));
    expect(collect(r, chunks)).toBe(`x${MASK}\n`);
  });
});

describe('credential shapes inside JSON strings (item 10)', () => {
  const keyId = 'ASIA' + 'Q2V4MPLEKEY7XYZA';
  const secretKey = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYzzEXAMPLEKEY';
  const token = 'IQoJb3JpZ2luX2VjEXAMPLE' + 'T0KEN/abc+def='.repeat(12);
  const age = 'AGE-SECRET-KEY-1' + 'QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L'.repeat(2).slice(0, 58);
  const credentials = `[deployer]\naws_access_key_id = ${keyId}\naws_secret_access_key = ${secretKey}\naws_session_token = ${token}\n`;
  const r = new Redactor();
  registerAmbientSecrets({}, r);

  it.each([
    ['raw', credentials],
    ['JSON', JSON.stringify({ creds: credentials })],
    ['YAML block', `creds: |\n  ${credentials.replace(/\n/g, '\n  ')}`],
  ])('realm credential file keys are masked (%s)', (_n, text) => {
    const out = r.mask(text);
    for (const v of [keyId, secretKey, token]) expect(out).not.toContain(v);
    expect(out).toContain('aws_session_token');
  });

  it('an age identity after a JSON \\n escape is masked', () => {
    const out = r.mask(JSON.stringify({ key: `# created: 2026-01-01\n# public key: age1xyz\n${age}\n` }));
    expect(out).not.toContain(age);
    expect(() => JSON.parse(out)).not.toThrow();
  });
});

describe('masked JSON stays JSON (item 11)', () => {
  it('non-string scalars that are secrets become the string "<MASKED>"', () => {
    const r = new Redactor();
    r.register('5432');
    r.register('pw-in-json-9');
    const out = r.maskDeep({ port: 5432, other: 15432, pw: 'pw-in-json-9', ok: 80, nested: [5432, true] });
    expect(out).toEqual({ port: MASK, other: MASK, pw: MASK, ok: 80, nested: [MASK, true] });
    expect(JSON.parse(JSON.stringify(out))).toEqual(out);
  });
});

describe("infrakey's own text is not masked (item 12)", () => {
  it('a value equal to a word of a fixed message masks the interpolations only', () => {
    redactor.register('component');
    const text = safeText`Set secret for component ${'api'} in stack ${'component'}`;
    expect(text).toBe(`Set secret for component api in stack ${MASK}`);
    expect(redactor.maskMessage(text)).toBe(text);
    expect(redactor.mask('component')).toBe(MASK);
  });

  it('ambient variables too short or too common to be credentials are not registered', () => {
    const r = new Redactor();
    registerAmbientSecrets({ AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', ATMOS_KEYRING_PASSWORD: 'pass', GITHUB_TOKEN: 'changeme' }, r);
    expect(r.mask('https://shop.example.test keyring password: passed')).toBe('https://shop.example.test keyring password: passed');
    registerAmbientSecrets({ AWS_ACCESS_KEY_ID: 'AKIAREALLOOKINGKEY12' }, r);
    expect(r.mask('id AKIAREALLOOKINGKEY12')).toBe(`id ${MASK}`);
  });

  it('metadata of wrapped credentials (region, expiration) is not registered', () => {
    Secret.of({ access_key_id: 'sso-access-token-value-1234', region: 'eu-central-7', expiration: '2031-01-01T00:00:00Z' }, 'keyring:sso');
    expect(redactor.mask('Region eu-central-7 Expires 2031-01-01T00:00:00Z')).toBe('Region eu-central-7 Expires 2031-01-01T00:00:00Z');
    expect(redactor.mask('token sso-access-token-value-1234')).toBe(`token ${MASK}`);
  });
});

describe('the literal index finds what one scan per form finds', () => {
  it('on forms that share prefixes, overlap and hold non-ASCII text', () => {
    let seed = 7;
    const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) % n);
    const alphabet = 'abcü密-\n';
    const word = (len: number) => Array.from({ length: len }, () => alphabet[rand(alphabet.length)]).join('');
    const forms = new Set<string>(['aaaa', 'aaaaa', 'abab', 'ababab']);
    while (forms.size < 60) forms.add(word(4 + rand(6)));
    const text = word(20_000) + [...forms].join('');
    const key = (s: { start: number; end: number }) => `${s.start}:${s.end}`;
    const viaIndex = new LiteralIndex(forms).spans(text).map(key).sort();
    const viaScan = literalSpans(text, forms).map(key).sort();
    expect(viaIndex.length).toBeGreaterThan(60);
    expect(viaIndex).toEqual(viaScan);
  });
});
