/**
 * `infrakey secret import` and `infrakey secret shell` through the in-process CLI, on a temporary
 * copy of examples/quickstart (sops/age) with two stores added to its atmos.yaml:
 * - `legacy`: redis-server (real, from scripts/services.sh), the kind of plain store that `!store`
 *   values live in before they are adopted as declared secrets (Atmos §6.8, NAME mode);
 * - `vault`: a secret keychain store over an encrypted file keyring, the default source store of
 *   declarations that name it.
 * Every captured stdout/stderr is checked for the values: none may appear.
 */
import { spawnSync } from 'node:child_process';
import { appendFileSync, cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import Redis from 'ioredis';
import { captureIO } from '../../cli/io';
import { run } from '../../cli/program';
import { redisUrl } from '../support/services';

const ROOT = resolve(__dirname, '../..');
const T = ['-s', 'dev', '-c', 'api'];
// Distinct values, so that a leak says which one leaked.
const V = {
  legacyDb: 'legacy-db-pass-Kx71',
  legacyDsn: 'https://legacy-dsn-Pq02@sentry.example/1',
  vaultToken: 'vault-token-Lm55',
  envDb: 'dotenv db pass # kept-Ab19',
  envDsn: 'https://dotenv-dsn-Cd28@sentry.example/2',
  envUndeclared: 'undeclared-value-Ef37',
  jsonDb: 'json-db-pass-Gh46',
  badJson: 'bad-json-canary-Ij64',
  shellDb: 'shell-db-pass-Mn73',
};
const ALL = Object.values(V);

interface Result {
  code: number;
  out: string;
  err: string;
}

/** A quickstart copy with the `legacy` (redis) and `vault` (keychain file) stores and two vault declarations. */
function project(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'ik-import-shell-'));
  cpSync(join(ROOT, 'examples/quickstart'), dir, { recursive: true });
  appendFileSync(
    join(dir, 'atmos.yaml'),
    [
      '',
      'stores:',
      '  legacy:',
      '    kind: redis',
      '    options:',
      `      url: ${JSON.stringify(redisUrl())}`,
      `      prefix: ${prefix}`,
      '  vault:',
      '    kind: keychain',
      '    options:',
      '      backend: file',
      `      file_dir: ${JSON.stringify(join(dir, '.vault'))}`,
      '      password_env: IK_TEST_VAULT_PASSWORD',
      '',
    ].join('\n'),
  );
  // The api instance in dev.yaml gains a secrets section next to its vars.
  appendFileSync(
    join(dir, 'stacks/deploy/dev.yaml'),
    ['      secrets:', '        vars:', '          API_TOKEN:', '            store: vault', '          API_TOKEN_V2:', '            store: vault', '            required: false', ''].join('\n'),
  );
  return dir;
}

function makeCli(dir: string, extraEnv: NodeJS.ProcessEnv = {}) {
  const outputs: string[] = [];
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HOME: dir,
    XDG_CONFIG_HOME: join(dir, '.xdg'),
    XDG_DATA_HOME: join(dir, '.xdg-data'),
    SOPS_AGE_KEY_FILE: '',
    SOPS_AGE_KEY: '',
    IK_TEST_VAULT_PASSWORD: 'vault-file-keyring-password',
    ...extraEnv,
  };
  const cli = async (argv: string[], opts: { stdin?: string; env?: NodeJS.ProcessEnv } = {}): Promise<Result> => {
    const io = captureIO({ stdin: Readable.from(opts.stdin !== undefined ? [opts.stdin] : []) });
    const code = await run(argv, { io, env: { ...env, ...opts.env }, cwd: dir });
    outputs.push(io.stdout, io.stderr);
    return { code, out: io.stdout, err: io.stderr };
  };
  const reveal = async (name: string): Promise<string> => {
    const r = await cli(['--mask=false', 'secret', 'get', name, ...T, '--raw']);
    expect([name, r.code, r.err]).toEqual([name, 0, '']);
    return r.out;
  };
  return { cli, reveal, outputs, env };
}

