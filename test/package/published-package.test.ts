/**
 * From a fresh clone to working apps, as a new user gets there:
 * 1. a copy of the repository's files (what `git clone` gives: no dist/, no .cache/) runs
 *    `npm pack`, whose `prepack` builds dist/;
 * 2. the tarball installs with a plain `npm install <tgz>` (no --legacy-peer-deps, no --force) into
 *    fresh projects holding only Pulumi, only cdktf, or only cdktn (with their AWS providers);
 * 3. each project compiles under every moduleResolution TypeScript offers for packages
 *    (node10 — also what an unset moduleResolution means for `module: commonjs` —, node16,
 *    nodenext, bundler), from tsconfigs shaped like `pulumi new typescript` and
 *    `cdktf init --template=typescript` write them;
 * 4. the cdktf and cdktn projects synthesize a CommonJS main.ts with no setup (the constructs load
 *    atmos.yaml from the working directory) and an ephemeral-mode stack, as `cdktf synth` runs the
 *    app; the Pulumi project runs its program under Pulumi's mock engine and reads a SOPS secret
 *    that the installed `infrakey` bin stored.
 * npm resolves from the local cache first (`--prefer-offline`); the registry is reached only for
 * what the cache lacks. `classic` module resolution cannot resolve any package from node_modules,
 * so it is not among the modes.
 */
import { spawn, spawnSync, execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

jest.setTimeout(20 * 60_000);

const ROOT = resolve(__dirname, '../..');
const TSC = join(ROOT, 'node_modules/typescript/bin/tsc');
const rootPkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> };
const dev = (name: string): string => rootPkg.devDependencies[name];

type Flavour = 'pulumi' | 'cdktf' | 'cdktn';
const FLAVOURS: Record<Flavour, Record<string, string>> = {
  pulumi: { '@pulumi/pulumi': dev('@pulumi/pulumi'), '@pulumi/aws': dev('@pulumi/aws') },
  cdktf: { cdktf: dev('cdktf'), constructs: dev('constructs'), '@cdktf/provider-aws': dev('@cdktf/provider-aws') },
  cdktn: { cdktn: dev('cdktn'), constructs: dev('constructs'), '@cdktn/provider-aws': dev('@cdktn/provider-aws') },
};

/** moduleResolution → the `module` it goes with; `unset` leaves moduleResolution out (cdktf init). */
const MODES: Record<string, { module: string; moduleResolution?: string; esm: boolean }> = {
  unset: { module: 'commonjs', esm: false },
  node10: { module: 'commonjs', moduleResolution: 'node10', esm: false },
  node16: { module: 'node16', moduleResolution: 'node16', esm: true },
  nodenext: { module: 'nodenext', moduleResolution: 'nodenext', esm: true },
  bundler: { module: 'esnext', moduleResolution: 'bundler', esm: true },
};

// What `pulumi new typescript` and `cdktf init --template=typescript` write (minus paths).
const PULUMI_TSCONFIG = { strict: true, outDir: 'bin', target: 'es2020', sourceMap: true, experimentalDecorators: true, pretty: true, noFallthroughCasesInSwitch: true, noImplicitReturns: true, forceConsistentCasingInFileNames: true };
const CDKTF_TSCONFIG = {
  alwaysStrict: true, declaration: true, experimentalDecorators: true, inlineSourceMap: true, inlineSources: true, lib: ['es2018'], noEmitOnError: true,
  noFallthroughCasesInSwitch: true, noImplicitAny: true, noImplicitReturns: true, noImplicitThis: true, noUnusedLocals: true, noUnusedParameters: true,
  resolveJsonModule: true, strict: true, strictNullChecks: true, strictPropertyInitialization: true, stripInternal: true, target: 'ES2018', skipLibCheck: true,
};

const PULUMI_PROGRAM = `import * as pulumi from '@pulumi/pulumi';
import { awsProvider, componentConfig, getSecret, ManagedSecret } from 'infrakey/pulumi';
import { Workspace, unsafeUnwrap } from 'infrakey/core';
import * as root from 'infrakey';

// Types only: these compile, and are not called under the mock engine (they would log in).
export type Checked = [typeof awsProvider, typeof ManagedSecret, typeof Workspace, typeof unsafeUnwrap, typeof root.Secret];

const target = { stack: 'dev', component: 'api' };
export const dbPassword: pulumi.Output<string> = getSecret('DB_PASSWORD', target);
export const vars = componentConfig(target);
`;

