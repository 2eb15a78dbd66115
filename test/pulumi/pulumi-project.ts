/**
 * Test support for the Pulumi adapter: a temporary Atmos project (SSM and Secrets Manager on moto,
 * a SOPS provider with an age key made by the real age-keygen), a counting HTTP proxy in front of
 * moto (backend calls are counted on the wire), and the Pulumi mock engine.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as pulumi from '@pulumi/pulumi';
import { openAuthKeyring, Secret } from '../../core/internal';

export interface TestProject {
  dir: string;
  prefix: string;
  agePublicKey: string;
  cleanup(): void;
}

/** Options of {@link makeProject}. */
export interface ProjectOptions {
  /** AWS endpoint the stores use (moto, or a counting proxy in front of it). */
  endpoint: string;
  /** Extra top-level atmos.yaml text (e.g. an `auth:` section). */
  extraConfig?: string;
  /** Extra secret declarations of `api` (YAML lines under secrets.vars, indented 10). */
  extraDeclarations?: string;
}

/** Writes an Atmos project: stack `dev`, component `api` with SSM, ASM and SOPS declarations. */
export function makeProject(opts: ProjectOptions): TestProject {
  const dir = mkdtempSync(join(tmpdir(), 'ik-pulumi-'));
  const prefix = `ikp-${process.pid}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;
  mkdirSync(join(dir, '.age'), { mode: 0o700 });
  execFileSync('age-keygen', ['-o', join(dir, '.age', 'keys.txt')], { stdio: ['ignore', 'ignore', 'pipe'] });
  const agePublicKey = /public key: (age1\w+)/.exec(readFileSync(join(dir, '.age', 'keys.txt'), 'utf8'))?.[1] ?? '';
  mkdirSync(join(dir, 'stacks', 'deploy'), { recursive: true });
  writeFileSync(
    join(dir, 'atmos.yaml'),
    `base_path: "./"
stacks:
  base_path: stacks
  included_paths: ["deploy/**/*"]
  name_template: "{{ .vars.stage }}"
stores:
  ssm:
    kind: aws/ssm
    secret: true
    options: { region: us-east-1, prefix: /${prefix}, endpoint: "${opts.endpoint}" }
  asm:
    kind: aws/asm
    secret: true
    options: { region: us-east-1, prefix: ${prefix}, endpoint: "${opts.endpoint}" }
secrets:
  providers:
    local-sops:
      kind: sops/age
      spec:
        file: secrets/{{ .atmos_stack }}.enc.yaml
        age_key_file: .age/keys.txt
        age_recipients: ${agePublicKey}
${opts.extraConfig ?? ''}
`,
  );
  writeFileSync(
    join(dir, 'stacks', 'deploy', 'dev.yaml'),
    `vars:
  stage: dev
components:
  terraform:
    api:
      vars:
        region: us-east-1
        replicas: 3
        tags: { team: core }
        db_password: !secret DB_PASSWORD
        api_token: !secret API_TOKEN | path .token
        sentry: !secret OPTIONAL | default "disabled"
      secrets:
        vars:
          DB_PASSWORD: { store: ssm }
          API_TOKEN: { store: asm }
          SOPS_KEY: { sops: local-sops }
          OPTIONAL: { store: ssm, required: false }
${opts.extraDeclarations ?? ''}
`,
  );
  return { dir, prefix, agePublicKey, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A registered resource as the mock engine saw it. */
export interface Registered {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
  /** The inputs as sent on the wire (secrets still in their envelopes). */
  raw: Record<string, unknown>;
  additionalSecretOutputs: string[];
}

interface WireRequest {
  getType(): string;
  getName(): string;
  getObject(): { toJavaScript(): Record<string, unknown> } | undefined;
  getAdditionalsecretoutputsList(): string[];
}

/** Installs Pulumi's mock engine for project `project`, stack `stack`; returns what gets registered. */
export async function useMocks(project: string, stack: string): Promise<Registered[]> {
  const registered: Registered[] = [];
  const wire: { raw: Record<string, unknown>; additionalSecretOutputs: string[] }[] = [];
  await pulumi.runtime.setMocks(
    {
      newResource: (args: pulumi.runtime.MockResourceArgs) => {
        const w = wire.shift() ?? { raw: {}, additionalSecretOutputs: [] };
        registered.push({ type: args.type, name: args.name, inputs: args.inputs as Record<string, unknown>, ...w });
        return { id: `${args.name}-id`, state: args.inputs as Record<string, unknown> };
      },
      call: (args: pulumi.runtime.MockCallArgs) => args.inputs as Record<string, unknown>,
    },
    project,
    stack,
    false,
  );
  // The mock engine hands newResource deserialized inputs (secrets unwrapped); keep the wire form.
  const monitor = pulumi.runtime.getMonitor() as unknown as { registerResource(req: WireRequest, cb: unknown): unknown };
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req, cb) => {
    wire.push({ raw: req.getObject()?.toJavaScript() ?? {}, additionalSecretOutputs: req.getAdditionalsecretoutputsList() });
    return register(req, cb);
  };
  return registered;
}

/** The value of an Output (rejects when the Output's computation failed). */
export function valueOf<T>(o: pulumi.Output<T>): Promise<T> {
  return (o as unknown as { promise(): Promise<T> }).promise();
}

/** AWS credentials for moto (it accepts any), in this test file's process environment. */
export function useMotoCredentials(): void {
  process.env.AWS_ACCESS_KEY_ID = 'testing';
  process.env.AWS_SECRET_ACCESS_KEY = 'testing';
  process.env.AWS_REGION = 'us-east-1';
  delete process.env.AWS_PROFILE;
}

/** Long-lived test keys for an aws/user (moto accepts any). */
export const CI_USER_KEYS = { access_key_id: 'AKIAPULUMIADAPTER001', secret_access_key: 'pulumiAdapterSecretKey0123456789abcdefgh' };

/** An `auth:` section: aws/user `ci-user` (keys in the keyring) → assume-role `deployer`. */
export function authConfig(moto: string, realm: string, extra = ''): string {
  return `auth:
  realm: ${realm}
  keyring:
    type: file
${extra}
  identities:
    ci-user:
      kind: aws/user
      credentials: { region: us-east-1 }
      spec: { endpoint_url: "${moto}" }
    deployer:
      kind: aws/assume-role
      via: { identity: ci-user }
      principal: { assume_role: "arn:aws:iam::123456789012:role/deployer", region: eu-west-1 }
`;
}

/**
 * A headless CI environment in `root`: XDG folders, the file keyring with its password, no D-Bus,
 * no AWS variables. Returns the variables set, for a child process or this process.
 */
export function headlessEnv(root: string, password: string | undefined): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: join(root, 'home'),
    CI: 'true',
    ATMOS_XDG_CONFIG_HOME: join(root, 'xdg-config'),
    ATMOS_XDG_DATA_HOME: join(root, 'xdg-data'),
    ATMOS_XDG_CACHE_HOME: join(root, 'xdg-cache'),
    ATMOS_KEYRING_TYPE: 'file',
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
  };
  if (password !== undefined) env.ATMOS_KEYRING_PASSWORD = password;
  return env;
}

/** Stores the aws/user keys of `identity` in the file keyring, as `infrakey auth user configure` does. */
export async function storeUserKeys(env: NodeJS.ProcessEnv, realm: string, identity: string): Promise<void> {
  const keyring = await openAuthKeyring({ type: 'file' }, { env, isTTY: false });
  if (!keyring) throw new Error('no keyring');
  await keyring.set(`atmos_${realm}_${identity}`, Secret.of(JSON.stringify({ type: 'aws', data: { ...CI_USER_KEYS, region: 'us-east-1' } }), identity));
}

/** What a program run by test/pulumi/mock-host.js produced. */
export interface HostRun {
  status: number | null;
  stdout: string;
  stderr: string;
  resources: { type: string; name: string; inputs: Record<string, unknown>; additionalSecretOutputs: string[] }[];
}

/**
 * Runs `program` in a child process under the mock engine, as the Pulumi language host would:
 * stdin is not a terminal (ignored), the environment is exactly `env`, a time limit applies.
 */
export function runProgram(program: string, opts: { project: string; stack: string; env: NodeJS.ProcessEnv; config?: Record<string, string>; cwd?: string }): HostRun {
  const host = join(__dirname, 'mock-host.js');
  const r = spawnSync(process.execPath, [host, program, JSON.stringify({ project: opts.project, stack: opts.stack, config: opts.config ?? {}, cwd: opts.cwd })], {
    env: opts.env,
    cwd: opts.cwd ?? process.cwd(),
    stdio: ['ignore', 'pipe', 'pipe'],
    encoding: 'utf8',
    timeout: 60_000,
  });
  const line = r.stdout.trim().split('\n').filter((l) => l.startsWith('{')).pop();
  const parsed = line ? (JSON.parse(line) as { resources: HostRun['resources'] }) : { resources: [] };
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, resources: parsed.resources };
}
