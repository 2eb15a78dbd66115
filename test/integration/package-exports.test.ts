/**
 * The published shape of the package: what `npm install infrakey` gives a user. Everything runs in
 * child Node processes against the built `dist/` (scripts/test.sh runs `npm run build` before
 * jest), never against the TypeScript sources that jest transforms.
 *
 * The package is "installed" as `node_modules/infrakey`, a symlink to the repository root, in a
 * temporary folder. Node resolves a symlinked package to its real path, so the optional peers that
 * `infrakey/pulumi` and `infrakey/cdktf` load (@pulumi/pulumi, cdktf, constructs, ...: dev
 * dependencies here) are found in the repository's own node_modules, exactly as they would be found
 * next to an installed infrakey. NODE_PATH is therefore removed from the children's environment,
 * so that nothing else can make a missing dependency look resolvable.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../..');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  version: string;
  engines?: { node?: string };
  bin?: Record<string, string>;
  files?: string[];
  exports: Record<string, { types?: string; import?: string; require?: string } | string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  typesVersions?: Record<string, Record<string, string[]>>;
};

const BUILT = [
  'dist/core/index.js',
  'dist/core/index.d.ts',
  'dist/pulumi/index.js',
  'dist/cdktf/index.js',
  'dist/esm/core.mjs',
  'dist/esm/pulumi.mjs',
  'dist/esm/cdktf.mjs',
  'dist/cli/infrakey.js',
  'dist/cli/infrakey-bundle.js',
];

/** Fails (never skips) when the build output is missing. */
function requireDist(): void {
  const missing = BUILT.filter((f) => !existsSync(join(ROOT, f)));
  if (missing.length > 0) {
    throw new Error(`dist/ is not built (missing ${missing.join(', ')}): run \`npm run build\` first (./scripts/test.sh does it before jest)`);
  }
}

const OPTIONAL_PEERS = ['@pulumi/pulumi', '@pulumi/aws', 'cdktf', 'constructs', 'cdktn'];
// Found at run time (CDKTF_ENGINE_MISSING names them): as optional peers they made npm refuse to
// install next to only one engine (ERESOLVE on cdktn@undefined); test/package installs for real.
const RUNTIME_ONLY = ['@cdktf/provider-aws', '@cdktn/provider-aws'];
const CORE_NAMES = ['Workspace', 'Secret', 'unsafeUnwrap', 'openKeyring', 'InfrakeyError', 'UsageError', 'redactor', 'MASK'];

function childEnv(home: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: home, XDG_CONFIG_HOME: join(home, '.xdg'), NO_COLOR: '1' };
  delete env.NODE_PATH;
  delete env.NODE_OPTIONS;
  for (const k of Object.keys(env)) if (k.startsWith('ATMOS_')) delete env[k];
  return env;
}

interface Ran {
  status: number | null;
  stdout: string;
  stderr: string;
}

