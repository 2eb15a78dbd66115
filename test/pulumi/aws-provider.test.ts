/**
 * awsProvider under Pulumi's mock engine, authenticating for real against moto STS: aws/user keys
 * from the encrypted file keyring (headless: CI=true, no TTY, no D-Bus) → assume-role `deployer`.
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { awsProvider, resetWorkspaces } from '../../pulumi/index';
import { motoEndpoint } from '../support/services';
import { authConfig, CI_USER_KEYS, headlessEnv, makeProject, storeUserKeys, useMocks, type Registered, type TestProject } from './pulumi-project';

describe('awsProvider (Pulumi mocks, moto STS, file keyring)', () => {
  let files: TestProject;
  let proc: TestProject;
  let registered: Registered[];

  beforeAll(async () => {
    const moto = motoEndpoint();
    files = makeProject({ endpoint: moto, extraConfig: authConfig(moto, 'pulumi-files') });
    proc = makeProject({ endpoint: moto, extraConfig: authConfig(moto, 'pulumi-process', '  credential_files:\n    mode: process') });
    const env = headlessEnv(files.dir, 'ci-keyring-password');
    delete process.env.DBUS_SESSION_BUS_ADDRESS;
    for (const k of ['AWS_PROFILE', 'AWS_SESSION_TOKEN']) delete process.env[k];
    Object.assign(process.env, env);
    await storeUserKeys(env, 'pulumi-files', 'ci-user');
    await storeUserKeys(env, 'pulumi-process', 'ci-user');
    registered = await useMocks('api', 'dev');
    resetWorkspaces();
  });
  afterAll(() => {
    files.cleanup();
    proc.cleanup();
  });

  function providerInputs(name: string): Record<string, unknown> {
    const r = registered.find((x) => x.name === name);
    if (!r) throw new Error(`provider ${name} was not registered`);
    expect(r.type).toBe('pulumi:providers:aws');
    return r.raw;
  }

  it('logs in and points the provider at the realm-scoped files: sharedCredentialsFiles, profile, region, no keys', async () => {
    const p = awsProvider('deployer', { cwd: files.dir, name: 'aws-deployer' });
    await new Promise<void>((resolve) => p.urn.apply(() => resolve()));
    const inputs = providerInputs('aws-deployer');
    const dir = join(process.env.ATMOS_XDG_CONFIG_HOME as string, 'atmos', 'pulumi-files', 'aws', 'aws-user'); // Atmos's root folder of aws/user chains
    expect(JSON.parse(String(inputs.sharedCredentialsFiles))).toEqual([join(dir, 'credentials')]);
    expect(JSON.parse(String(inputs.sharedConfigFiles))).toEqual([join(dir, 'config')]);
    expect(inputs.profile).toBe('deployer');
    expect(inputs.region).toBe('eu-west-1');
    for (const k of ['accessKey', 'secretKey', 'token']) expect(inputs[k]).toBeUndefined();

    // The session really is in the file, 0600 in a 0700 folder, and none of it is in the inputs.
    const creds = readFileSync(join(dir, 'credentials'), 'utf8');
    expect(creds).toContain('[deployer]');
    expect(statSync(join(dir, 'credentials')).mode & 0o777).toBe(0o600);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    const sessionValues = [...creds.matchAll(/^aws_(?:access_key_id|secret_access_key|session_token)\s*=\s*(\S+)/gm)].map((m) => m[1]);
    expect(sessionValues.length).toBeGreaterThanOrEqual(3);
    const wire = JSON.stringify(inputs);
    for (const v of [...sessionValues, CI_USER_KEYS.access_key_id, CI_USER_KEYS.secret_access_key]) expect(wire).not.toContain(v);
  });

  it('with credential_files.mode: process the profile runs infrakey and no session keys are on disk', async () => {
    const p = awsProvider('deployer', { cwd: proc.dir, name: 'aws-process' });
    await new Promise<void>((resolve) => p.urn.apply(() => resolve()));
    const inputs = providerInputs('aws-process');
    const dir = join(process.env.ATMOS_XDG_CONFIG_HOME as string, 'atmos', 'pulumi-process', 'aws', 'aws-user'); // Atmos's root folder of aws/user chains
    expect(JSON.parse(String(inputs.sharedConfigFiles))).toEqual([join(dir, 'config')]);
    expect(inputs.profile).toBe('deployer');
    const config = readFileSync(join(dir, 'config'), 'utf8');
    expect(config).toMatch(/\[profile deployer\][^[]*credential_process\s*=\s*infrakey .*auth credentials --identity deployer/);
    const creds = (() => {
      try {
        return readFileSync(join(dir, 'credentials'), 'utf8');
      } catch {
        return '';
      }
    })();
    expect(creds).not.toContain('[deployer]');
  });
});
