/**
 * Issue 10 items 6–12 and 15 through the real CLI on the quickstart project (SOPS + age, real
 * files, real child processes): long, multi-line, quoted, NUL, JSON and non-ASCII values must
 * never reach stdout, stderr or an error, and masked output must stay valid JSON.
 */
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import YAML from 'yaml';
import { run } from '../../cli/program';
import { captureIO } from '../../cli/io';
import { MASK } from '../../core/index';
import { JSON_VALUE, LONG_VALUE, MULTI_CRLF, MULTI_LF, NUL_VALUE, PEM, QUOTED, UNICODE } from './edge-values';

const VALUES: Record<string, string> = {
  MULTI_LF,
  MULTI_CRLF,
  QUOTED,
  JSON_VALUE,
  UNICODE,
  WORD: 'component',
  PORT: '5432',
};

/** Distinctive pieces of each value: none may appear in masked output. */
function pieces(value: string): string[] {
  const out = [value, Buffer.from(value).toString('base64').slice(0, 40)];
  for (const line of value.split(/\r?\n/)) if (line.length >= 12) out.push(line);
  if (value.length > 1000) for (let i = 0; i < value.length; i += 5000) out.push(value.slice(i, i + 60));
  return out;
}

describe('edge values through the CLI', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ik-edges-'));
  cpSync(join(__dirname, '../../examples/quickstart'), dir, { recursive: true });
  const env = { ...process.env, HOME: dir, XDG_CONFIG_HOME: join(dir, '.xdg'), SOPS_AGE_KEY_FILE: '', SOPS_AGE_KEY: '', AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test' };
  const cli = async (argv: string[], stdin?: string | Buffer) => {
    const io = captureIO({ stdin: Readable.from(stdin !== undefined ? [stdin] : []) });
    const code = await run(argv, { io, env, cwd: dir });
    return { code, out: io.stdout, err: io.stderr };
  };
  const T = ['-s', 'dev', '-c', 'api'];
  const credsFile = join(dir, 'realm-credentials');
  const keyId = 'ASIA' + 'Q2V4MPLEKEY7XYZA';
  const secretKey = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYzzEXAMPLEKEY';
  const token = 'IQoJb3JpZ2luX2VjEXAMPLE' + 'T0KEN/abc+def='.repeat(12);

  beforeAll(async () => {
    const catalog = join(dir, 'stacks/catalog/api.yaml');
    const doc = YAML.parse(readFileSync(catalog, 'utf8'));
    const vars = doc.components.terraform['api/defaults'].secrets.vars;
    for (const name of [...Object.keys(VALUES), 'LONG_VALUE', 'NUL_VALUE', 'PEM_KEY', 'HUGE']) vars[name] = { sops: 'local-sops', required: false };
    writeFileSync(catalog, YAML.stringify(doc));
    writeFileSync(credsFile, `[deployer]\naws_access_key_id = ${keyId}\naws_secret_access_key = ${secretKey}\naws_session_token = ${token}\n`, { mode: 0o600 });
    const dev = join(dir, 'stacks/deploy/dev.yaml');
    const extra = [
      'shop_url: https://shop.example.test',
      'long: !secret LONG_VALUE | default "unset"',
      'port: !secret PORT',
      'db_port: 5432',
      'multi: !secret MULTI_LF',
      `creds: !include.raw ${credsFile}`,
      `age_key: !include.raw ${join(dir, '.age/keys.txt')}`,
    ];
    writeFileSync(dev, readFileSync(dev, 'utf8').replace(/^ {6}vars:\n/m, (m) => m + extra.map((l) => `        ${l}\n`).join('')));
    expect((await cli(['secret', 'keygen'])).code).toBe(0);
    for (const [name, value] of Object.entries(VALUES)) {
      const r = await cli(['secret', 'set', name, ...T, '--stdin'], value);
      expect({ name, code: r.code, err: r.err }).toEqual({ name, code: 0, err: expect.any(String) });
    }
  });

  const noLeak = (text: string) => {
    for (const v of [...Object.values(VALUES), LONG_VALUE].filter((v) => v !== 'component' && v !== '5432')) for (const p of pieces(v)) expect(text).not.toContain(p);
  };

  it('item 7: --format env masks a quoted value, and prints it shell-quoted with --mask=false', async () => {
    const masked = await cli(['secret', 'get', 'QUOTED', ...T, '--format', 'env']);
    expect(masked.code).toBe(0);
    expect(masked.out).not.toContain('s-a-secret-42');
    expect(masked.out).toContain(MASK);
    const plain = await cli(['secret', 'get', 'QUOTED', ...T, '--format', 'env', '--mask=false']);
    expect(plain.out).toBe(`QUOTED='it'\\''s-a-secret-42'\n`);
  });

  it.each([
    ['LF', 'MULTI_LF'],
    ['CRLF', 'MULTI_CRLF'],
  ])('item 8: exec --mask masks a %s multi-line value written a line every 0.2 s', async (_n, name) => {
    const script = `printf 'before\\n'; printf '%s\\n' "$${name}" | while IFS= read -r line; do printf '%s\\n' "$line"; sleep 0.2; done; printf 'after\\n'`;
    const r = await cli(['secret', 'exec', ...T, '--mask', '--', 'sh', '-c', script]);
    expect(r.code).toBe(0);
    // `read` splits at \n, so the CRLF value's \r stays with its first line: the value is whole.
    expect(r.out).toBe(`before\n${MASK}\nafter\n`);
    noLeak(r.out);
  });

  it('item 9: a value with a NUL byte fails exec with a coded error that names the secret only', async () => {
    const set = await cli(['secret', 'set', 'NUL_VALUE', ...T, '--stdin'], NUL_VALUE);
    expect(set.code).toBe(0);
    const r = await cli(['secret', 'exec', ...T, '--', 'true']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/error \[EXEC_ENV_INVALID\].*NUL_VALUE/s);
    for (const part of ['nul-before', 'nul-after-value']) expect(r.err).not.toContain(part);
    await cli(['secret', 'delete', 'NUL_VALUE', ...T, '--force']);
  });

  it.each(['json', 'yaml'])('item 10: describe --format %s masks !include.raw of a realm credentials file and an age key file', async (format) => {
    const r = await cli(['describe', 'component', 'api', '-s', 'dev', '--format', format]);
    expect(r.code).toBe(0);
    const age = readFileSync(join(dir, '.age/keys.txt'), 'utf8').match(/AGE-SECRET-KEY-1[0-9A-Z]+/)![0];
    for (const v of [keyId, secretKey, token, age]) expect(r.out).not.toContain(v);
    expect(r.out).toContain('aws_session_token');
    if (format === 'json') expect(() => JSON.parse(r.out)).not.toThrow();
  });

  it('item 11: masked JSON output stays valid JSON, masked values are the string "<MASKED>"', async () => {
    for (const name of ['JSON_VALUE', 'PORT', 'MULTI_CRLF', 'UNICODE']) {
      const r = await cli(['secret', 'get', name, ...T, '--format', 'json']);
      expect(r.code).toBe(0);
      expect(JSON.parse(r.out)).toEqual({ [name]: MASK });
    }
    const d = await cli(['describe', 'component', 'api', '-s', 'dev', '--format', 'json']);
    // A plain number equal to a secret used to print as a bare <MASKED> token: invalid JSON.
    const section = JSON.parse(d.out);
    expect(section.vars.port).toBe(MASK);
    expect(section.vars.db_port).toBe(MASK);
    expect(section.vars.multi).toBe(MASK);
    const plain = await cli(['secret', 'get', 'JSON_VALUE', ...T, '--format', 'json', '--mask=false']);
    // `secret set` stores text: the JSON document comes back as the same string.
    expect(JSON.parse(plain.out)).toEqual({ JSON_VALUE });
  });

  it("item 12: infrakey's own messages and non-secret data are not rewritten", async () => {
    const set = await cli(['secret', 'set', 'WORD', ...T, '--stdin'], 'component');
    expect(set.code).toBe(0);
    expect(set.err).not.toContain(MASK);
    expect(set.err).toMatch(/component/);
    const d = await cli(['describe', 'component', 'api', '-s', 'dev', '--format', 'json']);
    expect(JSON.parse(d.out).vars.shop_url).toBe('https://shop.example.test');
  });

  it('item 15: secret set keeps the value byte for byte; stdin drops exactly one final newline; --file keeps it', async () => {
    const file = join(dir, 'pem.txt');
    writeFileSync(file, PEM);
    expect((await cli(['secret', 'set', 'PEM_KEY', ...T, '--file', file])).code).toBe(0);
    expect((await cli(['secret', 'get', 'PEM_KEY', ...T, '--mask=false', '--raw'])).out).toBe(PEM);
    expect((await cli(['secret', 'set', 'PEM_KEY', ...T, '--stdin'], PEM + '\n')).code).toBe(0);
    expect((await cli(['secret', 'get', 'PEM_KEY', ...T, '--mask=false', '--raw'])).out).toBe(PEM);
    expect((await cli(['secret', 'set', 'PEM_KEY', ...T, '--stdin'], '  spaced value  \r\n\n')).code).toBe(0);
    expect((await cli(['secret', 'get', 'PEM_KEY', ...T, '--mask=false', '--raw'])).out).toBe('  spaced value  \r\n');
  });

  it('issue 16 item 5: a masked value on a non-terminal stdout is explained on stderr in one line', async () => {
    const r = await cli(['secret', 'get', 'UNICODE', ...T]);
    expect(r.out).toBe(`${MASK}\n`);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(r.err).toContain('--mask=false');
    const plain = await cli(['secret', 'get', 'UNICODE', ...T, '--mask=false']);
    expect(plain).toMatchObject({ out: `${UNICODE}\n`, err: '' });
  });


  // Last: before the fix, registering this value broke every later masked command.
  it('item 6: a 25,000-character value is masked by get, exec and describe with no INTERNAL error', async () => {
    const set = await cli(['secret', 'set', 'LONG_VALUE', ...T, '--stdin'], LONG_VALUE);
    expect(set.code).toBe(0);
    const get = await cli(['secret', 'get', 'LONG_VALUE', ...T]);
    expect(get).toMatchObject({ code: 0, out: `${MASK}\n` });
    const exec = await cli(['secret', 'exec', ...T, '--mask', '--', 'sh', '-c', 'printf "%s\\n" "$LONG_VALUE"; printf "%s" "$LONG_VALUE" | base64 -w0; echo']);
    expect(exec.code).toBe(0);
    expect(exec.out).toBe(`${MASK}\n${MASK}\n`);
    const describe = await cli(['describe', 'component', 'api', '-s', 'dev', '--format', 'json']);
    expect(describe.code).toBe(0);
    expect(JSON.parse(describe.out).vars.long).toBe(MASK);
    for (const r of [get, exec, describe]) {
      expect(r.err).not.toContain('INTERNAL');
      noLeak(r.out + r.err);
    }
  });

  it('item 6: a value larger than the backend accepts is refused with a coded error naming the secret only', async () => {
    const huge = 'h'.repeat(2 * 1024 * 1024);
    const r = await cli(['secret', 'set', 'HUGE', ...T, '--stdin'], huge);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/error \[SECRET_VALUE_TOO_LARGE\]/);
    expect(r.err).toContain('HUGE');
    expect(r.err).not.toContain('hhhhhhhh');
  });

  it('the exec child receives every value byte for byte', async () => {
    const r = await cli(['secret', 'exec', ...T, '--', 'node', '-e', `process.exit(process.env.LONG_VALUE === ${JSON.stringify(LONG_VALUE)} && process.env.MULTI_CRLF === ${JSON.stringify(MULTI_CRLF)} && process.env.QUOTED === ${JSON.stringify(QUOTED)} ? 0 : 3)`]);
    expect(r.code).toBe(0);
  });
});
