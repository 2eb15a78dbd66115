/**
 * CDKTF with the hosted secret stores: 1Password and GitHub Actions declarations become sensitive
 * variables (filled by `infrakey secret exec --tf-vars`), never data sources. The 1Password
 * provider's `onepassword_item` data source does not fit Atmos's reference model: it takes the
 * vault's UUID (references name vaults by title), and it exposes an item's section fields and a
 * few built-in ones, not the top-level Concealed field `set` creates. Terraform cannot read
 * GitHub Actions secret values at all. The values, read (and so registered) before synthesis,
 * appear nowhere in cdk.tf.json.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setupJest } from 'cdktf/lib/testing/adapters/jest';
import { DeclaredSecret, infrakeyContext } from '../../cdktf/index';
import { unsafeUnwrap, Workspace } from '../../core/index';
import { buildStoreRegistry } from '../../core/stores/store-registry';
import { FakeGithub } from '../fakes/fake-github';
import { FakeOnePasswordConnect } from '../fakes/fake-onepassword-connect';
import { ENGINES, type TfJson } from './support/engines';

setupJest();
const OP_VALUE = `op-cdktf-${process.pid}-Hh4`;
const GH_VALUE = `gh-cdktf-${process.pid}-Pp9`;
const op = new FakeOnePasswordConnect();
const gh = new FakeGithub();
let workspace: Workspace;

beforeAll(async () => {
  op.addVault('Infra');
  const [opUrl, ghUrl] = await Promise.all([op.start(), gh.start()]);
  const dir = mkdtempSync(join(tmpdir(), 'ik-cdktf-hosted-'));
  mkdirSync(join(dir, 'stacks'));
  const stores = {
    op: { kind: 'onepassword', options: { mode: 'connect', connect_host: opUrl, connect_token: op.token, vault: 'Infra' } },
    gh: { kind: 'github/actions', options: { owner: 'acme', repo: 'infra', token: gh.token, api_url: ghUrl, ci: { enabled: true } } },
  };
  writeFileSync(join(dir, 'atmos.yaml'), `base_path: "./"\nstacks:\n  base_path: stacks\n  included_paths: ["*.yaml"]\n  name_template: "{{ .vars.stage }}"\nstores: ${JSON.stringify(stores)}\n`);
  writeFileSync(
    join(dir, 'stacks', 'dev.yaml'),
    `vars: { stage: dev }
components:
  terraform:
    api:
      secrets:
        vars:
          DB_PASSWORD: { store: op, reference: "{{ .atmos_stack }}/db_password" }
          DEPLOY_TOKEN: { store: gh }
`,
  );
  const registry = buildStoreRegistry(stores, { env: {} });
  await registry.get('op').set!('dev', 'api', '{{ .atmos_stack }}/db_password', OP_VALUE);
  await registry.get('gh').set!('dev', 'api', 'DEPLOY_TOKEN', GH_VALUE);
  workspace = await Workspace.load({ cwd: dir, env: { ...process.env, DEPLOY_TOKEN: gh.open('DEPLOY_TOKEN') } });
  // Read before synthesis: both values are registered, so the synth guard would catch them.
  const target = { stack: 'dev', component: 'api' };
  expect(unsafeUnwrap(await workspace.secret('DB_PASSWORD', target))).toBe(OP_VALUE);
  expect(unsafeUnwrap(await workspace.secret('DEPLOY_TOKEN', target))).toBe(GH_VALUE);
});
afterAll(async () => {
  await Promise.all([op.stop(), gh.stop()]);
});

describe.each(ENGINES)('DeclaredSecret with 1Password and GitHub Actions ($name)', ({ lib }) => {
  it('each is a sensitive variable with the secret exec hint, and no value in cdk.tf.json', () => {
    const app = lib.Testing.app();
    const s = new lib.TerraformStack(app, 'api-dev');
    infrakeyContext(s, { workspace, stack: 'dev', component: 'api' });
    const db = new DeclaredSecret(s, 'db', { name: 'DB_PASSWORD' });
    const token = new DeclaredSecret(s, 'token', { name: 'DEPLOY_TOKEN' });
    new lib.TerraformOutput(s, 'db_out', { value: db.value, sensitive: true });
    new lib.TerraformOutput(s, 'token_out', { value: token.value, sensitive: true });
    const text = lib.Testing.synth(s);
    const json = JSON.parse(text) as TfJson;
    expect([db.source, token.source]).toEqual(['variable', 'variable']);
    expect(db.storage).toMatchObject({ track: 'store', kind: 'onepassword', keyPath: 'op://Infra/dev/db_password' });
    expect(token.storage).toMatchObject({ track: 'store', kind: 'github/actions', keyPath: 'DEPLOY_TOKEN' });
    expect(json.variable!.DB_PASSWORD).toMatchObject({ type: 'string', sensitive: true, nullable: false });
    expect(json.variable!.DEPLOY_TOKEN).toMatchObject({ type: 'string', sensitive: true, nullable: false });
    expect(String(json.variable!.DB_PASSWORD.description)).toContain('infrakey secret exec -s dev -c api --tf-vars');
    expect(json.data).toBeUndefined();
    expect(text).not.toContain(OP_VALUE);
    expect(text).not.toContain(GH_VALUE);
  });
});