function cdktfMain(engine: 'cdktf' | 'cdktn'): string {
  return `import { Construct } from 'constructs';
import { App, TerraformOutput, TerraformStack } from '${engine}';
import { SsmParameter } from '@${engine}/provider-aws/lib/ssm-parameter';
import { DeclaredSecret, IdentityAwsProvider, protectSecrets } from 'infrakey/cdktf';

// As \`cdktf init\` writes main.ts: CommonJS, no top-level await, no Workspace.load().
class MyStack extends TerraformStack {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    new IdentityAwsProvider(this, 'aws', { identity: 'deployer' });
    const db = new DeclaredSecret(this, 'db', { name: 'DB_PASSWORD', stack: 'dev', component: 'api' });
    new TerraformOutput(this, 'db-out', { value: db.value, sensitive: true });
  }
}

// Ephemeral mode: the values reach only write-only arguments, never plan or state.
class EphemeralStack extends TerraformStack {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    new IdentityAwsProvider(this, 'aws', { identity: 'deployer' });
    const db = new DeclaredSecret(this, 'db', { name: 'DB_PASSWORD', stack: 'dev', component: 'api', ephemeral: true });
    const key = new DeclaredSecret(this, 'key', { name: 'SIGNING_KEY', stack: 'dev', component: 'api', ephemeral: true });
    new SsmParameter(this, 'db-copy', { name: '/copy/db', type: 'SecureString', valueWo: db.value, valueWoVersion: 1 });
    new SsmParameter(this, 'key-copy', { name: '/copy/key', type: 'SecureString', valueWo: key.value, valueWoVersion: 1 });
  }
}

const app = protectSecrets(new App());
new MyStack(app, 'api-dev');
new EphemeralStack(app, 'api-dev-ephemeral');
app.synth();
`;
}

const ESM_CHECK: Record<Flavour, string> = {
  pulumi: `import { getSecret } from 'infrakey/pulumi';\nimport { Workspace } from 'infrakey/core';\nexport const f: [typeof getSecret, typeof Workspace] = [getSecret, Workspace];\n`,
  cdktf: `import { DeclaredSecret } from 'infrakey/cdktf';\nimport { Workspace } from 'infrakey';\nexport const f: [typeof DeclaredSecret, typeof Workspace] = [DeclaredSecret, Workspace];\n`,
  cdktn: `import { DeclaredSecret } from 'infrakey/cdktf';\nimport { Workspace } from 'infrakey';\nexport const f: [typeof DeclaredSecret, typeof Workspace] = [DeclaredSecret, Workspace];\n`,
};

interface Ran {
  status: number | null;
  out: string;
}

/** Runs a command without blocking the event loop (the installs run side by side). */
function runAsync(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<Ran> {
  return new Promise((resolveP, rejectP) => {
    const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (out += b.toString()));
    child.on('error', rejectP);
    child.on('close', (status) => resolveP({ status, out }));
  });
}

/** npm with the user's cache, no audit or funding calls, and no resolution flags from any npmrc. */
function npmEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false', npm_config_legacy_peer_deps: 'false', npm_config_force: 'false' };
  delete env.NODE_OPTIONS;
  return env;
}

/** Files of a fresh clone: tracked and untracked-but-not-ignored, as they are on disk now. */
function cloneInto(dest: string): void {
  const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: ROOT, encoding: 'utf8' }).split('\0').filter(Boolean);
  for (const f of files) {
    const src = join(ROOT, f);
    if (!existsSync(src)) continue; // deleted in the working tree
    mkdirSync(dirname(join(dest, f)), { recursive: true });
    cpSync(src, join(dest, f));
  }
}

let work: string;
let tarball: string;
const projects = {} as Record<Flavour, string>;
const installs = {} as Record<Flavour, Ran>;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'ik-published-'));
  const clone = join(work, 'clone');
  cloneInto(clone);
  expect(existsSync(join(clone, 'dist'))).toBe(false);
  // The clone's `npm ci`, without the download: the same dependency tree.
  symlinkSync(join(ROOT, 'node_modules'), join(clone, 'node_modules'), 'dir');
  const pack = spawnSync('npm', ['pack', '--pack-destination', work], { cwd: clone, env: npmEnv(), encoding: 'utf8', timeout: 15 * 60_000, maxBuffer: 64 * 1024 * 1024 });
  if (pack.status !== 0) throw new Error(`npm pack failed (${pack.status}):\n${pack.stdout}\n${pack.stderr}`);
  const name = readdirSync(work).find((f) => /^infrakey-.*\.tgz$/.test(f));
  if (!name) throw new Error(`npm pack wrote no tarball:\n${pack.stdout}\n${pack.stderr}`);
  tarball = join(work, name);
  const listed = execFileSync('tar', ['tzf', tarball], { encoding: 'utf8' }).split('\n').map((l) => l.replace(/^package\//, ''));
  expect(listed).toEqual(expect.arrayContaining(['dist/core/index.js', 'dist/core/index.d.ts', 'dist/pulumi/index.d.ts', 'dist/cdktf/index.d.ts', 'dist/esm/cdktf.mjs', 'dist/cli/infrakey.js']));

  await Promise.all(
    (Object.keys(FLAVOURS) as Flavour[]).map(async (flavour) => {
      const dir = join(work, flavour);
      mkdirSync(dir);
      writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: `fresh-${flavour}`, version: '1.0.0', private: true, main: 'index.js', dependencies: FLAVOURS[flavour] }, null, 2));
      projects[flavour] = dir;
      installs[flavour] = await runAsync('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', tarball], dir, npmEnv());
    }),
  );
});

