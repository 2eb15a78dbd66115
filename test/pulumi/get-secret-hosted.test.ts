/**
 * `getSecret` works unchanged for the hosted secret stores (issue 12 item 4): 1Password in Connect
 * mode against FAKE 1Password Connect, and GitHub Actions inside a runner (its variables made from
 * the values FAKE GitHub received). Pulumi's mock engine; the Outputs are secret and their values
 * serialize only inside a secret envelope.
 */
import * as pulumi from '@pulumi/pulumi';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildStoreRegistry } from '../../core/stores/store-registry';
import { getSecret, resetWorkspaces } from '../../pulumi/index';
import { FakeGithub } from '../fakes/fake-github';
import { FakeOnePasswordConnect } from '../fakes/fake-onepassword-connect';
import { useMocks, valueOf } from './pulumi-project';

const OP_VALUE = `op-pulumi-${process.pid}-Vx7`;
const GH_VALUE = `gh-pulumi-${process.pid}-Qr2`;
const op = new FakeOnePasswordConnect();
const gh = new FakeGithub();
let dir = '';
const saved = { ...process.env };

beforeAll(async () => {
  op.addVault('Infra');
  const [opUrl, ghUrl] = await Promise.all([op.start(), gh.start()]);
  dir = mkdtempSync(join(tmpdir(), 'ik-pulumi-hosted-'));
  mkdirSync(join(dir, 'stacks'), { recursive: true });
  const stores = {
    op: { kind: 'onepassword', options: { mode: 'connect', connect_host: opUrl, connect_token: op.token, vault: 'Infra' } },
    gh: { kind: 'github/actions', options: { owner: 'acme', repo: 'infra', token: gh.token, api_url: ghUrl } },
  };
  writeFileSync(
    join(dir, 'atmos.yaml'),
    `base_path: "./"\nstacks:\n  base_path: stacks\n  included_paths: ["*.yaml"]\n  name_template: "{{ .vars.stage }}"\nstores: ${JSON.stringify(stores)}\n`,
  );
  writeFileSync(
    join(dir, 'stacks', 'dev.yaml'),
    `vars: { stage: dev }
components:
  terraform:
    api:
      secrets:
        vars:
          DB_PASSWORD: { store: op, reference: "{{ .atmos_stack }}/db_password" }
          DB_CONFIG: { store: op, reference: "{{ .atmos_stack }}/db_config" }
          DEPLOY_TOKEN: { store: gh }
`,
  );
  const registry = buildStoreRegistry(stores, { env: {} });
  await registry.get('op').set!('dev', 'api', '{{ .atmos_stack }}/db_password', OP_VALUE);
  await registry.get('op').set!('dev', 'api', '{{ .atmos_stack }}/db_config', { user: 'svc', password: OP_VALUE });
  await registry.get('gh').set!('dev', 'api', 'DEPLOY_TOKEN', GH_VALUE);
  // Inside a runner: the workflow maps the secret into the job's environment.
  process.env.GITHUB_ACTIONS = 'true';
  process.env.DEPLOY_TOKEN = gh.open('DEPLOY_TOKEN');
  await useMocks('web-app', 'prod');
  pulumi.runtime.setConfig('infrakey:stack', 'dev');
  pulumi.runtime.setConfig('infrakey:component', 'api');
  resetWorkspaces();
});
afterAll(async () => {
  process.env = saved;
  await Promise.all([op.stop(), gh.stop()]);
  rmSync(dir, { recursive: true, force: true });
});

it('gives secret Outputs for 1Password (whole value and path) and GitHub Actions', async () => {
  const outs = {
    op: getSecret('DB_PASSWORD', { cwd: dir }),
    opPath: getSecret('DB_CONFIG', { cwd: dir, path: '.password' }),
    gh: getSecret('DEPLOY_TOKEN', { cwd: dir }),
  };
  for (const o of Object.values(outs)) expect(await pulumi.isSecret(o)).toBe(true);
  expect(await valueOf(outs.op)).toBe(OP_VALUE);
  expect(await valueOf(outs.opPath)).toBe(OP_VALUE);
  expect(await valueOf(outs.gh)).toBe(GH_VALUE);
  // Serialized as Pulumi sends it to the engine and state: each value only inside a secret envelope.
  const props = await pulumi.runtime.serializeProperties('test', { a: outs.op, b: outs.gh });
  const envelope = (value: string) => ({ '4dabf18193072939515e22adb298388d': '1b47061264138c4ac30d75fd1eb44270', value });
  expect(props).toEqual({ a: envelope(OP_VALUE), b: envelope(GH_VALUE) });
});