function node(args: string[], cwd: string, home: string): Ran {
  const r = spawnSync(process.execPath, args, { cwd, env: childEnv(home), encoding: 'utf8', timeout: 60_000 });
  if (r.error) throw new Error(`node ${args.slice(0, 2).join(' ')} did not run: ${r.error.message}`);
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Runs a CommonJS snippet that prints one JSON line. */
function cjs(code: string, cwd: string, home: string): unknown {
  const r = node(['-e', code], cwd, home);
  if (r.status !== 0) throw new Error(`node -e failed (${r.status}):\n${r.stderr}`);
  return JSON.parse(r.stdout);
}

/** Runs an ES module snippet that prints one JSON line. */
function esm(code: string, cwd: string, home: string): unknown {
  const r = node(['--input-type=module', '-e', code], cwd, home);
  if (r.status !== 0) throw new Error(`node --input-type=module -e failed (${r.status}):\n${r.stderr}`);
  return JSON.parse(r.stdout);
}

/**
 * Prints {names, same}: the CommonJS export names, the ESM named exports (without `default`), and
 * whether every ESM binding is the very same object as its CommonJS export (one module instance,
 * so `instanceof` and the Secret registry work across `require` and `import`).
 */
function dualSnippet(specifier: string): string {
  return `
    const c = require(${JSON.stringify(specifier)});
    import(${JSON.stringify(specifier)}).then((m) => {
      const esmNames = Object.keys(m).filter((k) => k !== 'default').sort();
      console.log(JSON.stringify({
        cjs: Object.keys(c).sort(),
        esm: esmNames,
        same: esmNames.every((k) => m[k] === c[k]),
        defaultIsCjs: m.default === c,
      }));
    }, (e) => { console.error(e); process.exit(1); });`;
}

interface Dual {
  cjs: string[];
  esm: string[];
  same: boolean;
  defaultIsCjs: boolean;
}

describe('the published package (dist/ through node_modules/infrakey)', () => {
  let app: string;

  beforeAll(() => {
    requireDist();
    app = mkdtempSync(join(tmpdir(), 'ik-pkg-'));
    mkdirSync(join(app, 'node_modules'));
    symlinkSync(ROOT, join(app, 'node_modules/infrakey'), 'dir');
  });

  // fs.rm removes symlinks, never what they point at (the repository).
  afterAll(() => app && rmSync(app, { recursive: true, force: true }));

  it('package.json: engines, optional peers, files, exports that point into dist/', () => {
    expect(pkg.engines?.node).toBe('>=20');
    for (const name of OPTIONAL_PEERS) {
      expect([name, pkg.peerDependencies?.[name] !== undefined]).toEqual([name, true]);
      expect([name, pkg.peerDependenciesMeta?.[name]?.optional]).toEqual([name, true]);
    }
    for (const name of RUNTIME_ONLY) expect([name, pkg.peerDependencies?.[name]]).toEqual([name, undefined]);
    expect(pkg.files).toContain('dist');
    // moduleResolution node10 (no `exports`): the subpaths' types through typesVersions.
    for (const sub of ['core', 'pulumi', 'cdktf']) {
      const [target] = pkg.typesVersions?.['*']?.[sub] ?? [];
      expect([sub, target]).toEqual([sub, (pkg.exports[`./${sub}`] as { types: string }).types.slice(2)]);
    }
    for (const sub of ['.', './core', './pulumi', './cdktf']) {
      const e = pkg.exports[sub];
      expect(typeof e).toBe('object');
      if (typeof e !== 'object') continue;
      for (const target of [e.types, e.import, e.require]) {
        expect(target).toMatch(/^\.\/dist\//);
        expect([sub, target, existsSync(join(ROOT, target as string))]).toEqual([sub, target, true]);
      }
    }
    expect(pkg.bin?.infrakey).toBe('dist/cli/infrakey.js');
  });

  it('infrakey/core: require and import give the same named exports, the same objects', () => {
    const r = cjs(dualSnippet('infrakey/core'), app, app) as Dual;
    // The public surface is small on purpose (test/unit/architecture/public-api.txt lists it).
    expect(r.cjs.length).toBeGreaterThan(20);
    expect(r.esm).toEqual(r.cjs);
    expect(r.same).toBe(true);
    expect(r.defaultIsCjs).toBe(true);
    expect(r.cjs).toEqual(expect.arrayContaining(CORE_NAMES));
    // The package root is infrakey/core.
    const root = cjs(`console.log(JSON.stringify(require('infrakey') === require('infrakey/core')))`, app, app);
    expect(root).toBe(true);
  });

  it('infrakey/core: static ESM named imports work, across require too (one Secret registry)', () => {
    const quickstart = join(app, 'quickstart');
    cpSync(join(ROOT, 'examples/quickstart'), quickstart, { recursive: true });
    const r = esm(
      `
      import { Workspace, Secret, unsafeUnwrap, openKeyring, InfrakeyError, MASK } from 'infrakey/core';
      import * as root from 'infrakey';
      import { createRequire } from 'node:module';
      const cjs = createRequire(import.meta.url)('infrakey/core');
      const s = Secret.of('esm-made-value', 'probe');
      const err = new InfrakeyError({ code: 'PROBE_CODE', message: 'probe' });
      const ws = await Workspace.load({ cwd: ${JSON.stringify(quickstart)}, env: {} });
      console.log(JSON.stringify({
        text: String(s),
        viaCjs: cjs.unsafeUnwrap(s),
        isSecret: cjs.Secret.isSecret(s),
        errIsCjs: err instanceof cjs.InfrakeyError && err instanceof Error,
        code: err.code,
        openKeyring: typeof openKeyring,
        unwrap: typeof unsafeUnwrap,
        mask: MASK,
        rootWorkspace: root.Workspace === Workspace,
        stacks: ws.listStacks().map((x) => x.name),
      }));`,
      app,
      app,
    );
    expect(r).toEqual({
      text: '[secret:probe]',
      viaCjs: 'esm-made-value',
      isSecret: true,
      errIsCjs: true,
      code: 'PROBE_CODE',
      openKeyring: 'function',
      unwrap: 'function',
      mask: '<MASKED>',
      rootWorkspace: true,
      stacks: ['dev'],
    });
  });

  it('infrakey/pulumi loads with require and import (peers from the installed tree)', () => {
    const r = cjs(dualSnippet('infrakey/pulumi'), app, app) as Dual;
    expect(r.cjs).toEqual(expect.arrayContaining(['getSecret', 'getSecrets', 'awsProvider']));
    expect(r.esm).toEqual(r.cjs);
    expect(r.same).toBe(true);
    const named = esm(`import { getSecret, awsProvider } from 'infrakey/pulumi'; console.log(JSON.stringify([typeof getSecret, typeof awsProvider]));`, app, app);
    expect(named).toEqual(['function', 'function']);
  });

  it('infrakey/cdktf loads with require and import (peers from the installed tree)', () => {
    const r = cjs(dualSnippet('infrakey/cdktf'), app, app) as Dual;
    expect(r.cjs).toEqual(expect.arrayContaining(['IdentityAwsProvider', 'DeclaredSecret', 'infrakeyContext', 'protectSecrets']));
    expect(r.esm).toEqual(r.cjs);
    expect(r.same).toBe(true);
    const named = esm(`import { DeclaredSecret, IdentityAwsProvider } from 'infrakey/cdktf'; console.log(JSON.stringify([typeof DeclaredSecret, typeof IdentityAwsProvider]));`, app, app);
    expect(named).toEqual(['function', 'function']);
  });

  it("core's internal entry is not reachable from outside the package", () => {
    const r = cjs(
      `const out = {};
      for (const id of ['infrakey/internal', 'infrakey/core/internal', 'infrakey/dist/core/internal.js']) {
        try { require(id); out[id] = 'loaded'; } catch (e) { out[id] = e.code; }
      }
      console.log(JSON.stringify(out));`,
      app,
      app,
    );
    expect(r).toEqual({ 'infrakey/internal': 'ERR_PACKAGE_PATH_NOT_EXPORTED', 'infrakey/core/internal': 'ERR_PACKAGE_PATH_NOT_EXPORTED', 'infrakey/dist/core/internal.js': 'ERR_PACKAGE_PATH_NOT_EXPORTED' });
    // ...while the adapters, inside the package, use it.
    expect(existsSync(join(ROOT, 'dist/core/internal.js'))).toBe(true);
  });

  it('infrakey/package.json is exported and carries the version', () => {
    expect(cjs(`console.log(JSON.stringify(require('infrakey/package.json').version))`, app, app)).toBe(pkg.version);
    expect(esm(`import { createRequire } from 'node:module'; console.log(JSON.stringify(createRequire(import.meta.url)('infrakey/package.json').version));`, app, app)).toBe(pkg.version);
  });

  it('the bin runs --version and --help with exit 0 (directly, and through a node_modules/.bin link)', () => {
    const bin = join(ROOT, pkg.bin?.infrakey as string);
    expect(statSync(bin).mode & 0o111).not.toBe(0);
    mkdirSync(join(app, 'node_modules/.bin'), { recursive: true });
    symlinkSync('../infrakey/' + (pkg.bin?.infrakey as string), join(app, 'node_modules/.bin/infrakey'));
    for (const exe of [bin, join(app, 'node_modules/.bin/infrakey')]) {
      // Executed as a program: the shebang and the executable bit matter, as they do after install.
      const version = spawnSync(exe, ['--version'], { cwd: app, env: childEnv(app), encoding: 'utf8', timeout: 60_000 });
      expect([exe, version.status, version.stdout.trim()]).toEqual([exe, 0, pkg.version]);
      const help = spawnSync(exe, ['--help'], { cwd: app, env: childEnv(app), encoding: 'utf8', timeout: 60_000 });
      expect([exe, help.status]).toEqual([exe, 0]);
      expect(help.stdout).toContain('USAGE\n\n  infrakey');
      for (const cmd of ['describe', 'secret', 'auth']) expect(help.stdout).toMatch(new RegExp(`^\\s+${cmd}\\b`, 'm'));
    }
  });

  it('the bundled CLI needs nothing outside dist/ and node_modules: describe component in the quickstart', () => {
    // A package folder with only what npm publishes (dist/, package.json) plus dependencies.
    const pkgDir = join(app, 'published');
    mkdirSync(pkgDir);
    cpSync(join(ROOT, 'dist'), join(pkgDir, 'dist'), { recursive: true });
    cpSync(join(ROOT, 'package.json'), join(pkgDir, 'package.json'));
    symlinkSync(join(ROOT, 'node_modules'), join(pkgDir, 'node_modules'), 'dir');
    const project = join(app, 'qs-bundle');
    cpSync(join(ROOT, 'examples/quickstart'), project, { recursive: true });

    const r = node([join(pkgDir, 'dist/cli/infrakey.js'), 'describe', 'component', 'api', '-s', 'dev', '--format', 'json'], project, app);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    // Atmos's default `describe.component.filter: schema`: the sections a manifest can define.
    const section = JSON.parse(r.stdout) as { vars: Record<string, unknown>; atmos_stack?: string };
    expect(section.atmos_stack).toBeUndefined();
    expect(section.vars).toMatchObject({ region: 'us-east-1', log_level: 'debug', stage: 'dev', db_password: '<MASKED>' });
    const version = node([join(pkgDir, 'dist/cli/infrakey.js'), '--version'], project, app);
    expect([version.status, version.stdout.trim()]).toEqual([0, pkg.version]);
  });

  it('npm pack would publish dist/ (bin, ESM wrappers, types) and no sources or tests', () => {
    const r = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, env: { ...childEnv(app), npm_config_offline: 'true' }, encoding: 'utf8', timeout: 120_000 });
    expect(r.status).toBe(0);
    const [report] = JSON.parse(r.stdout) as { files: { path: string }[] }[];
    const files = report.files.map((f) => f.path);
    expect(files).toEqual(expect.arrayContaining(['package.json', 'README.md', ...BUILT]));
    expect(files.filter((f) => !/^(dist\/|package\.json$|README\.md$|LICENSE)/.test(f))).toEqual([]);
    expect(files.filter((f) => /\.ts$/.test(f) && !/\.d\.ts$/.test(f))).toEqual([]);
  });
});
