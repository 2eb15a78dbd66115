/**
 * The `infrakey` bin (scripts/cli-launcher.js) loads the bundle with a V8 code cache made at
 * exit. Checked through the built bin in real child processes: where the cache goes and with
 * which modes, that an untrusted folder or a broken file only costs speed, that it can be turned
 * off, and that a secret value read or written by the command never lands in the cache file.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../..');
const BIN = join(ROOT, 'dist/cli/infrakey.js');

function cli(args: string[], env: NodeJS.ProcessEnv, cwd: string, input?: string) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, env, input, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('CLI code cache', () => {
  beforeAll(() => {
    if (!existsSync(BIN)) throw new Error('dist/cli/infrakey.js is missing: run `npm run build` first (./scripts/test.sh does it before jest)');
  });

  const base = mkdtempSync(join(tmpdir(), 'ik-codecache-'));
  const env = (cacheDir: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => {
    const e: NodeJS.ProcessEnv = { ...process.env, HOME: base, XDG_CONFIG_HOME: join(base, '.xdg'), NODE_COMPILE_CACHE: cacheDir };
    delete e.NODE_DISABLE_COMPILE_CACHE;
    return { ...e, ...extra };
  };

  it('writes one cache per command, 0600 in a 0700 folder, and uses it on the next run', () => {
    const cacheDir = join(base, 'cache-a');
    expect(cli(['--version'], env(cacheDir), base).code).toBe(0);
    const folder = join(cacheDir, 'infrakey');
    expect(statSync(folder).mode & 0o777).toBe(0o700);
    const files = readdirSync(folder);
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(new RegExp(`^${process.version.replace(/\./g, '\\.')}-${process.arch}-\\d+-\\d+-_\\.cache$`));
    expect(statSync(join(folder, files[0])).mode & 0o777).toBe(0o600);
    const written = statSync(join(folder, files[0])).mtimeMs;
    // Accepted on the next run: the file is not rewritten.
    expect(cli(['--version'], env(cacheDir), base).code).toBe(0);
    expect(statSync(join(folder, files[0])).mtimeMs).toBe(written);
    expect(cli(['describe', '--help'], env(cacheDir), base).code).toBe(0);
    expect(readdirSync(folder).sort()).toEqual([files[0], files[0].replace(/-_\.cache$/, '-describe.cache')].sort());
  });

  it('rewrites a broken cache file and still runs', () => {
    const cacheDir = join(base, 'cache-b');
    cli(['--version'], env(cacheDir), base);
    const folder = join(cacheDir, 'infrakey');
    const [file] = readdirSync(folder);
    writeFileSync(join(folder, file), Buffer.from('not a V8 code cache'));
    const r = cli(['--version'], env(cacheDir), base);
    expect(r.code).toBe(0);
    expect(r.out.trim()).toMatch(/^\d+\.\d+\.\d+/);
    expect(statSync(join(folder, file)).size).toBeGreaterThan(1000);
  });

  it('does not use a folder others can write to', () => {
    const cacheDir = join(base, 'cache-c');
    mkdirSync(join(cacheDir, 'infrakey'), { recursive: true });
    chmodSync(join(cacheDir, 'infrakey'), 0o777);
    const r = cli(['--version'], env(cacheDir), base);
    expect(r.code).toBe(0);
    expect(readdirSync(join(cacheDir, 'infrakey'))).toEqual([]);
  });

  it('is off with NODE_DISABLE_COMPILE_CACHE', () => {
    const cacheDir = join(base, 'cache-d');
    expect(cli(['--version'], env(cacheDir, { NODE_DISABLE_COMPILE_CACHE: '1' }), base).code).toBe(0);
    expect(existsSync(cacheDir)).toBe(false);
  });

  it('never holds a secret value the command read or wrote', () => {
    const project = mkdtempSync(join(tmpdir(), 'ik-codecache-project-'));
    cpSync(join(ROOT, 'examples/quickstart'), project, { recursive: true });
    const cacheDir = join(base, 'cache-e');
    const e = env(cacheDir, { HOME: project, XDG_CONFIG_HOME: join(project, '.xdg'), SOPS_AGE_KEY_FILE: '', SOPS_AGE_KEY: '' });
    const value = 'cc-Zq8vX2-distinctive-value-7f3a91';
    expect(cli(['secret', 'keygen'], e, project).code).toBe(0);
    expect(cli(['secret', 'set', 'DB_PASSWORD', '-s', 'dev', '-c', 'api'], e, project, `${value}\n`).code).toBe(0);
    const got = cli(['--mask=false', 'secret', 'get', 'DB_PASSWORD', '-s', 'dev', '-c', 'api'], e, project);
    expect(got.code).toBe(0);
    expect(got.out).toContain(value); // the command did see the value
    const folder = join(cacheDir, 'infrakey');
    const files = readdirSync(folder);
    // Written at the exit of `set` (value in memory) and of the `--mask=false … get` that printed it.
    expect(files.filter((f) => /-(secret-set|_)\.cache$/.test(f))).toHaveLength(2);
    for (const f of files) {
      const bytes = readFileSync(join(folder, f));
      for (const form of [Buffer.from(value, 'utf8'), Buffer.from(value, 'utf16le'), Buffer.from(value.slice(0, 16), 'latin1')]) {
        expect(bytes.includes(form)).toBe(false);
      }
    }
  });
});
