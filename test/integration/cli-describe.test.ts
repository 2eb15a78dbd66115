import { join } from 'node:path';
import YAML from 'yaml';
import { captureIO } from '../../cli/io';
import { run } from '../../cli/program';
import { commandRegistrations } from '../../cli/commands/index';
import { registerDescribeCommands } from '../../cli/commands/describe';
import { registerListCommands } from '../../cli/commands/list';
import { registerValidateCommands } from '../../cli/commands/validate';
import { atmosYaml, writeProject } from '../unit/stacks/project';
import { ATMOS_SCENARIOS } from '../support/fixtures';

// The lead wires these into cli/commands/index.ts; add them here if that has not happened yet.
for (const r of [registerDescribeCommands, registerListCommands, registerValidateCommands]) {
  if (!commandRegistrations.includes(r) && !commandRegistrations.some((x) => x.name === r.name)) commandRegistrations.push(r);
}

const fixture = (name: string) => join(ATMOS_SCENARIOS, name);

async function cli(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}) {
  const io = captureIO();
  const code = await run(args, { io, cwd, env });
  return { code, out: io.stdout, err: io.stderr };
}

describe('infrakey describe / list / validate', () => {
  it('describe component prints the merged section as YAML (default) and JSON', async () => {
    // Atmos's defaults: the provenance view of the manifest sections (YAML), the manifest sections (JSON).
    const yaml = await cli(['describe', 'component', 'secret-consumer', '-s', 'dev'], fixture('aws-secrets-floci'));
    expect(yaml.code).toBe(0);
    expect(yaml.out).toMatch(/^ {2}ssm_stack_token: <MASKED> +# [●○∴] \[\d\] /m);
    const parsed = YAML.parse(yaml.out);
    expect(parsed.vars.ssm_stack_token).toBe('<MASKED>');
    const json = await cli(['describe', 'component', 'secret-consumer', '-s', 'prod', '--format', 'json'], fixture('aws-secrets-floci'));
    expect(json.code).toBe(0);
    expect(JSON.parse(json.out).vars.ssm_stack_token).toBe('<MASKED>');
    // Everything, infrakey's `secrets` section included, with `describe.component.filter: full`.
    const full = await cli(['describe', 'component', 'secret-consumer', '-s', 'prod', '--format', 'json'], fixture('aws-secrets-floci'), { ATMOS_DESCRIBE_COMPONENT_FILTER: 'full' });
    expect(JSON.parse(full.out).atmos_stack).toBe('prod');
    expect(JSON.parse(full.out).secrets.vars.SSM_STACK_TOKEN.scope).toBe('stack');
  });

  it('list stacks prints names one per line as Atmos does, or a table, or JSON', async () => {
    const names = await cli(['list', 'stacks'], fixture('auth-stack-scoping'));
    expect(names.code).toBe(0);
    expect(names.out).toBe('data-staging\nplat-staging\n');
    const filtered = await cli(['list', 'stacks', '-c', 'eks'], fixture('auth-stack-scoping'));
    expect(filtered.out).toBe('plat-staging\n');
    const table = await cli(['list', 'stacks', '--format', 'table'], fixture('auth-stack-scoping'));
    expect(table.code).toBe(0);
    expect(table.out.split('\n')[0]).toMatch(/^STACK\s+MANIFEST\s+COMPONENTS$/);
    expect(table.out).toContain('plat-staging');
    const json = await cli(['list', 'stacks', '--format', 'json'], fixture('auth-stack-scoping'));
    expect(JSON.parse(json.out).map((s: any) => s.name)).toEqual(['data-staging', 'plat-staging']);
  });

  it('describe stacks and validate stacks succeed on a real repository', async () => {
    const d = await cli(['describe', 'stacks', '--format', 'json'], fixture('atmos-auth'));
    expect(d.code).toBe(0);
    expect(Object.keys(JSON.parse(d.out))).toEqual(['component-auth', 'no-component-auth']);
    const v = await cli(['validate', 'stacks'], fixture('atmos-auth'));
    expect(v.code).toBe(0);
    expect(v.out).toBe('');
    expect(v.err).toContain('All stacks validated successfully (2 stacks');
  });

  it('bad input: one clear message with file:line on stderr, exit 1, no stack trace', async () => {
    const root = writeProject({ 'atmos.yaml': atmosYaml(), 'stacks/dev.yaml': 'import:\n  - catalog/missing\n' });
    const r = await cli(['validate', 'stacks'], root);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^error \[STACK_IMPORT_NOT_FOUND\]: .*stacks\/dev\.yaml:2/);
    expect(r.err).not.toMatch(/\n\s+at /);
    const abstract = writeProject({ 'atmos.yaml': atmosYaml(), 'stacks/dev.yaml': 'components: { terraform: { b: { metadata: { type: abstract } } } }\n' });
    const a = await cli(['describe', 'component', 'b', '-s', 'dev'], abstract);
    expect(a.code).toBe(1);
    expect(a.err).toContain('STACK_COMPONENT_ABSTRACT');
    const debug = await cli(['describe', 'component', 'b', '-s', 'dev', '--debug'], abstract);
    expect(debug.err).toMatch(/\n\s+at /);
  });

  it('bad usage exits 2; --help exits 0', async () => {
    const missing = await cli(['describe', 'component', 'x'], fixture('atmos-auth'));
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('--stack');
    const format = await cli(['describe', 'component', 'mycomponent', '-s', 'component-auth', '--format', 'xml'], fixture('atmos-auth'));
    expect(format.code).toBe(2);
    for (const args of [['describe', '--help'], ['describe', 'component', '--help'], ['list', 'stacks', '--help'], ['validate', 'stacks', '--help']]) {
      const help = await cli(args, fixture('atmos-auth'));
      expect(help.code).toBe(0);
      expect(help.out).toContain('USAGE');
    }
  });

  it('usage errors exit 2: a bare command group, an unknown subcommand, a bad --format value', async () => {
    for (const args of [[], ['secret'], ['auth'], ['describe'], ['list'], ['validate'], ['auth', 'invalid-command'], ['list', 'stacks', '--format', 'bogus']]) {
      const r = await cli(args, fixture('atmos-auth'));
      expect({ args, code: r.code }).toEqual({ args, code: 2 });
      expect(r.err).not.toBe('');
    }
    expect((await cli(['help'], fixture('atmos-auth'))).code).toBe(0);
    expect((await cli(['describe', 'component', 'mycomponent', '-s', 'component-auth', '--provenance', '--format', 'json'], fixture('atmos-auth'))).code).toBe(2);
  });

  it('validate stacks reports the problems the secret verbs report (both store and sops; secret: true on redis)', async () => {
    const both = writeProject({
      'atmos.yaml': `${atmosYaml()}stores:\n  vault: { kind: aws/ssm, secret: true, options: { region: us-east-1 } }\n`,
      'stacks/dev.yaml': 'components: { terraform: { app: { secrets: { vars: { DB: { store: vault, sops: dev } } } } } }\n',
    });
    const r = await cli(['validate', 'stacks'], both);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/sets both `store: vault` and `sops: dev`/);
    const redis = writeProject({
      'atmos.yaml': `${atmosYaml()}stores:\n  cache: { kind: redis, secret: true, options: { url: "redis://127.0.0.1:1" } }\n`,
      'stacks/dev.yaml': 'components: { terraform: { app: {} } }\n',
    });
    const r2 = await cli(['validate', 'stacks'], redis);
    expect(r2.code).toBe(1);
    expect(r2.err).toContain('STORE_CANNOT_BE_SECRET');
  });

  it('-q/--query prints the selected part as yq does (null when missing)', async () => {
    const q = await cli(['describe', 'component', 'mycomponent', '-s', 'component-auth', '-q', '.atmos_stack'], fixture('atmos-auth'));
    expect(q).toMatchObject({ code: 0, out: 'component-auth\n' });
    const missing = await cli(['describe', 'component', 'mycomponent', '-s', 'component-auth', '-q', '.vars.nope.deeper'], fixture('atmos-auth'));
    expect(missing.out).toBe('null\n');
    const map = await cli(['describe', 'component', 'mycomponent', '-s', 'component-auth', '-q', '.component_info', '--format', 'json'], fixture('atmos-auth'));
    expect(JSON.parse(map.out).component_type).toBe('terraform');
  });
});