afterAll(() => work && rmSync(work, { recursive: true, force: true }));

describe.each(Object.keys(FLAVOURS) as Flavour[])('the packed tarball in a fresh %s project', (flavour) => {
  const dir = (): string => projects[flavour];

  it('installs with a plain `npm install <tgz>` (no ERESOLVE, no flags)', () => {
    expect([installs[flavour].status, installs[flavour].out]).toEqual([0, expect.not.stringMatching(/ERESOLVE|peer dep/i)]);
    expect(existsSync(join(dir(), 'node_modules/infrakey/dist/cli/infrakey.js'))).toBe(true);
    // Only what the project asked for: no engine of the other flavours came along.
    const others = Object.entries(FLAVOURS).filter(([f]) => f !== flavour).flatMap(([, deps]) => Object.keys(deps)).filter((d) => !(d in FLAVOURS[flavour]));
    expect(others.filter((d) => existsSync(join(dir(), 'node_modules', d)))).toEqual([]);
  });

  // `pulumi new` writes moduleResolution "node" (node10); leaving it unset is what `cdktf init` does.
  const modes = Object.keys(MODES).filter((m) => m !== 'unset' || flavour !== 'pulumi');
  it.each(modes)('compiles under moduleResolution %s', (mode) => {
    const m = MODES[mode];
    const base = flavour === 'pulumi' ? PULUMI_TSCONFIG : CDKTF_TSCONFIG;
    const main = flavour === 'pulumi' ? 'index.ts' : 'main.ts';
    writeFileSync(join(dir(), main), flavour === 'pulumi' ? PULUMI_PROGRAM : cdktfMain(flavour));
    const files = [main];
    if (m.esm) {
      writeFileSync(join(dir(), 'esm-check.mts'), ESM_CHECK[flavour]);
      files.push('esm-check.mts');
    }
    const config = { compilerOptions: { ...base, module: m.module, ...(m.moduleResolution ? { moduleResolution: m.moduleResolution } : {}), noEmit: true, incremental: false }, files };
    writeFileSync(join(dir(), `tsconfig.${mode}.json`), JSON.stringify(config, null, 2));
    const r = spawnSync(process.execPath, [TSC, '-p', `tsconfig.${mode}.json`], { cwd: dir(), encoding: 'utf8', timeout: 5 * 60_000 });
    expect([mode, r.status, r.stdout + r.stderr]).toEqual([mode, 0, '']);
  });
});

/** Emits the project with its template tsconfig (module commonjs, moduleResolution unset or node). */
function emit(dir: string, flavour: Flavour): void {
  const base = flavour === 'pulumi' ? { ...PULUMI_TSCONFIG, moduleResolution: 'node' } : CDKTF_TSCONFIG;
  const main = flavour === 'pulumi' ? 'index.ts' : 'main.ts';
  writeFileSync(join(dir, main), flavour === 'pulumi' ? PULUMI_PROGRAM : cdktfMain(flavour));
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { ...base, module: 'commonjs', outDir: 'bin' }, files: [main] }, null, 2));
  const r = spawnSync(process.execPath, [TSC, '-p', 'tsconfig.json'], { cwd: dir, encoding: 'utf8', timeout: 5 * 60_000 });
  expect([r.status, r.stdout + r.stderr]).toEqual([0, '']);
}

function userEnv(dir: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: join(dir, '.home'), ATMOS_XDG_CONFIG_HOME: join(dir, '.xdg'), XDG_CONFIG_HOME: join(dir, '.xdg'), NO_COLOR: '1' };
  mkdirSync(join(dir, '.home'), { recursive: true });
  return env;
}

