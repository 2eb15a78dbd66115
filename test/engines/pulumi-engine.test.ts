/**
 * examples/pulumi-ci on the real Pulumi engine (the CLI built by scripts/build-engines.sh), as CI
 * runs it: `pulumi login` to the local file backend in a temporary folder, PULUMI_CONFIG_PASSPHRASE, no TTY, no
 * D-Bus, ATMOS_KEYRING_TYPE=file with its password in the environment, no AWS keys in the
 * environment: every SSM call goes through the identity chain ci-user (keys in the file keyring)
 * -> deployer (assume-role), against moto behind a recording proxy, plus the SOPS/age file.
 *
 * The program runs in the @pulumi/pulumi SDK's own language runtime server (the Automation API's
 * inline path, `--client`), because the Go launcher pulumi-language-nodejs is not served by the
 * Go module proxy; ManagedSecret runs in the real dynamic-provider plugin process.
 */
import { cpSync, type Dirent, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { realmHash } from '../../core/auth/realm';
import { CI_USER_KEYS, headlessEnv, storeUserKeys } from '../pulumi/pulumi-project';
import { motoEndpoint } from '../support/services';
import { awsRecorder, type AwsRecorder } from '../support/aws-recorder';
import { engine, ENGINES_BIN, infrakeyCli, okAsync, REPO_ROOT, runAsync } from './support/engines';

jest.setTimeout(600_000);

const HOST = join(__dirname, 'support', 'pulumi-inline-host.js');

describe('examples/pulumi-ci on the real Pulumi CLI', () => {
  const tag = `${process.pid}-${Date.now().toString(36)}`;
  const values = {
    DB_PASSWORD: `db-pw-${tag}`,
    API_TOKEN: `api-token-${tag}`,
    SIGNING_KEY: `signing-key-${tag}`,
  };
  const deployToken1 = `deploy-token-one-${tag}`;
  const deployToken2 = `deploy-token-two-${tag}`;
  const prefix = `/ik-ci-${tag}`;
  let root: string;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  let pulumi: string;
  let recorder: AwsRecorder;
  let ssm: SSMClient;
  let ageKey: string;

  const cli = (args: string[], input?: string) => okAsync(process.execPath, [infrakeyCli(), ...args], { env, cwd: dir, input });
  const p = (args: string[], input?: string) => okAsync(pulumi, [...args, '--non-interactive'], { env, cwd: dir, input });
  const up = async (args: string[]) => {
    const r = await runAsync(process.execPath, [HOST, pulumi, join(dir, 'index.ts'), ...args, '--yes', '--non-interactive', '--stack', 'ci'], { env, cwd: dir, timeoutMs: 300_000 });
    if (r.status !== 0) throw new Error(`pulumi ${args.join(' ')} exited ${r.status}:\n${r.out}`);
    return r.out;
  };
  const parameter = async (name: string) => {
    try {
      const r = await ssm.send(new GetParameterCommand({ Name: name, WithDecryption: true }));
      return r.Parameter?.Value;
    } catch (e) {
      if ((e as Error).name === 'ParameterNotFound') return undefined;
      throw e;
    }
  };

  beforeAll(async () => {
    pulumi = engine('pulumi');
    engine('pulumi-resource-pulumi-nodejs');
    recorder = await awsRecorder(motoEndpoint());
    ssm = new SSMClient({ region: 'us-east-1', endpoint: motoEndpoint(), credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
    root = mkdtempSync(join(tmpdir(), 'ik-engine-pulumi-'));
    dir = join(root, 'project');
    cpSync(join(REPO_ROOT, 'examples', 'pulumi-ci'), dir, { recursive: true });
    const atmosYaml = join(dir, 'atmos.yaml');
    writeFileSync(atmosYaml, readFileSync(atmosYaml, 'utf8').replace('prefix: /infrakey-ci', `prefix: ${prefix}`));
    // What `npm install` gives the project: its dependencies, and infrakey itself (NODE_PATH
    // stands in for node_modules/infrakey, so that one copy of @pulumi/pulumi is loaded).
    symlinkSync(join(REPO_ROOT, 'node_modules'), join(dir, 'node_modules'));
    mkdirSync(join(root, 'node-path'));
    symlinkSync(REPO_ROOT, join(root, 'node-path', 'infrakey'));

    const base = headlessEnv(root, `keyring-pw-${tag}`);
    delete base.AWS_ACCESS_KEY_ID; // no ambient AWS keys: the identity chain must supply them
    delete base.AWS_SECRET_ACCESS_KEY;
    env = {
      ...base,
      PATH: `${ENGINES_BIN}:${process.env.PATH}`,
      NODE_PATH: join(root, 'node-path'),
      AWS_ENDPOINT_URL: recorder.url,
      PULUMI_CONFIG_PASSPHRASE: `pulumi-passphrase-${tag}`,
      PULUMI_HOME: join(root, 'pulumi-home'),
      PULUMI_SKIP_UPDATE_CHECK: 'true',
      PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: 'true',
      PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK: 'true',
      NO_COLOR: '1',
    };
    expect(env.DBUS_SESSION_BUS_ADDRESS).toBeUndefined();

    // The operator's one-time setup: ci-user's keys into the file keyring, the secrets set.
    await storeUserKeys(env, realmHash(dir), 'ci-user');
    await cli(['secret', 'keygen', 'repo-sops']); // age key into .age/keys.txt, recipient into .sops.yaml
    ageKey = /AGE-SECRET-KEY-\w+/.exec(readFileSync(join(dir, '.age', 'keys.txt'), 'utf8'))![0];
    for (const [name, value] of Object.entries(values)) await cli(['secret', 'set', name, '-s', 'ci', '-c', 'app', '--stdin'], value);

    // The local (file) backend in this test's folder: `--local` would mean file://~ of the user.
    mkdirSync(join(root, 'state'));
    await p(['login', `file://${join(root, 'state')}`]);
    await p(['stack', 'init', 'ci']);
    await p(['config', 'set', '--secret', 'deployToken'], deployToken1); // value from stdin, not argv
  });

  afterAll(async () => {
    await recorder?.close();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('pulumi up succeeds headless; the outputs are secrets with the right values; ManagedSecret wrote SSM', async () => {
    await up(['up']);
    const shown = JSON.parse(await p(['stack', 'output', '--json', '--stack', 'ci'])) as Record<string, unknown>;
    for (const k of ['dbPassword', 'dbPasswordFromVars', 'apiToken', 'signingKey']) expect(shown[k]).toBe('[secret]');
    expect(shown.appName).toBe('infrakey-ci-app');
    expect(shown.deployTokenBackend).toBe('store ssm (aws/ssm)');
    const revealed = JSON.parse(await p(['stack', 'output', '--json', '--show-secrets', '--stack', 'ci'])) as Record<string, string>;
    expect(revealed).toMatchObject({
      dbPassword: values.DB_PASSWORD,
      dbPasswordFromVars: values.DB_PASSWORD,
      apiToken: values.API_TOKEN,
      signingKey: values.SIGNING_KEY,
    });
    expect(revealed.deployTokenLocation.startsWith(`${prefix}/`)).toBe(true);
    expect(await parameter(revealed.deployTokenLocation)).toBe(deployToken1);
    // Only the identity chain's credentials reached AWS: an AssumeRole happened.
    expect(recorder.calls.some((c) => c.action === 'AssumeRole')).toBe(true);
  });

  it('pulumi stack export holds no plaintext secret value and no key', async () => {
    const state = await p(['stack', 'export', '--stack', 'ci']);
    expect(state).toContain('pulumi-nodejs:dynamic:Resource'); // the ManagedSecret is in it
    for (const secret of [...Object.values(values), deployToken1, CI_USER_KEYS.access_key_id, CI_USER_KEYS.secret_access_key, ageKey, env.ATMOS_KEYRING_PASSWORD!]) {
      expect(state).not.toContain(secret);
    }
    // Nor the assumed-role session that infrakey wrote for the deployer identity.
    const sessionKeys = credentialFileSecrets(join(root, 'xdg-config'));
    expect(sessionKeys.length).toBeGreaterThan(0);
    for (const k of sessionKeys) expect(state).not.toContain(k);
  });

  it('a second pulumi up reads each secret at most once (batched reads under the real engine)', async () => {
    recorder.calls.length = 0;
    const out = await up(['up', '--skip-preview']);
    expect(out).not.toMatch(/updated|created/i);
    const reads = recorder.calls.filter((c) => /^(GetParameter|GetParameters|GetParametersByPath)$/.test(c.action));
    expect(reads.length).toBeGreaterThan(0);
    const names = reads.flatMap((c) => c.names);
    const counts = new Map<string, number>();
    for (const n of names) counts.set(n, (counts.get(n) ?? 0) + 1);
    expect([...counts.entries()].filter(([, n]) => n > 1)).toEqual([]);
    // DB_PASSWORD (getSecret and the vars' !secret), API_TOKEN, DEPLOY_TOKEN: each once.
    expect([...counts.keys()].sort()).toEqual([`${prefix}/ci/app/API_TOKEN`, `${prefix}/ci/app/DB_PASSWORD`, `${prefix}/ci/app/DEPLOY_TOKEN`].sort());
    expect(recorder.calls.filter((c) => c.action === 'AssumeRole').length).toBeLessThanOrEqual(1);
  });

  it('an update changes the SSM parameter; pulumi destroy removes it', async () => {
    await p(['config', 'set', '--secret', 'deployToken', '--stack', 'ci'], deployToken2);
    await up(['up']);
    const location = (JSON.parse(await p(['stack', 'output', '--json', '--stack', 'ci'])) as Record<string, string>).deployTokenLocation;
    expect(await parameter(location)).toBe(deployToken2);
    await up(['destroy']);
    expect(await parameter(location)).toBeUndefined();
    // The secrets the operator set are not the program's: they stay.
    expect(await parameter(`${prefix}/ci/app/DB_PASSWORD`)).toBe(values.DB_PASSWORD);
  });
});

/** Key ids and secrets in the AWS credential files under `dir` (recursively). */
function credentialFileSecrets(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    let entries: Dirent[];
    try {
      entries = readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const f = join(d, e.name);
      if (e.isDirectory()) walk(f);
      else if (e.name === 'credentials') {
        for (const m of readFileSync(f, 'utf8').matchAll(/^\s*aws_(?:access_key_id|secret_access_key|session_token)\s*=\s*(\S+)/gm)) out.push(m[1]);
      }
    }
  };
  walk(dir);
  return out;
}
