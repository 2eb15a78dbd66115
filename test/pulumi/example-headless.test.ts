/**
 * examples/pulumi-aws runs headless under the mock engine, in its own process as Pulumi would run
 * it: CI=true, stdin not a terminal, no DBUS_SESSION_BUS_ADDRESS, ATMOS_KEYRING_TYPE=file with
 * ATMOS_KEYRING_PASSWORD. AWS calls go to moto (AWS_ENDPOINT_URL); the example itself is unchanged.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setSecret, Workspace } from '../../core/internal';
import { realmHash } from '../../core/auth/realm';
import { motoEndpoint } from '../support/services';
import { CI_USER_KEYS, headlessEnv, runProgram, storeUserKeys, useMotoCredentials } from './pulumi-project';

const ENVELOPE_KEY = '4dabf18193072939515e22adb298388d';

describe('examples/pulumi-aws (headless, mock engine)', () => {
  let root: string;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  const dbPassword = `example-db-${process.pid}-${Date.now()}`;
  const apiKey = `example-api-key-${process.pid}-${Date.now()}`;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'ik-pulumi-example-'));
    dir = join(root, 'project');
    cpSync(join(__dirname, '../../examples/pulumi-aws'), dir, { recursive: true });
    // What `npm install` gives the project: @pulumi/pulumi and @pulumi/aws (infrakey/pulumi is mapped by the host).
    symlinkSync(join(__dirname, '../../node_modules'), join(dir, 'node_modules'));
    mkdirSync(join(dir, '.age'), { mode: 0o700 });
    execFileSync('age-keygen', ['-o', join(dir, '.age', 'keys.txt')], { stdio: 'ignore' });
    env = { ...headlessEnv(root, 'example-keyring-password'), AWS_ENDPOINT_URL: motoEndpoint() };
    const realm = (await Workspace.load({ cwd: dir, env })).config.auth.realm;
    expect(realm).toBeUndefined(); // the example relies on the config-directory hash realm
    // The operator's one-time setup: keys into the file keyring, the DB password into SSM.
    await storeUserKeys(env, realmHash(dir), 'ci-user');
    useMotoCredentials();
    const ws = await Workspace.load({ cwd: dir, env });
    await setSecret(ws.secretsLayer(), { stack: 'staging', component: 'api' }, 'DB_PASSWORD', dbPassword);
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('authenticates, reads its secrets and registers provider, parameter and ManagedSecret with no plaintext outside secret envelopes', () => {
    expect(env.DBUS_SESSION_BUS_ADDRESS).toBeUndefined();
    const r = runProgram(join(dir, 'index.ts'), {
      project: 'api',
      stack: 'staging',
      env,
      cwd: dir,
      config: { 'infrakey:stack': 'staging', 'infrakey:component': 'api', 'api:apiKey': apiKey },
    });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const types = r.resources.map((x) => `${x.type}::${x.name}`).sort();
    expect(types).toEqual(['aws:ssm/parameter:Parameter::db-password', 'pulumi-nodejs:dynamic:Resource::api-key', 'pulumi:providers:aws::infrakey-deployer']);

    const provider = r.resources.find((x) => x.type === 'pulumi:providers:aws')?.inputs ?? {};
    expect(String(provider.sharedCredentialsFiles)).toContain(join('atmos'));
    expect(provider.profile).toBe('deployer');
    for (const k of ['accessKey', 'secretKey', 'token']) expect(provider[k]).toBeUndefined();

    const param = r.resources.find((x) => x.name === 'db-password')?.inputs ?? {};
    expect((param.value as Record<string, unknown>)[ENVELOPE_KEY]).toBeDefined();
    const managed = r.resources.find((x) => x.name === 'api-key');
    expect(managed?.additionalSecretOutputs).toContain('value');
    expect(String(managed?.inputs.__provider)).not.toContain(apiKey);
    // Portable coordinates: the package name and the project folder relative to the program.
    expect(String(managed?.inputs.__provider)).toContain('var __c = {runtime: "infrakey/pulumi", cwd: "."};');

    // Outside secret envelopes, no secret value and no key appears anywhere on the wire.
    const strip = (v: unknown): unknown =>
      Array.isArray(v) ? v.map(strip) : v && typeof v === 'object' ? (ENVELOPE_KEY in (v as object) ? '<secret>' : Object.fromEntries(Object.entries(v as object).map(([k, x]) => [k, strip(x)]))) : v;
    const wire = JSON.stringify(strip(r.resources));
    for (const secret of [dbPassword, apiKey, CI_USER_KEYS.access_key_id, CI_USER_KEYS.secret_access_key]) {
      expect(wire).not.toContain(secret);
    }
  });
});
