import { cpSync, existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { run } from '../../cli/program';
import { captureIO } from '../../cli/io';

const VALUE = 'quickstart-db-pass-7Hq2';

function project(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ik-cli-secret-'));
  cpSync(join(__dirname, '../../examples/quickstart'), dir, { recursive: true });
  return dir;
}

async function cli(dir: string, argv: string[], stdin?: string) {
  const io = captureIO({ stdin: Readable.from(stdin !== undefined ? [stdin] : []) });
  const env = { ...process.env, HOME: dir, XDG_CONFIG_HOME: join(dir, '.xdg'), SOPS_AGE_KEY_FILE: '', SOPS_AGE_KEY: '' };
  const code = await run(argv, { io, env, cwd: dir });
  return { code, out: io.stdout, err: io.stderr };
}

describe('infrakey secret (quickstart, sops/age)', () => {
  const dir = project();

  it('keygen writes the key 0600 and the recipient to .sops.yaml', async () => {
    const r = await cli(dir, ['secret', 'keygen']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^age1[0-9a-z]+\n$/);
    const keyFile = join(dir, '.age/keys.txt');
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, '.age')).mode & 0o777).toBe(0o700);
    expect(readFileSync(join(dir, '.sops.yaml'), 'utf8')).toContain(r.out.trim());
    expect(r.out + r.err).not.toContain('AGE-SECRET-KEY');
    const again = await cli(dir, ['secret', 'keygen', 'local-sops']);
    expect(again.code).toBe(0);
    expect(again.err).toContain('already exists');
  });

  it('set reads the value from stdin; list shows the status without values', async () => {
    const set = await cli(dir, ['secret', 'set', 'DB_PASSWORD', '-s', 'dev', '-c', 'api'], VALUE + '\n');
    expect(set.code).toBe(0);
    expect(set.err).toContain('DB_PASSWORD');
    expect(existsSync(join(dir, 'secrets/dev.enc.yaml'))).toBe(true);
    expect(readFileSync(join(dir, 'secrets/dev.enc.yaml'), 'utf8')).not.toContain(VALUE);
    const list = await cli(dir, ['secret', 'list', '-s', 'dev', '-c', 'api', '--format', 'json']);
    expect(list.code).toBe(0);
    const rows = JSON.parse(list.out) as { name: string; status: string; scope: string }[];
    expect(rows.map((r) => [r.name, r.status, r.scope])).toEqual([
      ['DB_PASSWORD', 'initialized', 'instance'],
      ['SENTRY_DSN', 'missing', 'instance'],
    ]);
  });

  it('validate passes when required secrets are set (all components of the stack without -c)', async () => {
    const r = await cli(dir, ['secret', 'validate', '-s', 'dev']);
    expect(r.err).toContain('All required secrets are initialized');
    expect(r.code).toBe(0);
  });

  it('get is masked by default and shows the value with --mask=false', async () => {
    const masked = await cli(dir, ['secret', 'get', 'DB_PASSWORD', '-s', 'dev', '-c', 'api']);
    expect(masked.code).toBe(0);
    expect(masked.out).toBe('<MASKED>\n');
    const plain = await cli(dir, ['--mask=false', 'secret', 'get', 'DB_PASSWORD', '-s', 'dev', '-c', 'api']);
    expect(plain.out).toBe(VALUE + '\n');
  });

  it('describe component shows <MASKED> for !secret and the default elsewhere', async () => {
    const r = await cli(dir, ['describe', 'component', 'api', '-s', 'dev', '--format', 'json']);
    expect(r.code).toBe(0);
    const section = JSON.parse(r.out) as { vars: Record<string, unknown> };
    expect(section.vars.db_password).toBe('<MASKED>');
    expect(r.out).not.toContain(VALUE);
  });

  it('exec passes secrets as env vars (and TF_VAR_ with --tf-vars); --mask hides them in output', async () => {
    const r = await cli(dir, ['secret', 'exec', '-s', 'dev', '-c', 'api', '--mask', '--tf-vars', '--', 'sh', '-c', 'echo "pw=$DB_PASSWORD tf=$TF_VAR_DB_PASSWORD len=${#DB_PASSWORD}"']);
    expect(r.code).toBe(0);
    expect(r.out).toBe(`pw=<MASKED> tf=<MASKED> len=${VALUE.length}\n`);
    expect(r.err).toContain('Skipping `SENTRY_DSN`');
  });

  it('delete removes the value; validate then exits 1 naming the missing secret', async () => {
    const del = await cli(dir, ['secret', 'delete', 'DB_PASSWORD', '-s', 'dev', '-c', 'api', '-f']);
    expect(del.code).toBe(0);
    const v = await cli(dir, ['secret', 'validate', '-s', 'dev', '-c', 'api']);
    expect(v.code).toBe(1);
    expect(v.err).toContain('DB_PASSWORD');
    expect(v.err).toContain('SECRET_VALIDATION_FAILED');
  });

  it('usage errors exit 2', async () => {
    expect((await cli(dir, ['secret', 'get', 'DB_PASSWORD', '-c', 'api'])).code).toBe(2);
    expect((await cli(dir, ['secret', 'get', 'DB_PASSWORD', '-s', 'dev', '-c', 'api', '--raw', '--format', 'json'])).code).toBe(2);
  });
});
