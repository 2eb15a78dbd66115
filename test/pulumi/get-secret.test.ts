/**
 * getSecret / getSecrets under Pulumi's mock engine, against moto (SSM, Secrets Manager) and a
 * SOPS file written with an age-keygen key. The Pulumi project is "web-app", stack "prod"; Pulumi
 * config infrakey:stack / infrakey:component point at the Atmos stack "dev", component "api".
 */
import * as pulumi from '@pulumi/pulumi';
import { randomUUID } from 'node:crypto';
import { setSecret, Workspace } from '../../core/internal';
import { getSecret, getSecrets, resetWorkspaces, secretBatcher } from '../../pulumi/index';
import { motoEndpoint } from '../support/services';
import { makeProject, useMocks, useMotoCredentials, valueOf, type TestProject } from './pulumi-project';
import { awsRecorder, type AwsRecorder } from '../support/aws-recorder';

const ENVELOPE_KEY = '4dabf18193072939515e22adb298388d';
const ENVELOPE_SECRET = '1b47061264138c4ac30d75fd1eb44270';

/** Every place a string occurs in a serialized property tree, with whether it is inside a secret envelope. */
function occurrences(value: unknown, needle: string, inSecret = false, out: boolean[] = []): boolean[] {
  if (typeof value === 'string') {
    if (value.includes(needle)) out.push(inSecret);
  } else if (Array.isArray(value)) {
    for (const v of value) occurrences(v, needle, inSecret, out);
  } else if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    const isEnvelope = o[ENVELOPE_KEY] === ENVELOPE_SECRET;
    for (const [k, v] of Object.entries(o)) occurrences(v, needle, inSecret || (isEnvelope && k === 'value'), out);
  }
  return out;
}

describe('getSecret / getSecrets (Pulumi mocks, moto, SOPS)', () => {
  let project: TestProject;
  let proxy: AwsRecorder;
  const values = {
    DB_PASSWORD: `db-${randomUUID()}`,
    TOKEN: `tok-${randomUUID()}`,
    SOPS_KEY: `sops-${randomUUID()}`,
  };
  const batchNames = Array.from({ length: 25 }, (_, i) => `B${i}`);

  beforeAll(async () => {
    useMotoCredentials();
    proxy = await awsRecorder(motoEndpoint());
    project = makeProject({
      endpoint: proxy.url,
      extraDeclarations: batchNames.map((n) => `          ${n}: { store: ssm }`).join('\n'),
    });
    const ws = await Workspace.load({ cwd: project.dir });
    const target = { stack: 'dev', component: 'api' };
    await setSecret(ws.secretsLayer(), target, 'DB_PASSWORD', values.DB_PASSWORD);
    await setSecret(ws.secretsLayer(), target, 'API_TOKEN', JSON.stringify({ token: values.TOKEN, user: 'svc' }));
    await setSecret(ws.secretsLayer(), target, 'SOPS_KEY', values.SOPS_KEY);
    for (const n of batchNames) await setSecret(ws.secretsLayer(), target, n, `batch-${n}-${values.DB_PASSWORD}`);
    await useMocks('web-app', 'prod');
    pulumi.runtime.setConfig('infrakey:stack', 'dev');
    pulumi.runtime.setConfig('infrakey:component', 'api');
    resetWorkspaces();
  });
  afterAll(async () => {
    await proxy.close();
    project.cleanup();
  });

  it('reads 25 SSM secrets and 1 more requested in one program turn with at most 3 GetParameters calls', async () => {
    proxy.calls.length = 0;
    const outs = [...batchNames, 'DB_PASSWORD'].map((n) => getSecret(n, { cwd: project.dir }));
    const got = await Promise.all(outs.map(valueOf));
    expect(got.slice(0, 25)).toEqual(batchNames.map((n) => `batch-${n}-${values.DB_PASSWORD}`));
    expect(got[25]).toBe(values.DB_PASSWORD);
    expect(proxy.calls.filter((c) => c.action === 'GetParameters').length).toBe(3);
    expect(proxy.calls.filter((c) => c.action !== 'GetParameters')).toEqual([]);
    // Read once per process: asking again contacts nothing.
    proxy.calls.length = 0;
    expect(await valueOf(getSecret('B3', { cwd: project.dir }))).toBe(`batch-B3-${values.DB_PASSWORD}`);
    expect(proxy.calls).toEqual([]);
    expect(secretBatcher.stats.requests).toBeGreaterThanOrEqual(27);
  });

  it('gives secret Outputs for every backend, with path and default as !secret', async () => {
    const outs = {
      ssm: getSecret('DB_PASSWORD', { cwd: project.dir }),
      asmPath: getSecret('API_TOKEN', { cwd: project.dir, path: '.token' }),
      asmWhole: getSecret('API_TOKEN', { cwd: project.dir }),
      sops: getSecret('SOPS_KEY', { cwd: project.dir }),
      dflt: getSecret('OPTIONAL', { cwd: project.dir, default: 'fallback' }),
    };
    for (const o of Object.values(outs)) expect(await pulumi.isSecret(o)).toBe(true);
    expect(await valueOf(outs.ssm)).toBe(values.DB_PASSWORD);
    expect(await valueOf(outs.asmPath)).toBe(values.TOKEN);
    expect(JSON.parse(await valueOf(outs.asmWhole))).toEqual({ token: values.TOKEN, user: 'svc' });
    expect(await valueOf(outs.sops)).toBe(values.SOPS_KEY);
    expect(await valueOf(outs.dflt)).toBe('fallback');
  });

  it('serializes a secret only inside a secret envelope (as Pulumi sends it to the engine and state)', async () => {
    const props = await pulumi.runtime.serializeProperties('test', {
      password: getSecret('DB_PASSWORD', { cwd: project.dir }),
      derived: getSecret('SOPS_KEY', { cwd: project.dir }).apply((v) => `prefix-${v}`),
      nested: { list: [getSecret('API_TOKEN', { cwd: project.dir, path: '.token' })] },
    });
    for (const v of [values.DB_PASSWORD, values.SOPS_KEY, values.TOKEN]) {
      const places = occurrences(props, v);
      expect(places.length).toBeGreaterThan(0);
      expect(places.every(Boolean)).toBe(true);
    }
  });

  it('getSecrets gives every declared secret with a value as a secret Output', async () => {
    const all = await getSecrets({ cwd: project.dir });
    expect(Object.keys(all).sort()).toEqual([...batchNames, 'API_TOKEN', 'DB_PASSWORD', 'SOPS_KEY'].sort());
    for (const o of Object.values(all)) expect(await pulumi.isSecret(o)).toBe(true);
    expect(await valueOf(all.SOPS_KEY)).toBe(values.SOPS_KEY);
  });

  it('finds the workspace through ATMOS_CLI_CONFIG_PATH when no cwd is given', async () => {
    process.env.ATMOS_CLI_CONFIG_PATH = project.dir;
    try {
      expect(await valueOf(getSecret('DB_PASSWORD'))).toBe(values.DB_PASSWORD);
    } finally {
      delete process.env.ATMOS_CLI_CONFIG_PATH;
    }
  });
});
