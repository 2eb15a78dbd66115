/**
 * componentConfig under Pulumi's mock engine (project "api", stack "dev": the defaults address
 * Atmos component "api" in stack "dev"), against moto and SOPS.
 */
import * as pulumi from '@pulumi/pulumi';
import { randomUUID } from 'node:crypto';
import { setSecret, Workspace } from '../../core/internal';
import { componentConfig } from '../../pulumi/index';
import { motoEndpoint } from '../support/services';
import { makeProject, useMocks, useMotoCredentials, valueOf, type TestProject } from './pulumi-project';

describe('componentConfig (Pulumi mocks)', () => {
  let project: TestProject;
  const password = `pw-${randomUUID()}`;
  const token = `tok-${randomUUID()}`;

  beforeAll(async () => {
    useMotoCredentials();
    project = makeProject({ endpoint: motoEndpoint() });
    const ws = await Workspace.load({ cwd: project.dir });
    await setSecret(ws.secretsLayer(), { stack: 'dev', component: 'api' }, 'DB_PASSWORD', password);
    await setSecret(ws.secretsLayer(), { stack: 'dev', component: 'api' }, 'API_TOKEN', JSON.stringify({ token }));
    await useMocks('api', 'dev');
  });
  afterAll(() => project.cleanup());

  it('gives plain vars as they are and every !secret var as a secret Output', async () => {
    const vars = await componentConfig({ cwd: project.dir });
    expect(vars.region).toBe('us-east-1');
    expect(vars.replicas).toBe(3);
    expect(vars.tags).toEqual({ team: 'core' });
    expect(vars.stage).toBe('dev');
    for (const key of ['db_password', 'api_token', 'sentry']) {
      const o = vars[key] as pulumi.Output<string>;
      expect(pulumi.Output.isInstance(o)).toBe(true);
      expect(await pulumi.isSecret(o)).toBe(true);
    }
    expect(await valueOf(vars.db_password as pulumi.Output<string>)).toBe(password);
    expect(await valueOf(vars.api_token as pulumi.Output<string>)).toBe(token);
    expect(await valueOf(vars.sentry as pulumi.Output<string>)).toBe('disabled');
    // Nothing plain carries a secret value.
    const plain = JSON.stringify(Object.fromEntries(Object.entries(vars).filter(([, v]) => !pulumi.Output.isInstance(v))));
    expect(plain).not.toContain(password);
    expect(plain).not.toContain(token);
  });
});
