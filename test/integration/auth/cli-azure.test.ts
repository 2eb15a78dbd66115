import { mkdirSync, readFileSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { run } from '../../../cli/program';
import { captureIO } from '../../../cli/io';
import { AZ, FakeEntraId, federatedToken } from '../../fakes/fake-entra-id';
import { makeAuthTestEnv, type AuthTestEnv } from './auth-test-env';

const TENANT = AZ.tenant;
const SUB = AZ.subscription;
const APP = AZ.app;
const ISS = AZ.githubIssuer;
const SUBJECT = 'repo:acme/infra:environment:prod';

/** Every verb of `infrakey auth` with Azure identities, through the CLI, against the fake Entra ID. */
describe('infrakey auth CLI with Azure identities (fake Entra ID)', () => {
  let t: AuthTestEnv;
  let fake: FakeEntraId;
  let repo: string;
  let tokenFile: string;
  let assertion: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    fake = new FakeEntraId({ subscriptions: [SUB], federated: [{ clientId: APP, issuer: ISS, subject: SUBJECT, audience: 'api://AzureADTokenExchange' }] });
    await fake.start();
  });
  afterAll(() => fake.stop());
  beforeEach(() => {
    t = makeAuthTestEnv();
    repo = join(t.root, 'repo');
    mkdirSync(join(repo, 'stacks'), { recursive: true });
    tokenFile = join(t.root, 'azure-federated-token');
    assertion = federatedToken(SUBJECT);
    writeFileSync(tokenFile, assertion);
    writeFileSync(
      join(repo, 'atmos.yaml'),
      `stacks:
  base_path: stacks
  included_paths: ["**/*"]
  name_template: "{{.vars.stage}}"
auth:
  realm: az-cli
  providers:
    azure-ci:
      kind: azure/oidc
      spec: { tenant_id: "${TENANT}", client_id: "${APP}", token_file_path: "${tokenFile}", location: eastus }
    azure-dev:
      kind: azure/device-code
      spec: { tenant_id: "${TENANT}" }
  identities:
    prod:
      kind: azure/subscription
      default: true
      via: { provider: azure-ci }
      principal: { subscription_id: "${SUB}" }
      env: [{ key: TF_VAR_stage, value: prod }]
    dev:
      kind: azure/subscription
      via: { provider: azure-dev }
      principal: { subscription_id: "${SUB}" }
`,
    );
    const ca = join(t.root, 'fake-ca.pem');
    writeFileSync(ca, fake.cert);
    env = { INFRAKEY_TEST_AZURE_ENDPOINT: fake.origin, NODE_EXTRA_CA_CERTS: ca };
  });
  afterEach(() => t.cleanup());

  async function cli(args: string[], extra: NodeJS.ProcessEnv = {}) {
    const io = captureIO();
    const code = await run(args, { io, env: { ...t.env, ...env, ...extra }, cwd: repo });
    return { code, stdout: io.stdout, stderr: io.stderr, all: io.stdout + io.stderr };
  }
  const noTokens = (text: string) => {
    expect(text).not.toContain(assertion);
    for (const tok of fake.issued.keys()) expect(text).not.toContain(tok);
  };

  test('validate, list, login, whoami (json and table), console, logout', async () => {
    expect((await cli(['auth', 'validate'])).code).toBe(0);
    const list = await cli(['auth', 'list', '--format', 'json']);
    expect(list.code).toBe(0);
    expect(list.stdout).toContain('azure/oidc');
    expect(list.stdout).toContain('azure/subscription');

    const login = await cli(['auth', 'login']);
    expect(login.code).toBe(0);
    expect(login.stderr).toMatch(/Identity\s+prod/); // the summary goes to stderr, as Atmos
    const who = await cli(['auth', 'whoami', '--format', 'json']);
    expect(who.code).toBe(0);
    const w = JSON.parse(who.stdout) as Record<string, any>;
    expect(w).toMatchObject({ identity: 'prod', provider: 'azure-ci', principal: `/subscriptions/${SUB}`, account: TENANT, realm: 'az-cli' });
    expect(w.paths.credentials_file).toBe(join(t.root, 'home/.azure/atmos/az-cli/azure-ci/credentials.json'));
    expect(w.environment).toMatchObject({ ARM_USE_OIDC: 'true', ARM_CLIENT_ID: APP, ARM_SUBSCRIPTION_ID: SUB, TF_VAR_stage: 'prod' });
    const table = await cli(['auth', 'whoami']);
    expect(table.stderr).toMatch(/Principal\s+\/subscriptions\//); // whoami's table is on stderr, as Atmos
    expect(table.stderr).toContain(join(t.root, 'home/.azure/atmos/az-cli/azure-ci/credentials.json'));

    const consoleUrl = await cli(['auth', 'console', '--print', '--destination', 'rg']);
    expect(consoleUrl.code).toBe(0);
    expect(consoleUrl.stdout.trim()).toBe(`https://portal.azure.com/#@${TENANT}/blade/HubsExtension/BrowseResourceGroups`);

    const out = await cli(['auth', 'logout', 'prod']);
    expect(out.code).toBe(0);
    expect(out.stderr).toContain('Logged out: identity prod');
    expect(existsSync(join(t.root, 'home/.azure/atmos/az-cli/azure-ci/credentials.json'))).toBe(false);
    for (const r of [login, who, table, consoleUrl, out]) noTokens(r.all);
  });

  test('env in every format (github appends 0600), never a token', async () => {
    const callsBefore = fake.calls.length;
    const bash = await cli(['auth', 'env']);
    expect(bash.code).toBe(0);
    expect(bash.stdout).toContain(`export ARM_SUBSCRIPTION_ID=${SUB}\n`);
    expect(bash.stdout).toContain('export ARM_USE_OIDC=true\n');
    expect(bash.stdout).toContain(`export AZURE_FEDERATED_TOKEN_FILE=${tokenFile}\n`);
    const dotenv = await cli(['auth', 'env', '--format', 'dotenv']);
    expect(dotenv.stdout).toMatch(new RegExp(`^ARM_TENANT_ID=['"]?${TENANT}['"]?$`, 'm'));
    const json = JSON.parse((await cli(['auth', 'env', '--format', 'json'])).stdout) as Record<string, string>;
    expect(json).toEqual({
      AZURE_SUBSCRIPTION_ID: SUB,
      ARM_SUBSCRIPTION_ID: SUB,
      AZURE_TENANT_ID: TENANT,
      ARM_TENANT_ID: TENANT,
      AZURE_LOCATION: 'eastus',
      ARM_LOCATION: 'eastus',
      ARM_USE_OIDC: 'true',
      ARM_CLIENT_ID: APP,
      AZURE_CLIENT_ID: APP,
      AZURE_FEDERATED_TOKEN_FILE: tokenFile,
      ARM_OIDC_TOKEN_FILE_PATH: tokenFile,
      TF_VAR_stage: 'prod',
    });
    const gh = join(t.root, 'github_env');
    const r = await cli(['auth', 'env', '--format', 'github', '--identity', 'dev'], { GITHUB_ENV: gh });
    expect(r.code).toBe(0);
    expect(readFileSync(gh, 'utf8')).toBe(`ARM_SUBSCRIPTION_ID=${SUB}\nARM_USE_CLI=true\nAZURE_SUBSCRIPTION_ID=${SUB}\n`);
    expect(statSync(gh).mode & 0o777).toBe(0o600);
    expect(fake.calls.length).toBe(callsBefore); // env needs no login
  });

  test('exec and shell: the child gets the Azure variables, ambient Azure credentials removed', async () => {
    const script = `const k=['ARM_USE_OIDC','ARM_CLIENT_ID','ARM_SUBSCRIPTION_ID','AZURE_CLIENT_SECRET','ARM_CLIENT_SECRET','AZURE_CONFIG_DIR','ATMOS_IDENTITY'];console.log(JSON.stringify(Object.fromEntries(k.map((x)=>[x,process.env[x]??null]))))`;
    const ambient = { AZURE_CLIENT_SECRET: 'ambient-secret-value', ARM_CLIENT_SECRET: 'ambient-arm-secret', AZURE_CONFIG_DIR: '/somewhere' };
    const r = await cli(['auth', 'exec', '--', process.execPath, '-e', script], ambient);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ ARM_USE_OIDC: 'true', ARM_CLIENT_ID: APP, ARM_SUBSCRIPTION_ID: SUB, AZURE_CLIENT_SECRET: null, ARM_CLIENT_SECRET: null, AZURE_CONFIG_DIR: null, ATMOS_IDENTITY: null });
    // The shell's stdio is the terminal's: it reports through a file.
    const seen = join(t.root, 'shell-env.json');
    const sh = await cli(['auth', 'shell', '--shell', process.execPath, '--', '-e', script.replace('console.log(', `require('fs').writeFileSync(${JSON.stringify(seen)},`)], ambient);
    expect(sh.code).toBe(0);
    expect(JSON.parse(readFileSync(seen, 'utf8'))).toMatchObject({ ARM_USE_OIDC: 'true', AZURE_CLIENT_SECRET: null, ATMOS_IDENTITY: 'prod' });
    noTokens(r.all + sh.all);
  });

  test('the built CLI (bundle, MSAL loaded from node_modules) logs in an azure/oidc identity in its own process', async () => {
    const bin = resolve(__dirname, '../../../dist/cli/infrakey.js');
    // Async spawn: the fake Entra ID answers from this process's event loop.
    const child = spawn(process.execPath, [bin, 'auth', 'whoami', '--format', 'json'], { cwd: repo, env: { ...t.env, ...env } });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const code = await new Promise<number | null>((r) => child.on('close', r));
    expect({ code, err }).toEqual({ code: 0, err: '' });
    expect(JSON.parse(out)).toMatchObject({ identity: 'prod', principal: `/subscriptions/${SUB}`, account: TENANT });
    noTokens(out);
  });

  test('device code without a terminal: exit 1 with the code and the fix, nothing hangs', async () => {
    const r = await cli(['auth', 'login', '--identity', 'dev']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('AUTH_PROMPT_REQUIRES_TTY');
    expect(r.stderr).toContain('azure/oidc in CI');
  });
});
