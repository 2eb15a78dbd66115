/**
 * The ManagedSecret dynamic provider, called directly (under mocks Pulumi never calls create), against
 * moto (SSM, Secrets Manager) and a SOPS file encrypted to an age-keygen key. Also its serialized
 * closure: what Pulumi would store in state must hold coordinates only.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import * as pulumi from '@pulumi/pulumi';
import { unsafeUnwrap, Workspace } from '../../core/index';
import { managedSecretProvider, runtimeSpecifier } from '../../pulumi/index';
import { motoEndpoint } from '../support/services';
import { makeProject, useMotoCredentials, type TestProject } from './pulumi-project';

type Provider = Required<Pick<pulumi.dynamic.ResourceProvider, 'create' | 'update' | 'delete' | 'diff' | 'check'>>;

async function read(dir: string, name: string): Promise<unknown> {
  const ws = await Workspace.load({ cwd: dir });
  return unsafeUnwrap(await ws.secret(name, { stack: 'dev', component: 'api' }));
}

async function readError(dir: string, name: string): Promise<{ code?: string }> {
  const ws = await Workspace.load({ cwd: dir });
  return ws.secret(name, { stack: 'dev', component: 'api' }).then(
    () => ({ code: 'resolved' }),
    (e: { code?: string }) => e,
  );
}

describe('ManagedSecret provider (direct, real backends)', () => {
  let project: TestProject;
  let provider: Provider;
  const used: string[] = [];

  beforeAll(() => {
    useMotoCredentials();
    project = makeProject({ endpoint: motoEndpoint() });
    provider = managedSecretProvider({ runtime: runtimeSpecifier(process.cwd()), cwd: relative(process.cwd(), project.dir) }) as Provider;
  });
  afterAll(() => project.cleanup());

  it.each([
    ['SSM', 'DB_PASSWORD', 'store ssm'],
    ['Secrets Manager', 'API_TOKEN', 'store asm'],
    ['SOPS (age)', 'SOPS_KEY', 'sops'],
  ])('%s: create writes, update rewrites, delete removes', async (_label, name, backendLabel) => {
    const v1 = `v1-${randomUUID()}`;
    const v2 = `v2-${randomUUID()}`;
    used.push(v1, v2);
    const inputs = { name, value: v1, stack: 'dev', component: 'api' };
    expect((await provider.check({}, inputs)).failures).toEqual([]);
    const created = await provider.create(inputs);
    expect(created.id).toBe(`dev/api/${name}`);
    expect(created.outs).toMatchObject({ name, stack: 'dev', component: 'api', value: v1 });
    expect(String(created.outs.backend)).toContain(backendLabel);
    expect(typeof created.outs.location).toBe('string');
    expect(await read(project.dir, name)).toBe(v1);

    const diff = await provider.diff(created.id, created.outs, { ...inputs, value: v2 });
    expect(diff).toEqual({ changes: true, replaces: [], deleteBeforeReplace: false });
    const updated = await provider.update(created.id, created.outs, { ...inputs, value: v2 });
    expect(updated.outs).toMatchObject({ value: v2 });
    expect(await read(project.dir, name)).toBe(v2);

    await provider.delete(created.id, updated.outs);
    expect((await readError(project.dir, name)).code).toBe('SECRET_NOT_INITIALIZED');
  });

  it('keeps SOPS values encrypted on disk', async () => {
    const v = `disk-${randomUUID()}`;
    used.push(v);
    await provider.create({ name: 'SOPS_KEY', value: v, stack: 'dev', component: 'api' });
    const text = readFileSync(join(project.dir, 'secrets', 'dev.enc.yaml'), 'utf8');
    expect(text).toContain('ENC[AES256_GCM');
    expect(text).not.toContain(v);
  });

  it('diff: a different name, stack or component replaces (delete first); the same inputs change nothing', async () => {
    const olds = { name: 'DB_PASSWORD', value: 'a', stack: 'dev', component: 'api' };
    expect(await provider.diff('id', olds, { ...olds })).toEqual({ changes: false, replaces: [], deleteBeforeReplace: false });
    expect(await provider.diff('id', olds, { ...olds, name: 'OTHER', stack: 'prod' })).toEqual({ changes: true, replaces: ['name', 'stack'], deleteBeforeReplace: true });
  });

  it('check reports missing fields without echoing the value', async () => {
    const r = await provider.check({}, { name: '', value: 'x', stack: 'dev', component: 'api' });
    expect(r.failures).toEqual([{ property: 'name', reason: 'name must be a non-empty string' }]);
  });

  it('an undeclared name fails naming the secret and component, with no value in the message', async () => {
    const v = `nope-${randomUUID()}`;
    const err = (await provider.create({ name: 'UNDECLARED', value: v, stack: 'dev', component: 'api' }).catch((e: unknown) => e)) as Error & { code: string };
    expect(err.code).toBe('SECRET_NOT_DECLARED');
    expect(err.message).toContain('ManagedSecret "UNDECLARED"');
    expect(err.message).not.toContain(v);
  });

  it('the serialized provider (what Pulumi stores in state) holds coordinates only: no value, no credential, no module state', async () => {
    const sf = await pulumi.runtime.serializeFunction(() => provider, { isFactoryFunction: true });
    const text = sf.text;
    expect(text).toContain(relative(process.cwd(), project.dir));
    expect(text).toContain('managedSecretRuntime');
    expect(used.length).toBeGreaterThan(3);
    for (const v of used) expect(text).not.toContain(v);
    for (const marker of ['testing', 'AWS_SECRET_ACCESS_KEY', 'AGE-SECRET-KEY', 'redactor', 'Workspace']) expect(text).not.toContain(marker);
  });
});