function expectNoValues(outputs: readonly string[], except: readonly string[] = []): void {
  const text = outputs.join('\n');
  for (const v of ALL) if (!except.includes(v)) expect([v, text.includes(v)]).toEqual([v, false]);
}

describe('infrakey secret import', () => {
  const prefix = `ik-import-${process.pid}-${Date.now()}`;
  let redis: Redis;
  let dir: string;
  let h: ReturnType<typeof makeCli>;

  beforeAll(async () => {
    redis = new Redis(redisUrl(), { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 3000 });
    await redis.connect();
    // Values as Atmos's redis store writes them (§5.3 key, §5.4 JSON): {prefix}/{stack parts}/{component parts}/{key}.
    await redis.set(`${prefix}/dev/api/db_password`, JSON.stringify(V.legacyDb));
    await redis.set(`${prefix}/shared/common/SENTRY_DSN`, JSON.stringify(V.legacyDsn));
    dir = project(prefix);
    h = makeCli(dir);
    expect((await h.cli(['secret', 'keygen'])).code).toBe(0);
  });

  afterAll(async () => {
    if (redis) {
      const keys = await redis.keys(`${prefix}/*`);
      if (keys.length) await redis.del(...keys);
      redis.disconnect();
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('NAME --from-store/--from-stack/--from-component/--from-key copies a store value to the declaration; the source is unchanged', async () => {
    const r = await h.cli(['secret', 'import', 'DB_PASSWORD', ...T, '--from-store', 'legacy', '--from-stack', 'dev', '--from-component', 'api', '--from-key', 'db_password']);
    expect(r.code).toBe(0);
    expect(r.out).toBe('');
    expect(r.err).toContain(`Imported ${prefix}/dev/api/db_password from store legacy`);
    expect(r.err).toContain('DB_PASSWORD');
    expect(await h.reveal('DB_PASSWORD')).toBe(V.legacyDb);
    expect(await redis.get(`${prefix}/dev/api/db_password`)).toBe(JSON.stringify(V.legacyDb));
    expect(readFileSync(join(dir, 'secrets/dev.enc.yaml'), 'utf8')).not.toContain(V.legacyDb);
  });

  it('the source key defaults to NAME; stack and component are raw path segments', async () => {
    const r = await h.cli(['secret', 'import', 'SENTRY_DSN', ...T, '--from-store', 'legacy', '--from-stack', 'shared', '--from-component', 'common']);
    expect(r.code).toBe(0);
    expect(r.err).toContain(`Imported ${prefix}/shared/common/SENTRY_DSN from store legacy`);
    expect(await h.reveal('SENTRY_DSN')).toBe(V.legacyDsn);
  });

  it("without --from-store the declaration's own store is the source", async () => {
    expect((await h.cli(['secret', 'set', 'API_TOKEN', ...T], { stdin: V.vaultToken + '\n' })).code).toBe(0);
    const r = await h.cli(['secret', 'import', 'API_TOKEN_V2', ...T, '--from-stack', 'dev', '--from-component', 'api', '--from-key', 'API_TOKEN']);
    expect(r.code).toBe(0);
    expect(r.err).toContain('from store vault');
    expect(await h.reveal('API_TOKEN_V2')).toBe(V.vaultToken);
    expect(await h.reveal('API_TOKEN')).toBe(V.vaultToken);
  });

  it('FILE (dotenv): sets declared keys with Atmos dotenv rules, skips undeclared ones with a warning', async () => {
    writeFileSync(
      join(dir, 'import.env'),
      ['# exported from the old pipeline', '', `export DB_PASSWORD="${V.envDb}"`, `SENTRY_DSN=${V.envDsn}   # inline comment`, `UNDECLARED_THING='${V.envUndeclared}'`, 'not a pair', ''].join('\n'),
      { mode: 0o600 },
    );
    const r = await h.cli(['secret', 'import', 'import.env', ...T]);
    expect(r.code).toBe(0);
    expect(r.err).toContain('skipping UNDECLARED_THING: not declared in component api');
    expect(r.err).toMatch(/Set .*`DB_PASSWORD`/);
    expect(r.err).toMatch(/Set .*`SENTRY_DSN`/);
    expect(await h.reveal('DB_PASSWORD')).toBe(V.envDb);
    expect(await h.reveal('SENTRY_DSN')).toBe(V.envDsn);
    const list = await h.cli(['secret', 'list', ...T, '--format', 'json']);
    expect((JSON.parse(list.out) as { name: string }[]).map((x) => x.name)).not.toContain('UNDECLARED_THING');
  });

  it('FILE --dry-run names what would be set and writes nothing', async () => {
    const file = join(dir, 'secrets/dev.enc.yaml');
    const before = readFileSync(file, 'utf8');
    writeFileSync(join(dir, 'dry.env'), `DB_PASSWORD=${V.jsonDb}\n`, { mode: 0o600 });
    const r = await h.cli(['secret', 'import', 'dry.env', ...T, '--dry-run']);
    expect(r.code).toBe(0);
    expect(r.err).toBe('would set DB_PASSWORD\n');
    expect(readFileSync(file, 'utf8')).toBe(before);
  });

  it('FILE (JSON, by extension or --format json)', async () => {
    writeFileSync(join(dir, 'import.json'), JSON.stringify({ DB_PASSWORD: V.jsonDb, NOPE: V.envUndeclared }), { mode: 0o600 });
    const r = await h.cli(['secret', 'import', 'import.json', ...T]);
    expect(r.code).toBe(0);
    expect(r.err).toContain('skipping NOPE');
    expect(await h.reveal('DB_PASSWORD')).toBe(V.jsonDb);
    writeFileSync(join(dir, 'values.txt'), JSON.stringify({ DB_PASSWORD: V.legacyDb }), { mode: 0o600 });
    expect((await h.cli(['secret', 'import', 'values.txt', ...T, '--format', 'json'])).code).toBe(0);
    expect(await h.reveal('DB_PASSWORD')).toBe(V.legacyDb);
  });

  describe('bad input: one clear error, no value in any message', () => {
    const bad: Result[] = [];
    const expectError = (r: Result, code: string, exit: number, ...mentions: string[]) => {
      bad.push(r);
      expect(r.err).toContain(`error [${code}]`);
      expect(r.code).toBe(exit);
      for (const m of mentions) expect(r.err).toContain(m);
    };

    it('an undeclared NAME', async () => {
      expectError(await h.cli(['secret', 'import', 'NOT_DECLARED', ...T, '--from-store', 'legacy', '--from-key', 'db_password']), 'SECRET_NOT_DECLARED', 1, 'NOT_DECLARED', 'api');
    });

    it('a missing source key names the key path', async () => {
      expectError(await h.cli(['secret', 'import', 'DB_PASSWORD', ...T, '--from-store', 'legacy', '--from-stack', 'dev', '--from-component', 'api', '--from-key', 'nothing_here']), 'SECRET_NOT_INITIALIZED', 1, `${prefix}/dev/api/nothing_here`, 'stores.legacy');
    });

    it('a source without a component, on a store that needs one (as Atmos stores do)', async () => {
      expectError(await h.cli(['secret', 'import', 'DB_PASSWORD', ...T, '--from-store', 'legacy', '--from-stack', 'dev', '--from-key', 'db_password']), 'STORE_KEY_INVALID', 1, 'stores.legacy', 'component cannot be empty');
    });

    it('an unknown source store', async () => {
      expectError(await h.cli(['secret', 'import', 'DB_PASSWORD', ...T, '--from-store', 'nope', '--from-key', 'x']), 'STORE_NOT_CONFIGURED', 1, 'stores.nope', 'legacy');
    });

    it('a SOPS declaration without --from-store has no default source store', async () => {
      expectError(await h.cli(['secret', 'import', 'DB_PASSWORD', ...T, '--from-key', 'db_password']), 'SECRET_NO_BACKEND', 1, 'import source store is required', '--from-store');
    });

    it('a missing FILE', async () => {
      expectError(await h.cli(['secret', 'import', 'missing.env', ...T]), 'SECRET_IMPORT_FILE_UNREADABLE', 2, join(dir, 'missing.env'), 'ENOENT');
    });

    it('a JSON FILE that does not parse: the error gives a position, never the content', async () => {
      writeFileSync(join(dir, 'broken.json'), `{"DB_PASSWORD": ${V.badJson}}`, { mode: 0o600 });
      expectError(await h.cli(['secret', 'import', 'broken.json', ...T]), 'SECRET_IMPORT_FILE_INVALID', 1, join(dir, 'broken.json'), 'not valid JSON');
      writeFileSync(join(dir, 'list.json'), JSON.stringify([V.badJson]), { mode: 0o600 });
      expectError(await h.cli(['secret', 'import', 'list.json', ...T]), 'SECRET_IMPORT_FILE_INVALID', 1, 'JSON object');
    });

    it('no stack, no component', async () => {
      expectError(await h.cli(['secret', 'import', 'DB_PASSWORD', '-c', 'api', '--from-store', 'legacy']), 'USAGE_STACK_REQUIRED', 2);
      expectError(await h.cli(['secret', 'import', 'DB_PASSWORD', '-s', 'dev', '--from-store', 'legacy']), 'USAGE_COMPONENT_REQUIRED', 2);
    });

    afterAll(() => {
      expectNoValues(bad.flatMap((r) => [r.out, r.err]));
      // A failed import leaves the last good value in place.
      return expect(h.reveal('DB_PASSWORD')).resolves.toBe(V.legacyDb);
    });
  });

  afterAll(() => {
    // `secret get --mask=false` (reveal) is the one place a value may be printed.
    expectNoValues(h.outputs.filter((o) => !ALL.includes(o)));
  });
});

describe('infrakey secret shell', () => {
  let dir: string;
  let h: ReturnType<typeof makeCli>;
  const reportFile = () => join(dir, 'shell-report.txt');
  // The child reports what it sees without printing a value: comparisons and lengths only.
  const PROBE = [
    'printf "db=%s tf=%s dsn=%s shlvl=%s len=%s\\n"',
    '"$([ "$DB_PASSWORD" = "$EXPECTED_DB" ] && echo yes || echo no)"',
    '"$([ "${TF_VAR_DB_PASSWORD-}" = "$EXPECTED_DB" ] && echo yes || echo no)"',
    '"${SENTRY_DSN+set}"',
    '"$ATMOS_SHLVL"',
    '"${#DB_PASSWORD}"',
    '> shell-report.txt',
  ].join(' ');

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ik-shell-'));
    cpSync(join(ROOT, 'examples/quickstart'), dir, { recursive: true });
    h = makeCli(dir, { SHELL: '/bin/sh', EXPECTED_DB: V.shellDb, ATMOS_SHLVL: '' });
    expect((await h.cli(['secret', 'keygen'])).code).toBe(0);
    expect((await h.cli(['secret', 'set', 'DB_PASSWORD', ...T], { stdin: V.shellDb })).code).toBe(0);
  });

  afterAll(() => {
    expectNoValues(h.outputs.filter((o) => !ALL.includes(o)));
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("runs $SHELL with the declared secrets in its environment and passes the shell's exit code through", async () => {
    const r = await h.cli(['secret', 'shell', ...T, '--', '-c', `${PROBE}; exit 3`]);
    expect(readFileSync(reportFile(), 'utf8')).toBe(`db=yes tf=no dsn= shlvl=1 len=${V.shellDb.length}\n`);
    expect(r.code).toBe(3);
    expect(r.err).toContain('error [EXEC_CHILD_FAILED]: "/bin/sh" exited with status 3');
    expect(r.err).toContain('Skipping `SENTRY_DSN`');
    expect(r.out).toBe('');
    expectNoValues([r.out, r.err]);
  });

  it('exit 0 is success; ATMOS_SHLVL counts nesting; --tf-vars adds TF_VAR_<NAME>', async () => {
    rmSync(reportFile(), { force: true });
    const r = await h.cli(['secret', 'shell', ...T, '--tf-vars', '--', '-c', PROBE], { env: { ATMOS_SHLVL: '2' } });
    expect(r.code).toBe(0);
    expect(readFileSync(reportFile(), 'utf8')).toBe(`db=yes tf=yes dsn= shlvl=3 len=${V.shellDb.length}\n`);
    expect(r.err).not.toContain('error');
  });

  it('without $SHELL it falls back to /bin/sh', async () => {
    rmSync(reportFile(), { force: true });
    const r = await h.cli(['secret', 'shell', ...T, '--', '-c', `${PROBE}; exit 5`], { env: { SHELL: '' } });
    expect(r.code).toBe(5);
    expect(r.err).toContain('"/bin/sh" exited with status 5');
    expect(existsSync(reportFile())).toBe(true);
  });

  it('secret exec passes its exit code through the same way (terraform plan -detailed-exitcode gives 2)', async () => {
    const r = await h.cli(['secret', 'exec', ...T, '--', 'sh', '-c', '[ "$DB_PASSWORD" = "$EXPECTED_DB" ] && exit 2; exit 9']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('error [EXEC_CHILD_FAILED]: "sh" exited with status 2');
  });

  it('bad input: a shell that does not exist, no component, an invalid declaration', async () => {
    const missing = await h.cli(['secret', 'shell', ...T, '--', '-c', 'exit 0'], { env: { SHELL: join(dir, 'no-such-shell') } });
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('error [EXEC_FAILED]');
    expect(missing.err).toContain('no-such-shell');
    expect(missing.err).toContain('ENOENT');
    const noComponent = await h.cli(['secret', 'shell', '-s', 'dev', '--', '-c', 'exit 0']);
    expect(noComponent.code).toBe(2);
    expect(noComponent.err).toContain('error [USAGE_COMPONENT_REQUIRED]');

    // A declaration with both backends: the shell does not start, the error names it and its file.
    const devYaml = join(dir, 'stacks/deploy/dev.yaml');
    const original = readFileSync(devYaml, 'utf8');
    try {
      appendFileSync(devYaml, ['      secrets:', '        vars:', '          BROKEN:', '            store: nope', '            sops: local-sops', ''].join('\n'));
      rmSync(reportFile(), { force: true });
      const broken = await h.cli(['secret', 'shell', ...T, '--', '-c', `${PROBE}; exit 0`]);
      expect(broken.code).toBe(1);
      expect(broken.err).toContain('SECRET_BACKEND_AMBIGUOUS');
      expect(broken.err).toContain('BROKEN');
      expect(broken.err).toContain('dev.yaml');
      expect(existsSync(reportFile())).toBe(false);
    } finally {
      writeFileSync(devYaml, original);
    }
  });

  it('the installed bin: a non-interactive shell reads its commands from stdin (dist/ built by npm run build)', () => {
    const bin = join(ROOT, 'dist/cli/infrakey.js');
    if (!existsSync(bin)) throw new Error('dist/cli/infrakey.js is missing: run `npm run build` first (./scripts/test.sh does it before jest)');
    const r = spawnSync(process.execPath, [bin, 'secret', 'shell', ...T], {
      cwd: dir,
      env: { ...h.env, SHELL: '/bin/sh' },
      input: 'echo "inside len=${#DB_PASSWORD} match=$([ "$DB_PASSWORD" = "$EXPECTED_DB" ] && echo yes)"\nexit 4\n',
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.stdout).toBe(`inside len=${V.shellDb.length} match=yes\n`);
    expect(r.status).toBe(4);
    expect(r.stderr).toContain('exited with status 4');
    expectNoValues([r.stdout, r.stderr]);
  });
});
