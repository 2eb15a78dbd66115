import YAML from 'yaml';
import { join } from 'node:path';
import { captureIO } from '../../cli/io';
import { run } from '../../cli/program';
import { atmosYaml, writeProject } from '../unit/stacks/project';

// Where Atmos prints what: status lines and summaries of the auth verbs on stderr (stdout stays
// empty for scripts), its error wording, help in Atmos's layout (`USAGE`, `--help=all`). Each is
// checked on a throw-away repository with Atmos's mock kinds (no network, nothing written).

const MOCK_AUTH = `auth:
  realm: out-test
  providers:
    mock-provider: { kind: mock/aws }
  identities:
    mock-identity: { kind: mock/aws, default: true, via: { provider: mock-provider }, principal: { account: { id: "123456789012" } } }
    mock-identity-2: { kind: mock/aws, via: { provider: mock-provider }, principal: { account: { id: "987654321098" } } }
`;

async function cli(args: string[], files: Record<string, string> = { 'atmos.yaml': MOCK_AUTH }) {
  const root = writeProject(files);
  const io = captureIO();
  const env = { HOME: root, XDG_CONFIG_HOME: join(root, '.config'), ATMOS_KEYRING_TYPE: 'memory', NO_COLOR: '1', PATH: process.env.PATH };
  const code = await run(args, { io, cwd: root, env });
  return { code, out: io.stdout, err: io.stderr };
}

describe("auth output where Atmos prints it", () => {
  it('login: status and summary on stderr, nothing on stdout', async () => {
    const r = await cli(['auth', 'login', '--identity', 'mock-identity-2']);
    expect(r.code).toBe(0);
    expect(r.out).toBe('');
    expect(r.err).toMatch(/^✓ Authentication successful!\n\n {2}Realm\s+out-test \(config\)\n {2}Provider\s+mock-provider\n {2}Identity\s+mock-identity-2\n/);
  });

  it('whoami: the table on stderr under "Current Authentication Status"; --format json on stdout', async () => {
    const r = await cli(['auth', 'whoami']);
    expect(r.code).toBe(0);
    expect(r.out).toBe('');
    expect(r.err).toMatch(/✓ Current Authentication Status\n\n {2}Realm .*\n(.*\n)* {2}Account\s+123456789012\n/);
    const json = await cli(['auth', 'whoami', '--format', 'json']);
    expect(JSON.parse(json.out).account).toBe('123456789012');
  });

  it('validate: the verdict on stderr (and "Validating ..." first with --verbose), empty stdout', async () => {
    const r = await cli(['auth', 'validate']);
    expect(r).toEqual({ code: 0, out: '', err: '✅ Authentication configuration is valid\n' });
    const v = await cli(['auth', 'validate', '--verbose']);
    expect(v.out).toBe('');
    expect(v.err).toMatch(/^Validating authentication configuration\.\.\.\n(.*\n)*✅ Authentication configuration is valid\n$/);
  });

  it("errors carry Atmos's wording: identity not found, invalid auth config", async () => {
    const missing = await cli(['auth', 'whoami', '--identity', 'nonexistent']);
    expect(missing.code).toBe(1);
    expect(missing.err).toContain('[AUTH_IDENTITY_NOT_FOUND]');
    expect(missing.err).toContain('identity not found: "nonexistent" is not defined');
    const invalid = await cli(['auth', 'validate'], { 'atmos.yaml': 'auth:\n  providers:\n    p: { kind: invalid/provider }\n' });
    expect(invalid.code).toBe(1);
    expect(invalid.err).toContain('[AUTH_CONFIG_INVALID]: auth: invalid auth config: authentication configuration validation failed (1 problem)');
  });

  it("auth env of a mock identity prints Atmos's mock environment in every format", async () => {
    const json = await cli(['auth', 'env', '--format', 'json']);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.out)).toEqual({
      AWS_CONFIG_FILE: '/tmp/mock-config',
      AWS_DEFAULT_REGION: 'us-east-1',
      AWS_PROFILE: 'mock-identity',
      AWS_REGION: 'us-east-1',
      AWS_SHARED_CREDENTIALS_FILE: '/tmp/mock-credentials',
      MOCK_IDENTITY: 'mock-identity',
    });
    const dotenv = await cli(['auth', 'env', '--login', '--format', 'dotenv', '--identity', 'mock-identity-2']);
    expect(dotenv.out).toContain('AWS_PROFILE=mock-identity-2\n');
    expect(dotenv.err).toBe('');
  });
});

