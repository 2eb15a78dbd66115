/**
 * DeclaredSecret over azure/keyvault and gcp/secretmanager stores: Terraform reads the value
 * itself with `azurerm_key_vault_secret` / `google_secret_manager_secret_version` on the exact
 * names Atmos composes (ephemeral blocks in ephemeral mode); a Key Vault store without
 * `options.key_vault_id` (Terraform needs the vault's ARM id) is a sensitive variable. No value
 * and no store credential reaches cdk.tf.json.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setupJest } from 'cdktf/lib/testing/adapters/jest';
import { DeclaredSecret, infrakeyContext } from '../../cdktf/index';
import { Workspace } from '../../core/index';
import { ENGINES, type TfJson } from './support/engines';

setupJest();
const VAULT_ID = '/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv1';
const GCP_CREDENTIALS = '{"type":"service_account","private_key":"-----BEGIN PRIVATE KEY-----never-in-json"}';
let workspace: Workspace;

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ik-cdktf-cloud-'));
  writeFileSync(
    join(dir, 'atmos.yaml'),
    [
      'base_path: "./"',
      'stacks: { base_path: stacks, included_paths: ["deploy/**/*"], name_template: "{{ .vars.stage }}" }',
      'stores:',
      `  kv: { kind: azure/keyvault, secret: true, options: { vault_url: "https://kv1.vault.azure.net", prefix: atmos, key_vault_id: "${VAULT_ID}" } }`,
      '  kv-no-id: { kind: azure/keyvault, secret: true, options: { vault_url: "https://kv2.vault.azure.net" } }',
      `  gsm: { kind: gcp/secretmanager, secret: true, options: { project_id: proj-1, prefix: atmos, credentials: '${GCP_CREDENTIALS}' } }`,
      '',
    ].join('\n'),
  );
  mkdirSync(join(dir, 'stacks/deploy'), { recursive: true });
  writeFileSync(
    join(dir, 'stacks/deploy/dev.yaml'),
    ['vars: { stage: plat-ue2-dev }', 'components:', '  terraform:', '    api/main:', '      secrets:', '        vars:', '          DB_PASSWORD: { store: kv }', '          NO_ID: { store: kv-no-id }', '          API_TOKEN: { store: gsm }', '          GLOBAL_TOKEN: { store: gsm, scope: global }', ''].join('\n'),
  );
  workspace = await Workspace.load({ cwd: dir, env: { HOME: dir, XDG_CONFIG_HOME: join(dir, '.xdg') } });
});

describe.each(ENGINES)('cloud store data sources ($name)', ({ lib }) => {
  const { Testing, TerraformStack, TerraformOutput } = lib;

  function stack() {
    const s = new TerraformStack(Testing.app(), 'api-dev');
    infrakeyContext(s, { workspace, stack: 'plat-ue2-dev', component: 'api/main' });
    return s;
  }

  it('azure/keyvault: azurerm_key_vault_secret on the sanitised Atmos name and the vault id; JSON-decoded value', () => {
    const s = stack();
    const db = new DeclaredSecret(s, 'db', { name: 'DB_PASSWORD' });
    new TerraformOutput(s, 'db_out', { value: db.value, sensitive: true });
    const text = Testing.synth(s);
    const json = JSON.parse(text) as TfJson;
    expect(db.source).toBe('key-vault-secret');
    const blocks = json.data!.azurerm_key_vault_secret as Record<string, Record<string, unknown>>;
    const [id] = Object.keys(blocks);
    expect(blocks[id]).toEqual({ name: 'atmos-plat-ue2-dev-api-main-DB-PASSWORD', key_vault_id: VAULT_ID });
    // Atmos stores JSON: Terraform decodes it, and keeps text that is not JSON.
    expect(json.output!.db_out.value).toContain(`jsondecode(data.azurerm_key_vault_secret.${id}.value)`);
  });

  it('azure/keyvault without options.key_vault_id: a sensitive variable', () => {
    const s = stack();
    const v = new DeclaredSecret(s, 'no_id', { name: 'NO_ID' });
    const json = JSON.parse(Testing.synth(s)) as TfJson;
    expect(v.source).toBe('variable');
    expect((json.variable as Record<string, { sensitive?: boolean }>).NO_ID.sensitive).toBe(true);
    expect(json.data?.azurerm_key_vault_secret).toBeUndefined();
  });

  it('gcp/secretmanager: google_secret_manager_secret_version on the Atmos secret id in the store project (global scope too); no credentials in the JSON', () => {
    const s = stack();
    const api = new DeclaredSecret(s, 'api', { name: 'API_TOKEN' });
    new DeclaredSecret(s, 'global', { name: 'GLOBAL_TOKEN' });
    const text = Testing.synth(s);
    const json = JSON.parse(text) as TfJson;
    expect(api.source).toBe('secret-manager-version');
    const blocks = Object.values(json.data!.google_secret_manager_secret_version as Record<string, Record<string, unknown>>);
    expect(blocks).toEqual([
      { secret: 'atmos_plat_ue2_dev_api_main_API_TOKEN', project: 'proj-1' },
      { secret: 'atmos_GLOBAL_TOKEN', project: 'proj-1' },
    ]);
    expect(text).not.toContain('never-in-json');
    expect(text).not.toContain('service_account');
  });

  it('ephemeral mode: ephemeral azurerm_key_vault_secret and google_secret_manager_secret_version blocks', () => {
    const s = stack();
    const db = new DeclaredSecret(s, 'db', { name: 'DB_PASSWORD', ephemeral: true });
    const api = new DeclaredSecret(s, 'api', { name: 'API_TOKEN', ephemeral: true });
    const json = JSON.parse(Testing.synth(s)) as TfJson & { ephemeral?: Record<string, Record<string, Record<string, unknown>>> };
    expect([db.source, api.source]).toEqual(['key-vault-secret', 'secret-manager-version']);
    expect(Object.values(json.ephemeral!.azurerm_key_vault_secret)).toEqual([{ name: 'atmos-plat-ue2-dev-api-main-DB-PASSWORD', key_vault_id: VAULT_ID }]);
    expect(Object.values(json.ephemeral!.google_secret_manager_secret_version)).toEqual([{ secret: 'atmos_plat_ue2_dev_api_main_API_TOKEN', project: 'proj-1' }]);
    expect(json.data).toBeUndefined();
  });
});