describe.each(['cdktf', 'cdktn'] as const)('the %s project synthesizes as `cdktf synth` runs it', (engine) => {
  let outdir: string;
  let run: Ran;
  beforeAll(() => {
    const dir = projects[engine];
    // The project's Atmos configuration: the repository's CDKTF example (read, not copied into the repo).
    cpSync(join(ROOT, 'examples/cdktf-aws/atmos.yaml'), join(dir, 'atmos.yaml'));
    cpSync(join(ROOT, 'examples/cdktf-aws/stacks'), join(dir, 'stacks'), { recursive: true });
    emit(dir, engine);
    outdir = join(dir, 'cdktf.out');
    // cdktf.json's context as the CLI passes it. cdktn checks write-only arguments against the
    // project's declared `targetVersions` (Terraform and OpenTofu >= 1.11); cdktf ignores the key.
    const context = { targetVersions: { terraform: '>=1.11.0', opentofu: '>=1.11.0' } };
    writeFileSync(join(dir, 'cdktf.json'), JSON.stringify({ language: 'typescript', app: 'node bin/main.js', targetVersions: context.targetVersions }, null, 2));
    const r = spawnSync(process.execPath, [join(dir, 'bin/main.js')], { cwd: dir, encoding: 'utf8', timeout: 5 * 60_000, env: { ...userEnv(dir), CDKTF_OUTDIR: outdir, CDKTF_CONTEXT_JSON: JSON.stringify(context) } });
    run = { status: r.status, out: r.stdout + r.stderr };
  });

  it('with no setup: atmos.yaml and the stacks come from the working directory', () => {
    expect(run).toEqual({ status: 0, out: '' });
    expect(readdirSync(join(outdir, 'stacks')).sort()).toEqual(['api-dev', 'api-dev-ephemeral']);
    const json = JSON.parse(readFileSync(join(outdir, 'stacks/api-dev/cdk.tf.json'), 'utf8')) as { data: Record<string, Record<string, { name?: string }>>; provider: { aws: { profile: string }[] } };
    expect(Object.values(json.data.aws_ssm_parameter).map((d) => d.name)).toEqual(['/infrakey/dev/api/DB_PASSWORD']);
    expect(json.provider.aws[0].profile).toBe('deployer');
  });

  it('the ephemeral-mode stack: ephemeral blocks and variables, values only in write-only arguments', () => {
    const json = JSON.parse(readFileSync(join(outdir, 'stacks/api-dev-ephemeral/cdk.tf.json'), 'utf8')) as {
      ephemeral: Record<string, Record<string, { arn: string }>>;
      variable: Record<string, { ephemeral: boolean; sensitive: boolean }>;
      resource: Record<string, Record<string, Record<string, unknown>>>;
      data?: Record<string, unknown>;
    };
    expect(Object.values(json.ephemeral.aws_ssm_parameter)[0].arn).toMatch(/:parameter\/infrakey\/dev\/api\/DB_PASSWORD$/);
    expect(json.variable.SIGNING_KEY).toMatchObject({ ephemeral: true, sensitive: true });
    expect(json.data?.aws_ssm_parameter).toBeUndefined();
    for (const r of Object.values(json.resource.aws_ssm_parameter)) {
      expect(r.value).toBeUndefined();
      expect(String(r.value_wo)).toMatch(/ephemeral\.aws_ssm_parameter|var\.SIGNING_KEY/);
    }
  });
});

describe('the Pulumi project runs its program under the mock engine', () => {
  it('reads the SOPS secret stored by the installed bin, as a Pulumi secret', () => {
    const dir = projects.pulumi;
    cpSync(join(ROOT, 'examples/quickstart'), dir, { recursive: true });
    emit(dir, 'pulumi');
    const env = userEnv(dir);
    const bin = join(dir, 'node_modules/.bin/infrakey');
    const value = `fresh-db-${process.pid}`;
    execFileSync(bin, ['secret', 'keygen'], { cwd: dir, env, stdio: 'pipe' });
    execFileSync(bin, ['secret', 'set', 'DB_PASSWORD', '-s', 'dev', '-c', 'api'], { cwd: dir, env, input: value, stdio: ['pipe', 'pipe', 'pipe'] });
    writeFileSync(
      join(dir, 'run-mocks.js'),
      `const pulumi = require('@pulumi/pulumi');
pulumi.runtime.setMocks({ newResource: (a) => ({ id: a.name + '-id', state: a.inputs }), call: (a) => a.inputs }, 'fresh', 'dev', false);
const program = require('./bin/index.js');
const unwrap = (o) => new Promise((r) => o.apply(r));
Promise.all([unwrap(program.dbPassword), program.vars, pulumi.isSecret(program.dbPassword)]).then(([pw, vars, isSecret]) => {
  console.log(JSON.stringify({ isSecret, matches: pw === process.env.EXPECTED, stage: vars.stage }));
});
`,
    );
    const r = spawnSync(process.execPath, ['run-mocks.js'], { cwd: dir, encoding: 'utf8', timeout: 2 * 60_000, env: { ...env, EXPECTED: value } });
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual({ isSecret: true, matches: true, stage: 'dev' });
  });
});