describe("help in Atmos's layout", () => {
  it('USAGE/FLAGS headings, the command description, and a pointer to --help=all', async () => {
    const r = await cli(['auth', 'login', '--help']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^USAGE\n\n {2}infrakey auth login \[options\]\n/);
    expect(r.out).toContain('Authenticate to cloud providers using an identity defined in atmos.yaml');
    expect(r.out).toMatch(/\nFLAGS\n/);
    expect(r.out).toContain('--help=all');
    expect(r.out).not.toContain('GLOBAL FLAGS');
  });

  it('--help=all also lists the global flags and wins over missing required options; after -- it is an argument', async () => {
    const r = await cli(['describe', 'component', '--help=all']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('-s, --stack <stack>');
    expect(r.out).toMatch(/\nGLOBAL FLAGS\n(.*\n)*\s+--profile <names>/);
    const exec = await cli(['auth', 'exec', '--', 'echo', 'x', '--help=all']);
    expect(exec.code).toBe(0);
    expect(exec.out).toBe('x --help=all\n');
  });
});

describe("describe component: the component's auth as Atmos merges it", () => {
  it('with auth configured: the computed realm, logs {file, level} and keyring {type, spec} are present', async () => {
    const files = {
      'atmos.yaml': `${atmosYaml()}${MOCK_AUTH.replace('  realm: out-test\n', '')}  keyring: { type: memory, extra: ignored }\n  logs: { level: Debug }\n`,
      'stacks/dev.yaml': 'components:\n  terraform:\n    app: { vars: { a: 1 } }\n',
    };
    const r = await cli(['describe', 'component', 'app', '-s', 'dev', '-q', '.auth', '--format', 'json'], files);
    expect(r.code).toBe(0);
    const auth = JSON.parse(r.out) as Record<string, unknown>;
    expect(auth.realm).toMatch(/^[0-9a-f]{16}$/);
    expect(auth.logs).toEqual({ file: '', level: 'Debug' });
    expect(auth.keyring).toEqual({ type: 'memory' });
    expect(Object.keys(auth.identities as object)).toEqual(['mock-identity', 'mock-identity-2']);
    const none = await cli(['describe', 'component', 'app', '-s', 'dev', '-q', '.auth', '--format', 'json'], { ...files, 'atmos.yaml': atmosYaml() });
    expect(JSON.parse(none.out)).toEqual({});
  });
});

describe('validate stacks: deprecated manifest fields', () => {
  it('warns once per written field with file:line:column and exits 0', async () => {
    const files = {
      'atmos.yaml': atmosYaml(),
      'stacks/catalog/app.yaml': 'components:\n  terraform:\n    app:\n      depends_on:\n        net: { component: net }\n      settings:\n        depends_on: { net: { component: net } }\n',
      'stacks/dev.yaml': 'import: [catalog/app]\ncomponents:\n  terraform:\n    net: {}\n    app: { vars: { a: 1 } }\n',
      'stacks/prod.yaml': 'import: [catalog/app]\ncomponents:\n  terraform:\n    net: {}\n',
    };
    const r = await cli(['validate', 'stacks'], files);
    expect(r.code).toBe(0);
    expect(r.out).toBe('');
    const warnings = r.err.split('\n').filter((l) => l.includes('warning:'));
    expect(warnings).toEqual([
      expect.stringMatching(/\/stacks\/catalog\/app\.yaml:4:\d+: warning: `components\.terraform\.app\.depends_on` is deprecated; use `dependencies\.components`$/),
      expect.stringMatching(/\/stacks\/catalog\/app\.yaml:7:\d+: warning: `components\.terraform\.app\.settings\.depends_on` is deprecated; use `dependencies\.components`$/),
    ]);
    const clean = await cli(['validate', 'stacks'], { ...files, 'stacks/catalog/app.yaml': 'components:\n  terraform:\n    app: {}\n' });
    expect(clean.err).not.toContain('warning');
  });
});

describe('describe component: describe.component.filter and --provenance', () => {
  const files = {
    'atmos.yaml': atmosYaml(),
    'stacks/dev.yaml': 'components:\n  terraform:\n    app: { vars: { a: 1 }, settings: { s: true } }\n',
  };
  const withDescribe = (describe: string) => ({ ...files, 'atmos.yaml': `${atmosYaml()}describe:\n${describe}` });

  it('schema by default (Atmos 2026-07-17 edition), full from atmos.yaml, ATMOS_DESCRIBE_COMPONENT_FILTER or an earlier edition; a query sees everything', async () => {
    const schema = await cli(['describe', 'component', 'app', '-s', 'dev', '--format', 'json'], files);
    expect(Object.keys(JSON.parse(schema.out)).sort()).toEqual(['backend', 'component', 'env', 'hooks', 'imports', 'metadata', 'overrides', 'providers', 'settings', 'vars']);
    const full = await cli(['describe', 'component', 'app', '-s', 'dev', '--format', 'json'], withDescribe('  component:\n    filter: full\n'));
    expect(JSON.parse(full.out)).toHaveProperty('atmos_stack', 'dev');
    const pinned = await cli(['describe', 'component', 'app', '-s', 'dev', '--format', 'json'], { ...files, 'atmos.yaml': `edition: "2026-07-16"\n${atmosYaml()}` });
    expect(JSON.parse(pinned.out)).toHaveProperty('atmos_stack', 'dev');
    const queried = await cli(['describe', 'component', 'app', '-s', 'dev', '-q', '.atmos_stack'], files);
    expect(queried.out.trim()).toBe('dev');
    const root = writeProject(withDescribe('  component:\n    filter: schema\n'));
    const io = captureIO();
    expect(await run(['describe', 'component', 'app', '-s', 'dev', '--format', 'json'], { io, cwd: root, env: { ATMOS_DESCRIBE_COMPONENT_FILTER: 'full' } })).toBe(0);
    expect(JSON.parse(io.stdout)).toHaveProperty('atmos_stack', 'dev');
  });

  it('YAML without a query is the provenance view by default; describe.provenance, ATMOS_DESCRIBE_PROVENANCE, --provenance=false and an edition before 2026-07-16 turn it off', async () => {
    const on = await cli(['describe', 'component', 'app', '-s', 'dev'], files);
    expect(on.code).toBe(0);
    expect(on.out).toContain('# Provenance Legend:');
    expect(on.out).toContain('# Stack: dev\n');
    expect(on.out).toMatch(/^ {2}a: 1 +# ● \[1\] dev\.yaml:3$/m);
    expect(YAML.parse(on.out)).toEqual({ settings: { s: true }, vars: { a: 1 } });
    for (const off of [
      await cli(['describe', 'component', 'app', '-s', 'dev', '--provenance=false'], files),
      await cli(['describe', 'component', 'app', '-s', 'dev'], withDescribe('  provenance: false\n')),
      await cli(['describe', 'component', 'app', '-s', 'dev'], { ...files, 'atmos.yaml': `edition: "2026-06"\n${atmosYaml()}` }),
    ]) {
      expect(off.code).toBe(0);
      expect(off.out).not.toContain('Provenance');
      expect(YAML.parse(off.out).vars).toEqual({ a: 1 });
    }
    const root = writeProject(files);
    const io = captureIO();
    expect(await run(['describe', 'component', 'app', '-s', 'dev'], { io, cwd: root, env: { ATMOS_DESCRIBE_PROVENANCE: 'false' } })).toBe(0);
    expect(io.stdout).not.toContain('Provenance');
  });

  it('--provenance with a query annotates the map it selects; a single value is a usage error', async () => {
    const vars = await cli(['describe', 'component', 'app', '-s', 'dev', '-q', '.vars', '--provenance'], files);
    expect(vars.code).toBe(0);
    expect(vars.out).toMatch(/^a: 1 +# ● \[1\] dev\.yaml:3$/m);
    expect(YAML.parse(vars.out)).toEqual({ a: 1 });
    const scalar = await cli(['describe', 'component', 'app', '-s', 'dev', '-q', '.vars.a', '--provenance'], files);
    expect(scalar.code).toBe(2);
    expect(scalar.err).toContain('USAGE_FORMAT');
  });

  it('--provenance with --format json is a usage error; describe stacks refuses --provenance; a bad edition names atmos.yaml', async () => {
    const json = await cli(['describe', 'component', 'app', '-s', 'dev', '--provenance', '--format', 'json'], files);
    expect(json.code).toBe(2);
    expect(json.err).toContain('USAGE_FORMAT');
    const stacks = await cli(['describe', 'stacks', '--provenance'], files);
    expect(stacks.code).toBe(2);
    expect(stacks.err).toContain('USAGE_PROVENANCE_UNSUPPORTED');
    const bad = await cli(['describe', 'component', 'app', '-s', 'dev'], { ...files, 'atmos.yaml': `edition: "2026-13"\n${atmosYaml()}` });
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/CONFIG_INVALID.*edition "2026-13" is not a date/);
    expect(bad.err).toContain('atmos.yaml');
  });
});
