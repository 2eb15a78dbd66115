/**
 * Tries to leak a secret value through every `secret` verb, their error messages and `describe`.
 * Only `secret get --mask=false` may print it, and only the `secret exec` child's environment may
 * hold it.
 */
import { cpSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { run } from '../../cli/program';
import { captureIO } from '../../cli/io';

const VALUE = 'leak-canary-Zq81xV0p';
const B64 = Buffer.from(VALUE).toString('base64');

describe('secret CLI leak hunt', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ik-leak-'));
  cpSync(join(__dirname, '../../examples/quickstart'), dir, { recursive: true });
  const env = { ...process.env, HOME: dir, XDG_CONFIG_HOME: join(dir, '.xdg'), SOPS_AGE_KEY_FILE: '', SOPS_AGE_KEY: '' };
  const outputs: string[] = [];
  const cli = async (argv: string[], stdin?: string) => {
    const io = captureIO({ stdin: Readable.from(stdin !== undefined ? [stdin] : []) });
    const code = await run(argv, { io, env, cwd: dir });
    outputs.push(io.stdout, io.stderr);
    return { code, out: io.stdout, err: io.stderr };
  };
  const T = ['-s', 'dev', '-c', 'api'];

  beforeAll(async () => {
    expect((await cli(['secret', 'keygen'])).code).toBe(0);
    expect((await cli(['secret', 'set', 'DB_PASSWORD', ...T], VALUE)).code).toBe(0);
  });

  it('no verb prints the value (or its base64) by default', async () => {
    const runs = [
      await cli(['secret', 'get', 'DB_PASSWORD', ...T]),
      await cli(['secret', 'get', 'DB_PASSWORD', ...T, '--format', 'json']),
      await cli(['secret', 'get', 'DB_PASSWORD', ...T, '--format', 'env']),
      await cli(['secret', 'list', ...T]),
      await cli(['secret', 'list', ...T, '--format', 'yaml', '--verify']),
      await cli(['secret', 'validate', '-s', 'dev']),
      await cli(['describe', 'component', 'api', '-s', 'dev', '--format', 'json']),
      await cli(['describe', 'component', 'api', '-s', 'dev']),
      await cli(['describe', 'stacks']),
      await cli(['secret', 'exec', ...T, '--', 'sh', '-c', `test "$DB_PASSWORD" = "${'$'}EXPECTED" || true`]),
      await cli(['secret', 'exec', ...T, '--mask', '--', 'sh', '-c', 'echo "$DB_PASSWORD"; echo "$DB_PASSWORD" | base64; echo "$DB_PASSWORD" >&2']),
      await cli(['secret', 'set', 'DB_PASSWORD', ...T], VALUE),
      // The provenance view (the default above) also for the map a query selects.
      await cli(['describe', 'component', 'api', '-s', 'dev', '--provenance', '-q', '.vars']),
    ];
    for (const r of runs) {
      expect(r.out + r.err).not.toContain(VALUE);
      expect(r.out + r.err).not.toContain(B64.replace(/=+$/, ''));
    }
    expect(runs[0].out).toBe('<MASKED>\n');
    expect(runs[10].out).toContain('<MASKED>');
  });

  it('the exec child does receive the value in its environment', async () => {
    const r = await cli(['secret', 'exec', ...T, '--', 'sh', '-c', `[ "$DB_PASSWORD" = "${VALUE}" ]`]);
    expect(r.code).toBe(0);
  });

  it('error messages carry no value: path into a plain string, undeclared names, tampered file, wrong key', async () => {
    const errs = [
      await cli(['secret', 'get', 'DB_PASSWORD', ...T, '--path', '.password']),
      await cli(['secret', 'get', 'NOT_DECLARED', ...T]),
      await cli(['secret', 'get', 'DB_PASSWORD', ...T, '--path', '.[']),
    ];
    for (const r of errs) {
      expect(r.code).not.toBe(0);
      expect(r.err).toMatch(/error \[[A-Z_]+\]/);
    }
    const file = join(dir, 'secrets/dev.enc.yaml');
    const original = readFileSync(file, 'utf8');
    writeFileSync(file, original.replace(/^DB_PASSWORD:/m, 'DB_PASSWORd:'));
    const tampered = await cli(['--mask=false', 'secret', 'get', 'DB_PASSWORd', ...T]);
    expect(tampered.code).toBe(1);
    const tamperedDb = await cli(['--mask=false', 'secret', 'get', 'DB_PASSWORD', ...T]);
    expect(tamperedDb.code).toBe(1);
    expect(tamperedDb.err).toMatch(/SOPS_MAC_MISMATCH|SECRET_NOT_INITIALIZED/);
    writeFileSync(file, original);
    const keys = join(dir, '.age/keys.txt');
    const key = readFileSync(keys, 'utf8');
    writeFileSync(keys, 'AGE-SECRET-KEY-1QQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQSL4ZWP\n', { mode: 0o600 });
    const wrongKey = await cli(['--mask=false', 'secret', 'get', 'DB_PASSWORD', ...T]);
    expect(wrongKey.code).toBe(1);
    writeFileSync(keys, key, { mode: 0o600 });
    for (const r of [...errs, tampered, tamperedDb, wrongKey]) expect(r.out + r.err).not.toContain(VALUE);
  });

  it('only get --mask=false prints it', async () => {
    const r = await cli(['secret', 'get', 'DB_PASSWORD', ...T, '--mask=false']);
    expect(r.out).toBe(`${VALUE}\n`);
    outputs.pop();
    outputs.pop();
  });

  it('no file in the project holds the value in plaintext; the key file is 0600', () => {
    const walk = (d: string): string[] => readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(d, e.name)) : [join(d, e.name)]));
    for (const f of walk(dir)) expect(readFileSync(f, 'utf8')).not.toContain(VALUE);
    expect(statSync(join(dir, '.age/keys.txt')).mode & 0o777).toBe(0o600);
    for (const o of outputs) expect(o).not.toContain(VALUE);
  });
});
